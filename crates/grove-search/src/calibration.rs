//! What a similarity score means. An embedder's raw cosine has no fixed
//! meaning (all-MiniLM-L6-v2 rarely passes 0.7 even for a passage that
//! answers the question; another model clusters everything near 0.8), so each
//! embedder carries a [`Calibration`]: a logistic map from its raw cosine to
//! an estimate, between 0 and 1, that the passage is relevant to the
//! question. `similarity_score` and `similarity_threshold` are on that scale,
//! so the default threshold of 0.7 means "probably relevant" whatever the
//! model; the raw cosine stays visible as `raw_score`.
//!
//! The shipped constants are fitted by `cargo run --release -p grove --example
//! calibrate` on the dev corpora's answerable and unanswerable questions
//! (docs/BENCHMARKS.md, "Calibration"): each question's best evidence among
//! its hits, labelled by whether the corpus answers it.

use serde::{Deserialize, Serialize};

/// `relevance = 1 / (1 + e^-(slope · (raw + coverage_weight · coverage −
/// midpoint)))`, where `coverage` is the share of the question's rare words
/// the passage contains ([`crate::lexical::coverage`]): `midpoint` is the
/// evidence of relevance 0.5, `slope` how fast relevance rises around it.
/// The cosine alone leaves questions about things a corpus never mentions
/// ("a Flask route", "rust-analyzer in VS Code") scoring like answerable
/// ones; the missing words tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub slope: f32,
    pub midpoint: f32,
    #[serde(default)]
    pub coverage_weight: f32,
}

impl Calibration {
    /// The estimate of relevance; monotonic in `raw` and in `coverage`. It
    /// is an estimate, never certainty: at most [`MAX_RELEVANCE`], so a
    /// threshold of 1 declines everything.
    pub fn relevance(&self, raw: f32, coverage: f32) -> f32 {
        let z = self.slope * (raw + self.coverage_weight * coverage - self.midpoint);
        (1.0 / (1.0 + (-z).exp())).clamp(0.0, MAX_RELEVANCE)
    }

    /// The raw cosine whose relevance is `relevance` at the given coverage
    /// (for documentation and tests: where a threshold lands).
    pub fn raw_for(&self, relevance: f32, coverage: f32) -> f32 {
        let p = relevance.clamp(1e-6, 1.0 - 1e-6);
        self.midpoint - self.coverage_weight * coverage + (p / (1.0 - p)).ln() / self.slope
    }
}

/// The highest relevance a calibration gives.
pub const MAX_RELEVANCE: f32 = 0.999;

/// all-MiniLM-L6-v2 over the dev corpora (rust-book, cargo-book,
/// python-docs); see the module comment.
pub const MINILM_L6_V2: Calibration = Calibration {
    slope: 21.31,
    midpoint: 0.6335,
    coverage_weight: 0.70,
};

/// The default for an OpenAI-compatible embedder when the config gives none:
/// MiniLM's, since the default `openai_model` is `all-minilm` (Ollama's
/// all-MiniLM-L6-v2). It is reported as `default`, not fitted: for another
/// model, fit one with `examples/calibrate.rs` and set `[embedding]
/// calibration_slope`, `calibration_midpoint` and
/// `calibration_coverage_weight`.
pub const OPENAI_COMPATIBLE_DEFAULT: Calibration = MINILM_L6_V2;

/// Where an embedder's calibration comes from, as `/readyz` and search
/// metadata report it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Calibrated {
    /// Fitted for this model on the dev corpora, or given in the config.
    Fitted(Calibration),
    /// A documented default for a family of models, not fitted to this one.
    Default(Calibration),
    /// None: similarity is the raw cosine.
    Uncalibrated,
}

impl Calibrated {
    pub fn curve(&self) -> Option<Calibration> {
        match self {
            Self::Fitted(c) | Self::Default(c) => Some(*c),
            Self::Uncalibrated => None,
        }
    }

    /// The relevance of a raw cosine and coverage (the cosine itself when
    /// uncalibrated).
    pub fn relevance(&self, raw: f32, coverage: f32) -> f32 {
        self.curve().map_or(raw, |c| c.relevance(raw, coverage))
    }

    /// `fitted`, `default` or `uncalibrated`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Fitted(_) => "fitted",
            Self::Default(_) => "default",
            Self::Uncalibrated => "uncalibrated",
        }
    }
}

impl std::fmt::Display for Calibrated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.curve() {
            Some(c) => write!(
                f,
                "{} calibration (relevance 0.7 at cosine {:.2} when the passage has every rare word of the question, {:.2} when it has none)",
                self.label(),
                c.raw_for(0.7, 1.0),
                c.raw_for(0.7, 0.0)
            ),
            None => f.write_str("uncalibrated: similarity is the raw cosine"),
        }
    }
}

/// The shipped calibration for a local model, by name.
pub fn for_model(name: &str) -> Option<Calibration> {
    match name {
        "all-MiniLM-L6-v2" | "sentence-transformers/all-MiniLM-L6-v2" => Some(MINILM_L6_V2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevance_is_monotonic_and_bounded() {
        let c = MINILM_L6_V2;
        for coverage in [0.0, 0.5, 1.0] {
            let mut last = -1.0;
            for i in -100..=100 {
                let r = c.relevance(i as f32 / 100.0, coverage);
                assert!((0.0..=1.0).contains(&r));
                assert!(r >= last, "not monotonic at {i}");
                last = r;
            }
        }
        assert!(c.relevance(0.5, 1.0) > c.relevance(0.5, 0.0));
        assert!((c.relevance(c.midpoint, 0.0) - 0.5).abs() < 1e-6);
    }

    /// The table in docs/API.md ("What similarity_score means").
    #[test]
    fn the_shipped_curve_maps_the_documented_fixture() {
        let table = [
            (0.30, [0.001, 0.59, 1.00]),
            (0.50, [0.055, 0.99, 1.00]),
            (0.70, [0.81, 1.00, 1.00]),
        ];
        for (cosine, row) in table {
            for (coverage, expected) in [0.0, 0.5, 1.0].into_iter().zip(row) {
                let got = MINILM_L6_V2.relevance(cosine, coverage);
                assert!((got - expected).abs() < 0.006, "{cosine} {coverage}: {got}");
            }
        }
        assert_eq!(
            for_model(crate::embed::LocalMiniLm::NAME),
            Some(MINILM_L6_V2)
        );
        assert_eq!(for_model("some-other-model"), None);
    }

    #[test]
    fn raw_for_inverts_relevance() {
        let c = Calibration {
            slope: 12.0,
            midpoint: 0.3,
            coverage_weight: 0.2,
        };
        for p in [0.1, 0.5, 0.7, 0.95] {
            for coverage in [0.0, 0.6] {
                assert!((c.relevance(c.raw_for(p, coverage), coverage) - p).abs() < 1e-4);
            }
        }
    }
}
