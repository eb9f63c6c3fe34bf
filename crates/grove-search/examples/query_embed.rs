//! Query-embedding latency alone (a short search query, one at a time).
//!
//!     cargo run --release -p grove-search --example query_embed [-- RUNS]

use std::time::Instant;

use grove_search::embed::minilm::MiniLm;
use grove_search::embed::models::locate_minilm;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let model =
        MiniLm::load(&locate_minilm(None).expect("run scripts/fetch-models.sh")).expect("model");
    let query = "how do I reset my password";
    model.embed(&[query]).unwrap();
    let started = Instant::now();
    for _ in 0..runs {
        model.embed(&[query]).unwrap();
    }
    println!(
        "query embedding: {:.2} ms each over {runs} runs",
        started.elapsed().as_secs_f64() * 1e3 / runs as f64
    );
}
