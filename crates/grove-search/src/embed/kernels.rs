//! The numeric kernels of the BERT encoder: matrix products through the
//! `gemm` crate (runtime-dispatched AVX2 / AVX-512 micro-kernels), and the
//! element-wise steps (layer norm, GELU, softmax) written here so they run
//! in place over packed token rows without temporary tensors.
//!
//! Why hand-written: candle 0.11 reached 9–10 sequences/s on this machine for
//! all-MiniLM-L6-v2 against PyTorch's 25 (DESIGN.md); the time went to
//! padding, per-op allocation and copies between layouts, not to the products.

use gemm::Parallelism;

use rayon::prelude::*;

use crate::dispatch;

/// [`linear`] for a few rows: each weight row `wt[t]` is streamed once and
/// added, scaled by `x[r][t]`, into every output row (no horizontal sums).
/// Column blocks run in parallel.
fn few_rows(x: View, wt: &[f32], bias: &[f32], out: &mut [f32]) {
    const COLUMNS_PER_TASK: usize = 256;
    let (m, n) = (x.rows, bias.len());
    let blocks: Vec<(usize, Vec<f32>)> = (0..n)
        .step_by(COLUMNS_PER_TASK)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|first| {
            let cols = COLUMNS_PER_TASK.min(n - first);
            let mut block = vec![0.0; m * cols];
            axpy_block(x, wt, n, first, &bias[first..first + cols], &mut block);
            (first, block)
        })
        .collect();
    for (first, block) in blocks {
        let cols = block.len() / m;
        for (r, row) in block.chunks_exact(cols).enumerate() {
            out[r * n + first..r * n + first + cols].copy_from_slice(row);
        }
    }
}

dispatch! {
    /// `block[r][c] = bias[c] + Σ_t x[r][t] · wt[t][first + c]`, with `block`
    /// holding `bias.len()` columns per row and `wt` rows `n` wide.
    fn axpy_block(x: View, wt: &[f32], n: usize, first: usize, bias: &[f32], block: &mut [f32]) {
        let cols = bias.len();
        for row in block.chunks_exact_mut(cols) {
            row.copy_from_slice(bias);
        }
        for t in 0..x.cols {
            let w = &wt[t * n + first..t * n + first + cols];
            for (r, row) in block.chunks_exact_mut(cols).enumerate() {
                let a = x.data[r * x.stride + t];
                for (o, wv) in row.iter_mut().zip(w) {
                    *o = a.mul_add(*wv, *o);
                }
            }
        }
    }
}

/// The transpose of a `rows × cols` row-major matrix.
pub fn transpose(w: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0; w.len()];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = w[r * cols + c];
        }
    }
    t
}

/// A read-only matrix view: `rows × cols` values, rows `stride` apart.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub stride: usize,
}

impl<'a> View<'a> {
    /// A view that may start inside a wider row (one attention head's columns).
    pub fn new(data: &'a [f32], rows: usize, cols: usize, stride: usize) -> Self {
        assert!(
            rows == 0 || data.len() >= (rows - 1) * stride + cols,
            "view out of bounds"
        );
        Self {
            data,
            rows,
            cols,
            stride,
        }
    }

    pub fn dense(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self::new(data, rows, cols, cols)
    }
}

/// Rows up to which [`linear`] uses dot products instead of `gemm`, whose
/// packing of the whole weight matrix dominates for a short query.
const FEW_ROWS: usize = 16;

/// `out = x · wt + bias`, with `wt` the `[x.cols × bias.len()]` row-major
/// transpose of PyTorch's `Linear` weight; `out` is dense
/// `x.rows × bias.len()`.
pub fn linear(x: View, wt: &[f32], bias: &[f32], out: &mut [f32], par: Parallelism) {
    let (m, k, n) = (x.rows, x.cols, bias.len());
    assert_eq!(wt.len(), n * k);
    assert_eq!(out.len(), m * n);
    if m <= FEW_ROWS {
        few_rows(x, wt, bias, out);
        return;
    }
    for row in out.chunks_exact_mut(n) {
        row.copy_from_slice(bias);
    }
    // SAFETY: the view and the asserts above bound every read and write.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            true,
            x.data.as_ptr(),
            1,
            x.stride as isize,
            wt.as_ptr(),
            1,
            n as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            par,
        );
    }
}

/// `out = scale · a · bᵀ`, dense `a.rows × b.rows` (attention scores).
pub fn matmul_transposed(a: View, b: View, scale: f32, out: &mut [f32]) {
    assert_eq!(a.cols, b.cols);
    assert!(out.len() >= a.rows * b.rows);
    // SAFETY: the views and the asserts above bound every read and write.
    unsafe {
        gemm::gemm(
            a.rows,
            b.rows,
            a.cols,
            out.as_mut_ptr(),
            1,
            b.rows as isize,
            false,
            a.data.as_ptr(),
            1,
            a.stride as isize,
            b.data.as_ptr(),
            b.stride as isize,
            1,
            0.0,
            scale,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

/// `out = p · v`, dense `p.rows × v.cols` (attention-weighted values).
pub fn matmul(p: View, v: View, out: &mut [f32]) {
    assert_eq!(p.cols, v.rows);
    assert!(out.len() >= p.rows * v.cols);
    // SAFETY: the views and the asserts above bound every read and write.
    unsafe {
        gemm::gemm(
            p.rows,
            v.cols,
            p.cols,
            out.as_mut_ptr(),
            1,
            v.cols as isize,
            false,
            p.data.as_ptr(),
            1,
            p.stride as isize,
            v.data.as_ptr(),
            1,
            v.stride as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

/// Lanes of the manual accumulators that let float reductions vectorise.
const LANES: usize = 16;

/// `e^x`: a Cephes-style polynomial on the reduced argument, relative error
/// below 2e-7, branch-free and call-free so loops over it vectorise.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    // Adding and removing 1.5·2²³ rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = 1.987_569_1e-4_f32;
    let p = p.mul_add(r, 1.398_199_9e-3);
    let p = p.mul_add(r, 8.333_452e-3);
    let p = p.mul_add(r, 4.166_579_6e-2);
    let p = p.mul_add(r, 1.666_666_5e-1);
    let p = p.mul_add(r, 5e-1);
    let p = (p * r).mul_add(r, r) + 1.0;
    f32::from_bits(((n as i32 + 127) as u32) << 23) * p
}

/// Exact-erf GELU, as BERT uses, with erf from Abramowitz & Stegun 7.1.26
/// (absolute error below 1.5e-7).
#[inline(always)]
pub fn gelu(x: f32) -> f32 {
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let erf_abs = 1.0 - poly * fast_exp(-z * z);
    let erf = if x < 0.0 { -erf_abs } else { erf_abs };
    0.5 * x * (1.0 + erf)
}

#[inline(always)]
fn sum(xs: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (a, x) in acc.iter_mut().zip(chunk) {
            *a += x;
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[inline(always)]
fn max(xs: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail = chunks
        .remainder()
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    for chunk in chunks {
        for (a, &x) in acc.iter_mut().zip(chunk) {
            *a = if x > *a { x } else { *a };
        }
    }
    acc.iter().copied().fold(tail, f32::max)
}

dispatch! {
    fn gelu_in_place(xs: &mut [f32]) {
        for x in xs.iter_mut() {
            *x = gelu(*x);
        }
    }
}

dispatch! {
    /// The numerator of a stable softmax for each `width`-wide row
    /// (`e^(x - max)`), in place; each row's sum goes to `sums`.
    fn softmax_exp_rows(xs: &mut [f32], width: usize, sums: &mut [f32]) {
        for (row, total) in xs.chunks_exact_mut(width).zip(sums.iter_mut()) {
            let m = max(row);
            for x in row.iter_mut() {
                *x = fast_exp(*x - m);
            }
            *total = sum(row);
        }
    }
}

dispatch! {
    /// `row = LayerNorm(row + residual)` for each `width`-wide row.
    fn add_layer_norm(rows: &mut [f32], residual: &[f32], gamma: &[f32], beta: &[f32], eps: f32) {
        let width = gamma.len();
        for (row, res) in rows.chunks_exact_mut(width).zip(residual.chunks_exact(width)) {
            for (x, r) in row.iter_mut().zip(res) {
                *x += r;
            }
            normalise(row, gamma, beta, eps);
        }
    }
}

dispatch! {
    /// `row = LayerNorm(row)` for each row as wide as `gamma`.
    fn layer_norm(rows: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
        for row in rows.chunks_exact_mut(gamma.len()) {
            normalise(row, gamma, beta, eps);
        }
    }
}

#[inline(always)]
fn normalise(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let n = row.len() as f32;
    let mean = sum(row) / n;
    let mut acc = [0.0f32; LANES];
    let chunks = row.chunks_exact(LANES);
    let tail: f32 = chunks
        .remainder()
        .iter()
        .map(|x| (x - mean) * (x - mean))
        .sum();
    for chunk in chunks {
        for (a, x) in acc.iter_mut().zip(chunk) {
            *a += (x - mean) * (x - mean);
        }
    }
    let var = (acc.iter().sum::<f32>() + tail) / n;
    let inv = 1.0 / (var + eps).sqrt();
    for ((x, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *x = (*x - mean) * inv * g + b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_is_accurate() {
        for i in -800..=200 {
            let x = i as f32 * 0.1;
            let (got, want) = (fast_exp(x), x.exp());
            assert!(
                ((got - want) / want).abs() < 1e-6,
                "exp({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn gelu_matches_the_erf_definition() {
        // Reference values of 0.5·x·(1 + erf(x/√2)).
        for (x, want) in [
            (-3.0f32, -0.004_049_71),
            (-1.0, -0.158_655_25),
            (0.0, 0.0),
            (0.5, 0.345_731_37),
            (2.0, 1.954_499_7),
        ] {
            assert!((gelu(x) - want).abs() < 1e-6, "gelu({x}) = {}", gelu(x));
        }
    }

    #[test]
    fn linear_matches_a_naive_product_on_both_paths() {
        let (k, n) = (40, 300);
        let w: Vec<f32> = (0..n * k)
            .map(|i| ((i * 7919) % 97) as f32 / 97.0 - 0.5)
            .collect();
        let wt = transpose(&w, n, k);
        let bias: Vec<f32> = (0..n).map(|j| j as f32 * 0.01).collect();
        // 3 rows take the few-rows kernel, 40 rows take gemm.
        for m in [3, 40] {
            let x: Vec<f32> = (0..m * k)
                .map(|i| ((i * 31) % 17) as f32 * 0.1 - 0.8)
                .collect();
            let mut out = vec![0.0; m * n];
            linear(
                View::dense(&x, m, k),
                &wt,
                &bias,
                &mut out,
                Parallelism::None,
            );
            for i in 0..m {
                for j in 0..n {
                    let want: f32 =
                        (0..k).map(|t| x[i * k + t] * w[j * k + t]).sum::<f32>() + bias[j];
                    assert!(
                        (out[i * n + j] - want).abs() < 1e-3,
                        "m={m} ({i},{j}): {} vs {want}",
                        out[i * n + j]
                    );
                }
            }
        }
    }

    #[test]
    fn softmax_numerators_and_sums() {
        let mut rows: Vec<f32> = (0..40).map(|i| (i % 7) as f32 - 3.0).collect();
        let original = rows.clone();
        rows[5] = -1e9;
        let mut sums = [0.0; 2];
        softmax_exp_rows(&mut rows, 20, &mut sums);
        for (r, (row, total)) in rows.chunks(20).zip(&sums).enumerate() {
            assert!((row.iter().sum::<f32>() - total).abs() < 1e-5);
            let max = original[r * 20..(r + 1) * 20]
                .iter()
                .copied()
                .fold(f32::MIN, f32::max);
            assert!(row.iter().all(|&x| x <= 1.0 + 1e-6));
            assert!(
                row.iter().any(|&x| (x - 1.0).abs() < 1e-6),
                "the max maps to e^0 = 1 (max {max})"
            );
        }
        assert!(rows[5] < 1e-12);
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let mut rows: Vec<f32> = (0..40).map(|i| i as f32).collect();
        let gamma = vec![2.0; 20];
        let beta = vec![1.0; 20];
        layer_norm(&mut rows, &gamma, &beta, 1e-12);
        for row in rows.chunks(20) {
            let mean = row.iter().sum::<f32>() / 20.0;
            let var = row.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / 20.0;
            assert!(
                (mean - 1.0).abs() < 1e-5 && (var - 4.0).abs() < 1e-4,
                "{mean} {var}"
            );
        }
    }
}
