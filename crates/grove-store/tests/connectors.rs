//! Data connectors and kept query results on both backends: credentials
//! sealed at rest and opened for a change, organisations kept apart,
//! results outliving their connector; on PostgreSQL, changes from two
//! replicas at once all landing.

use grove_core::connectors::{ConnectorKind, DataConnector};
use grove_core::ids::{DataConnectorId, ResultId};
use grove_core::page::Page;
use grove_core::ApiError;
use grove_store::connectors::{ConnectorStore, NewDataConnector};
use grove_store::{StoreError, TenancyStore};
use serde_json::{json, Value};

mod backends;

on_each_backend!(
    credentials_are_sealed_and_the_rest_is_kept_as_given,
    a_change_sees_the_credentials_opened_and_writes_them_sealed,
    a_refused_change_writes_nothing,
    connectors_are_listed_and_deleted_within_their_org,
    results_are_kept_and_outlive_their_connector,
);

const URL: &str = "postgres://reader:hunter2@db.internal:5432/shop";

trait Store: TenancyStore + ConnectorStore {}
impl<S: TenancyStore + ConnectorStore> Store for S {}

fn postgres(name: &str) -> NewDataConnector {
    NewDataConnector {
        name: name.into(),
        kind: ConnectorKind::Postgres,
        config: json!({"url": URL, "sslmode": "require"}),
        allowed_datasets: vec!["public".into()],
        allowed_tables: vec!["public.orders".into()],
        max_rows: 1000,
        timeout_seconds: 30,
        max_cost_usd: None,
        price_per_tib_usd: 6.25,
        max_estimated_rows: Some(1_000_000),
    }
}

fn bigquery() -> NewDataConnector {
    NewDataConnector {
        name: "warehouse".into(),
        kind: ConnectorKind::Bigquery,
        config: json!({
            "project": "acme-analytics",
            "service_account": {"type": "service_account", "private_key": "-----BEGIN KEY-----"},
        }),
        allowed_datasets: vec!["sales".into()],
        allowed_tables: vec![],
        max_rows: 500,
        timeout_seconds: 60,
        max_cost_usd: Some(2.5),
        price_per_tib_usd: 6.25,
        max_estimated_rows: None,
    }
}

fn assert_sealed(value: &Value, secret: &str) {
    let text = value.as_str().expect("a sealed credential is text");
    assert!(text.starts_with("sealed:v1:"), "{text}");
    assert!(!text.contains(secret), "{text}");
}

/// The connector's fields other than its credentials, as given.
fn assert_kept(stored: &DataConnector, given: &NewDataConnector) {
    assert_eq!(stored.name, given.name);
    assert_eq!(stored.kind, given.kind);
    assert_eq!(stored.allowed_datasets, given.allowed_datasets);
    assert_eq!(stored.allowed_tables, given.allowed_tables);
    assert_eq!(stored.max_rows, given.max_rows);
    assert_eq!(stored.timeout_seconds, given.timeout_seconds);
    assert_eq!(stored.max_cost_usd, given.max_cost_usd);
    assert_eq!(stored.price_per_tib_usd, given.price_per_tib_usd);
    assert_eq!(stored.max_estimated_rows, given.max_estimated_rows);
}

async fn credentials_are_sealed_and_the_rest_is_kept_as_given<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let given = postgres("shop");
    let created = store.create_connector(&org, given.clone()).await.unwrap();
    assert_eq!(created.org_id, org);
    assert_kept(&created, &given);
    assert_sealed(&created.config["url"], "hunter2");
    assert_eq!(created.config["sslmode"], "require");
    let got = store.get_connector(&org, &created.id).await.unwrap();
    assert_eq!(got.as_ref(), Some(&created));

    // A service account (an object) is sealed as its JSON text.
    let given = bigquery();
    let created = store.create_connector(&org, given.clone()).await.unwrap();
    assert_kept(&created, &given);
    assert_sealed(&created.config["service_account"], "BEGIN KEY");
    assert_eq!(created.config["project"], "acme-analytics");

    // A kind without credentials stores its config as it is.
    let sqlite = NewDataConnector {
        kind: ConnectorKind::Sqlite,
        config: json!({"path": "/data/shop.db"}),
        ..postgres("local")
    };
    let created = store.create_connector(&org, sqlite).await.unwrap();
    assert_eq!(created.config, json!({"path": "/data/shop.db"}));
}

async fn a_change_sees_the_credentials_opened_and_writes_them_sealed<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let created = store.create_connector(&org, bigquery()).await.unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Value::Null));
    let seen_in = seen.clone();
    let changed = store
        .change_connector(
            &org,
            &created.id,
            Box::new(move |mut c: NewDataConnector| {
                *seen_in.lock().unwrap() = c.config.clone();
                c.name = "renamed".into();
                c.allowed_tables = vec!["sales.orders".into()];
                c.max_estimated_rows = Some(42);
                Ok(c)
            }),
        )
        .await
        .unwrap()
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    let account: Value = serde_json::from_str(seen["service_account"].as_str().unwrap()).unwrap();
    assert_eq!(account["private_key"], "-----BEGIN KEY-----");
    assert_eq!(changed.name, "renamed");
    assert_eq!(changed.allowed_tables, ["sales.orders"]);
    assert_eq!(changed.max_estimated_rows, Some(42));
    assert_sealed(&changed.config["service_account"], "BEGIN KEY");
    assert!(changed.updated_at >= created.updated_at);
    assert_eq!(changed.created_at, created.created_at);
    assert_eq!(
        store.get_connector(&org, &created.id).await.unwrap(),
        Some(changed)
    );

    // Absent, or another organisation's: no change runs.
    let other = backends::org(store, "other").await;
    let never = |_| -> Result<NewDataConnector, ApiError> { panic!("no change runs") };
    assert!(store
        .change_connector(&other, &created.id, Box::new(never))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .change_connector(&org, &DataConnectorId::generate(), Box::new(never))
        .await
        .unwrap()
        .is_none());
}

async fn a_refused_change_writes_nothing<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let created = store
        .create_connector(&org, postgres("shop"))
        .await
        .unwrap();
    let refused = store
        .change_connector(
            &org,
            &created.id,
            Box::new(|_| Err(ApiError::invalid_field("max_rows", "too many"))),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Refused(_))),
        "{refused:?}"
    );
    assert_eq!(
        store.get_connector(&org, &created.id).await.unwrap(),
        Some(created)
    );
}

async fn connectors_are_listed_and_deleted_within_their_org<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let other = backends::org(store, "other").await;
    let a = store.create_connector(&org, postgres("a")).await.unwrap();
    let b = store.create_connector(&org, postgres("b")).await.unwrap();
    let theirs = store.create_connector(&other, postgres("c")).await.unwrap();
    let listed = store.list_connectors(&org, Page::default()).await.unwrap();
    assert_eq!(listed.total, 2);
    let ids: Vec<_> = listed.items.iter().map(|c| c.id.clone()).collect();
    assert!(ids.contains(&a.id) && ids.contains(&b.id));
    let page = Page {
        limit: 1,
        offset: 1,
    };
    let second = store.list_connectors(&org, page).await.unwrap();
    assert_eq!((second.total, second.items.len()), (2, 1));
    assert_eq!(second.items[0].id, listed.items[1].id);
    assert!(store
        .get_connector(&org, &theirs.id)
        .await
        .unwrap()
        .is_none());

    let unknown = DataConnectorId::generate();
    let asked = [a.id.clone(), theirs.id.clone(), unknown.clone()];
    let missing = store.missing_connectors(&org, &asked).await.unwrap();
    assert_eq!(missing, [theirs.id.clone(), unknown]);
    assert!(store
        .missing_connectors(&org, &[])
        .await
        .unwrap()
        .is_empty());

    assert!(!store.delete_connector(&other, &a.id).await.unwrap());
    assert!(store.delete_connector(&org, &a.id).await.unwrap());
    assert!(!store.delete_connector(&org, &a.id).await.unwrap());
    assert!(store.get_connector(&org, &a.id).await.unwrap().is_none());
    assert_eq!(
        store
            .list_connectors(&org, Page::default())
            .await
            .unwrap()
            .total,
        1
    );
}

async fn results_are_kept_and_outlive_their_connector<S: Store>(store: &S) {
    let org = backends::org(store, "acme").await;
    let connector = store
        .create_connector(&org, postgres("shop"))
        .await
        .unwrap();
    let result = json!({"columns": ["n"], "rows": [[1], [2]], "row_count": 2});
    let sql = "SELECT n FROM orders";
    let saved = store
        .save_result(&org, Some(&connector.id), sql, result.clone())
        .await
        .unwrap();
    assert_eq!(saved.org_id, org);
    assert_eq!(saved.connector_id.as_ref(), Some(&connector.id));
    assert_eq!((saved.sql.as_str(), &saved.result), (sql, &result));
    let got = store.get_result(&org, &saved.id).await.unwrap();
    assert_eq!(got.as_ref(), Some(&saved));
    let other = backends::org(store, "other").await;
    assert!(store.get_result(&other, &saved.id).await.unwrap().is_none());
    assert!(store
        .get_result(&org, &ResultId::generate())
        .await
        .unwrap()
        .is_none());

    // Without a connector from the start, or once it is deleted.
    let loose = store
        .save_result(&org, None, "SELECT 1", json!({}))
        .await
        .unwrap();
    assert_eq!(loose.connector_id, None);
    assert!(store.delete_connector(&org, &connector.id).await.unwrap());
    let kept = store.get_result(&org, &saved.id).await.unwrap().unwrap();
    assert_eq!(kept.connector_id, None);
    assert_eq!(kept.result, result);
}

/// PostgreSQL only: replicas changing one connector at once.
mod replicas {
    use super::*;
    use crate::backends::TestDb;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn changes_from_two_replicas_at_once_all_land() {
        let db = TestDb::new().await;
        let (a, b) = (db.replica().await, db.replica().await);
        let org = backends::org(&a, "acme").await;
        let created = a.create_connector(&org, postgres("shop")).await.unwrap();
        let add = |store: grove_store::postgres::PgStore, table: String| {
            let (org, id) = (org.clone(), created.id.clone());
            tokio::spawn(async move {
                store
                    .change_connector(
                        &org,
                        &id,
                        Box::new(move |mut c: NewDataConnector| {
                            // Each change opens the credentials the other sealed.
                            assert_eq!(c.config["url"], URL);
                            c.allowed_tables.push(table);
                            Ok(c)
                        }),
                    )
                    .await
            })
        };
        let mut tasks = Vec::new();
        for n in 0..10 {
            let store = if n % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(add(store, format!("public.t{n}")));
        }
        for task in tasks {
            task.await.unwrap().unwrap().unwrap();
        }
        let stored = b.get_connector(&org, &created.id).await.unwrap().unwrap();
        let mut tables = stored.allowed_tables.clone();
        tables.sort();
        let mut expected: Vec<String> = (0..10).map(|n| format!("public.t{n}")).collect();
        expected.push("public.orders".into());
        expected.sort();
        assert_eq!(tables, expected, "no change lost");
        assert_sealed(&stored.config["url"], "hunter2");
    }
}
