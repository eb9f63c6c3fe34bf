//! Retrieval quality rules over small fixture corpora with the real model:
//! a whole-book page never takes a place from the pages it repeats, a
//! question word in a page title does not outrank the question's content
//! words, and the default threshold of 0.7 (on the calibrated scale) answers
//! questions the corpus answers and declines the others.

use std::sync::{Arc, OnceLock};

use grove_search::chunks::{ChunkInput, ChunkOwner};
use grove_search::embed::models::locate_minilm;
use grove_search::embed::{Embedder, LocalMiniLm};
use grove_search::{Mode, SearchEngine, SearchRequest, SearchSettings};

fn minilm() -> Arc<dyn Embedder> {
    static MODEL: OnceLock<Arc<LocalMiniLm>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let dir = locate_minilm(None).expect("run scripts/fetch-models.sh");
            Arc::new(LocalMiniLm::load(&dir).unwrap())
        })
        .clone()
}

const MODES: [Mode; 3] = [Mode::Lexical, Mode::Vector, Mode::Hybrid];

/// The default agent threshold (`agents.similarity_threshold`).
const DEFAULT_THRESHOLD: f32 = 0.7;

fn owner(doc: &str) -> ChunkOwner {
    ChunkOwner {
        org_id: "org_a".into(),
        data_source_id: "ds_docs".into(),
        document_id: doc.into(),
    }
}

/// A document's chunks, one per (heading, text).
fn chunks(doc: &str, title: &str, sections: &[(&str, &str)]) -> Vec<ChunkInput> {
    let mut at = 0;
    sections
        .iter()
        .enumerate()
        .map(|(i, (heading, text))| {
            let start = at;
            at += text.len() + 1;
            ChunkInput {
                chunk_id: format!("chk_{doc}_{i}"),
                text: (*text).into(),
                title: title.into(),
                url: Some(format!("https://docs.example/{doc}.html")),
                heading_path: vec![title.into(), (*heading).into()],
                start,
                end: start + text.len(),
            }
        })
        .collect()
}

fn request(query: &str, mode: Mode, top_k: usize, threshold: f32) -> SearchRequest {
    SearchRequest {
        org_id: "org_a".into(),
        query: query.into(),
        mode,
        top_k,
        threshold,
        data_source_ids: None,
    }
}

async fn pages(engine: &SearchEngine, req: SearchRequest) -> Vec<String> {
    let hits = engine.search(req).await.unwrap().hits;
    hits.into_iter()
        .map(|h| h.chunk.owner.document_id)
        .collect()
}

const INSTALL: [(&str, &str); 2] = [
    ("Installing", "Download the installer for your platform and run it; on Linux, unpack the tarball into /opt and add its bin directory to PATH."),
    ("Upgrading", "To upgrade, run the installer again: it replaces the old binaries and keeps your configuration files."),
];
const BACKUPS: [(&str, &str); 2] = [
    ("Snapshots", "Backups are snapshots of the data directory taken every night at 02:00 and kept for fourteen days."),
    ("Restoring", "To restore a backup, stop the server, copy the snapshot over the data directory and start it again."),
];
const TUNING: [(&str, &str); 2] = [
    ("Memory", "The cache uses a quarter of the machine's memory unless cache_size is set in the configuration file."),
    ("Threads", "Worker threads default to the number of cores; set workers to limit them on a shared host."),
];

#[tokio::test]
async fn a_whole_book_page_never_takes_a_top_three_place_from_its_parts() {
    let dir = tempfile::tempdir().unwrap();
    let engine = SearchEngine::open(dir.path(), Some(minilm()), SearchSettings::default()).unwrap();
    let parts = [
        ("install", "Installation", &INSTALL),
        ("backups", "Backups", &BACKUPS),
        ("tuning", "Tuning", &TUNING),
    ];
    // The print page first, so it has the lower keys: order gives it no edge.
    let all: Vec<(&str, &str)> = parts.iter().flat_map(|p| p.2.iter().copied()).collect();
    engine
        .replace_document(owner("print"), chunks("print", "The Whole Manual", &all))
        .await
        .unwrap();
    for (doc, title, sections) in parts {
        engine
            .replace_document(owner(doc), chunks(doc, title, sections))
            .await
            .unwrap();
    }
    let questions = [
        (
            "how do I get back my data from last night's snapshot?",
            "backups",
        ),
        (
            "upgrade to a new version without losing settings",
            "install",
        ),
        ("limit the number of worker threads", "tuning"),
    ];
    for (question, part) in questions {
        for mode in MODES {
            let top = pages(&engine, request(question, mode, 3, 0.0)).await;
            assert!(
                !top.contains(&"print".to_string()),
                "{mode:?} {question}: {top:?}"
            );
            assert_eq!(
                top.first().map(String::as_str),
                Some(part),
                "{mode:?} {question}: {top:?}"
            );
        }
    }
    // Removing the parts leaves the print page findable on its own.
    engine.delete_document(owner("backups")).await.unwrap();
    let top = pages(&engine, request(questions[0].0, Mode::Hybrid, 3, 0.0)).await;
    assert_eq!(top.first().map(String::as_str), Some("print"), "{top:?}");
}

#[tokio::test]
async fn a_question_word_in_a_title_does_not_outrank_the_content_words() {
    let dir = tempfile::tempdir().unwrap();
    let engine = SearchEngine::open(dir.path(), None, SearchSettings::default()).unwrap();
    engine
        .replace_document(
            owner("how-it-works"),
            chunks("how-it-works", "How the Scheduler Works: What Happens and Which Order", &[(
                "Overview",
                "Jobs wait in a queue and a scheduler hands them to workers in order of their due time.",
            )]),
        )
        .await
        .unwrap();
    engine
        .replace_document(
            owner("profiles"),
            chunks("profiles", "Profiles", &[(
                "Release",
                "The release profile sets the optimization level to 3 and turns off debug assertions.",
            )]),
        )
        .await
        .unwrap();
    for question in [
        "How do I change the optimization level of release builds?",
        "What is the optimization level in the release profile?",
        "Which optimization level does a release build use?",
    ] {
        let top = pages(&engine, request(question, Mode::Lexical, 5, 0.0)).await;
        assert_eq!(top, vec!["profiles".to_string()], "{question}");
    }
    // A question made only of function words is still searched as written.
    let top = pages(&engine, request("how what which", Mode::Lexical, 5, 0.0)).await;
    assert_eq!(top, vec!["how-it-works".to_string()]);
}

#[tokio::test]
async fn the_default_threshold_answers_what_the_corpus_answers_and_declines_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let engine = SearchEngine::open(dir.path(), Some(minilm()), SearchSettings::default()).unwrap();
    for (doc, title, sections) in [
        ("install", "Installation", &INSTALL),
        ("backups", "Backups", &BACKUPS),
        ("tuning", "Tuning", &TUNING),
    ] {
        engine
            .replace_document(owner(doc), chunks(doc, title, sections))
            .await
            .unwrap();
    }
    let answerable = [
        (
            "How often are backups taken and how long are they kept?",
            "backups",
        ),
        (
            "How do I restore the data directory from a snapshot?",
            "backups",
        ),
        ("How much memory does the cache use?", "tuning"),
        ("How do I install it on Linux?", "install"),
    ];
    let unanswerable = [
        "What is the capital of Australia?",
        "How do I bake sourdough bread?",
        "Which football team won the league last season?",
        "How many vacation days do employees get?",
    ];
    for (question, page) in answerable {
        let hits = engine
            .search(request(question, Mode::Hybrid, 5, DEFAULT_THRESHOLD))
            .await
            .unwrap()
            .hits;
        assert!(
            !hits.is_empty(),
            "declined an answerable question: {question}"
        );
        assert_eq!(hits[0].chunk.owner.document_id, page, "{question}");
    }
    for question in unanswerable {
        let hits = engine
            .search(request(question, Mode::Hybrid, 5, DEFAULT_THRESHOLD))
            .await
            .unwrap()
            .hits;
        assert!(
            hits.is_empty(),
            "answered an unanswerable question: {question}: {:?}",
            hits.iter()
                .map(|h| (h.similarity, h.raw_score))
                .collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn an_index_from_before_text_hashes_gets_them_on_open_and_collapses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = SearchEngine::open(dir.path(), None, SearchSettings::default()).unwrap();
        let all: Vec<(&str, &str)> = INSTALL.iter().chain(BACKUPS.iter()).copied().collect();
        engine
            .replace_document(owner("print"), chunks("print", "The Whole Manual", &all))
            .await
            .unwrap();
        engine
            .replace_document(owner("backups"), chunks("backups", "Backups", &BACKUPS))
            .await
            .unwrap();
    }
    // Make the store look as it did before the column existed.
    let db = rusqlite::Connection::open(dir.path().join("chunks.db")).unwrap();
    db.execute_batch("DROP INDEX chunks_by_text; ALTER TABLE chunks DROP COLUMN text_hash;")
        .unwrap();
    drop(db);
    let engine = SearchEngine::open(dir.path(), None, SearchSettings::default()).unwrap();
    let top = pages(
        &engine,
        request("restore a backup snapshot", Mode::Lexical, 3, 0.0),
    )
    .await;
    assert_eq!(top.first().map(String::as_str), Some("backups"), "{top:?}");
    assert!(!top.contains(&"print".to_string()), "{top:?}");
}
