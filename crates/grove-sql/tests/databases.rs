//! Connectors against real databases: PostgreSQL on 127.0.0.1:5432 and
//! MariaDB/MySQL on 127.0.0.1:3306 (each test makes and drops databases of
//! its own), and SQLite files. Attacks are refused with the database left
//! unchanged; with the parser bypassed, the database still refuses writes;
//! reads come back typed, bound, capped and estimated.

use std::time::Duration;

use grove_core::connectors::ConnectorKind;
use grove_sql::{
    AllowList, Catalog, Connector, ConnectorSpec, Driver, Limits, SqlError, TableKind, TableRef,
};
use serde_json::{json, Map, Value};

const PG_ADMIN: &str = "host=127.0.0.1 port=5432 user=postgres dbname=test";
const MY_ADMIN: &str = "mysql://root@127.0.0.1:3306/test";

fn limits() -> Limits {
    Limits {
        max_rows: 1_000,
        timeout: Duration::from_secs(5),
        max_estimated_rows: None,
        max_cost_usd: None,
        price_per_tib_usd: 6.25,
    }
}

fn spec(kind: ConnectorKind, config: Value, dataset: &str) -> ConnectorSpec {
    ConnectorSpec {
        kind,
        config,
        allow: AllowList {
            datasets: vec![dataset.into()],
            tables: vec![format!("{dataset}.orders"), format!("{dataset}.customers")],
        },
        limits: limits(),
    }
}

fn open(spec: ConnectorSpec) -> Connector {
    Connector::open(spec, &std::env::temp_dir().join("grove-sql-no-data-dir")).unwrap()
}

fn no_params() -> Map<String, Value> {
    Map::new()
}

fn params(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// Statements every dialect refuses before the database sees them.
const ATTACKS: &[&str] = &[
    "DELETE FROM orders",
    "UPDATE orders SET total = 0",
    "INSERT INTO orders (id) VALUES (99)",
    "DROP TABLE orders",
    "SELECT 1; DELETE FROM orders",
    "SELECT 1 /* x */; DROP TABLE customers -- hidden",
    "SELECT * FROM secrets",
    "SELECT * FROM secret_view",
    "SELECT * FROM orders WHERE id IN (SELECT id FROM secrets)",
    "WITH orders AS (SELECT * FROM secrets) SELECT * FROM orders",
    "WITH secrets AS (SELECT * FROM secrets) SELECT * FROM secrets",
    "CREATE TABLE stolen AS SELECT * FROM orders",
];

/// What must stay as it was: orders' count and total, the secret.
async fn fingerprint(connector: &Connector) -> Vec<Vec<Value>> {
    connector
        .query(
            "SELECT count(*) AS n, sum(total) AS total FROM orders",
            &no_params(),
        )
        .await
        .unwrap()
        .rows
}

async fn refuses_attacks(connector: &Connector, extra: &[&str]) {
    let before = fingerprint(connector).await;
    for sql in ATTACKS.iter().chain(extra) {
        match connector.query(sql, &no_params()).await {
            Err(SqlError::Refused(refusal)) => assert!(!refusal.detail.is_empty()),
            other => panic!("`{sql}` was not refused: {other:?}"),
        }
    }
    assert_eq!(fingerprint(connector).await, before);
}

/// A catalog that lets the driver alone see every table named.
fn everything(dataset: &str) -> Catalog {
    Catalog {
        tables: ["orders", "customers"]
            .iter()
            .map(|n| TableRef {
                dataset: dataset.into(),
                name: (*n).into(),
                kind: TableKind::Table,
            })
            .collect(),
        unqualified: vec![dataset.into()],
        project: None,
        present: Vec::new(),
    }
}

async fn driver_refuses_writes(driver: &dyn Driver, dataset: &str, writes: &[&str], says: &[&str]) {
    for sql in writes {
        match driver.run(sql, &[], &limits(), &everything(dataset)).await {
            Err(SqlError::Failed(message)) => assert!(
                says.iter().any(|s| message.to_lowercase().contains(s)),
                "`{sql}`: {message}"
            ),
            other => panic!("the database let `{sql}` through: {other:?}"),
        }
    }
}

/// Runs `body`, then `cleanup` whether or not it panicked.
async fn with_cleanup<F, C>(body: F, cleanup: C)
where
    F: std::future::Future<Output = ()> + Send + 'static,
    C: std::future::Future<Output = ()>,
{
    let outcome = tokio::spawn(body).await;
    cleanup.await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

// ---------------------------------------------------------------- PostgreSQL

async fn pg_admin(dbname: &str) -> tokio_postgres::Client {
    let config = PG_ADMIN.replace("dbname=test", &format!("dbname={dbname}"));
    let (client, connection) = tokio_postgres::connect(&config, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

const PG_SETUP: &str = "
    CREATE SCHEMA private;
    CREATE SCHEMA sales;
    CREATE TABLE sales.orders (id int, total numeric);
    INSERT INTO sales.orders VALUES (1, 5);
    CREATE TABLE public.customers (id int PRIMARY KEY, name text NOT NULL);
    CREATE TABLE public.orders (id int PRIMARY KEY, customer_id int, region text, total numeric(10,2),
        placed date, created_at timestamptz, paid boolean, tags text[], meta jsonb);
    CREATE TABLE public.secrets (id int, secret text);
    CREATE TABLE private.keys (id int, key text);
    CREATE VIEW public.secret_view AS SELECT * FROM private.keys;
    INSERT INTO public.customers VALUES (1, 'Ada'), (2, 'Brian');
    INSERT INTO public.orders
    SELECT i, 1 + i % 2, CASE WHEN i % 3 = 0 THEN 'EU' ELSE 'US' END, i * 10.25,
           DATE '2026-01-01' + i, TIMESTAMPTZ '2026-01-01 12:00:00+00' + i * INTERVAL '1 day',
           i % 2 = 0, ARRAY['a', 'b'], jsonb_build_object('n', i)
    FROM generate_series(1, 12) AS i;
    INSERT INTO public.secrets VALUES (1, 'hunter2');
    INSERT INTO private.keys VALUES (1, 'sk-live');
    ANALYZE;";

async fn with_pg_database(
    test: impl FnOnce(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) {
    let name = unique("grove_sql_pg");
    let admin = pg_admin("test").await;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    pg_admin(&name).await.batch_execute(PG_SETUP).await.unwrap();
    let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    with_cleanup(test(url), async {
        admin
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_attacks_are_refused_and_the_database_is_unchanged() {
    with_pg_database(|url| {
        Box::pin(async move {
            let connector = open(spec(ConnectorKind::Postgres, json!({"url": url}), "public"));
            refuses_attacks(
                &connector,
                &[
                    "SELECT pg_sleep(5)",
                    "SELECT pg_read_file('/etc/passwd')",
                    "SELECT * FROM private.keys",
                    "SELECT * FROM pg_catalog.pg_authid",
                    "SELECT * FROM orders FOR UPDATE",
                    "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d",
                    "EXPLAIN ANALYZE DELETE FROM orders",
                    "SELECT * INTO stolen FROM orders",
                    "COPY orders TO '/tmp/grove-stolen'",
                    "SELECT set_config('default_transaction_read_only', 'off', false)",
                ],
            )
            .await;
            let tables: Vec<String> = pg_admin_query_tables(&url).await;
            assert!(!tables.contains(&"stolen".to_owned()), "{tables:?}");
        })
    })
    .await;
}

async fn pg_admin_query_tables(url: &str) -> Vec<String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refuses_writes_and_stops_slow_queries_without_the_parser() {
    with_pg_database(|url| {
        Box::pin(async move {
            let driver = grove_sql::postgres::Postgres::new(&json!({"url": url})).unwrap();
            driver_refuses_writes(
                &driver,
                "public",
                &[
                    "DELETE FROM orders",
                    "INSERT INTO orders (id) VALUES (99)",
                    "UPDATE orders SET total = 0",
                    "CREATE TABLE stolen (id int)",
                    "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d",
                ],
                &["read-only transaction"],
            )
            .await;
            let slow = Limits {
                timeout: Duration::from_secs(1),
                ..limits()
            };
            match driver
                .run("SELECT pg_sleep(5)", &[], &slow, &everything("public"))
                .await
            {
                Err(SqlError::Failed(m)) => assert!(m.contains("statement timeout"), "{m}"),
                other => panic!("{other:?}"),
            }
            let connector = open(spec(ConnectorKind::Postgres, json!({"url": url}), "public"));
            assert_eq!(
                fingerprint(&connector).await,
                vec![vec![json!(12), json!(799.5)]]
            );
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reads_come_back_typed_bound_capped_and_estimated() {
    with_pg_database(|url| Box::pin(async move {
        let connector = open(spec(ConnectorKind::Postgres, json!({"url": url}), "public"));
        let result = connector
            .query(
                "SELECT id, region, total, placed, created_at, paid, tags, meta, NULL::int AS nothing
                 FROM orders WHERE region = {{region}} AND placed >= {{since}} ORDER BY id",
                &params(json!({"region": "EU", "since": "2026-01-07"})),
            )
            .await
            .unwrap();
        assert_eq!(result.column_names(), ["id", "region", "total", "placed", "created_at", "paid", "tags", "meta", "nothing"]);
        assert_eq!(result.columns[2].data_type, "numeric");
        let ids: Vec<&Value> = result.rows.iter().map(|r| &r[0]).collect();
        assert_eq!(ids, [&json!(6), &json!(9), &json!(12)]);
        assert_eq!(
            result.rows[0],
            vec![json!(6), json!("EU"), json!(61.5), json!("2026-01-07"), json!("2026-01-07T12:00:00Z"),
                 json!(true), json!(["a", "b"]), json!({"n": 6}), Value::Null]
        );
        assert!(!result.truncated);

        let capped = Connector::open(
            ConnectorSpec { limits: Limits { max_rows: 5, ..limits() }, ..spec(ConnectorKind::Postgres, json!({"url": url}), "public") },
            &std::env::temp_dir(),
        )
        .unwrap();
        let result = capped.query("SELECT id FROM orders ORDER BY id", &no_params()).await.unwrap();
        assert_eq!((result.row_count, result.truncated), (5, true));

        let estimated = Connector::open(
            ConnectorSpec { limits: Limits { max_estimated_rows: Some(5), ..limits() }, ..spec(ConnectorKind::Postgres, json!({"url": url}), "public") },
            &std::env::temp_dir(),
        )
        .unwrap();
        match estimated.query("SELECT * FROM orders", &no_params()).await {
            Err(SqlError::Refused(r)) => assert_eq!(r.rule, "max_estimated_rows", "{r}"),
            other => panic!("{other:?}"),
        }
        estimated.query("SELECT * FROM orders WHERE id = {{id}}", &params(json!({"id": 3}))).await.unwrap();

        let report = connector.test().await.unwrap();
        assert_eq!(report.tables, ["public.customers", "public.orders"]);
        let described = connector.describe("orders").await.unwrap();
        assert_eq!(described.table.columns.len(), 9);
        assert_eq!(described.table.row_estimate, Some(12));
        assert_eq!(described.sample_rows.len(), 3);
        match connector.describe("secret_view").await {
            Err(SqlError::Invalid { field, reason }) => {
                assert_eq!(field, "table");
                assert!(reason.contains("public.orders"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        match connector.query("SELECT nope FROM orders", &no_params()).await {
            Err(SqlError::Failed(m)) => assert!(m.contains("nope"), "{m}"),
            other => panic!("{other:?}"),
        }

        // An unqualified name resolves as the search path would: to the
        // first schema holding it, allowed or not.
        let shadowed = Connector::open(
            ConnectorSpec {
                allow: AllowList { datasets: vec!["public".into(), "sales".into()], tables: vec!["sales.orders".into()] },
                ..spec(ConnectorKind::Postgres, json!({"url": url}), "public")
            },
            &std::env::temp_dir(),
        )
        .unwrap();
        match shadowed.query("SELECT * FROM orders", &no_params()).await {
            Err(SqlError::Refused(r)) => assert!(r.detail.contains("resolves to `public.orders`"), "{r}"),
            other => panic!("{other:?}"),
        }
        let rows = shadowed.query("SELECT total FROM sales.orders", &no_params()).await.unwrap().rows;
        assert_eq!(rows, vec![vec![json!(5)]]);
    })).await;
}

// ---------------------------------------------------------------- MySQL

async fn my_admin() -> mysql_async::Conn {
    mysql_async::Conn::from_url(MY_ADMIN).await.unwrap()
}

async fn with_my_database(
    test: impl FnOnce(String, String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) {
    use mysql_async::prelude::Queryable;
    let (shop, private) = (unique("grove_sql_my"), unique("grove_sql_private"));
    let mut admin = my_admin().await;
    for statement in [
        format!("CREATE DATABASE {shop}"),
        format!("CREATE DATABASE {private}"),
        format!("CREATE TABLE {shop}.customers (id INT PRIMARY KEY, name VARCHAR(50))"),
        format!("CREATE TABLE {shop}.orders (id INT PRIMARY KEY, customer_id INT, region VARCHAR(8), total DECIMAL(10,2), placed DATE, created_at DATETIME, paid BOOLEAN, score DOUBLE)"),
        format!("CREATE TABLE {shop}.secrets (id INT, secret VARCHAR(50))"),
        format!("CREATE TABLE {private}.keys (id INT, k VARCHAR(50))"),
        format!("CREATE VIEW {shop}.secret_view AS SELECT * FROM {private}.keys"),
        format!("INSERT INTO {shop}.customers VALUES (1, 'Ada'), (2, 'Brian')"),
        format!("INSERT INTO {shop}.orders VALUES (1, 1, 'US', 10.25, '2026-01-02', '2026-01-02 12:00:00', 0, 0.5),
            (2, 2, 'US', 20.50, '2026-01-03', '2026-01-03 12:00:00', 1, 1.5),
            (3, 1, 'EU', 30.75, '2026-01-04', '2026-01-04 12:00:00', 0, 2.5),
            (6, 2, 'EU', 61.50, '2026-01-07', '2026-01-07 12:00:00', 1, 3.5)"),
        format!("INSERT INTO {shop}.secrets VALUES (1, 'hunter2')"),
    ] {
        admin.query_drop(statement).await.unwrap();
    }
    let url = format!("mysql://root@127.0.0.1:3306/{shop}");
    with_cleanup(test(url, shop.clone()), async {
        admin
            .query_drop(format!("DROP DATABASE {shop}"))
            .await
            .unwrap();
        admin
            .query_drop(format!("DROP DATABASE {private}"))
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_attacks_are_refused_writes_fail_without_the_parser_and_reads_are_typed() {
    with_my_database(|url, shop| {
        Box::pin(async move {
            let connector = open(spec(ConnectorKind::Mysql, json!({"url": url}), &shop));
            refuses_attacks(
                &connector,
                &[
                    "SELECT SLEEP(5)",
                    "SELECT LOAD_FILE('/etc/passwd')",
                    "SELECT * FROM mysql.user",
                    "SELECT * FROM orders INTO OUTFILE '/tmp/grove-stolen'",
                    "SELECT * FROM orders FOR UPDATE",
                    "REPLACE INTO orders (id) VALUES (1)",
                ],
            )
            .await;

            let driver = grove_sql::mysql::MySql::new(&json!({"url": url})).unwrap();
            driver_refuses_writes(
                &driver,
                &shop,
                &[
                    "DELETE FROM orders",
                    "INSERT INTO orders (id) VALUES (99)",
                    "UPDATE orders SET total = 0",
                ],
                &["read only transaction", "read-only transaction"],
            )
            .await;
            let slow = Limits {
                timeout: Duration::from_secs(1),
                ..limits()
            };
            match driver
                .run(
                    "SELECT SLEEP(5) FROM orders",
                    &[],
                    &slow,
                    &everything(&shop),
                )
                .await
            {
                // MariaDB's max_statement_time ends the statement with an error;
                // MySQL's MAX_EXECUTION_TIME interrupts SLEEP, which returns 1.
                Err(SqlError::Failed(m)) => assert!(
                    m.contains("timeout") || m.contains("max_statement_time"),
                    "{m}"
                ),
                Ok(r) => assert!(r.rows.iter().all(|row| row[0] == json!(1)), "{r:?}"),
                other => panic!("{other:?}"),
            }
            assert_eq!(
                fingerprint(&connector).await,
                vec![vec![json!(4), json!(123.0)]]
            );

            let result = connector
                .query(
                    "SELECT id, region, total, placed, created_at, paid, score FROM orders
                 WHERE region = {{region}} AND placed >= {{since}} ORDER BY id",
                    &params(json!({"region": "EU", "since": "2026-01-04"})),
                )
                .await
                .unwrap();
            assert_eq!(
                result.rows,
                vec![
                    vec![
                        json!(3),
                        json!("EU"),
                        json!(30.75),
                        json!("2026-01-04"),
                        json!("2026-01-04T12:00:00"),
                        json!(0),
                        json!(2.5)
                    ],
                    vec![
                        json!(6),
                        json!("EU"),
                        json!(61.5),
                        json!("2026-01-07"),
                        json!("2026-01-07T12:00:00"),
                        json!(1),
                        json!(3.5)
                    ],
                ]
            );
            assert_eq!(result.columns[2].data_type, "decimal");

            let report = connector.test().await.unwrap();
            assert_eq!(
                report.tables,
                [format!("{shop}.customers"), format!("{shop}.orders")]
            );
            let described = connector.describe("orders").await.unwrap();
            assert_eq!(described.table.columns[3].data_type, "decimal(10,2)");
            assert_eq!(described.sample_rows.len(), 3);
            match connector
                .query("SELECT nope FROM orders", &no_params())
                .await
            {
                Err(SqlError::Failed(m)) => assert!(m.contains("nope"), "{m}"),
                other => panic!("{other:?}"),
            }
        })
    })
    .await;
}

// ---------------------------------------------------------------- SQLite

fn sqlite_file(dir: &std::path::Path) -> String {
    let path = dir.join("shop.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, region TEXT, total REAL, placed TEXT);
         CREATE TABLE secrets (id INTEGER, secret TEXT);
         CREATE VIEW secret_view AS SELECT * FROM secrets;
         INSERT INTO customers VALUES (1, 'Ada'), (2, 'Brian');
         INSERT INTO orders VALUES (1, 1, 'US', 10.25, '2026-01-02'), (2, 2, 'US', 20.5, '2026-01-03'),
                                   (3, 1, 'EU', 30.75, '2026-01-04'), (6, 2, 'EU', 61.5, '2026-01-07');
         INSERT INTO secrets VALUES (1, 'hunter2');",
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

fn sqlite_spec(path: &str) -> ConnectorSpec {
    spec(ConnectorKind::Sqlite, json!({"path": path}), "main")
}

#[tokio::test]
async fn sqlite_attacks_are_refused_writes_fail_without_the_parser_and_reads_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(dir.path());
    let connector = open(sqlite_spec(&path));
    refuses_attacks(
        &connector,
        &[
            "ATTACH DATABASE '/tmp/grove-x.db' AS x",
            "PRAGMA writable_schema = 1",
            "SELECT load_extension('/tmp/x.so')",
            "SELECT * FROM sqlite_master",
        ],
    )
    .await;

    let driver =
        grove_sql::sqlite::Sqlite::new(&json!({"path": path}), dir.path().join("grove").as_path())
            .unwrap();
    driver_refuses_writes(
        &driver,
        "main",
        &[
            "DELETE FROM orders",
            "INSERT INTO orders (id) VALUES (99)",
            "UPDATE orders SET total = 0",
            "CREATE TABLE stolen (id)",
            "ATTACH DATABASE ':memory:' AS x",
            "SELECT * FROM secrets",
            "SELECT * FROM secret_view",
            "PRAGMA query_only = 0",
        ],
        &["not authorized", "prohibited", "readonly", "read-only"],
    )
    .await;
    let slow = Limits {
        timeout: Duration::from_millis(300),
        ..limits()
    };
    let endless =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
    match driver.run(endless, &[], &slow, &everything("main")).await {
        Err(SqlError::Failed(m)) => assert!(m.contains("timeout_seconds"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        fingerprint(&connector).await,
        vec![vec![json!(4), json!(123.0)]]
    );

    let result = connector
        .query(
            "SELECT o.id, c.name, o.total, o.placed FROM orders o JOIN customers c ON c.id = o.customer_id
             WHERE o.region = {{region}} ORDER BY o.id",
            &params(json!({"region": "EU"})),
        )
        .await
        .unwrap();
    assert_eq!(
        result.rows,
        vec![
            vec![json!(3), json!("Ada"), json!(30.75), json!("2026-01-04")],
            vec![json!(6), json!("Brian"), json!(61.5), json!("2026-01-07")],
        ]
    );
    assert_eq!(result.columns[2].data_type, "real");
    let report = connector.test().await.unwrap();
    assert_eq!(report.tables, ["main.customers", "main.orders"]);
    let schema = connector.schema().await.unwrap();
    assert_eq!(schema.tables[1].row_estimate, Some(4));
}

#[test]
fn a_sqlite_connector_may_not_read_groves_own_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(dir.path());
    match grove_sql::sqlite::Sqlite::new(&json!({"path": path}), dir.path()) {
        Err(SqlError::Invalid { field, reason }) => {
            assert_eq!(field, "config.path");
            assert!(reason.contains("data directory"), "{reason}");
        }
        Ok(_) => panic!("Grove's own data directory was accepted"),
        Err(other) => panic!("{other:?}"),
    }
    match grove_sql::sqlite::Sqlite::new(&json!({"path": "/nonexistent/x.db"}), dir.path()) {
        Err(SqlError::Invalid { field, .. }) => assert_eq!(field, "config.path"),
        other => panic!("{:?}", other.err()),
    }
}
