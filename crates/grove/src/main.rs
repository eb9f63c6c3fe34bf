//! The `grove` command: `serve`, `init`, `orgs create`, `users promote`,
//! `secrets rotate`, `ingest dir`, `sources`, `ask`, `jobs`, `eval`. Errors
//! print as one line with their causes and exit 1; usage errors exit 2.

mod admin;
mod ask;
mod connectors;
mod jobs;
mod mcp;
mod sources;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use grove_core::config::{Config, LogFormat};
use grove_server::provision::{provision_org, Credentials};
use grove_server::{open_search, open_store, Server};
use grove_store::Store;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "grove",
    version,
    about = "Knowledge agents and agent jobs over your own data",
    after_help = "Exit codes: 0 success, 1 failure (the message says why), 2 usage error."
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
    /// Print the OpenAPI document the server serves at /openapi.json
    /// (`grove openapi > openapi/openapi.json` refreshes the committed copy).
    Openapi,
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
    /// Users, on the server host (the data directory's owner).
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// The keys that seal stored credentials, on the server host.
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
    /// Index local files (run while the server is stopped).
    Ingest {
        #[command(subcommand)]
        command: IngestCommand,
    },
    /// Data sources of a running server: add, sync (with progress), status.
    Sources {
        #[command(subcommand)]
        command: SourcesCommand,
        /// The server's base URL.
        #[arg(
            long,
            env = "GROVE_SERVER",
            default_value = "http://127.0.0.1:8080",
            global = true
        )]
        server: String,
        /// An API key with write scope.
        #[arg(long, env = "GROVE_API_KEY", global = true, hide_env_values = true)]
        key: Option<String>,
    },
    /// Ask an agent of a running server; the answer streams, sources below.
    Ask {
        /// The agent's id or slug.
        agent: String,
        question: String,
        /// Continue a session (its id is printed after each answer).
        #[arg(long)]
        session: Option<String>,
        /// The server's base URL.
        #[arg(long, env = "GROVE_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// An API key with execute scope.
        #[arg(long, env = "GROVE_API_KEY", hide_env_values = true)]
        key: Option<String>,
    },
    /// The MCP server over stdio, for clients that launch their servers as
    /// processes: forwards to a running server's /mcp with the key.
    Mcp {
        /// Speak MCP on stdin and stdout (the only transport of this command;
        /// a running server serves Streamable HTTP at /mcp itself).
        #[arg(long)]
        stdio: bool,
        /// The server's base URL.
        #[arg(long, env = "GROVE_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// An API key; the tools shown are the ones its scopes allow.
        #[arg(long, env = "GROVE_API_KEY", hide_env_values = true)]
        key: Option<String>,
    },
    /// Data connectors of a running server: add one, test it, show its
    /// schema, run a read-only query.
    Connectors {
        #[command(subcommand)]
        command: ConnectorsCommand,
        /// The server's base URL.
        #[arg(
            long,
            env = "GROVE_SERVER",
            default_value = "http://127.0.0.1:8080",
            global = true
        )]
        server: String,
        /// An API key (write scope to add, read to test and see the schema,
        /// execute to query).
        #[arg(long, env = "GROVE_API_KEY", global = true, hide_env_values = true)]
        key: Option<String>,
        /// Print the API's JSON instead of tables.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Jobs of a running server: list an agent's jobs, run one, its history.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
        /// The server's base URL.
        #[arg(
            long,
            env = "GROVE_SERVER",
            default_value = "http://127.0.0.1:8080",
            global = true
        )]
        server: String,
        /// An API key with read scope (execute scope to run a job).
        #[arg(long, env = "GROVE_API_KEY", global = true, hide_env_values = true)]
        key: Option<String>,
        /// Print the API's JSON instead of tables.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Measure quality.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
}

#[derive(Subcommand)]
enum IngestCommand {
    /// Index every .html, .md and .txt file under DIR as a new data source.
    Dir {
        dir: PathBuf,
        /// Name of the data source (default: the directory's name).
        #[arg(long)]
        name: Option<String>,
        /// Organisation id (default: the only organisation).
        #[arg(long)]
        org: Option<String>,
        /// File names to leave out (repeatable), e.g. --exclude print.html.
        #[arg(long)]
        exclude: Vec<String>,
        /// Chunk size in tokens of the embedding model's tokenizer.
        #[arg(long, default_value_t = 512)]
        chunk_tokens: usize,
        #[arg(long, default_value_t = 50)]
        overlap_tokens: usize,
        #[command(flatten)]
        location: Location,
    },
}

#[derive(Subcommand)]
enum SourcesCommand {
    /// Create a data source; prints its id.
    Add {
        /// website or file (other types need config: see docs/API.md)
        #[arg(long = "type", default_value = "website")]
        kind: String,
        #[arg(long)]
        name: String,
        /// Start URL of a website.
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        max_pages: Option<u32>,
        /// hourly, daily, weekly or manual.
        #[arg(long, default_value = "manual")]
        frequency: String,
    },
    /// Upload files (PDF, DOCX, HTML, Markdown, text, CSV, zip) to a `file`
    /// data source and follow the sync that indexes them.
    Upload {
        id: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Return once the files are stored.
        #[arg(long)]
        no_wait: bool,
    },
    /// Queue a sync and follow it with a progress bar.
    Sync {
        id: String,
        /// Return once the sync is queued.
        #[arg(long)]
        no_wait: bool,
    },
    /// Print the sync status as JSON.
    Status { id: String },
}

#[derive(Subcommand)]
enum ConnectorsCommand {
    /// Create a data connector; prints its id.
    Add {
        /// postgres, mysql or sqlite
        #[arg(long = "type")]
        kind: String,
        #[arg(long)]
        name: String,
        /// A connection URL with user and password (postgres, mysql).
        #[arg(long)]
        url: Option<String>,
        /// A SQLite database file.
        #[arg(long)]
        path: Option<String>,
        /// A schema (PostgreSQL) or database (MySQL) whose tables may be
        /// read; repeat for more (SQLite: `main`, the default).
        #[arg(long = "dataset")]
        datasets: Vec<String>,
        /// Only these tables (`dataset.table`); repeat for more.
        #[arg(long = "table")]
        tables: Vec<String>,
        #[arg(long)]
        max_rows: Option<u64>,
        #[arg(long)]
        timeout_seconds: Option<u64>,
    },
    /// Connect and list the visible tables.
    Test { id: String },
    /// The allowed tables with their columns.
    Schema { id: String },
    /// Run a read-only query and print the result as a table.
    Query {
        id: String,
        sql: String,
        /// A value for a `{{NAME}}` in the SQL (bound, never pasted).
        #[arg(long = "param", value_name = "NAME=VALUE", value_parser = jobs::parse_param)]
        params: Vec<(String, serde_json::Value)>,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// An agent's jobs: id, name, schedule and time zone, enabled, next run.
    List {
        /// The agent's id or slug.
        agent: String,
    },
    /// Run a job now; prints the run and chat ids. Without --param the job
    /// runs its saved parameter sets (or its defaults).
    Run {
        /// The job's id.
        job: String,
        /// A parameter, NAME=VALUE (repeatable). VALUE is read as JSON when
        /// it parses (3, true, "42"), else as a string.
        #[arg(long = "param", value_name = "NAME=VALUE", value_parser = jobs::parse_param)]
        params: Vec<(String, serde_json::Value)>,
        /// Wait until every run is over, print each status and, for one
        /// run, the answer; exit non-zero unless all succeeded.
        #[arg(long)]
        wait: bool,
    },
    /// A job's runs, newest first: id, status, initiator, attempts, start,
    /// duration, error.
    History {
        /// The job's id.
        job: String,
        /// Runs to show (1 to 200).
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// hit@5, MRR@10 and recall@10 per search mode over a question set, and
    /// how many questions a default agent would answer or decline.
    Retrieval {
        /// TSV: question, tab, relevant page names (comma-separated), or `-`
        /// for a question the corpus cannot answer.
        #[arg(long)]
        questions: PathBuf,
        #[arg(long)]
        data_source: String,
        #[arg(long)]
        org: Option<String>,
        /// Modes to score, comma-separated.
        #[arg(long, default_value = "lexical,vector,hybrid", value_delimiter = ',')]
        modes: Vec<String>,
        /// Also write every ranking as JSON lines (the format `eval score` reads).
        #[arg(long)]
        rankings_out: Option<PathBuf>,
        #[command(flatten)]
        location: Location,
    },
    /// Answer quality over a labelled set (eval/<corpus>/answers.tsv): the
    /// extractive answerer with and without the embedder beside two
    /// baselines, each from the sources a default agent retrieves.
    Answers {
        /// TSV: question, tab, relevant pages, tab, gold sentences (` || `).
        #[arg(long)]
        answers: PathBuf,
        #[arg(long)]
        data_source: String,
        #[arg(long)]
        org: Option<String>,
        /// Sentences per answer (1 to 3; default: llm.extractive_sentences).
        #[arg(long)]
        sentences: Option<usize>,
        /// Also score two-turn pairs (eval/<corpus>/followups.tsv): the second
        /// turn's hit@5 as redwood asks it and as cedar rewrites it.
        #[arg(long)]
        followups: Option<PathBuf>,
        /// Also write every answer as JSON lines {answerer, question, answer, gold_hit}.
        #[arg(long)]
        answers_out: Option<PathBuf>,
        /// Also compare redwood and cypress retrieval (hit@5, overall and on
        /// questions redwood's first source misses) over a question set
        /// (eval/<corpus>/questions.tsv).
        #[arg(long)]
        strategies: Option<PathBuf>,
        #[command(flatten)]
        location: Location,
    },
    /// Scores rankings files (JSON lines from `eval retrieval --rankings-out`
    /// or a peer such as eval/peers/peer.py) with the same measures.
    Score {
        #[arg(long)]
        questions: PathBuf,
        /// Rankings files (repeatable).
        #[arg(long, required = true)]
        rankings: Vec<PathBuf>,
    },
}

fn parse_mode(raw: &str) -> anyhow::Result<grove_search::Mode> {
    match raw.trim() {
        "lexical" => Ok(grove_search::Mode::Lexical),
        "vector" => Ok(grove_search::Mode::Vector),
        "hybrid" => Ok(grove_search::Mode::Hybrid),
        other => bail!("--modes: unknown mode `{other}` (lexical, vector, hybrid)"),
    }
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

#[derive(Subcommand)]
enum UsersCommand {
    /// Print a one-time link (valid 24 hours) where the user sets a new
    /// password for the web console.
    Passwd {
        email: String,
        /// The organisation's id or name, when the email is in several.
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        location: Location,
    },
    /// Make a user an admin of their organisation: the recovery when no
    /// admin is left to do it through the API.
    Promote {
        email: String,
        /// The organisation's id or name, when the email is in several.
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        location: Location,
    },
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// Wrap the data keys with a new master key (written to master.key, or
    /// taken from GROVE_NEW_MASTER_KEY when GROVE_MASTER_KEY is used).
    /// Running servers keep working.
    Rotate {
        /// Also seal every credential again under a new data key and drop
        /// the old data keys.
        #[arg(long)]
        reencrypt: bool,
        /// The new master key, base64 of 32 bytes.
        #[arg(long, env = "GROVE_NEW_MASTER_KEY", hide_env_values = true)]
        new_master_key: Option<String>,
        #[command(flatten)]
        location: Location,
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

/// The one-time link where a new organisation's admin sets a console
/// password.
async fn first_admin_link(
    store: &dyn Store,
    creds: &Credentials,
    config: &Config,
) -> anyhow::Result<String> {
    let org = grove_core::ids::OrgId::parse(&creds.org_id)
        .map_err(|_| anyhow::anyhow!("the new organisation's id is malformed"))?;
    let user = grove_core::ids::UserId::parse(&creds.user_id)
        .map_err(|_| anyhow::anyhow!("the new admin's id is malformed"))?;
    let admin = store
        .get_user(&org, &user)
        .await?
        .context("the new admin vanished")?;
    let link = grove_console::setup_link(
        store,
        &admin,
        grove_core::model::LinkPurpose::Setup,
        &admin::console_base(config),
    )
    .await?;
    Ok(link)
}

fn print_credentials(
    creds: &Credentials,
    setup_url: &str,
    json: bool,
    what: &str,
) -> anyhow::Result<()> {
    if json {
        let mut value = serde_json::to_value(creds)?;
        value["setup_url"] = serde_json::json!(setup_url);
        say(&value.to_string());
    } else {
        let console =
            format!("\nSet the admin's console password (one use, 24 hours):\n  {setup_url}");
        say(&format!(
            "{what}\n  organisation: {}\n  admin user:   {}\n  admin key:    {}\nStore the key now: it is shown only once.{console}",
            creds.org_id, creds.user_id, creds.api_key
        ));
    }
    Ok(())
}

/// Runs the command; a failure prints `error: <what>: <cause>…` on one line
/// and exits 1, never with a backtrace, whatever `RUST_BACKTRACE` says.
/// Clap exits 2 on usage errors before this runs.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Serve(location) => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            serve(config).await
        }
        Command::Openapi => {
            let document = grove_server::openapi::document();
            println!("{}", serde_json::to_string_pretty(&document)?);
            Ok(())
        }
        Command::Init {
            location,
            json,
            org_name,
            admin_email,
        } => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            let store = open_store(&config).await?;
            let orgs = store.count_orgs().await?;
            if orgs > 0 {
                bail!(
                    "{} is already initialised ({orgs} organisation(s)); use `grove orgs create` to add one",
                    config.data_dir.display()
                );
            }
            let creds = provision_org(store.as_ref(), org_name, admin_email).await?;
            let setup_url = first_admin_link(store.as_ref(), &creds, &config).await?;
            print_credentials(&creds, &setup_url, *json, "Initialised Grove.")
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
            let store = open_store(&config).await?;
            let creds = provision_org(store.as_ref(), name, admin_email).await?;
            let setup_url = first_admin_link(store.as_ref(), &creds, &config).await?;
            print_credentials(
                &creds,
                &setup_url,
                *json,
                &format!("Created organisation {name}."),
            )
        }
        Command::Users {
            command:
                UsersCommand::Promote {
                    email,
                    org,
                    location,
                },
        } => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            say(&admin::promote_user(&config, email, org.as_deref()).await?);
            Ok(())
        }
        Command::Users {
            command:
                UsersCommand::Passwd {
                    email,
                    org,
                    location,
                },
        } => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            say(&admin::password_link(&config, email, org.as_deref()).await?);
            Ok(())
        }
        Command::Secrets {
            command:
                SecretsCommand::Rotate {
                    reencrypt,
                    new_master_key,
                    location,
                },
        } => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            say(&admin::rotate_secrets(&config, new_master_key.as_deref(), *reencrypt).await?);
            Ok(())
        }
        Command::Ingest {
            command:
                IngestCommand::Dir {
                    dir,
                    name,
                    org,
                    exclude,
                    chunk_tokens,
                    overlap_tokens,
                    location,
                },
        } => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            let args = tools::IngestArgs {
                dir,
                name: name.as_deref(),
                org: org.as_deref(),
                exclude,
                settings: grove_ingest::chunk::ChunkSettings {
                    max_tokens: *chunk_tokens,
                    overlap_tokens: *overlap_tokens,
                },
            };
            tools::ingest_dir(&config, args).await
        }
        Command::Sources {
            command,
            server,
            key,
        } => {
            let key = key
                .as_deref()
                .context("an API key is needed: --key or GROVE_API_KEY")?;
            let remote = sources::Remote::new(server, key);
            match command {
                SourcesCommand::Add {
                    kind,
                    name,
                    url,
                    max_pages,
                    frequency,
                } => {
                    let new = sources::NewSource {
                        kind,
                        name,
                        url: url.as_deref(),
                        max_pages: *max_pages,
                        frequency,
                    };
                    sources::add(&remote, new).await
                }
                SourcesCommand::Upload { id, files, no_wait } => {
                    sources::upload(&remote, id, files, !no_wait).await
                }
                SourcesCommand::Sync { id, no_wait } => sources::sync(&remote, id, !no_wait).await,
                SourcesCommand::Status { id } => sources::status(&remote, id).await,
            }
        }
        Command::Ask {
            agent,
            question,
            session,
            server,
            key,
        } => {
            let key = key
                .as_deref()
                .context("an API key is needed: --key or GROVE_API_KEY")?;
            let remote = sources::Remote::new(server, key);
            ask::ask(&remote, agent, question, session.as_deref()).await
        }
        Command::Mcp { stdio, server, key } => {
            if !stdio {
                bail!("say --stdio: this command speaks MCP on stdin and stdout (a running server serves Streamable HTTP at {server}/mcp)");
            }
            let key = key
                .as_deref()
                .context("an API key is needed: --key or GROVE_API_KEY")?;
            mcp::serve_stdio(&sources::Remote::new(server, key)).await
        }
        Command::Connectors {
            command,
            server,
            key,
            json,
        } => {
            let key = key
                .as_deref()
                .context("an API key is needed: --key or GROVE_API_KEY")?;
            let remote = sources::Remote::new(server, key);
            match command {
                ConnectorsCommand::Add {
                    kind,
                    name,
                    url,
                    path,
                    datasets,
                    tables,
                    max_rows,
                    timeout_seconds,
                } => {
                    let new = connectors::NewConnector {
                        kind,
                        name,
                        url: url.as_deref(),
                        path: path.as_deref(),
                        datasets,
                        tables,
                        max_rows: *max_rows,
                        timeout_seconds: *timeout_seconds,
                    };
                    connectors::add(&remote, new, *json).await
                }
                ConnectorsCommand::Test { id } => connectors::test(&remote, id, *json).await,
                ConnectorsCommand::Schema { id } => connectors::schema(&remote, id, *json).await,
                ConnectorsCommand::Query { id, sql, params } => {
                    connectors::query(&remote, id, sql, params, *json).await
                }
            }
        }
        Command::Jobs {
            command,
            server,
            key,
            json,
        } => {
            let key = key
                .as_deref()
                .context("an API key is needed: --key or GROVE_API_KEY")?;
            let remote = sources::Remote::new(server, key);
            match command {
                JobsCommand::List { agent } => jobs::list(&remote, agent, *json).await,
                JobsCommand::Run { job, params, wait } => {
                    jobs::run(&remote, job, params, *wait, *json).await
                }
                JobsCommand::History { job, limit } => {
                    jobs::history(&remote, job, *limit, *json).await
                }
            }
        }
        Command::Eval {
            command:
                EvalCommand::Retrieval {
                    questions,
                    data_source,
                    org,
                    modes,
                    rankings_out,
                    location,
                },
        } => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            let modes = modes
                .iter()
                .map(|m| parse_mode(m))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let run = tools::EvalRun {
                questions,
                data_source,
                org: org.as_deref(),
                modes: &modes,
                rankings_out: rankings_out.as_deref(),
            };
            tools::eval_retrieval(&config, run).await
        }
        Command::Eval {
            command:
                EvalCommand::Answers {
                    answers,
                    data_source,
                    org,
                    sentences,
                    followups,
                    answers_out,
                    strategies,
                    location,
                },
        } => {
            let config = load_config(cli.config.as_ref(), location)?;
            init_logging(&config);
            let run = tools::AnswerRun {
                answers,
                data_source,
                org: org.as_deref(),
                sentences: sentences.unwrap_or(config.llm.extractive_sentences),
                followups: followups.as_deref(),
                answers_out: answers_out.as_deref(),
                strategies: strategies.as_deref(),
            };
            tools::eval_answers(&config, run).await
        }
        Command::Eval {
            command:
                EvalCommand::Score {
                    questions,
                    rankings,
                },
        } => tools::eval_score(questions, rankings),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let shutdown_signal = install_shutdown_signal()?;
    let store = open_store(&config).await?;
    if store.count_orgs().await? == 0 {
        let creds = provision_org(store.as_ref(), "default", "admin@grove.local").await?;
        let setup_url = first_admin_link(store.as_ref(), &creds, &config).await?;
        print_credentials(
            &creds,
            &setup_url,
            false,
            "Empty data directory: initialised Grove.",
        )?;
    }
    let store: Arc<dyn Store> = store;
    let (search, embedder_status) = open_search(&config)?;
    let server = Server::start(
        config,
        store,
        search,
        &embedder_status,
        grove_console::router(),
    )
    .await?;
    say(&format!("Grove is listening on http://{}", server.addr));
    shutdown_signal.await;
    tracing::info!("shutting down: finishing in-flight requests");
    server.shutdown();
    server.wait().await.context("server stopped with an error")
}

/// Registers SIGTERM and SIGINT handlers now, so a signal that arrives as soon
/// as the port answers still shuts down gracefully; the future ends on either.
fn install_shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}
