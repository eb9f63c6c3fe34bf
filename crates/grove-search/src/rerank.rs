//! The optional reranking step: a trait, and maximal marginal relevance (MMR),
//! which trades a little relevance for less redundancy among the results.

/// A candidate for reranking: its relevance and its embedding.
pub struct Candidate<'a> {
    pub key: u64,
    pub relevance: f32,
    pub vector: Option<&'a [f32]>,
}

pub trait Reranker: Send + Sync {
    /// Reorders candidates (best first) and keeps at most `k`.
    fn rerank(&self, query: &str, candidates: Vec<Candidate<'_>>, k: usize) -> Vec<u64>;
}

/// MMR: repeatedly picks the candidate maximising
/// `λ·relevance − (1−λ)·max similarity to those already picked`.
pub struct Mmr {
    pub lambda: f32,
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Reranker for Mmr {
    fn rerank(&self, _query: &str, mut pool: Vec<Candidate<'_>>, k: usize) -> Vec<u64> {
        let mut picked: Vec<Candidate> = Vec::with_capacity(k);
        while picked.len() < k && !pool.is_empty() {
            let score = |c: &Candidate| {
                let redundancy = picked
                    .iter()
                    .filter_map(|p| Some(cosine(c.vector?, p.vector?)))
                    .fold(0.0f32, f32::max);
                self.lambda * c.relevance - (1.0 - self.lambda) * redundancy
            };
            let best = (0..pool.len())
                .max_by(|&a, &b| score(&pool[a]).total_cmp(&score(&pool[b])).then(b.cmp(&a)))
                .unwrap_or(0);
            picked.push(pool.swap_remove(best));
        }
        picked.into_iter().map(|c| c.key).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_duplicates_are_pushed_down() {
        let (a, dup, other) = ([1.0, 0.0], [1.0, 0.0], [0.0, 1.0]);
        let pool = vec![
            Candidate {
                key: 1,
                relevance: 0.9,
                vector: Some(&a),
            },
            Candidate {
                key: 2,
                relevance: 0.89,
                vector: Some(&dup),
            },
            Candidate {
                key: 3,
                relevance: 0.8,
                vector: Some(&other),
            },
        ];
        assert_eq!(Mmr { lambda: 0.5 }.rerank("q", pool, 3), vec![1, 3, 2]);
    }
}
