//! The `grove` binary: `init --json`, `orgs create`, `serve` on an empty data
//! directory, a clean exit on SIGTERM, `grove jobs list|run|history`
//! against a test server, errors without backtraces and their exit codes,
//! `users promote` and `secrets rotate`.

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
    for field in ["org_id", "user_id", "api_key", "setup_url"] {
        assert!(first[field].is_string(), "{first}");
    }
    let setup_url = first["setup_url"].as_str().unwrap();
    assert!(setup_url.contains("/setup?token="), "{setup_url}");
    let setup_path = &setup_url[setup_url.find("/setup").unwrap()..];
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
    // A reset link for a user, printed on the server host.
    let passwd = grove()
        .args([
            "users",
            "passwd",
            "admin@grove.local",
            "--org",
            first["org_id"].as_str().unwrap(),
            "--data-dir",
            data_arg,
        ])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&passwd.stdout);
    assert!(passwd.status.success(), "{printed}");
    let reset_path = printed[printed.find("/setup?token=").unwrap()..]
        .trim()
        .to_owned();

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
    // The console is served by the same process; both links open a form.
    for (path, heading) in [
        (setup_path, "Set up Grove"),
        (reset_path.as_str(), "Choose a new password"),
    ] {
        let page = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(page.status(), reqwest::StatusCode::OK, "{path}");
        assert!(page.text().await.unwrap().contains(heading));
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

/// Runs `grove` with `args` against `t` as org A's admin, without blocking
/// the runtime the server runs on.
async fn grove_against(t: &crate::common::TestServer, args: &[&str]) -> std::process::Output {
    let mut cmd = tokio::process::Command::from(grove());
    cmd.args(args)
        .env("GROVE_SERVER", &t.base)
        .env("GROVE_API_KEY", &t.org_a.api_key)
        .output()
        .await
        .unwrap()
}

fn out(output: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn jobs_list_run_with_wait_and_history() {
    use crate::common::{greenhouse_source, TestServer};
    use reqwest::StatusCode;
    use serde_json::json;

    // A model that takes requests and never answers keeps a run going.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_base = format!("http://{}/v1", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            held.push(conn);
        }
    });
    let t = TestServer::start_with(|c| {
        c.queue.poll_interval_ms = 20;
        c.llm.max_retries = 0;
        c.llm.providers.insert(
            "silent".into(),
            grove_core::config::ProviderConfig {
                api: grove_core::config::ProviderApi::OpenaiChat,
                base_url: silent_base,
                api_key: Some("sk-silent".into()),
            },
        );
    })
    .await;
    let key = t.org_a.api_key.clone();
    let source = greenhouse_source(&t, &key).await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Gardener", "data_source_ids": [source], "model": "extractive",
                   "similarity_threshold": 0.0}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    let agent_id = agent.body["id"].as_str().unwrap();
    let slug = agent.body["slug"].as_str().unwrap().to_owned();
    let job = t
        .post(
            &format!("/api/v1/agents/{agent_id}/jobs"),
            &key,
            json!({"name": "Vents", "prompt": "What does {{thing}} do?",
                   "parameters": [{"name": "thing", "type": "string"}]}),
        )
        .await;
    assert_eq!(job.status, StatusCode::CREATED, "{}", job.body);
    let job = job.body["id"].as_str().unwrap().to_owned();

    // list, by slug
    let listed = grove_against(&t, &["jobs", "list", &slug]).await;
    let (stdout, stderr) = out(&listed);
    assert!(listed.status.success(), "{stderr}");
    let row = stdout.lines().find(|l| l.starts_with(&job)).expect(&stdout);
    assert!(row.contains("Vents"), "{stdout}");
    assert!(stdout.starts_with("ID"), "{stdout}");

    // run --wait: ids, the status and the answer; exit 0
    let ran = grove_against(
        &t,
        &[
            "jobs",
            "run",
            &job,
            "--param",
            "thing=the greenhouse vents",
            "--wait",
        ],
    )
    .await;
    let (stdout, stderr) = out(&ran);
    assert!(ran.status.success(), "{stdout}\n{stderr}");
    let first = stdout.lines().next().unwrap();
    let words: Vec<&str> = first.split_whitespace().collect();
    assert_eq!(words[0], "run", "{stdout}");
    assert_eq!(words[2], "chat", "{stdout}");
    let run_id = words[1].to_owned();
    assert!(run_id.starts_with("run_"), "{stdout}");
    assert!(words[3].starts_with("chat_"), "{stdout}");
    assert!(
        stdout.contains(&format!("run {run_id} succeeded")),
        "{stdout}"
    );
    assert!(stdout.contains("28 degrees"), "{stdout}");
    assert!(stdout.contains("Sources:"), "{stdout}");

    // an unknown parameter: non-zero, the error names it
    let bad = grove_against(&t, &["jobs", "run", &job, "--param", "colour=green"]).await;
    let (_, stderr) = out(&bad);
    assert!(!bad.status.success());
    assert!(stderr.contains("colour"), "{stderr}");
    // a malformed --param never reaches the server
    let malformed = grove_against(&t, &["jobs", "run", &job, "--param", "colour"]).await;
    assert!(!malformed.status.success());
    assert!(
        out(&malformed).1.contains("NAME=VALUE"),
        "{}",
        out(&malformed).1
    );

    // history: the run, succeeded, manual
    let history = grove_against(&t, &["jobs", "history", &job]).await;
    let (stdout, stderr) = out(&history);
    assert!(history.status.success(), "{stderr}");
    let row = stdout
        .lines()
        .find(|l| l.starts_with(&run_id))
        .expect(&stdout);
    assert!(row.contains("succeeded"), "{stdout}");
    assert!(row.contains("manual"), "{stdout}");
    assert!(row.contains("1/1"), "{stdout}");
    let raw = json_of(grove_against(&t, &["jobs", "history", &job, "--json"]).await);
    assert_eq!(raw["total"], 1, "{raw}");
    assert_eq!(raw["runs"][0]["id"], run_id.as_str());

    // 409 while a run holds the job: the error names the run and its chat
    let stuck = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Stuck", "data_source_ids": [source], "model": "silent:m",
                   "similarity_threshold": 0.0}),
        )
        .await;
    assert_eq!(stuck.status, StatusCode::CREATED, "{}", stuck.body);
    let stuck_job = t
        .post(
            &format!("/api/v1/agents/{}/jobs", stuck.body["id"].as_str().unwrap()),
            &key,
            json!({"name": "Hangs", "prompt": "When do the vents open?"}),
        )
        .await;
    let stuck_job = stuck_job.body["id"].as_str().unwrap().to_owned();
    let first = json_of(grove_against(&t, &["jobs", "run", &stuck_job, "--json"]).await);
    let holder = first["runs"][0]["id"].as_str().unwrap().to_owned();
    let chat = first["runs"][0]["chat_id"].as_str().unwrap().to_owned();
    let again = grove_against(&t, &["jobs", "run", &stuck_job]).await;
    let (_, stderr) = out(&again);
    assert!(!again.status.success());
    assert!(stderr.contains("409"), "{stderr}");
    assert!(
        stderr.contains(&format!("run {holder} holds the job; its chat is {chat}")),
        "{stderr}"
    );
    let cancelled = t
        .post(&format!("/api/v1/runs/{holder}/cancel"), &key, json!({}))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);

    // an unknown job: the API's error, non-zero
    let missing = grove_against(&t, &["jobs", "history", "job_nope"]).await;
    assert!(!missing.status.success());
    t.stop().await;
}

/// Runs `grove ARGS` with `env` set; returns the exit code, stdout and stderr.
fn run_with(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = grove();
    cmd.env_remove("GROVE_MASTER_KEY")
        .env_remove("GROVE_NEW_MASTER_KEY");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let output = cmd.args(args).output().unwrap();
    let (stdout, stderr) = out(&output);
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn user_errors_are_one_line_with_exit_codes_and_no_backtrace() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let backtrace = [("RUST_BACKTRACE", "1"), ("RUST_LIB_BACKTRACE", "1")];
    let (code, _, _) = run_with(&["init", "--data-dir", data_arg], &backtrace);
    assert_eq!(code, 0);

    let (code, _, stderr) = run_with(&["init", "--data-dir", data_arg], &backtrace);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("already initialised"), "{stderr}");
    assert!(!stderr.to_lowercase().contains("backtrace"), "{stderr}");
    assert!(stderr.lines().count() <= 2, "{stderr}");

    // Usage errors exit 2.
    let (code, _, stderr) = run_with(&["init", "--no-such-flag"], &backtrace);
    assert_eq!(code, 2, "{stderr}");
    // An unreachable server: one line naming it.
    let port = free_port();
    let server = format!("http://127.0.0.1:{port}");
    let (code, _, stderr) = run_with(
        &[
            "jobs",
            "list",
            "agent_x",
            "--server",
            &server,
            "--key",
            "grove_live_x",
        ],
        &backtrace,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.to_lowercase().contains("backtrace"), "{stderr}");
    assert!(stderr.lines().count() <= 2, "{stderr}");
    // A malformed master key: refused at start, naming the variable.
    let (code, _, stderr) = run_with(
        &["init", "--data-dir", data_arg],
        &[("GROVE_MASTER_KEY", "c2hvcnQ=")],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("GROVE_MASTER_KEY") && stderr.contains("5 bytes instead of 32"),
        "{stderr}"
    );
    assert!(help_mentions_exit_codes());
}

fn help_mentions_exit_codes() -> bool {
    let (_, stdout, _) = run_with(&["--help"], &[]);
    stdout.contains("Exit codes: 0 success, 1 failure")
}

#[test]
fn users_promote_restores_an_admin_from_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let (code, _, stderr) = run_with(
        &[
            "init",
            "--data-dir",
            data_arg,
            "--admin-email",
            "Root@Example.com",
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run_with(
        &[
            "users",
            "promote",
            "root@example.com",
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("is now an admin of default"), "{stdout}");
    let (code, _, stderr) = run_with(
        &[
            "users",
            "promote",
            "nobody@example.com",
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no user with email nobody@example.com"),
        "{stderr}"
    );
}

#[test]
fn secrets_rotate_replaces_the_master_key_and_a_wrong_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    assert_eq!(run_with(&["init", "--data-dir", data_arg], &[]).0, 0);
    let key_file = data.join("master.key");
    let before = std::fs::read_to_string(&key_file).unwrap();

    let (code, stdout, stderr) = run_with(
        &["secrets", "rotate", "--reencrypt", "--data-dir", data_arg],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("1 data key(s) now wrapped by master key"),
        "{stdout}"
    );
    assert!(
        stdout.contains("sealed again under data key dk_"),
        "{stdout}"
    );
    let after = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(before, after);
    assert!(!data.join("master.key.new").exists());

    // The old key no longer opens the data directory; the new one does.
    let (code, _, stderr) = run_with(
        &["orgs", "create", "x", "--data-dir", data_arg],
        &[("GROVE_MASTER_KEY", before.trim())],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("does not open this database's data keys"),
        "{stderr}"
    );
    let (code, _, stderr) = run_with(&["orgs", "create", "x", "--data-dir", data_arg], &[]);
    assert_eq!(code, 0, "{stderr}");

    // With the master key in the environment, the new one must be given.
    let (code, _, stderr) = run_with(
        &["secrets", "rotate", "--data-dir", data_arg],
        &[("GROVE_MASTER_KEY", after.trim())],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("GROVE_NEW_MASTER_KEY"), "{stderr}");
}

#[tokio::test]
async fn connectors_add_test_schema_and_query_print_tables() {
    let t = crate::common::TestServer::start().await;
    let path = crate::scopes::shop_database(&t, 1);
    let added = grove_against(
        &t,
        &[
            "connectors",
            "add",
            "--type",
            "sqlite",
            "--name",
            "Shop",
            "--path",
            &path,
        ],
    )
    .await;
    let (stdout, stderr) = out(&added);
    assert!(added.status.success(), "{stderr}");
    assert!(
        stdout.starts_with("dc_") && stdout.contains("Shop (sqlite) reading main"),
        "{stdout}"
    );
    let id = stdout.split_whitespace().next().unwrap().to_owned();

    let (stdout, _) = out(&grove_against(&t, &["connectors", "test", &id]).await);
    assert!(stdout.contains("tables: main.orders"), "{stdout}");
    let (stdout, _) = out(&grove_against(&t, &["connectors", "schema", &id]).await);
    assert!(
        stdout.contains("main.orders (table, about 3 rows)") && stdout.contains("region"),
        "{stdout}"
    );

    let sql = "SELECT region, sum(total) AS total FROM orders WHERE total > {{min}} GROUP BY region ORDER BY region";
    let queried = grove_against(&t, &["connectors", "query", &id, sql, "--param", "min=5"]).await;
    let (stdout, stderr) = out(&queried);
    assert!(queried.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["region", "total"],
        "{stdout}"
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["EU", "10.5"],
        "{stdout}"
    );
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["US", "20.0"],
        "{stdout}"
    );
    assert!(
        lines[3].starts_with("(2 rows;") && lines[3].contains("kept as res_"),
        "{stdout}"
    );

    let refused = grove_against(&t, &["connectors", "query", &id, "DELETE FROM orders"]).await;
    let (_, stderr) = out(&refused);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("400") && stderr.contains("only queries"),
        "{stderr}"
    );
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "one line, no backtrace: {stderr}"
    );
}
