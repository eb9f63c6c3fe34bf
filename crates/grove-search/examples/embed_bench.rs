//! Embedding throughput on 211-token inputs, the shape of DESIGN.md's
//! reference figures. Prints sequences per second per batch size.
//!
//!     cargo run --release -p grove-search --example embed_bench [-- SECONDS]

use std::time::{Duration, Instant};

use grove_search::embed::minilm::MiniLm;
use grove_search::embed::models::locate_minilm;

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let dir = locate_minilm(None).expect("model not found: run scripts/fetch-models.sh");
    let model = MiniLm::load(&dir).expect("model loads");
    let text = make_text(&model, 211);
    println!(
        "input: {} tokens; threads: {}",
        model
            .tokenizer()
            .encode(text.as_str(), true)
            .unwrap()
            .get_ids()
            .len(),
        rayon::current_num_threads()
    );
    // A short search query, embedded alone: the latency a search pays.
    let query = "how do I reset my password";
    model.embed(&[query]).unwrap();
    let started = Instant::now();
    let runs = 200;
    for _ in 0..runs {
        model.embed(&[query]).unwrap();
    }
    println!(
        "query ({} tokens): {:.2} ms each",
        model
            .tokenizer()
            .encode(query, true)
            .unwrap()
            .get_ids()
            .len(),
        started.elapsed().as_secs_f64() * 1e3 / runs as f64
    );
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
