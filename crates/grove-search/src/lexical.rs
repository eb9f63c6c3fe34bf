//! The lexical index: BM25 over chunk titles and text with English stemming
//! and stop words, on tantivy, on disk in `index/lexical/`. Organisation and
//! data-source filters are clauses of the query itself, so they apply inside
//! the search, before the top-k cut.

use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value, STRING,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::chunks::StoredChunk;
use crate::SearchError;

const ANALYZER: &str = "grove_en";
/// Memory for tantivy's indexing buffer.
const WRITER_HEAP: usize = 64 * 1024 * 1024;

struct Fields {
    key: Field,
    org: Field,
    source: Field,
    document: Field,
    title: Field,
    body: Field,
}

pub struct LexicalIndex {
    index: Index,
    reader: IndexReader,
    /// Created on the first write, so read-only users (the eval command
    /// beside a running server) do not take tantivy's writer lock.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    parser: QueryParser,
}

fn err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Storage(format!("lexical index: {e}"))
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: b.add_u64_field(
            "key",
            NumericOptions::default()
                .set_indexed()
                .set_fast()
                .set_stored(),
        ),
        org: b.add_text_field("org", STRING),
        source: b.add_text_field("source", STRING),
        document: b.add_text_field("document", STRING),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
    };
    (b.build(), fields)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(
            StopWordFilter::new(Language::English)
                .unwrap_or_else(|| StopWordFilter::remove(Vec::<String>::new())),
        )
        .filter(Stemmer::new(Language::English))
        .build()
}

impl LexicalIndex {
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(err)?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(err)?;
        let index = Index::open_or_create(directory, schema).map_err(err)?;
        index.tokenizers().register(ANALYZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        let mut parser = QueryParser::for_index(&index, vec![fields.title, fields.body]);
        parser.set_field_boost(fields.title, 1.5);
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            parser,
        })
    }

    /// The change sequence of the last commit (see [`crate::chunks`]).
    pub fn sequence(&self) -> Result<u64, SearchError> {
        let meta = self.index.load_metas().map_err(err)?;
        Ok(meta.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    /// Runs `f` with the index writer, creating it on first use.
    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut slot = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(self.index.writer(WRITER_HEAP).map_err(|e| {
                SearchError::Storage(format!(
                    "lexical index: cannot write ({e}); is another Grove process using this data directory?"
                ))
            })?);
        }
        let writer = slot.as_mut().ok_or_else(|| err("writer unavailable"))?;
        let out = f(writer)?;
        drop(slot);
        self.reader.reload().map_err(err)?;
        Ok(out)
    }

    fn commit(writer: &mut IndexWriter, sequence: u64) -> Result<(), SearchError> {
        let mut commit = writer.prepare_commit().map_err(err)?;
        commit.set_payload(&sequence.to_string());
        commit.commit().map_err(err)?;
        Ok(())
    }

    /// Removes `removed`, adds `added`, and commits with `sequence`.
    pub fn apply(
        &self,
        removed: &[u64],
        added: &[StoredChunk],
        sequence: u64,
    ) -> Result<(), SearchError> {
        self.with_writer(|writer| {
            for key in removed {
                writer.delete_term(Term::from_field_u64(self.fields.key, *key));
            }
            for chunk in added {
                writer.add_document(self.document(chunk)).map_err(err)?;
            }
            Self::commit(writer, sequence)
        })
    }

    /// Empties the index and fills it through `fill` (after a crash left it
    /// behind the chunk store).
    pub fn rebuild(
        &self,
        fill: impl FnOnce(
            &mut dyn FnMut(&StoredChunk) -> Result<(), SearchError>,
        ) -> Result<(), SearchError>,
        sequence: u64,
    ) -> Result<(), SearchError> {
        self.with_writer(|writer| {
            writer.delete_all_documents().map_err(err)?;
            let mut add = |chunk: &StoredChunk| {
                writer
                    .add_document(self.document(chunk))
                    .map(|_| ())
                    .map_err(err)
            };
            fill(&mut add)?;
            Self::commit(writer, sequence)
        })
    }

    fn document(&self, chunk: &StoredChunk) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.key, chunk.key);
        doc.add_text(f.org, &chunk.owner.org_id);
        doc.add_text(f.source, &chunk.owner.data_source_id);
        doc.add_text(f.document, &chunk.owner.document_id);
        let title = std::iter::once(chunk.input.title.as_str())
            .chain(chunk.input.heading_path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        doc.add_text(f.title, title);
        doc.add_text(f.body, &chunk.input.text);
        doc
    }

    /// The best `limit` chunks for `query` in `org`, optionally within some
    /// data sources: `(key, bm25)` best first.
    pub fn search(
        &self,
        query: &str,
        org: &str,
        sources: Option<&[String]>,
        limit: usize,
    ) -> Result<Vec<(u64, f32)>, SearchError> {
        let (text_query, _errors) = self.parser.parse_query_lenient(query);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text_query),
            (Occur::Must, filter(term_query(self.fields.org, org))),
        ];
        if let Some(ids) = sources {
            let any: Vec<(Occur, Box<dyn Query>)> = ids
                .iter()
                .map(|id| (Occur::Should, term_query(self.fields.source, id)))
                .collect();
            clauses.push((Occur::Must, filter(Box::new(BooleanQuery::new(any)))));
        }
        let searcher = self.reader.searcher();
        let top = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(limit.max(1)).order_by_score(),
            )
            .map_err(err)?;
        let mut out = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(err)?;
            if let Some(key) = doc.get_first(self.fields.key).and_then(|v| v.as_u64()) {
                out.push((key, score));
            }
        }
        Ok(out)
    }

    /// Documents in the index (for tests and metadata).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A clause that restricts matches without changing their scores.
fn filter(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

fn term_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}
