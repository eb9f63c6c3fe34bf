//! Fusing ranked lists: weighted reciprocal-rank fusion, `Σ wᵢ / (k + rankᵢ)`
//! with ranks from 1, so a hit near the top of either list rises; scores of
//! the two lists (BM25, cosine) are never compared directly.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FusionWeights {
    pub lexical: f32,
    pub vector: f32,
    /// The RRF constant; 60 is the value of the original paper.
    pub k: f32,
}

impl Default for FusionWeights {
    fn default() -> Self {
        Self {
            lexical: 1.0,
            vector: 1.0,
            k: 60.0,
        }
    }
}

/// Keys of both lists by fused score, best first (ties by key for stability).
pub fn reciprocal_rank(lexical: &[u64], vector: &[u64], w: FusionWeights) -> Vec<(u64, f32)> {
    fuse_weighted([(lexical, w.lexical), (vector, w.vector)], w.k)
}

/// Keys of any number of equally weighted lists by fused score, best first.
pub fn reciprocal_rank_lists(lists: &[Vec<u64>], k: f32) -> Vec<(u64, f32)> {
    fuse_weighted(lists.iter().map(|l| (l.as_slice(), 1.0)), k)
}

fn fuse_weighted<'a>(lists: impl IntoIterator<Item = (&'a [u64], f32)>, k: f32) -> Vec<(u64, f32)> {
    let mut scores: HashMap<u64, f32> = HashMap::new();
    for (list, weight) in lists {
        for (rank, key) in list.iter().enumerate() {
            *scores.entry(*key).or_default() += weight / (k + rank as f32 + 1.0);
        }
    }
    let mut fused: Vec<(u64, f32)> = scores.into_iter().collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    fused
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_beats_a_single_top_rank() {
        let fused = reciprocal_rank(&[1, 2, 3], &[2, 4, 1], FusionWeights::default());
        let order: Vec<u64> = fused.iter().map(|f| f.0).collect();
        assert_eq!(
            order[0], 2,
            "second in one list and first in the other wins"
        );
        assert_eq!(order[1], 1);
        assert_eq!(order.len(), 4);
    }

    #[test]
    fn weights_tilt_the_order() {
        let lexical_heavy = FusionWeights {
            lexical: 3.0,
            ..FusionWeights::default()
        };
        let fused = reciprocal_rank(&[7], &[8], lexical_heavy);
        assert_eq!(fused[0].0, 7);
        let vector_heavy = FusionWeights {
            vector: 3.0,
            ..FusionWeights::default()
        };
        assert_eq!(reciprocal_rank(&[7], &[8], vector_heavy)[0].0, 8);
    }
}
