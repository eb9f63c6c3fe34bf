//! Embedding throughput on 211-token inputs, the shape of DESIGN.md's
//! reference figures, and the latency of short queries embedded alone.
//! Prints `query (K tokens): T ms each (p50 P ms)` and `batch N: X
//! sequences/s` lines.
//!
//!     cargo run --release -p grove-search --example embed_bench [-- SECONDS]
//!
//! `GROVE_EMBEDDING__PRECISION=f32` (or `int8`) picks the precision, as in
//! the server's configuration; unset, the default for this CPU runs.
//! `RAYON_NUM_THREADS=1` measures one core.

use std::time::{Duration, Instant};

use grove_core::config::EmbeddingPrecision;
use grove_search::embed::minilm::{MiniLm, Precision};
use grove_search::embed::models::locate_minilm;

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let wanted = match std::env::var("GROVE_EMBEDDING__PRECISION").as_deref() {
        Ok("f32") => Some(EmbeddingPrecision::F32),
        Ok("int8") => Some(EmbeddingPrecision::Int8),
        _ => None,
    };
    let dir = locate_minilm(None).expect("model not found: run scripts/fetch-models.sh");
    let model = MiniLm::load_with(&dir, Precision::choose(wanted)).expect("model loads");
    let text = make_text(&model, 211);
    println!(
        "input: {} tokens; threads: {}; precision: {}",
        tokens(&model, &text),
        rayon::current_num_threads(),
        model.precision()
    );
    // Short search queries, embedded alone: the latency a search pays.
    for query in [
        "how do I reset my password",
        "which regions had the largest drop in quarterly revenue last year",
        "what is the refund policy for annual plans cancelled in the first month",
    ] {
        query_latency(&model, query);
    }
    for batch in [1usize, 8, 32] {
        let inputs: Vec<&str> = vec![text.as_str(); batch];
        model.embed(&inputs).unwrap(); // warm-up
        let started = Instant::now();
        let mut done = 0;
        while started.elapsed() < Duration::from_secs(seconds) {
            model.embed(&inputs).unwrap();
            done += batch;
        }
        let rate = done as f64 / started.elapsed().as_secs_f64();
        println!("batch {batch:>2}: {rate:6.1} sequences/s");
    }
}

fn tokens(model: &MiniLm, text: &str) -> usize {
    model
        .tokenizer()
        .encode(text, true)
        .unwrap()
        .get_ids()
        .len()
}

/// Mean and median of 200 single-query embeddings.
fn query_latency(model: &MiniLm, query: &str) {
    model.embed(&[query]).unwrap();
    let mut times: Vec<f64> = (0..200)
        .map(|_| {
            let started = Instant::now();
            model.embed(&[query]).unwrap();
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    times.sort_by(f64::total_cmp);
    println!(
        "query ({} tokens): {mean:.2} ms each (p50 {:.2} ms)",
        tokens(model, query),
        times[times.len() / 2]
    );
}

/// Text that tokenises to exactly `tokens` tokens including [CLS] and [SEP].
fn make_text(model: &MiniLm, tokens: usize) -> String {
    let sentence =
        "Retrieval quality depends on chunking, embeddings and ranking of the passages we index. ";
    let long = sentence.repeat(40);
    let mut words: Vec<&str> = long.split_whitespace().collect();
    loop {
        let text = words.join(" ");
        let n = model
            .tokenizer()
            .encode(text.as_str(), true)
            .unwrap()
            .get_ids()
            .len();
        if n <= tokens {
            // Pad with single-token words up to the exact count.
            return format!("{text}{}", " the".repeat(tokens - n));
        }
        words.pop();
    }
}
