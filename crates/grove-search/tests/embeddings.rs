//! The local model against reference embeddings computed once with the PyPI
//! package's own sentence-transformers (scripts/make-embedding-fixture.py).

use grove_search::embed::minilm::MiniLm;
use grove_search::embed::models::locate_minilm;

fn model() -> MiniLm {
    let dir = locate_minilm(None).unwrap_or_else(|tried| {
        panic!("all-MiniLM-L6-v2 not found (run scripts/fetch-models.sh); looked in {tried:?}")
    });
    MiniLm::load(&dir).unwrap()
}

#[test]
fn embeddings_match_sentence_transformers_to_1e_4() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/minilm-reference.json")).unwrap();
    let items = fixture["items"].as_array().unwrap();
    let texts: Vec<&str> = items.iter().map(|i| i["text"].as_str().unwrap()).collect();
    let model = model();
    // Together (packed batch) and one at a time must both match.
    let batched = model.embed(&texts).unwrap();
    for (i, item) in items.iter().enumerate() {
        let want: Vec<f32> = item["embedding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap() as f32)
            .collect();
        let single = model.embed(&[texts[i]]).unwrap().remove(0);
        for got in [&batched[i], &single] {
            assert_eq!(got.len(), 384);
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(
                worst < 1e-4,
                "text {i} ({:?}…): max difference {worst}",
                &texts[i][..texts[i].len().min(30)]
            );
        }
    }
}

#[test]
fn long_inputs_are_truncated_like_sentence_transformers() {
    let model = model();
    let long = "word ".repeat(2000);
    let ids = model.tokenizer().encode(long.as_str(), true).unwrap();
    assert_eq!(ids.get_ids().len(), 256);
    let v = model.embed(&[long.as_str()]).unwrap();
    let norm: f32 = v[0].iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5);
}
