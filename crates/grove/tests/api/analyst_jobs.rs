//! Jobs with saved queries against the machine's PostgreSQL (a database of
//! the test's own): a fan-out over two parameter sets leaves two chats
//! whose tables match the database's own answer for each parameter, with a
//! chart chosen from the result's shape and a report whose highlights were
//! worked out by hand.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{greenhouse_source, TestServer};

const SALES: &str = "
    CREATE TABLE sales (month date, region text, amount numeric(10,2));
    INSERT INTO sales VALUES
        ('2026-01-01', 'EU', 100), ('2026-01-01', 'EU', 20), ('2026-02-01', 'EU', 80), ('2026-03-01', 'EU', 130),
        ('2026-01-01', 'US', 200), ('2026-02-01', 'US', 260), ('2026-03-01', 'US', 250);";

const REVENUE: &str = "SELECT month, sum(amount) AS revenue FROM sales WHERE region = {{region}} GROUP BY month ORDER BY month";

async fn pg(dbname: &str) -> tokio_postgres::Client {
    let config = format!("host=127.0.0.1 port=5432 user=postgres dbname={dbname}");
    let (client, connection) = tokio_postgres::connect(&config, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// The database's own answer for `region`, as the chat's table shows it.
async fn database_answer(db: &tokio_postgres::Client, region: &str) -> Value {
    let rows = db
        .query(
            "SELECT month::text, sum(amount)::float8 FROM sales WHERE region = $1 GROUP BY month ORDER BY month",
            &[&region],
        )
        .await
        .unwrap();
    Value::Array(
        rows.iter()
            .map(|r| json!([r.get::<_, String>(0), r.get::<_, f64>(1)]))
            .collect(),
    )
}

/// The text of a PDF, by `pdftotext` (Debian's poppler-utils).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn wait_over(t: &TestServer, run: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let reply = t
            .get(&format!("/api/v1/runs/{run}"), &t.org_a.api_key)
            .await;
        if !matches!(reply.body["status"].as_str(), Some("queued" | "running")) {
            return reply.body;
        }
        assert!(Instant::now() < deadline, "{}", reply.body);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn saved_queries_fan_out_into_chats_with_tables_charts_and_computed_reports() {
    let name = format!("grove_analyst_{}", std::process::id());
    let admin = pg("test").await;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let db = pg(&name).await;
    db.batch_execute(SALES).await.unwrap();

    let t = TestServer::start_with(|c| c.queue.poll_interval_ms = 20).await;
    let key = t.org_a.api_key.clone();
    let connector = t
        .post(
            "/api/v1/data-connectors",
            &key,
            json!({"name": "Sales", "type": "postgres",
            "config": {"url": format!("postgres://postgres@127.0.0.1:5432/{name}")},
            "allowed_datasets": ["public"]}),
        )
        .await;
    assert_eq!(connector.status, StatusCode::CREATED, "{}", connector.body);
    let source = greenhouse_source(&t, &key).await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            json!({"name": "Analyst", "data_source_ids": [source], "model": "extractive"}),
        )
        .await;
    let agent = agent.body["id"].as_str().unwrap().to_owned();
    let job = t
        .post(&format!("/api/v1/agents/{agent}/jobs"), &key, json!({
            "name": "Monthly revenue", "prompt": "Revenue in {{region}}",
            "parameters": [{"name": "region", "type": "string"}],
            "parameter_sets": [{"region": "EU"}, {"region": "US"}],
            "queries": [{"name": "Revenue by month", "connector_id": connector.body["id"], "sql": REVENUE}]
        }))
        .await;
    assert_eq!(job.status, StatusCode::CREATED, "{}", job.body);
    assert_eq!(job.body["queries"][0]["name"], "Revenue by month");
    let job = job.body["id"].as_str().unwrap().to_owned();

    let started = t
        .post(&format!("/api/v1/jobs/{job}/runs"), &key, json!({}))
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let runs = started.body["runs"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 2);
    let expected_highlights = [
        (
            "EU",
            vec![
                "3 rows",
                "revenue: total 330, average 110",
                "Largest revenue: 130 (month 2026-03-01)",
                "Smallest revenue: 80 (month 2026-02-01)",
                "revenue went from 120 on 2026-01-01 to 130 on 2026-03-01 (+10, +8.33 %)",
            ],
        ),
        (
            "US",
            vec![
                "3 rows",
                "revenue: total 710, average 236.67",
                "Largest revenue: 260 (month 2026-02-01)",
                "Smallest revenue: 200 (month 2026-01-01)",
                "revenue went from 200 on 2026-01-01 to 250 on 2026-03-01 (+50, +25 %)",
            ],
        ),
    ];
    for run in runs {
        let done = wait_over(&t, run["id"].as_str().unwrap()).await;
        assert_eq!(done["status"], "succeeded", "{done}");
        let region = done["parameters"]["region"].as_str().unwrap().to_owned();
        let chat = t
            .get(
                &format!("/api/v1/chats/{}", run["chat_id"].as_str().unwrap()),
                &key,
            )
            .await;
        assert_eq!(chat.status, StatusCode::OK, "{}", chat.body);
        let documents = chat.body["documents"].as_array().unwrap();
        let kinds: Vec<&str> = documents
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["table", "chart", "report"], "{}", chat.body);

        let table = &documents[0]["content"];
        assert_eq!(
            table["rows"],
            database_answer(&db, &region).await,
            "{region}"
        );
        assert_eq!(table["columns"], json!(["month", "revenue"]));
        assert!(table["result_id"].as_str().unwrap().starts_with("res_"));
        let chart = &documents[1]["content"];
        assert_eq!(chart["spec"]["mark"], "line");
        assert_eq!(
            chart["spec"]["encoding"]["x"],
            json!({"field": "month", "type": "temporal"})
        );
        assert!(
            chart["svg"].as_str().unwrap().contains("<polyline"),
            "{chart}"
        );

        let report = &documents[2]["content"];
        assert_eq!(report["title"], "Monthly revenue");
        let (_, expected) = expected_highlights
            .iter()
            .find(|(r, _)| *r == region)
            .unwrap();
        assert_eq!(report["highlights"], json!(expected), "{region}");
        assert_eq!(
            report["sections"][0]["document_ids"],
            json!([documents[0]["id"], documents[1]["id"]])
        );
        // The report as a PDF, read back with poppler.
        let chat_id = run["chat_id"].as_str().unwrap();
        let pdf = t
            .client
            .get(t.url(&format!(
                "/api/v1/chats/{chat_id}/documents/{}/pdf",
                documents[2]["id"].as_str().unwrap()
            )))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert_eq!(
            pdf.headers()["content-disposition"],
            "attachment; filename=\"monthly-revenue.pdf\""
        );
        let text = pdf_text(&pdf.bytes().await.unwrap());
        assert!(
            text.contains("Monthly revenue") && text.contains(expected[2]),
            "{text}"
        );
        let total = format!("{}", table["rows"][2][1]);
        assert!(
            text.contains(&total),
            "a table cell ({total}) is in the PDF: {text}"
        );
        let reply = chat.body["messages"][1]["content"].as_str().unwrap();
        assert!(
            reply.starts_with("One query ran: Revenue by month (3 rows)."),
            "{reply}"
        );
        assert!(reply.contains(expected[1]), "{reply}");
    }
    drop(t);
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}
