//! The parser's check alone: an attack table across the dialects, each
//! statement refused with the rule it breaks, and the reads an analyst
//! needs let through.

use grove_sql::catalog::{Catalog, TableKind, TableRef};
use grove_sql::guard::{check, Dialect};

fn table(dataset: &str, name: &str, kind: TableKind) -> TableRef {
    TableRef {
        dataset: dataset.into(),
        name: name.into(),
        kind,
    }
}

/// `orders`, `customers` and the explicitly allowed view `order_totals` in
/// the dialect's dataset; `secrets` and `secret_view` exist in the
/// database but are not in the catalog.
fn catalog(dialect: Dialect) -> Catalog {
    let dataset = match dialect {
        Dialect::Postgres => "public",
        Dialect::MySql => "shop",
        Dialect::Sqlite => "main",
        Dialect::BigQuery => "analytics",
    };
    Catalog {
        tables: vec![
            table(dataset, "orders", TableKind::Table),
            table(dataset, "customers", TableKind::Table),
            table(dataset, "order_totals", TableKind::View),
        ],
        unqualified: if dialect == Dialect::BigQuery {
            vec![]
        } else {
            vec![dataset.into()]
        },
        project: (dialect == Dialect::BigQuery).then(|| "acme-prod".into()),
        present: Vec::new(),
    }
}

const PG: Dialect = Dialect::Postgres;
const MY: Dialect = Dialect::MySql;
const LITE: Dialect = Dialect::Sqlite;
const BQ: Dialect = Dialect::BigQuery;

/// (dialect, statement, the rules that may refuse it: the first that
/// applies wins, and some statements the parser cannot read at all).
const ATTACKS: &[(Dialect, &str, &[&str])] = &[
    (PG, "DELETE FROM orders", &["read_only"]),
    (PG, "UPDATE orders SET total = 0", &["read_only"]),
    (PG, "INSERT INTO orders (id) VALUES (1)", &["read_only"]),
    (PG, "DROP TABLE orders", &["read_only"]),
    (PG, "TRUNCATE orders", &["read_only"]),
    (PG, "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", &["read_only"]),
    (PG, "WITH u AS (UPDATE orders SET total = 0 RETURNING id) SELECT count(*) FROM u", &["read_only"]),
    (PG, "WITH i AS (INSERT INTO orders (id) VALUES (9) RETURNING id) SELECT * FROM i", &["read_only"]),
    (PG, "EXPLAIN ANALYZE DELETE FROM orders", &["read_only"]),
    (PG, "SELECT * INTO stolen FROM orders", &["read_only"]),
    (PG, "SELECT 1; DROP TABLE orders", &["one_statement"]),
    (PG, "SELECT 1 /* harmless */; DELETE FROM orders -- hidden", &["one_statement"]),
    (PG, "SELECT 1 -- comment\n; DELETE FROM orders", &["one_statement"]),
    (PG, "SELECT pg_sleep(10)", &["function_denied"]),
    (PG, "SELECT pg_catalog.pg_sleep(10)", &["function_denied"]),
    (PG, "SELECT pg_read_file('/etc/passwd')", &["function_denied"]),
    (PG, "SELECT lo_import('/etc/passwd')", &["function_denied"]),
    (PG, "SELECT lo_export(1234, '/tmp/x')", &["function_denied"]),
    (PG, "SELECT * FROM dblink('host=evil', 'select 1') AS t(a int)", &["table_function"]),
    (PG, "SELECT dblink_exec('host=evil', 'drop table orders')", &["function_denied"]),
    (PG, "SELECT set_config('default_transaction_read_only', 'off', false)", &["function_denied"]),
    (PG, "SELECT pg_terminate_backend(1)", &["function_denied"]),
    (PG, "SELECT nextval('orders_id_seq')", &["function_denied"]),
    (PG, "SELECT query_to_xml('select * from private.secrets', true, true, '')", &["function_denied"]),
    (PG, "SELECT id FROM orders WHERE id = (SELECT length(pg_read_file('/etc/passwd')))", &["function_denied"]),
    (PG, "SELECT * FROM orders FOR UPDATE", &["read_only"]),
    (PG, "SELECT * FROM orders FOR SHARE NOWAIT", &["read_only"]),
    (PG, "SELECT * FROM private.secrets", &["table_not_allowed"]),
    (PG, "SELECT * FROM secrets", &["table_not_allowed"]),
    (PG, "SELECT * FROM public.\"secrets\"", &["table_not_allowed"]),
    (PG, "SELECT * FROM \"Orders\"", &["table_not_allowed"]),
    (PG, "SELECT * FROM secret_view", &["table_not_allowed"]),
    (PG, "SELECT * FROM pg_catalog.pg_shadow", &["table_not_allowed"]),
    (PG, "SELECT * FROM pg_user", &["table_not_allowed"]),
    (PG, "SELECT * FROM information_schema.tables", &["table_not_allowed"]),
    (PG, "SELECT * FROM otherdb.public.orders", &["table_not_allowed"]),
    (PG, "WITH orders AS (SELECT * FROM private.secrets) SELECT * FROM orders", &["table_not_allowed"]),
    (PG, "WITH secrets AS (SELECT * FROM secrets) SELECT * FROM secrets", &["table_not_allowed"]),
    (PG, "WITH a AS (SELECT 1), b AS (SELECT * FROM c), c AS (SELECT * FROM private.secrets) SELECT * FROM b", &["table_not_allowed"]),
    (PG, "SELECT * FROM orders WHERE id IN (SELECT id FROM private.secrets)", &["table_not_allowed"]),
    (PG, "SELECT * FROM orders o JOIN LATERAL (SELECT * FROM secrets) s ON true", &["table_not_allowed"]),
    (PG, "SELECT * FROM generate_series(1, 3) g, private.secrets", &["table_not_allowed"]),
    (PG, "SELECT * FROM orders UNION SELECT * FROM private.secrets", &["table_not_allowed"]),
    (PG, "TABLE private.secrets", &["unsupported", "unparsable"]),
    (PG, "COPY orders TO '/tmp/x'", &["read_only"]),
    (PG, "COPY (SELECT 1) TO PROGRAM 'rm -rf /'", &["read_only"]),
    (PG, "CALL do_things()", &["read_only"]),
    (PG, "EXECUTE stmt", &["read_only"]),
    (PG, "PREPARE p AS DELETE FROM orders", &["read_only"]),
    (PG, "SET search_path = private", &["read_only"]),
    (PG, "SET TRANSACTION READ WRITE", &["read_only"]),
    (PG, "BEGIN", &["read_only"]),
    (PG, "LOCK TABLE orders", &["read_only", "unparsable"]),
    (PG, "DO $$ BEGIN DELETE FROM orders; END $$", &["read_only", "unparsable"]),
    (PG, "SELEC * FROM orders", &["unparsable"]),
    (PG, "SELECT U&\"pg\\005fsleep\"(10)", &["unsupported"]),
    (PG, "SELECT U&\"query\\005fto\\005fxml\"('SELECT * FROM hr.salaries', true, false, '')", &["unsupported"]),
    (PG, "SELECT ts_stat('SELECT to_tsvector(password) FROM auth.users')", &["function_denied"]),
    (PG, "SELECT ts_rewrite('a'::tsquery, 'SELECT * FROM secrets')", &["function_denied"]),
    (PG, "SELECT txid_current()", &["function_denied"]),
    (PG, "SELECT * FROM evil.generate_series(1, 3)", &["table_function"]),
    (PG, "WITH RECURSIVE a AS (SELECT * FROM secrets), secrets AS (SELECT 1) SELECT * FROM a", &["table_not_allowed"]),
    (PG, "", &["one_statement"]),
    (MY, "SELECT * FROM orders INTO OUTFILE '/tmp/x'", &["read_only", "unparsable"]),
    (MY, "SELECT id INTO @v FROM orders", &["read_only"]),
    (MY, "SELECT LOAD_FILE('/etc/passwd')", &["function_denied"]),
    (MY, "SELECT BENCHMARK(100000000, MD5('a'))", &["function_denied"]),
    (MY, "SELECT SLEEP(10)", &["function_denied"]),
    (MY, "SELECT GET_LOCK('x', 10)", &["function_denied"]),
    (MY, "SELECT * FROM mysql.user", &["table_not_allowed"]),
    (MY, "SELECT * FROM `secrets`", &["table_not_allowed"]),
    (MY, "SELECT * FROM shop.orders FOR UPDATE", &["read_only"]),
    (MY, "SELECT * FROM shop.orders LOCK IN SHARE MODE", &["read_only", "unparsable"]),
    (MY, "REPLACE INTO orders VALUES (1)", &["read_only"]),
    (MY, "HANDLER orders OPEN", &["read_only", "unparsable"]),
    (MY, "SELECT 1; SELECT * FROM mysql.user", &["one_statement"]),
    (MY, "SELECT 1 /*M!, (SELECT group_concat(password) FROM mysql.user) */", &["unsupported"]),
    (MY, "SELECT 1 /*!50000 , (SELECT user FROM mysql.user LIMIT 1) */", &["unsupported"]),
    (MY, "SELECT /*+ MAX_EXECUTION_TIME(86400000) */ * FROM orders", &["unsupported"]),
    (MY, "WITH RECURSIVE a AS (SELECT * FROM users), users AS (SELECT 1) SELECT * FROM a", &["table_not_allowed"]),
    (LITE, "ATTACH DATABASE '/tmp/x.db' AS x", &["read_only"]),
    (LITE, "PRAGMA writable_schema = ON", &["read_only", "unparsable"]),
    (LITE, "PRAGMA writable_schema = 1", &["read_only"]),
    (LITE, "SELECT load_extension('/tmp/x.so')", &["function_denied"]),
    (LITE, "SELECT writefile('/tmp/x', 'y')", &["function_denied"]),
    (LITE, "SELECT * FROM sqlite_master", &["table_not_allowed"]),
    (LITE, "SELECT * FROM temp.orders", &["table_not_allowed"]),
    (LITE, "VACUUM INTO '/tmp/copy.db'", &["read_only", "unparsable"]),
    (LITE, "INSERT OR REPLACE INTO orders (id) VALUES (1)", &["read_only"]),
    (BQ, "SELECT * FROM EXTERNAL_QUERY('conn', 'select 1')", &["table_function"]),
    (BQ, "SELECT `EXTERNAL\\x5fQUERY`('conn', 'select 1')", &["unsupported"]),
    (BQ, "SELECT * FROM private.secrets", &["table_not_allowed"]),
    (BQ, "SELECT * FROM `other-project.analytics.orders`", &["table_not_allowed"]),
    (BQ, "SELECT * FROM analytics.INFORMATION_SCHEMA.TABLES", &["table_not_allowed"]),
    (BQ, "EXECUTE IMMEDIATE 'DELETE FROM analytics.orders'", &["read_only", "unparsable"]),
    (BQ, "MERGE analytics.orders t USING analytics.customers s ON false WHEN NOT MATCHED THEN INSERT ROW", &["read_only", "unparsable"]),
];

#[test]
fn every_attack_is_refused_with_its_rule() {
    assert!(ATTACKS.len() >= 40);
    let mut wrong = Vec::new();
    for (dialect, sql, rules) in ATTACKS {
        match check(sql, *dialect, &catalog(*dialect)) {
            Ok(checked) => wrong.push(format!(
                "{dialect:?} `{sql}` passed, reading {:?}",
                checked.tables
            )),
            Err(refusal) if !rules.contains(&refusal.rule) => wrong.push(format!(
                "{dialect:?} `{sql}` refused as {} ({}), expected {rules:?}",
                refusal.rule, refusal.detail
            )),
            Err(refusal) => assert!(!refusal.detail.is_empty(), "{sql}"),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_refusal_names_the_offending_part() {
    let refusal = check("SELECT * FROM private.secrets", PG, &catalog(PG)).unwrap_err();
    assert!(
        refusal.detail.contains("private.secrets"),
        "{}",
        refusal.detail
    );
    assert!(
        refusal.detail.contains("public.orders"),
        "lists the allowed tables: {}",
        refusal.detail
    );
    let refusal = check("SELECT pg_sleep(1)", PG, &catalog(PG)).unwrap_err();
    assert!(refusal.detail.contains("pg_sleep"), "{}", refusal.detail);
    let refusal = check("SELECT 1; DELETE FROM orders", PG, &catalog(PG)).unwrap_err();
    assert!(
        refusal.detail.contains("DELETE FROM orders"),
        "{}",
        refusal.detail
    );
}

const READS: &[(Dialect, &str, &[&str])] = &[
    (PG, "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 10 ORDER BY 1 LIMIT 5", &["public.orders", "public.customers"]),
    (PG, "SELECT * FROM public.orders UNION ALL SELECT * FROM ORDERS;", &["public.orders"]),
    (PG, "WITH recent AS (SELECT * FROM orders) SELECT count(*) FROM recent", &["public.orders"]),
    (PG, "WITH orders AS (SELECT * FROM orders WHERE total > 5) SELECT * FROM orders", &["public.orders"]),
    (PG, "WITH a AS (SELECT 1 AS x) SELECT * FROM (SELECT * FROM a) s", &[]),
    (PG, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT * FROM n", &[]),
    (PG, "SELECT date_trunc('month', created_at) AS month, sum(total) FROM orders GROUP BY 1", &["public.orders"]),
    (PG, "SELECT * FROM generate_series(1, 3)", &[]),
    (PG, "VALUES (1, 2)", &[]),
    (PG, "SELECT * FROM order_totals WHERE total > $1", &["public.order_totals"]),
    (MY, "SELECT `o`.id FROM shop.orders AS o WHERE o.total > ?", &["shop.orders"]),
    (MY, "SELECT count(*) FROM customers", &["shop.customers"]),
    (LITE, "SELECT * FROM main.Orders JOIN customers USING (id)", &["main.orders", "main.customers"]),
    (BQ, "SELECT * FROM `acme-prod.analytics.orders` WHERE total > @min", &["analytics.orders"]),
    (BQ, "SELECT count(*) FROM analytics.customers", &["analytics.customers"]),
];

#[test]
fn analyst_reads_pass_and_report_the_tables_they_read() {
    for (dialect, sql, tables) in READS {
        let checked = check(sql, *dialect, &catalog(*dialect))
            .unwrap_or_else(|r| panic!("{dialect:?} `{sql}` refused: {r}"));
        let read: Vec<String> = checked.tables.iter().map(TableRef::qualified).collect();
        assert_eq!(read, *tables, "{sql}");
    }
}
