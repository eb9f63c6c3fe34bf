//! The numeric kernels of the BERT encoder: matrix products through the
//! `gemm` crate (runtime-dispatched AVX2 / AVX-512 micro-kernels), and the
//! element-wise steps (layer norm, GELU, softmax) written here so they run
//! in place over packed token rows without temporary tensors.
//!
//! Why hand-written: candle 0.11 reached 9–10 sequences/s on this machine for
//! all-MiniLM-L6-v2 against PyTorch's 25 (DESIGN.md); the time went to
//! padding, per-op allocation and copies between layouts, not to the products.

use gemm::Parallelism;

/// `out[m×n] = x[m×k] · wᵀ + bias`, with `w` stored `[n×k]` row-major as in
/// PyTorch's `Linear`.
pub fn linear(x: &[f32], m: usize, k: usize, w: &[f32], bias: &[f32], n: usize, out: &mut [f32], par: Parallelism) {
    debug_assert_eq!(x.len(), m * k);
    debug_assert_eq!(w.len(), n * k);
    debug_assert_eq!(out.len(), m * n);
    for row in out.chunks_exact_mut(n) {
        row.copy_from_slice(bias);
    }
    // SAFETY: the slices' lengths were checked above against the shapes and
    // strides given; gemm reads lhs/rhs and writes dst within those bounds.
    unsafe {
        gemm::gemm(
            m, n, k,
            out.as_mut_ptr(), 1, n as isize,
            true,
            x.as_ptr(), 1, k as isize,
            w.as_ptr(), k as isize, 1,
            1.0, 1.0,
            false, false, false,
            par,
        );
    }
}

/// `out[m×n] = scale · a[m×k] · bᵀ` where `a` rows are `a_rs` apart and `b`
/// is `[n×k]` with rows `b_rs` apart (attention scores, one head).
pub fn matmul_transposed(
    a: &[f32], a_rs: usize, b: &[f32], b_rs: usize,
    m: usize, n: usize, k: usize, scale: f32, out: &mut [f32],
) {
    assert!(out.len() >= m * n);
    assert!(m == 0 || a.len() >= (m - 1) * a_rs + k);
    assert!(n == 0 || b.len() >= (n - 1) * b_rs + k);
    // SAFETY: bounds asserted above.
    unsafe {
        gemm::gemm(
            m, n, k,
            out.as_mut_ptr(), 1, n as isize,
            false,
            a.as_ptr(), 1, a_rs as isize,
            b.as_ptr(), b_rs as isize, 1,
            0.0, scale,
            false, false, false,
            Parallelism::None,
        );
    }
}

/// `out` (rows `out_rs` apart) `= p[m×n] · v[n×k]` where `v` rows are `v_rs`
/// apart (attention-weighted values, one head).
pub fn matmul_into(
    p: &[f32], v: &[f32], v_rs: usize, m: usize, n: usize, k: usize,
    out: &mut [f32], out_rs: usize,
) {
    assert!(p.len() >= m * n);
    assert!(n == 0 || v.len() >= (n - 1) * v_rs + k);
    assert!(m == 0 || out.len() >= (m - 1) * out_rs + k);
    // SAFETY: bounds asserted above.
    unsafe {
        gemm::gemm(
            m, k, n,
            out.as_mut_ptr(), 1, out_rs as isize,
            false,
            p.as_ptr(), 1, n as isize,
            v.as_ptr(), 1, v_rs as isize,
            0.0, 1.0,
            false, false, false,
            Parallelism::None,
        );
    }
}

/// Runs `$body` compiled for AVX-512 or AVX2+FMA when the CPU has them (so
/// the element-wise loops vectorise), else for the baseline target.
macro_rules! dispatch {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? $body:block) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn generic($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
                unsafe fn v4($($arg: $ty),*) $(-> $ret)? { generic($($arg),*) }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn v3($($arg: $ty),*) $(-> $ret)? { generic($($arg),*) }
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                {
                    // SAFETY: the features were detected at run time.
                    return unsafe { v4($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: the features were detected at run time.
                    return unsafe { v3($($arg),*) };
                }
            }
            generic($($arg),*)
        }
    };
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
    let poly = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
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
    let tail = chunks.remainder().iter().copied().fold(f32::NEG_INFINITY, f32::max);
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
    /// Numerically stable softmax of each `width`-wide row, in place.
    fn softmax_rows(xs: &mut [f32], width: usize) {
        for row in xs.chunks_exact_mut(width) {
            let m = max(row);
            for x in row.iter_mut() {
                *x = fast_exp(*x - m);
            }
            let inv = 1.0 / sum(row);
            for x in row.iter_mut() {
                *x *= inv;
            }
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
    let tail: f32 = chunks.remainder().iter().map(|x| (x - mean) * (x - mean)).sum();
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
            assert!(((got - want) / want).abs() < 1e-6, "exp({x}) = {got}, want {want}");
        }
    }

    #[test]
    fn gelu_matches_the_erf_definition() {
        // Reference values of 0.5·x·(1 + erf(x/√2)).
        for (x, want) in [(-3.0f32, -0.004_049_71), (-1.0, -0.158_655_25), (0.0, 0.0), (0.5, 0.345_731_37), (2.0, 1.954_499_7)] {
            assert!((gelu(x) - want).abs() < 1e-6, "gelu({x}) = {}", gelu(x));
        }
    }

    #[test]
    fn linear_matches_a_naive_product() {
        let (m, k, n) = (3, 4, 2);
        let x: Vec<f32> = (0..m * k).map(|i| i as f32 * 0.5).collect();
        let w: Vec<f32> = (0..n * k).map(|i| 1.0 - i as f32 * 0.25).collect();
        let bias = [0.5, -1.0];
        let mut out = vec![0.0; m * n];
        linear(&x, m, k, &w, &bias, n, &mut out, Parallelism::None);
        for i in 0..m {
            for j in 0..n {
                let want: f32 = (0..k).map(|t| x[i * k + t] * w[j * k + t]).sum::<f32>() + bias[j];
                assert!((out[i * n + j] - want).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn softmax_sums_to_one_per_row() {
        let mut rows: Vec<f32> = (0..40).map(|i| (i % 7) as f32 - 3.0).collect();
        rows[5] = -1e9;
        softmax_rows(&mut rows, 20);
        for row in rows.chunks(20) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
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
            assert!((mean - 1.0).abs() < 1e-5 && (var - 4.0).abs() < 1e-4, "{mean} {var}");
        }
    }
}
