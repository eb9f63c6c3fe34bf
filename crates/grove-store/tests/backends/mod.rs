//! The stores a test runs against: the embedded SQLite file and a fresh
//! PostgreSQL database (127.0.0.1:5432, as on every machine here), created
//! for the test and dropped when it ends, whether it passed or not.
//! [`on_each_backend!`] runs a test written once against both.

#![allow(dead_code)] // each test file uses its own part of this module

use grove_core::apikey::{self, KeyEnvironment};
use grove_core::ids::OrgId;
use grove_core::model::Role;
use grove_core::scope::Scope;
use grove_store::postgres::{PgOptions, PgStore};
use grove_store::secrets::MasterKey;
use grove_store::sqlite::SqliteStore;
use grove_store::{NewApiKey, NewUser, ProvisionOrg, Provisioned, TenancyStore};
use tokio_postgres::NoTls;

const ADMIN: &str = "host=127.0.0.1 port=5432 user=postgres dbname=test";

/// A fresh database, dropped (with its connections) when this is dropped.
pub struct TestDb {
    pub name: String,
    /// The master key every replica of this database opens it with.
    pub master: MasterKey,
}

impl TestDb {
    pub async fn new() -> Self {
        let name = format!("grove_store_{:016x}", rand::random::<u64>());
        admin()
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        Self {
            name,
            master: MasterKey::generate(),
        }
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }

    /// A store over this database, as one replica opens it.
    pub async fn replica(&self) -> PgStore {
        PgStore::open(&PgOptions::new(self.url()), self.master.clone(), None)
            .await
            .expect("open the store")
    }

    /// Drops the database now (dropping `self` does it too, from any thread).
    pub async fn drop_now(self) {
        drop_database(&self.name).await;
        std::mem::forget(self);
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Dropped inside a runtime (or while a test panics): drop the
        // database from a thread of its own with a runtime of its own.
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(drop_database(&name)))
        })
        .join();
    }
}

async fn drop_database(name: &str) {
    if let Ok((client, connection)) = tokio_postgres::connect(ADMIN, NoTls).await {
        tokio::spawn(connection);
        let _ = client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
    }
}

/// A connection to the server's `test` database, for creating and dropping
/// test databases.
pub async fn admin() -> tokio_postgres::Client {
    connect(ADMIN).await
}

/// A plain connection to `url` (a test looking at rows as stored).
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    tokio::spawn(connection);
    client
}

/// Provisions organisation `name` with its admin (`admin@NAME.example`)
/// and an admin key.
pub async fn provision<S: TenancyStore>(store: &S, name: &str) -> Provisioned {
    let key = apikey::generate(KeyEnvironment::Live);
    store
        .provision_org(ProvisionOrg {
            name: name.into(),
            admin: NewUser {
                email: format!("admin@{name}.example"),
                name: "Admin".into(),
                role: Role::Admin,
            },
            admin_key: NewApiKey {
                org_id: OrgId::generate(),
                user_id: None,
                name: "bootstrap".into(),
                prefix: key.prefix,
                hash: key.hash,
                environment: KeyEnvironment::Live,
                scopes: vec![Scope::Admin],
                permissions: vec![],
                expires_at: None,
            },
        })
        .await
        .unwrap()
}

/// A provisioned organisation's id.
pub async fn org<S: TenancyStore>(store: &S, name: &str) -> OrgId {
    provision(store, name).await.org.id
}

/// An embedded store in a temporary directory, removed when dropped.
pub struct TestSqlite {
    pub store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl TestSqlite {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("grove.db")).unwrap();
        Self { store, _dir: dir }
    }
}

/// A PostgreSQL store over a fresh database, dropped with it.
pub struct TestPg {
    pub store: PgStore,
    pub db: TestDb,
}

impl TestPg {
    pub async fn new() -> Self {
        let db = TestDb::new().await;
        let store = db.replica().await;
        Self { store, db }
    }
}

/// Runs each named test — an `async fn(&S)` generic over the store traits
/// it needs — once against the embedded store (`on_sqlite::NAME`) and once
/// against PostgreSQL (`on_postgres::NAME`).
#[macro_export]
macro_rules! on_each_backend {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let test = $crate::backends::TestSqlite::new();
                    super::$name(&test.store).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let test = $crate::backends::TestPg::new().await;
                    super::$name(&test.store).await;
                }
            )*
        }
    };
}
