//! The local model against reference embeddings computed once with the PyPI
//! package's own sentence-transformers (scripts/make-embedding-fixture.py).

use grove_search::embed::int8::Int8Kernel;
use grove_search::embed::minilm::{MiniLm, Precision};
use grove_search::embed::models::locate_minilm;

fn model_in(precision: Precision) -> MiniLm {
    let dir = locate_minilm(None).unwrap_or_else(|tried| {
        panic!("all-MiniLM-L6-v2 not found (run scripts/fetch-models.sh); looked in {tried:?}")
    });
    MiniLm::load_with(&dir, precision).unwrap()
}

/// The f32 model: the one held to sentence-transformers' own numbers.
fn model() -> MiniLm {
    model_in(Precision::F32)
}

/// The committed reference texts and their sentence-transformers vectors.
fn reference() -> Vec<(String, Vec<f32>)> {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/minilm-reference.json")).unwrap();
    fixture["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let vector = item["embedding"].as_array().unwrap().iter();
            (
                item["text"].as_str().unwrap().to_owned(),
                vector.map(|x| x.as_f64().unwrap() as f32).collect(),
            )
        })
        .collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

#[test]
fn int8_vectors_stay_within_cosine_0_995_of_the_f32_ones() {
    // The scalar kernel computes what the vector ones do (the int8 unit tests
    // hold them equal), so the gate runs on every CPU: for this CPU's kernel
    // (AVX2's weights have 7 bits) and for the 8-bit weights of the others.
    let mut kernels = vec![Int8Kernel::Scalar];
    kernels.extend(Int8Kernel::detect());
    let exact_model = model();
    let reference = reference();
    let texts: Vec<&str> = reference.iter().map(|(t, _)| t.as_str()).collect();
    let exact = exact_model.embed(&texts).unwrap();
    for kernel in kernels {
        let quantised = model_in(Precision::Int8(kernel)).embed(&texts).unwrap();
        let cosines: Vec<f32> = quantised
            .iter()
            .zip(&exact)
            .map(|(q, e)| cosine(q, e))
            .collect();
        let min = cosines.iter().copied().fold(f32::INFINITY, f32::min);
        let mean = cosines.iter().sum::<f32>() / cosines.len() as f32;
        println!(
            "int8 ({kernel:?}) against f32 over {} texts: cosine min {min:.5}, mean {mean:.5}",
            cosines.len()
        );
        assert!(min >= 0.995, "{kernel:?}: cosines {cosines:?}");
        for (q, (_, want)) in quantised.iter().zip(&reference) {
            assert!(
                cosine(q, want) >= 0.995,
                "{kernel:?}: against sentence-transformers too"
            );
        }
    }
}

#[test]
fn the_f32_fallback_is_chosen_when_asked_for() {
    use grove_core::config::EmbeddingPrecision;
    assert_eq!(
        Precision::choose(Some(EmbeddingPrecision::F32)),
        Precision::F32
    );
    let auto = Precision::choose(None);
    match Int8Kernel::detect() {
        Some(kernel) => assert_eq!(auto, Precision::Int8(kernel)),
        None => assert_eq!(auto, Precision::F32, "no fast integer kernel: f32"),
    }
    assert_eq!(Precision::choose(Some(EmbeddingPrecision::Int8)), auto);
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
