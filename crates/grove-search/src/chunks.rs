//! The chunk store: every indexed chunk's text, citation metadata and
//! embedding, in `index/chunks.db` (SQLite, WAL). It is the source of truth
//! the lexical and vector indexes are derived from: the vector index is
//! loaded from it on open, and the lexical index is rebuilt from it if a crash
//! left the two at different change sequences.
//!
//! Each chunk also records a hash of its text with case and whitespace
//! folded (`text_hash`), so a passage that several documents of a data source
//! repeat — a whole-book page that concatenates its chapters, a shared
//! section — can be shown once, from its smallest document ([`ChunkStore::facts`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::embed::EmbedderInfo;
use crate::SearchError;

/// A chunk to index, as the ingestion side hands it over.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkInput {
    pub chunk_id: String,
    pub text: String,
    pub title: String,
    pub url: Option<String>,
    /// Headings above the chunk, outermost first.
    pub heading_path: Vec<String>,
    /// Byte offsets of the chunk in the document text.
    pub start: usize,
    pub end: usize,
}

/// Where a chunk lives: organisation, data source and document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChunkOwner {
    pub org_id: String,
    pub data_source_id: String,
    pub document_id: String,
}

/// A stored chunk, as search results show it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChunk {
    pub key: u64,
    pub owner: ChunkOwner,
    pub input: ChunkInput,
}

/// A chunk's vector with what filters need, for loading the vector index.
pub struct VectorRow {
    pub key: u64,
    pub org_id: String,
    pub data_source_id: String,
    pub embedding: Vec<f32>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS chunks (
    key            INTEGER PRIMARY KEY AUTOINCREMENT,
    chunk_id       TEXT NOT NULL UNIQUE,
    org_id         TEXT NOT NULL,
    data_source_id TEXT NOT NULL,
    document_id    TEXT NOT NULL,
    title          TEXT NOT NULL,
    url            TEXT,
    heading_path   TEXT NOT NULL,
    start_offset   INTEGER NOT NULL,
    end_offset     INTEGER NOT NULL,
    text           TEXT NOT NULL,
    embedding      BLOB,
    text_hash      INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(org_id, document_id);
CREATE INDEX IF NOT EXISTS chunks_by_source ON chunks(org_id, data_source_id);
-- Chunks per data source, kept by triggers in the writing transaction, so the
-- `total_chunks_searched` of every search is a lookup instead of a count.
CREATE TABLE IF NOT EXISTS source_counts (
    org_id         TEXT NOT NULL,
    data_source_id TEXT NOT NULL,
    chunks         INTEGER NOT NULL,
    PRIMARY KEY (org_id, data_source_id)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS chunks_counted AFTER INSERT ON chunks BEGIN
    INSERT INTO source_counts (org_id, data_source_id, chunks)
    VALUES (NEW.org_id, NEW.data_source_id, 1)
    ON CONFLICT (org_id, data_source_id) DO UPDATE SET chunks = chunks + 1;
END;
CREATE TRIGGER IF NOT EXISTS chunks_uncounted AFTER DELETE ON chunks BEGIN
    UPDATE source_counts SET chunks = chunks - 1
    WHERE org_id = OLD.org_id AND data_source_id = OLD.data_source_id;
    DELETE FROM source_counts
    WHERE org_id = OLD.org_id AND data_source_id = OLD.data_source_id AND chunks <= 0;
END;
";

/// The text hash column and its index, for stores written before it existed
/// (the column is added first, then filled by [`ChunkStore::open`]).
const TEXT_HASH_INDEX: &str = "
CREATE INDEX IF NOT EXISTS chunks_by_text ON chunks(org_id, data_source_id, text_hash);
";

/// Fills `source_counts` for an index written before the table existed.
const BACKFILL_COUNTS: &str = "
INSERT INTO source_counts (org_id, data_source_id, chunks)
SELECT org_id, data_source_id, COUNT(*) FROM chunks
WHERE NOT EXISTS (SELECT 1 FROM source_counts)
GROUP BY org_id, data_source_id;
";

pub struct ChunkStore {
    conn: Mutex<Connection>,
}

fn db(e: rusqlite::Error) -> SearchError {
    SearchError::Storage(e.to_string())
}

fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_blob(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// What duplicate collapsing needs to know of a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkFacts {
    pub data_source_id: String,
    pub document_id: String,
    /// The chunk shown for this text (see [`ChunkStore::facts`]).
    pub representative: u64,
}

/// The hash of a chunk's text with case and runs of whitespace folded.
pub fn text_hash(text: &str) -> i64 {
    let mut folded = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.extend(word.chars().flat_map(char::to_lowercase));
    }
    let digest = Sha256::digest(folded.as_bytes());
    i64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8]))
}

/// Adds and fills the `text_hash` column of a store written before it, in
/// one transaction (SQLite's DDL is transactional), so a crash leaves either
/// the old store or a complete column.
fn add_text_hashes(conn: &mut Connection) -> Result<(), SearchError> {
    let has_column = conn
        .prepare("SELECT 1 FROM pragma_table_info('chunks') WHERE name = 'text_hash'")
        .and_then(|mut s| s.exists([]))
        .map_err(db)?;
    if has_column {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    tx.execute_batch("ALTER TABLE chunks ADD COLUMN text_hash INTEGER")
        .map_err(db)?;
    {
        let mut read = tx.prepare("SELECT key, text FROM chunks").map_err(db)?;
        let mut update = tx
            .prepare("UPDATE chunks SET text_hash = ?2 WHERE key = ?1")
            .map_err(db)?;
        let mut rows = read.query([]).map_err(db)?;
        while let Some(row) = rows.next().map_err(db)? {
            let (key, text): (i64, String) = (row.get(0).map_err(db)?, row.get(1).map_err(db)?);
            update.execute(params![key, text_hash(&text)]).map_err(db)?;
        }
    }
    tx.commit().map_err(db)
}

/// What a change to the store did, for the derived indexes to follow.
pub struct Applied {
    pub removed: Vec<u64>,
    pub added: Vec<u64>,
    pub sequence: u64,
}

impl ChunkStore {
    pub fn open(path: &Path) -> Result<Self, SearchError> {
        let mut conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
            .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        conn.execute_batch(BACKFILL_COUNTS).map_err(db)?;
        add_text_hashes(&mut conn)?;
        conn.execute_batch(TEXT_HASH_INDEX).map_err(db)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// For each key found: its data source, its document's chunk count, and
    /// the chunk that stands for its text in its data source (the same text
    /// in the document with the fewest chunks, then the lowest key; often
    /// itself).
    pub fn facts(&self, keys: &[u64]) -> Result<HashMap<u64, ChunkFacts>, SearchError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let ids = serde_json::to_string(keys).unwrap_or_else(|_| "[]".into());
        // The keys and every chunk sharing a text with one of them.
        let rows: Vec<(u64, String, String, String, i64)> = self
            .conn()
            .prepare_cached(
                "WITH wanted AS (SELECT DISTINCT org_id, data_source_id, text_hash FROM chunks
                                 WHERE key IN (SELECT value FROM json_each(?1)))
                 SELECT c.key, c.org_id, c.data_source_id, c.document_id, c.text_hash
                 FROM chunks c JOIN wanted w
                   ON c.org_id = w.org_id AND c.data_source_id = w.data_source_id
                  AND c.text_hash = w.text_hash",
            )
            .and_then(|mut stmt| {
                stmt.query_map([&ids], |r| {
                    Ok((
                        r.get::<_, i64>(0)? as u64,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get::<_, Option<i64>>(4)?.unwrap_or_default(),
                    ))
                })?
                .collect::<Result<_, _>>()
            })
            .map_err(db)?;
        let mut groups: HashMap<(&str, &str, i64), Vec<usize>> = HashMap::new();
        for (i, (_, org, source, _, hash)) in rows.iter().enumerate() {
            groups.entry((org, source, *hash)).or_default().push(i);
        }
        // Sizes matter only where a text has several copies.
        let shared: Vec<(String, String)> = groups
            .values()
            .filter(|g| g.len() > 1)
            .flatten()
            .map(|&i| (rows[i].1.clone(), rows[i].3.clone()))
            .collect();
        let sizes = self.document_sizes(&shared)?;
        let size = |i: usize| sizes.get(&(rows[i].1.clone(), rows[i].3.clone())).copied();
        let mut out = HashMap::with_capacity(keys.len());
        for group in groups.values() {
            let representative = group
                .iter()
                .min_by_key(|&&i| (size(i).unwrap_or(u64::MAX), rows[i].0))
                .map(|&i| rows[i].0);
            for &i in group {
                let (key, _, source, document, _) = &rows[i];
                if keys.contains(key) {
                    out.insert(
                        *key,
                        ChunkFacts {
                            data_source_id: source.clone(),
                            document_id: document.clone(),
                            representative: representative.unwrap_or(*key),
                        },
                    );
                }
            }
        }
        Ok(out)
    }

    /// Chunks per document, for `(org, document)` pairs.
    pub fn document_sizes(
        &self,
        documents: &[(String, String)],
    ) -> Result<HashMap<(String, String), u64>, SearchError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT COUNT(*) FROM chunks WHERE org_id = ?1 AND document_id = ?2")
            .map_err(db)?;
        let mut out = HashMap::with_capacity(documents.len());
        for (org, document) in documents {
            if out.contains_key(&(org.clone(), document.clone())) {
                continue;
            }
            let n: i64 = stmt
                .query_row(params![org, document], |r| r.get(0))
                .map_err(db)?;
            out.insert((org.clone(), document.clone()), n as u64);
        }
        Ok(out)
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn meta(&self, name: &str) -> Result<Option<String>, SearchError> {
        self.conn()
            .query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)
    }

    pub fn set_meta(&self, name: &str, value: &str) -> Result<(), SearchError> {
        self.conn()
            .execute(
                "INSERT INTO meta (name, value) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                [name, value],
            )
            .map(|_| ())
            .map_err(db)
    }

    /// The embedder recorded for this store's vectors, if any were written.
    pub fn embedder(&self) -> Result<Option<EmbedderInfo>, SearchError> {
        match self.meta("embedder")? {
            Some(raw) => serde_json::from_str(&raw)
                .map(Some)
                .map_err(|e| SearchError::Storage(e.to_string())),
            None => Ok(None),
        }
    }

    /// The number of committed changes; the lexical index records the same.
    pub fn sequence(&self) -> Result<u64, SearchError> {
        Ok(self
            .meta("sequence")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    /// Replaces the chunks of `owner`'s document (all of them when `chunks`
    /// is empty) in one transaction.
    pub fn replace_document(
        &self,
        owner: &ChunkOwner,
        chunks: &[ChunkInput],
        embeddings: Option<&[Vec<f32>]>,
    ) -> Result<Applied, SearchError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let removed = delete_where(
            &tx,
            "org_id = ?1 AND document_id = ?2",
            &[&owner.org_id, &owner.document_id],
        )?;
        let mut added = Vec::with_capacity(chunks.len());
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO chunks (chunk_id, org_id, data_source_id, document_id, title, url,
                                         heading_path, start_offset, end_offset, text, embedding,
                                         text_hash)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(db)?;
            for (i, c) in chunks.iter().enumerate() {
                let embedding = embeddings.map(|e| to_blob(&e[i]));
                insert
                    .execute(params![
                        c.chunk_id,
                        owner.org_id,
                        owner.data_source_id,
                        owner.document_id,
                        c.title,
                        c.url,
                        serde_json::to_string(&c.heading_path).unwrap_or_else(|_| "[]".into()),
                        c.start as i64,
                        c.end as i64,
                        c.text,
                        embedding,
                        text_hash(&c.text),
                    ])
                    .map_err(|e| match e.sqlite_error_code() {
                        Some(rusqlite::ErrorCode::ConstraintViolation) => SearchError::Invalid(
                            format!("chunk id {} is already indexed", c.chunk_id),
                        ),
                        _ => db(e),
                    })?;
                added.push(tx.last_insert_rowid() as u64);
            }
        }
        let sequence = bump_sequence(&tx)?;
        tx.commit().map_err(db)?;
        Ok(Applied {
            removed,
            added,
            sequence,
        })
    }

    /// Removes every chunk of a data source.
    pub fn delete_data_source(
        &self,
        org_id: &str,
        data_source_id: &str,
    ) -> Result<Applied, SearchError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let removed = delete_where(
            &tx,
            "org_id = ?1 AND data_source_id = ?2",
            &[&org_id, &data_source_id],
        )?;
        let sequence = bump_sequence(&tx)?;
        tx.commit().map_err(db)?;
        Ok(Applied {
            removed,
            added: Vec::new(),
            sequence,
        })
    }

    pub fn get(&self, keys: &[u64]) -> Result<Vec<StoredChunk>, SearchError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT key, org_id, data_source_id, document_id, chunk_id, text, title, url,
                        heading_path, start_offset, end_offset
                 FROM chunks WHERE key = ?1",
            )
            .map_err(db)?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let row = stmt
                .query_row([*key as i64], |r| {
                    let path: String = r.get(8)?;
                    Ok(StoredChunk {
                        key: r.get::<_, i64>(0)? as u64,
                        owner: ChunkOwner {
                            org_id: r.get(1)?,
                            data_source_id: r.get(2)?,
                            document_id: r.get(3)?,
                        },
                        input: ChunkInput {
                            chunk_id: r.get(4)?,
                            text: r.get(5)?,
                            title: r.get(6)?,
                            url: r.get(7)?,
                            heading_path: serde_json::from_str(&path).unwrap_or_default(),
                            start: r.get::<_, i64>(9)? as usize,
                            end: r.get::<_, i64>(10)? as usize,
                        },
                    })
                })
                .optional()
                .map_err(db)?;
            out.extend(row);
        }
        Ok(out)
    }

    /// Embeddings of the given chunks (missing or unembedded chunks are absent).
    pub fn embeddings(&self, keys: &[u64]) -> Result<Vec<(u64, Vec<f32>)>, SearchError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT embedding FROM chunks WHERE key = ?1 AND embedding IS NOT NULL")
            .map_err(db)?;
        let mut out = Vec::with_capacity(keys.len());
        for &key in keys {
            let blob: Option<Vec<u8>> = stmt
                .query_row([key as i64], |r| r.get(0))
                .optional()
                .map_err(db)?;
            if let Some(b) = blob {
                out.push((key, from_blob(&b)));
            }
        }
        Ok(out)
    }

    /// Up to `limit` chunks stored without an embedding (indexed while no
    /// model was loaded), oldest first.
    pub fn unembedded(&self, limit: usize) -> Result<Vec<StoredChunk>, SearchError> {
        let keys: Vec<u64> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare_cached(
                    "SELECT key FROM chunks WHERE embedding IS NULL ORDER BY key LIMIT ?1",
                )
                .map_err(db)?;
            let keys = stmt
                .query_map([limit as i64], |r| r.get::<_, i64>(0).map(|k| k as u64))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(db)?;
            keys
        };
        self.get(&keys)
    }

    /// Stores embeddings for chunks that have none. Chunks deleted or
    /// embedded in the meantime are left alone; returns the keys written.
    pub fn fill_embeddings(&self, vectors: &[(u64, Vec<f32>)]) -> Result<Vec<u64>, SearchError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let mut written = Vec::with_capacity(vectors.len());
        {
            let mut update = tx
                .prepare_cached(
                    "UPDATE chunks SET embedding = ?2 WHERE key = ?1 AND embedding IS NULL",
                )
                .map_err(db)?;
            for (key, v) in vectors {
                if update
                    .execute(params![*key as i64, to_blob(v)])
                    .map_err(db)?
                    == 1
                {
                    written.push(*key);
                }
            }
        }
        tx.commit().map_err(db)?;
        Ok(written)
    }

    /// Visits every chunk that has an embedding, in key order.
    pub fn for_each_vector(&self, mut visit: impl FnMut(VectorRow)) -> Result<(), SearchError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT key, org_id, data_source_id, embedding FROM chunks WHERE embedding IS NOT NULL ORDER BY key")
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        while let Some(r) = rows.next().map_err(db)? {
            let blob: Vec<u8> = r.get(3).map_err(db)?;
            visit(VectorRow {
                key: r.get::<_, i64>(0).map_err(db)? as u64,
                org_id: r.get(1).map_err(db)?,
                data_source_id: r.get(2).map_err(db)?,
                embedding: from_blob(&blob),
            });
        }
        Ok(())
    }

    /// Visits every chunk, for rebuilding the lexical index.
    pub fn for_each_chunk(
        &self,
        mut visit: impl FnMut(StoredChunk) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let keys: Vec<u64> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare("SELECT key FROM chunks ORDER BY key")
                .map_err(db)?;
            let keys = stmt
                .query_map([], |r| r.get::<_, i64>(0).map(|k| k as u64))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(db)?;
            keys
        };
        for batch in keys.chunks(512) {
            for chunk in self.get(batch)? {
                visit(chunk)?;
            }
        }
        Ok(())
    }

    /// Chunks in an organisation (optionally only some data sources).
    pub fn count(
        &self,
        org_id: &str,
        data_source_ids: Option<&[String]>,
    ) -> Result<u64, SearchError> {
        let conn = self.conn();
        let n: i64 = match data_source_ids {
            None => conn.query_row(
                "SELECT COALESCE(SUM(chunks), 0) FROM source_counts WHERE org_id = ?1",
                [org_id],
                |r| r.get(0),
            ),
            Some(ids) => conn.query_row(
                "SELECT COALESCE(SUM(chunks), 0) FROM source_counts WHERE org_id = ?1
                 AND data_source_id IN (SELECT value FROM json_each(?2))",
                params![org_id, serde_json::to_string(ids).unwrap_or_default()],
                |r| r.get(0),
            ),
        }
        .map_err(db)?;
        Ok(n as u64)
    }

    /// A page of a document's chunks in text order, and how many it has.
    pub fn document_chunks(
        &self,
        org_id: &str,
        document_id: &str,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<StoredChunk>, u64), SearchError> {
        let (keys, total) = {
            let conn = self.conn();
            let total: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM chunks WHERE org_id = ?1 AND document_id = ?2",
                    params![org_id, document_id],
                    |r| r.get(0),
                )
                .map_err(db)?;
            let mut stmt = conn
                .prepare_cached(
                    "SELECT key FROM chunks WHERE org_id = ?1 AND document_id = ?2
                     ORDER BY start_offset, key LIMIT ?3 OFFSET ?4",
                )
                .map_err(db)?;
            let keys = stmt
                .query_map(params![org_id, document_id, limit, offset as i64], |r| {
                    r.get::<_, i64>(0).map(|k| k as u64)
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(db)?;
            (keys, total.max(0) as u64)
        };
        Ok((self.get(&keys)?, total))
    }

    /// One chunk of a document, by chunk id.
    pub fn document_chunk(
        &self,
        org_id: &str,
        document_id: &str,
        chunk_id: &str,
    ) -> Result<Option<StoredChunk>, SearchError> {
        let key: Option<i64> = self
            .conn()
            .query_row(
                "SELECT key FROM chunks WHERE chunk_id = ?1 AND org_id = ?2 AND document_id = ?3",
                params![chunk_id, org_id, document_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        match key {
            Some(key) => Ok(self.get(&[key as u64])?.pop()),
            None => Ok(None),
        }
    }
}

fn delete_where(
    tx: &rusqlite::Transaction,
    condition: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<u64>, SearchError> {
    let removed: Vec<u64> = tx
        .prepare_cached(&format!(
            "DELETE FROM chunks WHERE {condition} RETURNING key"
        ))
        .and_then(|mut stmt| {
            stmt.query_map(args, |r| r.get::<_, i64>(0).map(|k| k as u64))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(db)?;
    Ok(removed)
}

fn bump_sequence(tx: &rusqlite::Transaction) -> Result<u64, SearchError> {
    tx.query_row(
        "INSERT INTO meta (name, value) VALUES ('sequence', '1')
         ON CONFLICT(name) DO UPDATE SET value = CAST(value AS INTEGER) + 1
         RETURNING value",
        [],
        |r| r.get::<_, String>(0),
    )
    .map(|v| v.parse().unwrap_or(0))
    .map_err(db)
}
