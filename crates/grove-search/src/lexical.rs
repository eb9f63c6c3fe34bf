//! The lexical index: BM25 over three fields of each chunk — the page title,
//! the heading path and the text — with English stemming and stop words, on
//! tantivy, on disk in `index/lexical/`. Organisation and data-source filters
//! are clauses of the query itself, so they apply inside the search, before
//! the top-k cut.
//!
//! A query is read as words, not as query syntax. Each term scores BM25 in
//! each field, weighted by [`FieldWeights`], except that question words and
//! other function words ("how do I", "which", "what is the";
//! [`QUERY_STOP_WORDS`]) count in the text only: a page whose title says
//! "How … Works" does not outrank pages that match the question's content
//! words, while an FAQ entry that answers "why …" in its text still gains.

use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
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
    headings: Field,
    body: Field,
}

/// How much a term matching each field counts (a multiplier of its BM25).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldWeights {
    pub title: f32,
    pub headings: f32,
    pub body: f32,
}

impl Default for FieldWeights {
    /// Chosen on the dev corpora (docs/BENCHMARKS.md, "Retrieval quality").
    fn default() -> Self {
        Self {
            title: 0.5,
            headings: 0.5,
            body: 1.0,
        }
    }
}

/// Words a question is phrased with rather than about: tantivy's English
/// stop words (which the index leaves out anyway) with the question words,
/// pronouns and auxiliary verbs questions are made of. In a query they match
/// the chunk text but not titles or headings; a query made only of them is
/// searched as written. Measured on the dev corpora (docs/BENCHMARKS.md):
/// dropping them altogether lost on two of three corpora (FAQ answers
/// repeat their "why"), and NLTK's longer list lost more ("same", "out",
/// "before" and "between" carry meaning in documentation questions).
pub const QUERY_STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "are", "as", "at", "be", "been", "being", "but", "by", "can",
    "could", "did", "do", "does", "doing", "for", "from", "had", "has", "have", "having", "how",
    "i", "if", "in", "into", "is", "it", "its", "may", "me", "might", "must", "my", "no", "not",
    "of", "on", "or", "our", "shall", "should", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "those", "to", "was", "we", "were", "what", "when", "where", "which",
    "who", "whom", "whose", "why", "will", "with", "would", "you", "your",
];

/// The words of `query`, each with whether it is a function word
/// ([`QUERY_STOP_WORDS`]); when every word is one, none counts as one.
pub fn query_words(query: &str) -> Vec<(&str, bool)> {
    let words: Vec<(&str, bool)> = query
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(|w| (w, is_query_stop_word(w)))
        .collect();
    if words.iter().all(|w| w.1) {
        words.into_iter().map(|(w, _)| (w, false)).collect()
    } else {
        words
    }
}

fn is_query_stop_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    // "what's", "don't", "i'm": the part before the apostrophe decides.
    let head = lower.split('\'').next().unwrap_or(&lower);
    QUERY_STOP_WORDS.binary_search(&head).is_ok()
}

pub struct LexicalIndex {
    index: Index,
    reader: IndexReader,
    /// Created on the first write, so read-only users (the eval command
    /// beside a running server) do not take tantivy's writer lock.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    weights: FieldWeights,
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
        headings: b.add_text_field("headings", text.clone()),
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
    /// Opens (creating) the index in `dir`. An index of an older schema is
    /// emptied: its sequence is then behind the chunk store's, so the engine
    /// rebuilds it.
    pub fn open(dir: &Path, weights: FieldWeights) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(err)?;
        let (schema, fields) = schema();
        let index = match Self::open_dir(dir, schema.clone()) {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(e)) => {
                tracing::warn!("lexical index of an older schema ({e}); starting it again");
                std::fs::remove_dir_all(dir).map_err(err)?;
                std::fs::create_dir_all(dir).map_err(err)?;
                Self::open_dir(dir, schema).map_err(err)?
            }
            Err(e) => return Err(err(e)),
        };
        index.tokenizers().register(ANALYZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            weights,
        })
    }

    fn open_dir(dir: &Path, schema: Schema) -> tantivy::Result<Index> {
        let directory = tantivy::directory::MmapDirectory::open(dir)?;
        Index::open_or_create(directory, schema)
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
        doc.add_text(f.title, &chunk.input.title);
        let headings: Vec<&str> = chunk
            .input
            .heading_path
            .iter()
            .map(String::as_str)
            .filter(|h| *h != chunk.input.title)
            .collect();
        doc.add_text(f.headings, headings.join(" \n "));
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
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, self.text_query(query)),
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

    /// Every analysed term of the query's content words, in every field,
    /// weighted per field; any may match.
    fn text_query(&self, query: &str) -> Box<dyn Query> {
        let mut analyzer = analyzer();
        let mut terms: Vec<(String, bool)> = Vec::new();
        for (word, function) in query_words(query) {
            let mut stream = analyzer.token_stream(word);
            while let Some(token) = stream.next() {
                if !terms.iter().any(|t| t.0 == token.text) {
                    terms.push((token.text.clone(), function));
                }
            }
        }
        let f = &self.fields;
        let w = self.weights;
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (term, function) in &terms {
            // A function word counts in the text only: in a short title
            // ("How … Works") it would weigh as much as the question's subject.
            let in_titles = if *function { 0.0 } else { 1.0 };
            for (field, weight) in [
                (f.title, w.title * in_titles),
                (f.headings, w.headings * in_titles),
                (f.body, w.body),
            ] {
                if weight > 0.0 {
                    let q = Box::new(TermQuery::new(
                        Term::from_field_text(field, term),
                        IndexRecordOption::WithFreqs,
                    ));
                    any.push((Occur::Should, Box::new(BoostQuery::new(q, weight))));
                }
            }
        }
        Box::new(BooleanQuery::new(any))
    }

    /// The query's content terms (analysed, function words left out) with
    /// their BM25 IDF in the chunk text, for [`coverage`].
    pub fn query_terms(&self, query: &str) -> Result<Vec<(String, f32)>, SearchError> {
        let mut analyzer = analyzer();
        let searcher = self.reader.searcher();
        let docs = searcher.num_docs() as f32;
        let mut out: Vec<(String, f32)> = Vec::new();
        for (word, function) in query_words(query) {
            if function {
                continue;
            }
            let mut stream = analyzer.token_stream(word);
            while let Some(token) = stream.next() {
                if out.iter().any(|t| t.0 == token.text) {
                    continue;
                }
                let df = searcher
                    .doc_freq(&Term::from_field_text(self.fields.body, &token.text))
                    .map_err(err)? as f32;
                let idf = (1.0 + (docs - df + 0.5) / (df + 0.5)).ln();
                out.push((token.text.clone(), idf));
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

/// The share of the query's term weight (IDF) that a chunk's text, title
/// and headings contain: 1 when every content term is there, 0 when none is
/// (or the query has none). Rare terms missing — a product or a tool the
/// corpus never mentions — pull it down most.
pub fn coverage(terms: &[(String, f32)], chunk: &StoredChunk) -> f32 {
    let total: f32 = terms.iter().map(|t| t.1).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let mut analyzer = analyzer();
    let mut found = vec![false; terms.len()];
    let texts = [chunk.input.title.as_str(), &chunk.input.text]
        .into_iter()
        .chain(chunk.input.heading_path.iter().map(String::as_str));
    for text in texts {
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            if let Some(i) = terms.iter().position(|t| t.0 == token.text) {
                found[i] = true;
            }
        }
    }
    let present: f32 = terms
        .iter()
        .zip(&found)
        .filter(|(_, f)| **f)
        .map(|(t, _)| t.1)
        .sum();
    present / total
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stop_list_is_sorted_for_binary_search() {
        assert!(QUERY_STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn function_words_are_marked_unless_nothing_else_is_left() {
        let words = query_words("How do I read a file's lines?");
        let expected = [
            ("How", true),
            ("do", true),
            ("I", true),
            ("read", false),
            ("a", true),
            ("file's", false),
            ("lines", false),
        ];
        assert_eq!(words, expected);
        assert!(query_words("what is it").iter().all(|w| !w.1));
        assert!(query_words("").is_empty());
    }
}
