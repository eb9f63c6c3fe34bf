//! Credentials at rest against real SQLite files: sealed on write and opened
//! on request, never in the database or its WAL in the clear, rows written
//! in the clear by older versions sealed on open, a wrong master key
//! refused, and rotation (new master key, new data key) while values stay
//! readable.

use std::path::Path;

use grove_core::ids::OrgId;
use grove_core::jobs::{ChannelKind, NotifyLevel, NotifyTopic};
use grove_core::sources::SourceKind;
use grove_store::secrets::{MasterKey, SecretError, MASTER_KEY_FILE};
use grove_store::sqlite::SqliteStore;
use grove_store::webhooks::NewWebhook;
use grove_store::{
    ChannelStore, DataSourceStore, NewChannel, NewDataSource, SecretStore, StoreError, WebhookStore,
};
use serde_json::{json, Value};

mod backends;

const TOKEN: &str = "confluence-token-9f8e7d6c5b4a";
const HOOK: &str = "https://hooks.slack.example/services/T000/B000/XyZsecretPath42";
const SIGNING: &str = "whsec_signing-secret-0123456789";

/// A Confluence source, a Slack channel and a webhook, each with a secret.
async fn credentials(store: &SqliteStore, org: &OrgId) -> (Value, Value) {
    let ds = store
        .create_data_source(
            org,
            NewDataSource {
                config: json!({"base_url": "https://wiki.example", "email": "a@b.example", "api_token": TOKEN}),
                ..NewDataSource::new("wiki", SourceKind::Confluence)
            },
        )
        .await
        .unwrap();
    let channel = store
        .create_channel(
            org,
            NewChannel {
                name: "ops".into(),
                kind: ChannelKind::Slack,
                config: json!({"webhook_url": HOOK}),
                min_level: NotifyLevel::Info,
                topics: NotifyTopic::ALL.to_vec(),
                enabled: true,
            },
        )
        .await
        .unwrap();
    store
        .create_webhook(
            org,
            NewWebhook {
                url: "https://receiver.example/hook".into(),
                events: vec!["user.created".into()],
                enabled: true,
            },
            SIGNING.into(),
        )
        .await
        .unwrap();
    (ds.config, channel.config)
}

/// Every file of `dir` (recursively) that holds `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

fn assert_no_clear_copies(dir: &Path) {
    for secret in [TOKEN, HOOK, SIGNING] {
        assert_eq!(
            files_holding(dir, secret),
            Vec::<String>::new(),
            "{secret} in the clear"
        );
    }
}

#[tokio::test]
async fn credentials_are_sealed_in_the_files_and_open_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
    let org = backends::org(&store, "acme").await;
    let (ds_config, channel_config) = credentials(&store, &org).await;

    // Stored sealed; other settings as given.
    let token = ds_config["api_token"].as_str().unwrap();
    assert!(token.starts_with("sealed:v1:dk_"), "{token}");
    assert_eq!(ds_config["base_url"], "https://wiki.example");
    assert!(channel_config["webhook_url"]
        .as_str()
        .unwrap()
        .starts_with("sealed:v1:"));
    // Opened for the code that uses them.
    assert_eq!(
        store.reveal_config(&ds_config).await.unwrap()["api_token"],
        TOKEN
    );
    assert_eq!(
        store.reveal_config(&channel_config).await.unwrap()["webhook_url"],
        HOOK
    );
    assert_eq!(store.reveal("in the clear").await.unwrap(), "in the clear");

    // A config written back as read keeps its sealed value (not sealed twice).
    let ds = store
        .list_data_sources(&org, None, Default::default())
        .await
        .unwrap()
        .items
        .remove(0);
    let patch = grove_store::DataSourcePatch {
        config: Some(ds.config.clone()),
        ..Default::default()
    };
    let again = store
        .update_data_source(&org, &ds.id, patch)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.config["api_token"], ds.config["api_token"]);

    // Neither grove.db nor its WAL (nor anything beside them) holds them.
    assert_no_clear_copies(dir.path());
    drop(store);
    assert_no_clear_copies(dir.path());
}

#[tokio::test]
async fn a_master_key_that_does_not_fit_is_refused_and_the_right_one_opens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("grove.db");
    let master = MasterKey::generate();
    let store = SqliteStore::open_with_key(&db, master.clone(), None).unwrap();
    let org = backends::org(&store, "acme").await;
    let (ds_config, _) = credentials(&store, &org).await;
    drop(store);

    let Err(err) = SqliteStore::open_with_key(&db, MasterKey::generate(), None) else {
        panic!("another master key opened the database")
    };
    assert!(
        matches!(&err, StoreError::Secret(SecretError::WrongMasterKey { expected, .. }) if expected == master.id()),
        "{err}"
    );
    assert!(err.to_string().contains("does not open"), "{err}");

    let store = SqliteStore::open_with_key(&db, master, None).unwrap();
    assert_eq!(
        store.reveal_config(&ds_config).await.unwrap()["api_token"],
        TOKEN
    );
}

#[tokio::test]
async fn credentials_stored_in_the_clear_by_older_versions_are_sealed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("grove.db");
    let store = SqliteStore::open(&db).unwrap();
    let org = backends::org(&store, "acme").await;
    credentials(&store, &org).await;
    drop(store);
    // As an older version left them: in the clear, in the WAL and the file.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
        conn.execute(
            "UPDATE data_sources SET config = ?1",
            [json!({"base_url": "https://wiki.example", "email": "a@b.example", "api_token": TOKEN}).to_string()],
        )
        .unwrap();
        conn.execute(
            "UPDATE notification_channels SET config = ?1",
            [json!({"webhook_url": HOOK}).to_string()],
        )
        .unwrap();
        conn.execute("UPDATE webhooks SET secret = ?1", [SIGNING])
            .unwrap();
        // Keep the clear rows in the WAL, as a crashed older server would.
        std::mem::forget(conn);
    }
    assert!(
        !files_holding(dir.path(), TOKEN).is_empty(),
        "the fixture is in the clear"
    );

    let store = SqliteStore::open(&db).unwrap();
    assert_no_clear_copies(dir.path());
    let ds = store
        .list_data_sources(&org, None, Default::default())
        .await
        .unwrap()
        .items
        .remove(0);
    assert!(ds.config["api_token"]
        .as_str()
        .unwrap()
        .starts_with("sealed:v1:"));
    assert_eq!(
        store.reveal_config(&ds.config).await.unwrap()["api_token"],
        TOKEN
    );
}

#[tokio::test]
async fn rotation_rewraps_and_reseals_while_values_stay_readable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("grove.db");
    let store = SqliteStore::open(&db).unwrap();
    let org = backends::org(&store, "acme").await;
    let (before, _) = credentials(&store, &org).await;
    let old_master = MasterKey::from_file(&dir.path().join(MASTER_KEY_FILE), false).unwrap();

    // A new master key only: the data key stays, so values are unchanged.
    let new_master = MasterKey::generate();
    let rotation = store
        .rotate_secrets(Some(new_master.clone()), false)
        .await
        .unwrap();
    assert_eq!((rotation.rewrapped_keys, rotation.resealed_values), (1, 0));
    let ds = store
        .list_data_sources(&org, None, Default::default())
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(ds.config["api_token"], before["api_token"]);
    // The old master key no longer opens the database; the new one does.
    let Err(err) = SqliteStore::open_with_key(&db, old_master, None) else {
        panic!("the old master key still opens the database")
    };
    assert!(
        matches!(err, StoreError::Secret(SecretError::WrongMasterKey { .. })),
        "{err}"
    );

    // Sealed again under a new data key: every value changes and still opens,
    // in this store and in another process's store holding the new master key.
    let other = SqliteStore::open_with_key(&db, new_master.clone(), None).unwrap();
    let rotation = store.rotate_secrets(None, true).await.unwrap();
    assert_eq!(rotation.resealed_values, 3);
    let ds = store
        .list_data_sources(&org, None, Default::default())
        .await
        .unwrap()
        .items
        .remove(0);
    let sealed = ds.config["api_token"].as_str().unwrap();
    assert_ne!(ds.config["api_token"], before["api_token"]);
    assert!(sealed.contains(&rotation.current_key), "{sealed}");
    assert_eq!(other.reveal(sealed).await.unwrap(), TOKEN);
    assert_eq!(store.reveal(sealed).await.unwrap(), TOKEN);
    // The dropped data key is gone from the database: opened afresh, the
    // store cannot open what it sealed.
    drop(other);
    let fresh = SqliteStore::open_with_key(&db, new_master, None).unwrap();
    let err = fresh
        .reveal(before["api_token"].as_str().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Secret(SecretError::UnknownKey(_))),
        "{err}"
    );
    assert_no_clear_copies(dir.path());
}

#[tokio::test]
async fn a_rotated_refresh_token_is_stored_sealed_in_place() {
    const ROTATED: &str = "1//rotated-refresh-token-0af3c9";
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
    let org = backends::org(&store, "acme").await;
    let ds = store
        .create_data_source(
            &org,
            NewDataSource {
                config: json!({"client_id": "c", "client_secret": "s", "refresh_token": "1//first"}),
                ..NewDataSource::new("drive", SourceKind::GoogleDrive)
            },
        )
        .await
        .unwrap();
    assert!(store
        .set_data_source_setting(&org, &ds.id, "refresh_token", ROTATED)
        .await
        .unwrap());
    let now = store.get_data_source(&org, &ds.id).await.unwrap().unwrap();
    assert!(now.config["refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("sealed:v1:"));
    assert_eq!(now.config["client_id"], "c", "other settings kept");
    let opened = store.reveal_config(&now.config).await.unwrap();
    assert_eq!(opened["refresh_token"], ROTATED);
    assert_eq!(opened["client_secret"], "s");
    assert_eq!(files_holding(dir.path(), ROTATED), Vec::<String>::new());
    // Another organisation's data source is not touched.
    let other = OrgId::generate();
    assert!(!store
        .set_data_source_setting(&other, &ds.id, "refresh_token", "x")
        .await
        .unwrap());
}

/// On PostgreSQL: a data source's credential is sealed in its row and opens
/// on request on every replica given the master key; a replica given
/// another master key is refused at start.
#[tokio::test]
async fn on_postgres_credentials_are_sealed_in_rows_and_replicas_need_the_master_key() {
    use grove_store::postgres::{PgOptions, PgStore};

    let db = backends::TestDb::new().await;
    let (a, b) = (db.replica().await, db.replica().await);
    let org = backends::org(&a, "acme").await;
    let ds = a
        .create_data_source(
            &org,
            NewDataSource {
                config: json!({"base_url": "https://wiki.example", "api_token": TOKEN}),
                ..NewDataSource::new("wiki", SourceKind::Confluence)
            },
        )
        .await
        .unwrap();
    let raw: String = backends::connect(&db.url())
        .await
        .query_one(
            "SELECT config FROM data_sources WHERE id = $1",
            &[&ds.id.as_str()],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!raw.contains(TOKEN), "stored in the clear: {raw}");
    assert_eq!(
        b.reveal_config(&ds.config).await.unwrap()["api_token"],
        TOKEN
    );

    let other = PgStore::open(&PgOptions::new(db.url()), MasterKey::generate(), None).await;
    let Err(err) = other else {
        panic!("another master key opened the database")
    };
    assert!(
        matches!(&err, StoreError::Secret(SecretError::WrongMasterKey { expected, .. }) if expected == db.master.id()),
        "{err}"
    );
}
