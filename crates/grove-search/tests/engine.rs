//! The search engine over real files: incremental changes in every mode,
//! restarts, filters inside the search, thresholds, embedder mismatches and
//! organisation isolation.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use grove_search::chunks::{ChunkInput, ChunkOwner};
use grove_search::embed::models::locate_minilm;
use grove_search::embed::{EmbedError, Embedder, EmbedderInfo, LocalMiniLm};
use grove_search::{Mode, SearchEngine, SearchError, SearchRequest, SearchSettings};

fn minilm() -> Arc<dyn Embedder> {
    static MODEL: OnceLock<Arc<LocalMiniLm>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let dir = locate_minilm(None).expect("run scripts/fetch-models.sh");
            Arc::new(LocalMiniLm::load(&dir).unwrap())
        })
        .clone()
}

fn owner(org: &str, ds: &str, doc: &str) -> ChunkOwner {
    ChunkOwner {
        org_id: org.into(),
        data_source_id: ds.into(),
        document_id: doc.into(),
    }
}

fn chunk(id: &str, title: &str, text: &str) -> ChunkInput {
    ChunkInput {
        chunk_id: id.into(),
        text: text.into(),
        title: title.into(),
        url: Some(format!("https://docs.example/{id}")),
        heading_path: vec![title.into()],
        start: 0,
        end: text.len(),
    }
}

fn request(org: &str, query: &str, mode: Mode) -> SearchRequest {
    SearchRequest {
        org_id: org.into(),
        query: query.into(),
        mode,
        top_k: 5,
        threshold: 0.0,
        data_source_ids: None,
    }
}

fn open(dir: &Path, embedder: Option<Arc<dyn Embedder>>) -> SearchEngine {
    SearchEngine::open(dir, embedder, SearchSettings::default()).unwrap()
}

async fn top_ids(engine: &SearchEngine, req: SearchRequest) -> Vec<String> {
    engine
        .search(req)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.chunk.input.chunk_id)
        .collect()
}

const MODES: [Mode; 3] = [Mode::Lexical, Mode::Vector, Mode::Hybrid];

async fn seed(engine: &SearchEngine) {
    engine
        .replace_document(
            owner("org_a", "ds_1", "doc_refunds"),
            vec![
                chunk(
                    "chk_refund",
                    "Refund policy",
                    "Refunds are processed within 30 days of the return request.",
                ),
                chunk(
                    "chk_shipping",
                    "Shipping",
                    "Orders ship from our warehouse within two business days.",
                ),
            ],
        )
        .await
        .unwrap();
    engine
        .replace_document(
            owner("org_a", "ds_1", "doc_pricing"),
            vec![chunk(
                "chk_pricing",
                "Pricing",
                "Pricing starts at 99 dollars per month for the team plan.",
            )],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn adds_and_deletes_show_in_every_mode_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = open(dir.path(), Some(minilm()));
        seed(&engine).await;
        for mode in MODES {
            let ids = top_ids(&engine, request("org_a", "how long do refunds take", mode)).await;
            assert_eq!(
                ids.first().map(String::as_str),
                Some("chk_refund"),
                "{mode:?}: {ids:?}"
            );
        }
        // Replace the refunds document: the old chunks go, the new one comes.
        engine
            .replace_document(
                owner("org_a", "ds_1", "doc_refunds"),
                vec![chunk(
                    "chk_refund_v2",
                    "Returns",
                    "Money back is issued within 14 days after we receive the returned item.",
                )],
            )
            .await
            .unwrap();
        for mode in MODES {
            let ids = top_ids(
                &engine,
                request("org_a", "refund money back returned item", mode),
            )
            .await;
            assert!(
                !ids.contains(&"chk_refund".to_owned())
                    && !ids.contains(&"chk_shipping".to_owned()),
                "{mode:?}: {ids:?}"
            );
            assert_eq!(
                ids.first().map(String::as_str),
                Some("chk_refund_v2"),
                "{mode:?}: {ids:?}"
            );
        }
        engine
            .delete_document(owner("org_a", "ds_1", "doc_pricing"))
            .await
            .unwrap();
    }
    // Reopened: the same state, from disk.
    let engine = open(dir.path(), Some(minilm()));
    for mode in MODES {
        let ids = top_ids(&engine, request("org_a", "pricing per month plan", mode)).await;
        assert!(
            !ids.contains(&"chk_pricing".to_owned()),
            "{mode:?} after restart: {ids:?}"
        );
        let ids = top_ids(&engine, request("org_a", "money back after return", mode)).await;
        assert_eq!(
            ids.first().map(String::as_str),
            Some("chk_refund_v2"),
            "{mode:?} after restart: {ids:?}"
        );
    }
    assert_eq!(engine.count("org_a", None).unwrap(), 1);
}

#[tokio::test]
async fn the_threshold_drops_weak_hits() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path(), Some(minilm()));
    seed(&engine).await;
    for mode in [Mode::Vector, Mode::Hybrid, Mode::Lexical] {
        let loose = engine
            .search(request("org_a", "refund processing time", mode))
            .await
            .unwrap();
        let strict = engine
            .search(SearchRequest {
                threshold: 0.5,
                ..request("org_a", "refund processing time", mode)
            })
            .await
            .unwrap();
        assert!(strict.hits.iter().all(|h| h.similarity >= 0.5), "{mode:?}");
        assert!(
            strict.hits.len() < loose.hits.len() || loose.hits.iter().all(|h| h.similarity >= 0.5),
            "{mode:?}"
        );
        assert_eq!(
            strict.hits.first().map(|h| h.chunk.input.chunk_id.as_str()),
            Some("chk_refund"),
            "{mode:?}"
        );
    }
    let none = engine
        .search(SearchRequest {
            threshold: 0.99,
            ..request("org_a", "quantum chromodynamics", Mode::Hybrid)
        })
        .await
        .unwrap();
    assert!(none.hits.is_empty());
}

#[tokio::test]
async fn organisations_never_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path(), Some(minilm()));
    seed(&engine).await;
    for mode in MODES {
        assert!(
            top_ids(&engine, request("org_b", "refunds", mode))
                .await
                .is_empty(),
            "{mode:?}"
        );
    }
    assert_eq!(engine.count("org_b", None).unwrap(), 0);
}

/// A cheap deterministic embedder (hashed words), for tests about the index
/// rather than the model.
struct HashEmbedder(EmbedderInfo);

impl HashEmbedder {
    fn shared(dimension: usize) -> Arc<dyn Embedder> {
        Arc::new(Self(EmbedderInfo {
            name: "test-hash".into(),
            dimension,
        }))
    }
}

#[async_trait]
impl Embedder for HashEmbedder {
    fn info(&self) -> &EmbedderInfo {
        &self.0
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0.0f32; self.0.dimension];
                for word in t.to_lowercase().split_whitespace() {
                    let h = word.bytes().fold(1469598103934665603u64, |h, b| {
                        (h ^ b as u64).wrapping_mul(1099511628211)
                    });
                    v[(h % self.0.dimension as u64) as usize] += 1.0;
                }
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
                v.into_iter().map(|x| x / n).collect()
            })
            .collect())
    }
}

#[tokio::test]
async fn filters_apply_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path(), Some(HashEmbedder::shared(64)));
    for d in 0..100 {
        let chunks = (0..100)
            .map(|i| {
                chunk(
                    &format!("chk_big_{d}_{i}"),
                    "Deployment guide",
                    &format!("deploy the service to production cluster {d} node {i}"),
                )
            })
            .collect();
        engine
            .replace_document(owner("org_a", "ds_big", &format!("doc_{d}")), chunks)
            .await
            .unwrap();
    }
    engine
        .replace_document(
            owner("org_a", "ds_small", "doc_small"),
            vec![chunk("chk_small", "Notes", "deploy the service to staging")],
        )
        .await
        .unwrap();
    assert_eq!(engine.count("org_a", None).unwrap(), 10_001);
    let both = ["ds_small".to_owned(), "ds_big".to_owned()];
    assert_eq!(engine.count("org_a", Some(&both)).unwrap(), 10_001);
    assert_eq!(engine.count("org_b", None).unwrap(), 0);
    for mode in MODES {
        let req = SearchRequest {
            data_source_ids: Some(vec!["ds_small".into()]),
            top_k: 3,
            ..request("org_a", "deploy the service to production cluster", mode)
        };
        let results = engine.search(req).await.unwrap();
        let ids: Vec<_> = results
            .hits
            .iter()
            .map(|h| h.chunk.input.chunk_id.as_str())
            .collect();
        assert_eq!(ids, vec!["chk_small"], "{mode:?}");
        assert_eq!(results.chunks_searched, 1, "{mode:?}");
    }
    // Deleting a data source removes it from every index.
    engine
        .delete_data_source("org_a", "ds_small")
        .await
        .unwrap();
    for mode in MODES {
        let req = SearchRequest {
            data_source_ids: Some(vec!["ds_small".into()]),
            ..request("org_a", "deploy staging", mode)
        };
        assert!(
            engine.search(req).await.unwrap().hits.is_empty(),
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn an_index_built_with_another_embedder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = open(dir.path(), Some(HashEmbedder::shared(64)));
        engine
            .replace_document(owner("o", "s", "d"), vec![chunk("c", "T", "some text")])
            .await
            .unwrap();
    }
    let err = SearchEngine::open(
        dir.path(),
        Some(HashEmbedder::shared(32)),
        SearchSettings::default(),
    )
    .err()
    .expect("refused");
    assert!(
        matches!(err, SearchError::Embed(EmbedError::Mismatch { .. })),
        "{err}"
    );
    assert!(
        err.to_string().contains("64 dimensions") && err.to_string().contains("32 dimensions"),
        "{err}"
    );
}

#[tokio::test]
async fn without_a_model_lexical_search_still_serves() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path(), None);
    seed(&engine).await;
    let results = engine
        .search(request("org_a", "refunds processed", Mode::Hybrid))
        .await
        .unwrap();
    assert_eq!(results.mode, Mode::Lexical);
    assert!(results.query_embedding.is_none());
    assert_eq!(results.hits[0].chunk.input.chunk_id, "chk_refund");
    assert!(
        (results.hits[0].similarity - 1.0).abs() < 1e-6,
        "relative BM25 of the top hit is 1"
    );
    assert!(matches!(
        engine.search(request("org_a", "x", Mode::Vector)).await,
        Err(SearchError::NoEmbedder)
    ));
}

#[tokio::test]
async fn chunks_indexed_without_a_model_get_vectors_once_one_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    seed(&open(dir.path(), None)).await;

    let engine = open(dir.path(), Some(minilm()));
    let before = top_ids(
        &engine,
        request("org_a", "how long do refunds take", Mode::Vector),
    )
    .await;
    assert!(before.is_empty(), "no vectors yet: {before:?}");
    let filled = engine.backfill_vectors().await.unwrap();
    assert_eq!(filled as u64, engine.count("org_a", None).unwrap());
    let after = top_ids(
        &engine,
        request("org_a", "how long do refunds take", Mode::Vector),
    )
    .await;
    assert_eq!(after.first().map(String::as_str), Some("chk_refund"));
    assert_eq!(
        engine.backfill_vectors().await.unwrap(),
        0,
        "nothing left to fill"
    );
    drop(engine);

    let reopened = open(dir.path(), Some(minilm()));
    let again = top_ids(
        &reopened,
        request("org_a", "how long do refunds take", Mode::Vector),
    )
    .await;
    assert_eq!(
        again, after,
        "backfilled vectors are stored, not recomputed"
    );
}

#[tokio::test]
async fn a_crash_between_the_store_and_the_lexical_index_is_repaired_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = open(dir.path(), None);
        seed(&engine).await;
    }
    // Simulate a lexical index that missed commits: remove it entirely.
    std::fs::remove_dir_all(dir.path().join("lexical")).unwrap();
    let engine = open(dir.path(), None);
    let ids = top_ids(&engine, request("org_a", "pricing month", Mode::Lexical)).await;
    assert_eq!(ids.first().map(String::as_str), Some("chk_pricing"));
}
