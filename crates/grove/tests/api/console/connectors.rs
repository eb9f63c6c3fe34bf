//! `/connectors`: data connectors added and changed through the API's
//! checks (its reasons shown), the password masked on the page and kept
//! when sent back masked, a test that lists the allowed tables with their
//! columns, a query tried read-only (a write refused with the parser's
//! reason), deletion; readers test and query but change nothing.

use grove_core::ids::{DataConnectorId, OrgId};
use reqwest::StatusCode;

use super::{admin_of_a, member, with_password, Browser, PASSWORD};
use crate::common::TestServer;

#[tokio::test]
async fn editors_add_test_query_and_delete_connectors_readers_only_use_them() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let shop = crate::scopes::shop_database(&t, 1);
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let list = browser.get("/connectors").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains("No connectors yet"), "{}", list.html);
    let csrf = list.input("csrf");
    let add = |name: &'static str, kind: &'static str, config: String, datasets: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", name.to_owned()),
            ("type", kind.to_owned()),
            ("config", config),
            ("allowed_datasets", datasets.to_owned()),
            ("allowed_tables", String::new()),
            ("max_rows", "2".to_owned()),
            ("timeout_seconds", String::new()),
        ]
    };
    let pairs = |form: &[(&'static str, String)]| -> Vec<(&'static str, String)> { form.to_vec() };

    // The API's reasons, with what was typed kept.
    for (form, reason) in [
        (
            add("Shop", "sqlite", "{path: nowhere}".into(), ""),
            "config: is not valid JSON",
        ),
        (
            add(
                "Warehouse",
                "postgres",
                r#"{"url": "http://db/x"}"#.into(),
                "public",
            ),
            "postgres://",
        ),
    ] {
        let form = pairs(&form);
        let sent: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = browser.post("/connectors", &sent).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{reason}");
        assert!(refused.html.contains(reason), "{reason}: {}", refused.html);
    }
    let listed = t.get("/api/v1/data-connectors", &t.org_a.api_key).await;
    assert_eq!(listed.body["total"], 0, "nothing refused was stored");

    // A PostgreSQL connector: its password never reaches the page, and
    // the masked URL sent back keeps it.
    let url = "postgres://postgres:not-a-real-password@127.0.0.1:5432/test";
    let form = add(
        "Warehouse",
        "postgres",
        format!(r#"{{"url": "{url}"}}"#),
        "public",
    );
    let sent: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = browser.post("/connectors", &sent).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let warehouse = created.location().to_owned();
    let page = browser.get(&warehouse).await;
    assert!(!page.html.contains("not-a-real-password"), "{}", page.html);
    let masked = "postgres://postgres:********@127.0.0.1:5432/test";
    assert!(page.html.contains(masked), "{}", page.html);
    let saved = browser
        .post(
            &warehouse,
            &[
                ("csrf", &csrf),
                ("name", "Warehouse EU"),
                ("config", &format!(r#"{{"url": "{masked}"}}"#)),
                ("allowed_datasets", "public, sales"),
                ("allowed_tables", ""),
                ("max_rows", "500"),
                ("timeout_seconds", "60"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.html.contains("Saved."));
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let id = DataConnectorId::parse(warehouse.trim_start_matches("/connectors/")).unwrap();
    let stored = t.store.get_connector(&org, &id).await.unwrap().unwrap();
    assert_eq!(stored.name, "Warehouse EU");
    assert_eq!(stored.allowed_datasets, ["public", "sales"]);
    assert_eq!((stored.max_rows, stored.timeout_seconds), (500, 60));
    let opened = t.store.reveal_config(&stored.config).await.unwrap();
    assert_eq!(
        opened["url"], url,
        "the masked password kept the stored one"
    );

    // A SQLite connector (datasets default to `main`): tested, queried.
    let form = add("Shop", "sqlite", format!(r#"{{"path": "{shop}"}}"#), "");
    let sent: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = browser.post("/connectors", &sent).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let shop_path = created.location().to_owned();
    let tested = browser
        .post(&format!("{shop_path}/test"), &[("csrf", &csrf)])
        .await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.html);
    assert!(
        tested.html.contains("1 allowed table(s)"),
        "{}",
        tested.html
    );
    assert!(tested.html.contains("<td>main.orders</td>"));
    assert!(tested.html.contains("region (text)"), "{}", tested.html);
    let queried = browser
        .post(
            &format!("{shop_path}/query"),
            &[
                ("csrf", &csrf),
                ("sql", "SELECT region, total FROM orders ORDER BY id"),
            ],
        )
        .await;
    assert_eq!(queried.status, StatusCode::OK, "{}", queried.html);
    assert!(queried.html.contains("<th scope=\"col\">region</th>"));
    assert!(
        queried.html.contains("<td>EU</td><td>10.5</td>"),
        "{}",
        queried.html
    );
    assert!(
        queried.html.contains("2 row(s)") && queried.html.contains("row limit"),
        "max_rows 2 cut the three rows: {}",
        queried.html
    );
    let write = browser
        .post(
            &format!("{shop_path}/query"),
            &[("csrf", &csrf), ("sql", "DELETE FROM orders")],
        )
        .await;
    assert_eq!(write.status, StatusCode::BAD_REQUEST);
    assert!(write.html.contains("DELETE FROM orders"), "the SQL is kept");
    let rows: i64 = rusqlite::Connection::open(&shop)
        .unwrap()
        .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 3, "nothing was deleted");

    // Readers test and query, but change nothing.
    let (_, mut reader) = member(&t, "reader@a.example", "readonly").await;
    let shown = reader.get(&shop_path).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.html.contains("<fieldset class=\"stack\" disabled>"));
    assert!(!shown.html.contains("Delete this connector"));
    let reader_csrf = shown.input("csrf");
    let tried = reader
        .post(
            &format!("{shop_path}/query"),
            &[
                ("csrf", &reader_csrf),
                ("sql", "SELECT count(*) AS n FROM orders"),
            ],
        )
        .await;
    assert_eq!(tried.status, StatusCode::OK, "{}", tried.html);
    for action in [
        "/connectors".to_owned(),
        shop_path.clone(),
        format!("{shop_path}/delete"),
    ] {
        let refused = reader
            .post(&action, &[("csrf", &reader_csrf), ("name", "Mine")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{action}");
    }

    let deleted = browser
        .post(&format!("{shop_path}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let gone = t
        .get(
            &format!(
                "/api/v1/data-connectors/{}",
                shop_path.trim_start_matches("/connectors/")
            ),
            &t.org_a.api_key,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
