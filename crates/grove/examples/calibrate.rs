//! Fits an embedder's calibration (`grove_search::calibration`) from Grove's
//! hybrid rankings of the dev corpora (`grove eval retrieval --rankings-out`):
//!
//! ```text
//! cargo run --release -p grove --example calibrate -- \
//!     eval/rust-book/questions.tsv rust-book.jsonl \
//!     eval/cargo-book/questions.tsv cargo-book.jsonl …
//! ```
//!
//! Each question is labelled by whether its corpus answers it, and carries
//! the evidence of its hits (cosine and coverage). For each coverage weight
//! on a grid, a question's evidence is the best `cosine + weight · coverage`
//! among its hits, and the cut is the evidence that serves the worst corpus
//! best against issue 15's targets (answer 95 % of answerable questions,
//! decline 90 % of the others). The weight and cut that do best are kept;
//! the slope is a logistic regression's on that evidence (classes weighted
//! equally), and the midpoint puts relevance 0.7 — the default threshold —
//! at the cut. It prints the constants and, per corpus, what a default
//! agent would answer and decline with them.

use anyhow::{bail, Context};
use grove_search::calibration::Calibration;
use grove_search::eval::{parse_questions, Question, Ranking};

/// The default `agents.similarity_threshold`.
const THRESHOLD: f32 = 0.7;
const ANSWER_TARGET: f64 = 0.95;
const DECLINE_TARGET: f64 = 0.90;

struct Corpus {
    name: String,
    /// Per question: answerable?, and its hits' `[cosine, coverage]`.
    questions: Vec<(bool, Vec<[f32; 2]>)>,
}

impl Corpus {
    /// Each question's evidence at coverage weight `w`, with its label.
    fn evidence(&self, w: f32) -> Vec<(f32, bool)> {
        self.questions
            .iter()
            .map(|(answerable, hits)| {
                let best = hits
                    .iter()
                    .map(|h| h[0] + w * h[1])
                    .fold(f32::MIN, f32::max);
                (best, *answerable)
            })
            .collect()
    }

    /// (answered, answerable, declined, unanswerable) at a cut.
    fn rates(&self, w: f32, cut: f32) -> (usize, usize, usize, usize) {
        let e = self.evidence(w);
        let answered = e.iter().filter(|(s, a)| *a && *s >= cut).count();
        let declined = e.iter().filter(|(s, a)| !*a && *s < cut).count();
        let answerable = e.iter().filter(|(_, a)| *a).count();
        (answered, answerable, declined, e.len() - answerable)
    }

    /// How close the corpus comes to both targets (1 = both met exactly).
    fn merit(&self, w: f32, cut: f32) -> f64 {
        let (answered, answerable, declined, unanswerable) = self.rates(w, cut);
        let answer = answered as f64 / answerable.max(1) as f64 / ANSWER_TARGET;
        let decline = match unanswerable {
            0 => f64::INFINITY,
            n => declined as f64 / n as f64 / DECLINE_TARGET,
        };
        answer.min(decline)
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        bail!("usage: calibrate QUESTIONS.tsv RANKINGS.jsonl [QUESTIONS.tsv RANKINGS.jsonl …]");
    }
    let corpora = args
        .chunks(2)
        .map(|pair| load(&pair[0], &pair[1]))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut best = (f64::MIN, 0.0f32, 0.0f32);
    for step in 0..=20 {
        let w = step as f32 * 0.05;
        let mut cuts: Vec<f32> = corpora
            .iter()
            .flat_map(|c| c.evidence(w))
            .map(|e| e.0)
            .collect();
        cuts.sort_by(f32::total_cmp);
        for pair in cuts.windows(2) {
            let cut = (pair[0] + pair[1]) / 2.0;
            let merit = corpora
                .iter()
                .map(|c| c.merit(w, cut))
                .fold(f64::INFINITY, f64::min);
            if merit > best.0 {
                best = (merit, w, cut);
            }
        }
    }
    let (_, weight, cut) = best;
    let pooled: Vec<(f32, bool)> = corpora.iter().flat_map(|c| c.evidence(weight)).collect();
    let slope = logistic(&pooled).0;
    let calibration = Calibration {
        slope,
        midpoint: cut + (THRESHOLD / (1.0 - THRESHOLD)).ln() / -slope,
        coverage_weight: weight,
    };
    println!(
        "fitted on {} questions: slope {:.2}, midpoint {:.4}, coverage_weight {:.2} (relevance 0.7 at evidence {:.4})",
        pooled.len(),
        calibration.slope,
        calibration.midpoint,
        calibration.coverage_weight,
        cut
    );
    for c in &corpora {
        let (answered, answerable, declined, unanswerable) = c.rates(weight, cut);
        println!(
            "{:<16} answers {answered}/{answerable} ({:.1} %), declines {declined}/{unanswerable} ({:.1} %)",
            c.name,
            100.0 * answered as f64 / answerable.max(1) as f64,
            100.0 * declined as f64 / unanswerable.max(1) as f64
        );
    }
    Ok(())
}

fn load(path: &str, rankings: &str) -> anyhow::Result<Corpus> {
    let text = std::fs::read_to_string(path).with_context(|| path.to_owned())?;
    let questions: Vec<Question> =
        parse_questions(&text).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let raw = std::fs::read_to_string(rankings).with_context(|| rankings.to_owned())?;
    let rankings: Vec<Ranking> = raw
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .with_context(|| rankings.to_owned())?;
    // eval/<corpus>/questions.tsv names its corpus by its directory.
    let name = std::path::Path::new(path)
        .parent()
        .and_then(|d| d.file_name())
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned());
    let questions = questions
        .iter()
        .filter_map(|q| {
            let r = rankings
                .iter()
                .find(|r| r.system == "grove" && r.mode == "hybrid" && r.question == q.text)?;
            Some((q.answerable(), r.evidence.clone()))
        })
        .collect();
    Ok(Corpus { name, questions })
}

/// Logistic regression of the label on the cosine by Newton's method, with
/// both classes weighted to the same total: `(slope, intercept)`.
fn logistic(data: &[(f32, bool)]) -> (f32, f32) {
    let positives = data.iter().filter(|d| d.1).count().max(1) as f64;
    let negatives = data.iter().filter(|d| !d.1).count().max(1) as f64;
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..50 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(x, y) in data {
            let (x, y) = (x as f64, y as u8 as f64);
            let w = if y > 0.5 {
                1.0 / positives
            } else {
                1.0 / negatives
            };
            let p = 1.0 / (1.0 + (-(a * x + b)).exp());
            ga += w * (p - y) * x;
            gb += w * (p - y);
            let h = w * p * (1.0 - p);
            haa += h * x * x;
            hab += h * x;
            hbb += h;
        }
        // A little ridge keeps the step finite when the sets separate.
        let (haa, hbb) = (haa + 1e-6, hbb + 1e-6);
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        a -= (hbb * ga - hab * gb) / det;
        b -= (haa * gb - hab * ga) / det;
    }
    (a as f32, b as f32)
}
