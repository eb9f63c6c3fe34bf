//! How close the int8 encoder's vectors are to the f32 ones, over many texts:
//! the questions of the eval sets (short, as searches are) and passages cut
//! from text files (as chunks are). Prints min, 1st percentile and mean
//! cosine per kind, and how often each question's nearest passages (top 10
//! among all passages) differ between the precisions.
//!
//!     cargo run --release -p grove-search --example int8_accuracy -- \
//!         eval/*/questions.tsv -- FILE...
//!
//! Passage files are read as text (HTML tags are dropped by a simple scan,
//! enough for a measurement; ingestion uses a real parser) and cut into
//! 150-word passages.

use grove_search::embed::int8::Int8Kernel;
use grove_search::embed::minilm::{MiniLm, Precision};
use grove_search::embed::models::locate_minilm;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let questions: Vec<String> = args[..split].iter().flat_map(|p| questions(p)).collect();
    let passages: Vec<String> = args[split..]
        .iter()
        .skip(1)
        .flat_map(|p| passages(p))
        .collect();
    let dir = locate_minilm(None).expect("model not found: run scripts/fetch-models.sh");
    let kernel = Int8Kernel::detect().unwrap_or(Int8Kernel::Scalar);
    let int8 = MiniLm::load_with(&dir, Precision::Int8(kernel)).expect("model loads");
    let f32 = MiniLm::load_with(&dir, Precision::F32).expect("model loads");
    let embed = |model: &MiniLm, texts: &[String]| -> Vec<Vec<f32>> {
        texts
            .chunks(16)
            .flat_map(|batch| {
                let batch: Vec<&str> = batch.iter().map(String::as_str).collect();
                model.embed(&batch).unwrap()
            })
            .collect()
    };
    let (q8, q32) = (embed(&int8, &questions), embed(&f32, &questions));
    report("questions", &q8, &q32);
    if passages.is_empty() {
        return;
    }
    let (p8, p32) = (embed(&int8, &passages), embed(&f32, &passages));
    report("passages", &p8, &p32);
    let (mut same_first, mut overlap) = (0, 0);
    for (a, b) in q8.iter().zip(&q32) {
        let (top8, top32) = (nearest(a, &p8, 10), nearest(b, &p32, 10));
        same_first += usize::from(top8[0] == top32[0]);
        overlap += top8.iter().filter(|i| top32.contains(i)).count();
    }
    println!(
        "nearest passage the same for {same_first} of {} questions; top-10 overlap {:.3}",
        q8.len(),
        overlap as f64 / (10 * q8.len()) as f64
    );
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn nearest(query: &[f32], passages: &[Vec<f32>], k: usize) -> Vec<usize> {
    let mut scored: Vec<(usize, f32)> = passages
        .iter()
        .enumerate()
        .map(|(i, p)| (i, dot(query, p)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored.into_iter().take(k).map(|(i, _)| i).collect()
}

fn report(kind: &str, a: &[Vec<f32>], b: &[Vec<f32>]) {
    let mut cosines: Vec<f32> = a.iter().zip(b).map(|(x, y)| dot(x, y)).collect();
    cosines.sort_by(f32::total_cmp);
    let mean = cosines.iter().sum::<f32>() / cosines.len().max(1) as f32;
    println!(
        "{kind}: {} texts, cosine min {:.5}, p1 {:.5}, mean {mean:.5}",
        cosines.len(),
        cosines[0],
        cosines[cosines.len() / 100]
    );
}

/// The first column of a questions.tsv, comments skipped.
fn questions(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .map(str::to_owned)
        .collect()
}

/// A file's words without markup, in passages of 150 words.
fn passages(path: &str) -> Vec<String> {
    let raw = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut text = String::with_capacity(raw.len());
    let mut in_tag = false;
    for c in raw.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    words.chunks(150).map(|w| w.join(" ")).collect()
}
