//! The `grove` binary: `init --json`, `orgs create`, `serve` on an empty data
//! directory, and a clean exit on SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

fn grove() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grove"));
    cmd.env_remove("GROVE_CONFIG").env("RUST_LOG", "warn");
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn json_of(output: std::process::Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

async fn wait_until_up(base: &str) {
    for _ in 0..100 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server at {base} never came up");
}

#[tokio::test]
async fn init_orgs_create_and_serve() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let first = json_of(
        grove()
            .args(["init", "--json", "--data-dir", data_arg])
            .output()
            .unwrap(),
    );
    for field in ["org_id", "user_id", "api_key"] {
        assert!(first[field].is_string(), "{first}");
    }
    assert!(data.join("grove.db").exists());
    let again = grove()
        .args(["init", "--data-dir", data_arg])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already initialised"));

    let second = json_of(
        grove()
            .args(["orgs", "create", "second", "--json", "--data-dir", data_arg])
            .output()
            .unwrap(),
    );
    assert_ne!(second["org_id"], first["org_id"]);

    let port = free_port();
    let mut server = grove()
        .args(["serve", "--data-dir", data_arg])
        .env("GROVE_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&base).await;
    let client = reqwest::Client::new();
    for creds in [&first, &second] {
        let users: Value = client
            .get(format!("{base}/api/v1/users"))
            .bearer_auth(creds["api_key"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(users["total"], 1);
        assert_eq!(users["users"][0]["id"], creds["user_id"]);
    }

    // SIGTERM: a graceful, successful exit.
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "grove serve exited with {exit}");
}

#[tokio::test]
async fn serve_on_an_empty_directory_initialises_and_prints_a_working_key() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = grove()
        .args([
            "serve",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let key = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                line.split_whitespace()
                    .find(|w| w.starts_with("grove_live_"))
                    .map(str::to_owned)
            })
    })
    .await
    .unwrap()
    .expect("serve printed no key");
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&base).await;
    let resp = reqwest::Client::new()
        .get(format!("{base}/api/v1/users"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    server.kill().unwrap();
    server.wait().unwrap();
}
