//! The vector index, in memory, loaded from the chunk store on open and kept
//! up to date incrementally (new rows appended, removed rows tombstoned and
//! compacted away once they are a quarter of the rows).
//!
//! Two ways to search, both filtering by organisation and data source inside
//! the scan (never after a top-k cut):
//! - exact: cosine over the f32 vectors of every matching row; used when the
//!   filtered collection has at most `exact_limit` rows;
//! - approximate: a scan of int8-quantised vectors (a quarter of the memory
//!   traffic), keeping the best `k × oversample` candidates, which are then
//!   re-scored exactly (the scalar-quantised flat index with refinement of
//!   FAISS's `IndexRefine(SQ8)`). Recall against exact search is measured by
//!   `bench/search` and reported in docs/BENCHMARKS.md.
//!
//! Written here rather than taken from an HNSW crate because the index must
//! filter by tenant and source inside the search, delete in place and load
//! from the chunk store without a second on-disk format; a quantised scan does
//! all three in a few dozen lines and meets the latency target at 100k chunks.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::dispatch;
use crate::simd::dot_f32;

/// Rows above which the approximate scan is used (per filtered collection).
pub const DEFAULT_EXACT_LIMIT: usize = 20_000;
/// Candidates re-scored exactly per requested result.
pub const DEFAULT_OVERSAMPLE: usize = 8;

#[derive(Debug, Clone, Copy)]
pub struct VectorSettings {
    pub exact_limit: usize,
    pub oversample: usize,
}

impl Default for VectorSettings {
    fn default() -> Self {
        Self {
            exact_limit: DEFAULT_EXACT_LIMIT,
            oversample: DEFAULT_OVERSAMPLE,
        }
    }
}

/// A scored row, ordered so a `BinaryHeap` keeps the worst on top.
#[derive(Clone, Copy, PartialEq)]
struct Scored(f32, usize);

impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

/// Keeps the `k` best scores seen.
struct TopK {
    k: usize,
    heap: BinaryHeap<Scored>,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    #[inline]
    fn push(&mut self, score: f32, row: usize) {
        if self.heap.len() < self.k {
            self.heap.push(Scored(score, row));
        } else if self.heap.peek().is_some_and(|worst| score > worst.0) {
            self.heap.pop();
            self.heap.push(Scored(score, row));
        }
    }

    /// Best first.
    fn into_sorted(self) -> Vec<(usize, f32)> {
        let mut v: Vec<_> = self.heap.into_iter().map(|Scored(s, r)| (r, s)).collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

pub struct VectorIndex {
    dim: usize,
    settings: VectorSettings,
    keys: Vec<u64>,
    orgs: Vec<u32>,
    sources: Vec<u32>,
    alive: Vec<bool>,
    dead: usize,
    vectors: Vec<f32>,
    quantised: Vec<i8>,
    scales: Vec<f32>,
    row_of: HashMap<u64, usize>,
    names: HashMap<String, u32>,
}

/// Which rows a search may return.
pub struct Filter<'a> {
    pub org: &'a str,
    pub sources: Option<&'a [String]>,
}

fn quantise(v: &[f32]) -> (Vec<i8>, f32) {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    (v.iter().map(|x| (x / scale).round() as i8).collect(), scale)
}

dispatch! {
    /// Exact cosine of `query` with each listed row.
    fn score_exact(query: &[f32], vectors: &[f32], rows: &[usize], out: &mut Vec<f32>) {
        // Plain loops, not closures: a closure is compiled without the
        // dispatched function's target features.
        let d = query.len();
        out.reserve(rows.len());
        for &r in rows {
            out.push(crate::simd::dot(query, &vectors[r * d..(r + 1) * d]));
        }
    }
}

dispatch! {
    /// Approximate cosine from the int8 copies: `q·x · scale_q · scale_x`.
    fn score_quantised(q: &[i8], q_scale: f32, quantised: &[i8], scales: &[f32], rows: &[usize], out: &mut Vec<f32>) {
        let d = q.len();
        out.reserve(rows.len());
        for &r in rows {
            let x = &quantised[r * d..(r + 1) * d];
            let mut dot = 0i32;
            for (&a, &b) in q.iter().zip(x) {
                dot += a as i32 * b as i32;
            }
            out.push(dot as f32 * scales[r] * q_scale);
        }
    }
}

/// The `k` best `(row, score)` pairs, best first.
fn best(rows: &[usize], scores: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut top = TopK::new(k);
    for (&r, &s) in rows.iter().zip(scores) {
        top.push(s, r);
    }
    top.into_sorted()
}

impl VectorIndex {
    pub fn new(dim: usize, settings: VectorSettings) -> Self {
        Self {
            dim,
            settings,
            keys: Vec::new(),
            orgs: Vec::new(),
            sources: Vec::new(),
            alive: Vec::new(),
            dead: 0,
            vectors: Vec::new(),
            quantised: Vec::new(),
            scales: Vec::new(),
            row_of: HashMap::new(),
            names: HashMap::new(),
        }
    }

    pub fn dimension(&self) -> usize {
        self.dim
    }

    /// Live rows.
    pub fn len(&self) -> usize {
        self.keys.len() - self.dead
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn intern(&mut self, name: &str) -> u32 {
        let next = self.names.len() as u32;
        *self.names.entry(name.to_owned()).or_insert(next)
    }

    pub fn insert(&mut self, key: u64, org: &str, source: &str, vector: &[f32]) {
        assert_eq!(
            vector.len(),
            self.dim,
            "vector dimension checked by the engine"
        );
        if let Some(&row) = self.row_of.get(&key) {
            self.kill(row);
        }
        let (org, source) = (self.intern(org), self.intern(source));
        let (q, scale) = quantise(vector);
        self.row_of.insert(key, self.keys.len());
        self.keys.push(key);
        self.orgs.push(org);
        self.sources.push(source);
        self.alive.push(true);
        self.vectors.extend_from_slice(vector);
        self.quantised.extend_from_slice(&q);
        self.scales.push(scale);
    }

    fn kill(&mut self, row: usize) {
        if self.alive[row] {
            self.alive[row] = false;
            self.dead += 1;
        }
    }

    pub fn remove(&mut self, keys: &[u64]) {
        for key in keys {
            if let Some(row) = self.row_of.remove(key) {
                self.kill(row);
            }
        }
        if self.dead > 1024 && self.dead * 4 > self.keys.len() {
            self.compact();
        }
    }

    fn compact(&mut self) {
        let old = std::mem::replace(self, VectorIndex::new(self.dim, self.settings));
        self.names = old.names.clone();
        for row in (0..old.keys.len()).filter(|&r| old.alive[r]) {
            let d = self.dim;
            self.row_of.insert(old.keys[row], self.keys.len());
            self.keys.push(old.keys[row]);
            self.orgs.push(old.orgs[row]);
            self.sources.push(old.sources[row]);
            self.alive.push(true);
            self.vectors
                .extend_from_slice(&old.vectors[row * d..(row + 1) * d]);
            self.quantised
                .extend_from_slice(&old.quantised[row * d..(row + 1) * d]);
            self.scales.push(old.scales[row]);
        }
    }

    /// Ids of the filter's organisation and sources, or `None` when nothing
    /// can match (an organisation or source never seen).
    fn resolve(&self, filter: &Filter) -> Option<(u32, Option<HashSet<u32>>)> {
        let org = *self.names.get(filter.org)?;
        let sources = match filter.sources {
            None => None,
            Some(ids) => {
                let set: HashSet<u32> = ids
                    .iter()
                    .filter_map(|s| self.names.get(s).copied())
                    .collect();
                if set.is_empty() {
                    return None;
                }
                Some(set)
            }
        };
        Some((org, sources))
    }

    fn matching_rows(&self, org: u32, sources: &Option<HashSet<u32>>) -> Vec<usize> {
        (0..self.keys.len())
            .filter(|&r| {
                self.alive[r]
                    && self.orgs[r] == org
                    && sources
                        .as_ref()
                        .is_none_or(|s| s.contains(&self.sources[r]))
            })
            .collect()
    }

    /// The `k` most similar rows to `query` (normalised): `(key, cosine)`,
    /// best first. `exact` forces the exact scan.
    pub fn search(&self, query: &[f32], filter: &Filter, k: usize, exact: bool) -> Vec<(u64, f32)> {
        let Some((org, sources)) = self.resolve(filter) else {
            return Vec::new();
        };
        let rows = self.matching_rows(org, &sources);
        let mut scores = Vec::with_capacity(rows.len());
        let found = if exact || rows.len() <= self.settings.exact_limit {
            score_exact(query, &self.vectors, &rows, &mut scores);
            best(&rows, &scores, k)
        } else {
            let (q, q_scale) = quantise(query);
            score_quantised(
                &q,
                q_scale,
                &self.quantised,
                &self.scales,
                &rows,
                &mut scores,
            );
            let candidates: Vec<usize> =
                best(&rows, &scores, (k * self.settings.oversample).max(k))
                    .into_iter()
                    .map(|(r, _)| r)
                    .collect();
            scores.clear();
            score_exact(query, &self.vectors, &candidates, &mut scores);
            best(&candidates, &scores, k)
        };
        found.into_iter().map(|(r, s)| (self.keys[r], s)).collect()
    }

    /// The stored vector of a key, if it is live.
    pub fn vector(&self, key: u64) -> Option<&[f32]> {
        let row = *self.row_of.get(&key)?;
        Some(&self.vectors[row * self.dim..(row + 1) * self.dim])
    }

    /// Cosine of `query` with each key that has a vector, in the given order.
    pub fn similarities(&self, query: &[f32], keys: &[u64]) -> Vec<(u64, f32)> {
        keys.iter()
            .filter_map(|&k| Some((k, dot_f32(query, self.vector(k)?))))
            .collect()
    }

    /// Approximate bytes held per live row (vectors, quantised copy, ids).
    pub fn bytes_per_row(&self) -> usize {
        self.dim * 4 + self.dim + 4 + 8 + 4 + 4 + 1 + 24
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: Vec<f32>) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    fn pseudo_random(seed: u64, dim: usize) -> Vec<f32> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        unit(
            (0..dim)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5
                })
                .collect(),
        )
    }

    #[test]
    fn filters_apply_inside_the_scan() {
        let mut index = VectorIndex::new(8, VectorSettings::default());
        for key in 0..1000 {
            index.insert(key, "org_a", "ds_big", &pseudo_random(key, 8));
        }
        index.insert(5000, "org_a", "ds_small", &pseudo_random(77, 8));
        index.insert(6000, "org_b", "ds_small", &pseudo_random(77, 8));
        let query = pseudo_random(1, 8);
        let only_small = ["ds_small".to_owned()];
        let hits = index.search(
            &query,
            &Filter {
                org: "org_a",
                sources: Some(&only_small),
            },
            3,
            false,
        );
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![5000]);
        let unknown = ["ds_none".to_owned()];
        assert!(index
            .search(
                &query,
                &Filter {
                    org: "org_a",
                    sources: Some(&unknown)
                },
                3,
                false
            )
            .is_empty());
        assert!(index
            .search(
                &query,
                &Filter {
                    org: "org_c",
                    sources: None
                },
                3,
                false
            )
            .is_empty());
    }

    #[test]
    fn removal_and_compaction_keep_the_right_rows() {
        let mut index = VectorIndex::new(4, VectorSettings::default());
        for key in 0..3000 {
            index.insert(key, "o", "s", &pseudo_random(key, 4));
        }
        index.remove(&(0..2000).collect::<Vec<_>>());
        assert_eq!(index.len(), 1000);
        assert_eq!(index.keys.len(), 1000, "compacted");
        let q = pseudo_random(2500, 4);
        let hits = index.search(
            &q,
            &Filter {
                org: "o",
                sources: None,
            },
            1,
            true,
        );
        assert_eq!(hits[0].0, 2500);
        assert!((hits[0].1 - 1.0).abs() < 1e-5);
    }

    #[test]
    fn the_quantised_scan_finds_what_exact_finds() {
        let settings = VectorSettings {
            exact_limit: 100,
            oversample: 8,
        };
        let mut index = VectorIndex::new(64, settings);
        for key in 0..5000 {
            index.insert(key, "o", "s", &pseudo_random(key, 64));
        }
        let filter = Filter {
            org: "o",
            sources: None,
        };
        let (mut found, mut total) = (0, 0);
        for q in 0..50 {
            let query = pseudo_random(100_000 + q, 64);
            let exact: HashSet<u64> = index
                .search(&query, &filter, 10, true)
                .into_iter()
                .map(|h| h.0)
                .collect();
            let approx = index.search(&query, &filter, 10, false);
            found += approx.iter().filter(|h| exact.contains(&h.0)).count();
            total += 10;
        }
        let recall = found as f64 / total as f64;
        assert!(recall >= 0.95, "recall@10 {recall}");
    }
}
