//! The `grove` command: `serve`, `init`, `orgs create`.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use grove_core::config::{Config, LogFormat};
use grove_server::provision::{provision_org, Credentials};
use grove_server::{open_search, open_store, Server};
use grove_store::{Store, TenancyStore};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "grove",
    version,
    about = "Knowledge agents and agent jobs over your own data"
)]
struct Cli {
    /// Config file (default: ./grove.toml when present; also GROVE_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Location {
    /// Listen address, HOST:PORT (also GROVE_ADDR).
    #[arg(long)]
    addr: Option<String>,
    /// Data directory (also GROVE_DATA_DIR).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the HTTP server; initialises an empty data directory first.
    Serve(Location),
    /// Create the data directory, the first organisation, an admin user and key.
    Init {
        #[command(flatten)]
        location: Location,
        /// Print {"org_id","user_id","api_key"} as JSON.
        #[arg(long)]
        json: bool,
        /// Name of the first organisation.
        #[arg(long, default_value = "default")]
        org_name: String,
        /// Email of the admin user.
        #[arg(long, default_value = "admin@grove.local")]
        admin_email: String,
    },
    /// Manage organisations.
    Orgs {
        #[command(subcommand)]
        command: OrgsCommand,
    },
}

#[derive(Subcommand)]
enum OrgsCommand {
    /// Add an organisation with its own admin user and key.
    Create {
        name: String,
        #[command(flatten)]
        location: Location,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "admin@grove.local")]
        admin_email: String,
    },
}

fn load_config(cli_config: Option<&PathBuf>, location: &Location) -> anyhow::Result<Config> {
    let mut config = Config::load(cli_config.map(PathBuf::as_path))?;
    if let Some(addr) = &location.addr {
        config.addr = addr.clone();
    }
    if let Some(dir) = &location.data_dir {
        config.data_dir = dir.clone();
    }
    Ok(config)
}

/// Logs go to stderr so `--json` output on stdout stays machine-readable.
fn init_logging(config: &Config) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Writes to stdout; a closed stdout (a detached server) is not an error.
fn say(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{text}");
}

fn print_credentials(creds: &Credentials, json: bool, what: &str) -> anyhow::Result<()> {
    if json {
        say(&serde_json::to_string(creds)?);
    } else {
        say(&format!(
            "{what}\n  organisation: {}\n  admin user:   {}\n  admin key:    {}\nStore the key now: it is shown only once.",
            creds.org_id, creds.user_id, creds.api_key
        ));
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match &cli.command {
        Command::Serve(location) => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            serve(config).await
        }
        Command::Init {
            location,
            json,
            org_name,
            admin_email,
        } => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            let store = open_store(&config)?;
            let orgs = store.count_orgs().await?;
            if orgs > 0 {
                bail!(
                    "{} is already initialised ({orgs} organisation(s)); use `grove orgs create` to add one",
                    config.data_dir.display()
                );
            }
            let creds = provision_org(store.as_ref(), org_name, admin_email).await?;
            print_credentials(&creds, *json, "Initialised Grove.")
        }
        Command::Orgs {
            command:
                OrgsCommand::Create {
                    name,
                    location,
                    json,
                    admin_email,
                },
        } => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            let store = open_store(&config)?;
            let creds = provision_org(store.as_ref(), name, admin_email).await?;
            print_credentials(&creds, *json, &format!("Created organisation {name}."))
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let store = open_store(&config)?;
    if store.count_orgs().await? == 0 {
        let creds = provision_org(store.as_ref(), "default", "admin@grove.local").await?;
        print_credentials(&creds, false, "Empty data directory: initialised Grove.")?;
    }
    let store: Arc<dyn Store> = store;
    let (search, embedder_status) = open_search(&config)?;
    let server = Server::start(config, store, search, &embedder_status).await?;
    say(&format!("Grove is listening on http://{}", server.addr));
    shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight requests");
    server.shutdown();
    server.wait().await.context("server stopped with an error")
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
