//! Int8 inference for the encoder's linear layers: weights quantised per
//! output channel (symmetric `i8`), activations per row at run time (`u8`
//! over the row's own range, with its zero point: GELU's outputs, nearly all
//! positive, get twice the steps a symmetric code would give them),
//! products accumulated exactly in `i32` and scaled back to `f32` with the
//! bias added. Layer norm, softmax, GELU and attention
//! stay in `f32` (`minilm`).
//!
//! The kernel is AVX-512 VNNI's `vpdpbusd` (64 `u8 × i8` products summed into
//! 16 `i32` lanes per instruction, four times the multiplies of an `f32`
//! FMA) or, on CPUs with AVX2 only, the same sums from `vpmaddubsw` (pairs of
//! products into `i16`) and `vpmaddwd` (pairs of those into `i32`): chosen at
//! run time; [`Int8Kernel::detect`] is `None` without either and the encoder
//! stays in `f32`. `vpmaddubsw` saturates at ±32767, which two products of
//! 255 × 127 would pass, so for that kernel weights are quantised to 7 bits
//! (±63, as ONNX Runtime's `reduce_range` does) and no sum can saturate. The
//! scalar kernel is the reference the tests hold both to, exactly.
//!
//! Why hand-written: no maintained crate offers a dynamically quantised
//! `u8 × i8` GEMM with VNNI for Rust (the `gemm` crate is float-only; ONNX
//! Runtime and oneDNN are C++ runtimes far larger than this one product).

use rayon::prelude::*;

use super::kernels::View;
use crate::dispatch;

/// Output columns per packed block: one 512-bit register of `i32` lanes.
const BLOCK: usize = 16;
/// Inputs per `vpdpbusd` lane.
const GROUP: usize = 4;
/// Rows of one parallel task.
const ROWS_PER_TASK: usize = 16;
/// Blocks of outputs one kernel call covers: 4 rows × 4 blocks are 16
/// accumulator registers, and each step's 4 weight loads and 4 broadcasts
/// feed 16 `vpdpbusd`.
const SPAN: usize = 4;

/// Which integer kernel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int8Kernel {
    /// AVX-512 VNNI (`vpdpbusd` on 512-bit registers).
    Avx512Vnni,
    /// AVX2 (`vpmaddubsw` and `vpmaddwd` on 256-bit registers), with 7-bit
    /// weights.
    Avx2,
    /// Plain Rust, for tests and as the definition.
    Scalar,
}

impl Int8Kernel {
    /// The fast kernel this CPU runs, if any.
    pub fn detect() -> Option<Self> {
        [Self::Avx512Vnni, Self::Avx2]
            .into_iter()
            .find(|kernel| kernel.runs_here())
    }

    /// Whether this CPU has the kernel's instructions (a cached check).
    pub fn runs_here(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            match self {
                Self::Avx512Vnni => has!("avx512f") && has!("avx512bw") && has!("avx512vnni"),
                Self::Avx2 => has!("avx2"),
                Self::Scalar => true,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Self::Scalar
        }
    }

    /// The largest quantised weight magnitude: 7 bits where `vpmaddubsw`
    /// would otherwise saturate.
    fn weight_max(self) -> f32 {
        match self {
            Self::Avx2 => 63.0,
            Self::Avx512Vnni | Self::Scalar => 127.0,
        }
    }
}

/// A linear layer with its weights quantised and packed for the kernel.
pub struct QuantizedLinear {
    kernel: Int8Kernel,
    /// Inputs.
    k: usize,
    /// Inputs rounded up to [`GROUP`].
    k4: usize,
    /// Outputs.
    n: usize,
    /// Outputs rounded up to [`BLOCK`].
    n16: usize,
    /// `[n16 / BLOCK][k4 / GROUP][BLOCK][GROUP]`: for each block of 16
    /// outputs, four consecutive inputs of each output side by side (one
    /// 64-byte load per `vpdpbusd`). Padding is zero.
    packed: Vec<i8>,
    /// Per input: what its activations are multiplied by before they are
    /// quantised (the inverse of the factor its weights were multiplied by;
    /// all 1 without smoothing).
    input_inverse: Vec<f32>,
    /// Per output: the weight scale.
    scales: Vec<f32>,
    /// Per output (and zero for the padding to `n16`): the sum of its
    /// quantised weights, which removes the activations' zero point.
    sums: Vec<i32>,
    bias: Vec<f32>,
}

impl QuantizedLinear {
    /// Quantises `wt`, the `k × n` row-major transpose of a `Linear` weight
    /// (the layout `kernels::linear` takes), with `bias` of `n` values, for
    /// `kernel`.
    pub fn new(wt: &[f32], bias: &[f32], k: usize, kernel: Int8Kernel) -> Self {
        Self::with_factors(wt, bias, k, vec![1.0; k], kernel)
    }

    /// Like [`Self::new`], with the activations' range evened out across
    /// inputs (SmoothQuant, Xiao et al. 2023): input `t` is divided by
    /// `s_t = input_max_t^α / weight_max_t^(1-α)` and its weights multiplied
    /// by it, which leaves the product unchanged and moves the difficulty of
    /// a channel whose values dwarf the others' (a per-row code spends its
    /// 255 steps on that channel's range) into the per-output weight scales.
    /// `input_max` is each input's largest magnitude seen in calibration.
    pub fn smoothed(
        wt: &[f32],
        bias: &[f32],
        k: usize,
        (input_max, alpha): (&[f32], f32),
        kernel: Int8Kernel,
    ) -> Self {
        assert_eq!(input_max.len(), k, "one maximum per input");
        let n = bias.len();
        let factors = input_max
            .iter()
            .enumerate()
            .map(|(t, &x)| {
                let w = wt[t * n..(t + 1) * n]
                    .iter()
                    .fold(0.0f32, |m, v| m.max(v.abs()));
                let s = x.powf(alpha) / w.powf(1.0 - alpha);
                if s.is_finite() && s > 0.0 {
                    s.clamp(1e-3, 1e3)
                } else {
                    1.0
                }
            })
            .collect();
        Self::with_factors(wt, bias, k, factors, kernel)
    }

    /// Quantises `wt` with input `t`'s weights multiplied by `factors[t]`.
    fn with_factors(
        wt: &[f32],
        bias: &[f32],
        k: usize,
        factors: Vec<f32>,
        kernel: Int8Kernel,
    ) -> Self {
        let n = bias.len();
        assert!(k > 0 && n > 0, "a layer has inputs and outputs");
        assert_eq!(wt.len(), k * n, "weights are k × n");
        let wt: Vec<f32> = wt
            .chunks_exact(n)
            .zip(&factors)
            .flat_map(|(row, &s)| row.iter().map(move |w| w * s))
            .collect();
        let (k4, n16) = (k.div_ceil(GROUP) * GROUP, n.div_ceil(BLOCK) * BLOCK);
        let mut scales = vec![1.0f32; n];
        for (j, scale) in scales.iter_mut().enumerate() {
            let max = (0..k).map(|t| wt[t * n + j].abs()).fold(0.0f32, f32::max);
            if max > 0.0 {
                *scale = max / kernel.weight_max();
            }
        }
        let mut packed = vec![0i8; n16 * k4];
        let mut sums = vec![0i32; n16];
        for j in 0..n {
            for t in 0..k {
                let q = (wt[t * n + j] / scales[j]).round().clamp(-127.0, 127.0) as i8;
                packed[packed_index(k4, j, t)] = q;
                sums[j] += i32::from(q);
            }
        }
        Self {
            kernel,
            k,
            k4,
            n,
            n16,
            packed,
            input_inverse: factors.iter().map(|s| 1.0 / s).collect(),
            scales,
            sums,
            bias: bias.to_vec(),
        }
    }

    pub fn outputs(&self) -> usize {
        self.n
    }

    /// `out = x · W + bias` (dense `x.rows × n`); `scratch` holds the
    /// quantised rows between calls (grown once, reused).
    pub fn forward(&self, x: View, out: &mut [f32], scratch: &mut Scratch) {
        assert_eq!(x.cols, self.k, "input width");
        assert_eq!(out.len(), x.rows * self.n, "output size");
        scratch.quantise(x, self.k4, &self.input_inverse);
        let rows = &scratch.rows[..x.rows * self.k4];
        let codes = &scratch.codes[..x.rows];
        if (1..=ROWS_PER_TASK).contains(&x.rows) && rayon::current_num_threads() > 1 {
            // One task of rows (a search query) would leave the other
            // cores idle: split the outputs instead.
            return self.forward_by_columns(rows, codes, out, &mut scratch.by_span);
        }
        out.par_chunks_mut(ROWS_PER_TASK * self.n)
            .enumerate()
            .for_each(|(task, out)| {
                let first = task * ROWS_PER_TASK;
                let count = out.len() / self.n;
                let rows = &rows[first * self.k4..(first + count) * self.k4];
                self.rows_forward(rows, &codes[first..first + count], out);
            });
    }

    /// Dequantises the products of up to [`ROWS_PER_TASK`] quantised rows.
    fn rows_forward(&self, rows: &[u8], codes: &[RowCode], out: &mut [f32]) {
        for first_block in (0..self.n16 / BLOCK).step_by(SPAN) {
            let out = &mut out[first_block * BLOCK..];
            self.span_forward(rows, codes, first_block, out, self.n);
        }
    }

    /// The products of up to [`ROWS_PER_TASK`] rows, a span of blocks per
    /// parallel task, each into its part of `by_span` (span after span),
    /// then copied into place.
    fn forward_by_columns(
        &self,
        rows: &[u8],
        codes: &[RowCode],
        out: &mut [f32],
        by_span: &mut Vec<f32>,
    ) {
        let count = codes.len();
        let width = SPAN * BLOCK;
        let spans = (self.n16 / BLOCK).div_ceil(SPAN);
        by_span.resize(spans * count * width, 0.0);
        by_span
            .par_chunks_mut(count * width)
            .enumerate()
            .for_each(|(i, part)| self.span_forward(rows, codes, i * SPAN, part, width));
        for (i, part) in by_span.chunks_exact(count * width).enumerate() {
            let first = i * width;
            let cols = width.min(self.n - first);
            for (row, src) in out.chunks_exact_mut(self.n).zip(part.chunks_exact(width)) {
                row[first..first + cols].copy_from_slice(&src[..cols]);
            }
        }
    }

    /// The outputs of the span of blocks from `first_block` for up to
    /// [`ROWS_PER_TASK`] rows, dequantised into `out`: row `r`'s at
    /// `r · stride`, starting with the span's first column.
    fn span_forward(
        &self,
        rows: &[u8],
        codes: &[RowCode],
        first_block: usize,
        out: &mut [f32],
        stride: usize,
    ) {
        let count = codes.len();
        let mut acc = [0i32; ROWS_PER_TASK * BLOCK * SPAN];
        let span = SPAN.min(self.n16 / BLOCK - first_block);
        let width = span * BLOCK;
        let acc = &mut acc[..count * width];
        self.accumulate(rows, first_block, span, acc, self.kernel);
        let first = first_block * BLOCK;
        let cols = width.min(self.n - first);
        let weights = Columns {
            sums: &self.sums[first..first + cols],
            scales: &self.scales[first..first + cols],
            bias: &self.bias[first..first + cols],
        };
        for ((r, sums), code) in acc.chunks_exact(width).enumerate().zip(codes) {
            let out = &mut out[r * stride..r * stride + cols];
            dequantise(&sums[..cols], weights, *code, out);
        }
    }

    /// `acc[r][c] = Σ_t rows[r][t] · W[t][first_block·16 + c]` for the
    /// `span · 16` columns of `span` blocks, over the raw `u8` activations
    /// (the zero point is removed by the caller).
    fn accumulate(
        &self,
        rows: &[u8],
        first_block: usize,
        span: usize,
        acc: &mut [i32],
        kernel: Int8Kernel,
    ) {
        let per_block = self.k4 * BLOCK;
        let weights = &self.packed[first_block * per_block..(first_block + span) * per_block];
        debug_assert!((1..=SPAN).contains(&span));
        // A kernel can be named without `detect`, so the features are
        // checked here too (a cached flag): on a CPU without them the scalar
        // kernel runs, never the vector one.
        #[cfg(target_arch = "x86_64")]
        if kernel != Int8Kernel::Scalar && kernel.runs_here() {
            // SAFETY: the features were detected just above; the slices'
            // lengths bound every load and store (asserted in the kernels).
            unsafe {
                return match kernel {
                    Int8Kernel::Avx512Vnni => vnni::accumulate(rows, weights, self.k4, span, acc),
                    _ => avx2::accumulate(rows, weights, self.k4, span, acc),
                };
            }
        }
        scalar_accumulate(rows, weights, self.k4, span, acc)
    }

    /// Every product of `rows` (`u8`, `k4` per row) as exact `i32`s,
    /// `rows × n16`: what the tests compare between kernels.
    #[cfg(test)]
    fn products(&self, rows: &[u8], kernel: Int8Kernel) -> Vec<i32> {
        let count = rows.len() / self.k4;
        let mut all = vec![0i32; count * self.n16];
        let blocks = self.n16 / BLOCK;
        for first_block in (0..blocks).step_by(SPAN) {
            let span = SPAN.min(blocks - first_block);
            let width = span * BLOCK;
            for (start, chunk) in rows.chunks(ROWS_PER_TASK * self.k4).enumerate() {
                let n = chunk.len() / self.k4;
                let mut acc = vec![0i32; n * width];
                self.accumulate(chunk, first_block, span, &mut acc, kernel);
                for (r, sums) in acc.chunks_exact(width).enumerate() {
                    let row = start * ROWS_PER_TASK + r;
                    all[row * self.n16 + first_block * BLOCK..][..width].copy_from_slice(sums);
                }
            }
        }
        all
    }
}

/// Where input `t` of output `j` sits in the packed weights.
fn packed_index(k4: usize, j: usize, t: usize) -> usize {
    let (block, lane) = (j / BLOCK, j % BLOCK);
    block * k4 * BLOCK + (t / GROUP) * BLOCK * GROUP + lane * GROUP + t % GROUP
}

/// The definition of [`QuantizedLinear::accumulate`], one product at a time.
fn scalar_accumulate(rows: &[u8], weights: &[i8], k4: usize, span: usize, acc: &mut [i32]) {
    let width = span * BLOCK;
    for (row, sums) in rows.chunks_exact(k4).zip(acc.chunks_exact_mut(width)) {
        for (c, sum) in sums.iter_mut().enumerate() {
            let (block, lane) = (c / BLOCK, c % BLOCK);
            let block = &weights[block * k4 * BLOCK..];
            *sum = (0..k4)
                .map(|t| {
                    let w = block[(t / GROUP) * BLOCK * GROUP + lane * GROUP + t % GROUP];
                    i32::from(row[t]) * i32::from(w)
                })
                .sum();
        }
    }
}

/// How a row's `u8`s encode it: `x ≈ (q - zero) · scale`.
#[derive(Debug, Clone, Copy)]
pub struct RowCode {
    scale: f32,
    zero: i32,
}

/// Activations quantised per row, kept between layers to avoid allocating.
#[derive(Default)]
pub struct Scratch {
    rows: Vec<u8>,
    codes: Vec<RowCode>,
    /// Outputs computed by columns, span after span.
    by_span: Vec<f32>,
}

impl Scratch {
    /// Each row of `x` as `u8`s over its range (which includes 0, so zero
    /// is exact), padded to `k4` (the padding meets zero weights).
    fn quantise(&mut self, x: View, k4: usize, input_inverse: &[f32]) {
        self.rows.clear();
        self.rows.resize(x.rows * k4, 0);
        self.codes.clear();
        self.codes.resize(
            x.rows,
            RowCode {
                scale: 1.0,
                zero: 0,
            },
        );
        let data = x.data;
        self.rows
            .par_chunks_mut(k4 * ROWS_PER_TASK)
            .zip(self.codes.par_chunks_mut(ROWS_PER_TASK))
            .enumerate()
            .for_each(|(task, (rows, codes))| {
                for (i, (row, code)) in rows.chunks_exact_mut(k4).zip(codes).enumerate() {
                    let r = task * ROWS_PER_TASK + i;
                    let values = &data[r * x.stride..r * x.stride + x.cols];
                    *code = quantise_row(values, input_inverse, row);
                }
            });
    }
}

/// The per-output numbers that turn a column's `i32` sums back into floats.
#[derive(Clone, Copy)]
pub struct Columns<'a> {
    sums: &'a [i32],
    scales: &'a [f32],
    bias: &'a [f32],
}

dispatch! {
    /// `out[c] = (acc[c] - zero · Σw[c]) · scale · w_scale[c] + bias[c]`.
    fn dequantise(acc: &[i32], columns: Columns, code: RowCode, out: &mut [f32]) {
        let n = out.len();
        let (acc, sums, scales, bias) =
            (&acc[..n], &columns.sums[..n], &columns.scales[..n], &columns.bias[..n]);
        for c in 0..n {
            out[c] = (acc[c] - code.zero * sums[c]) as f32 * (code.scale * scales[c]) + bias[c];
        }
    }
}

dispatch! {
    /// A row, each value multiplied by its input's factor, as `u8`s over
    /// its range (widened to include 0, so that zero is exact), rounding to
    /// the nearest step.
    fn quantise_row(values: &[f32], factors: &[f32], row: &mut [u8]) -> RowCode {
        const LANES: usize = 16;
        let factors = &factors[..values.len()];
        let (mut low, mut high) = ([0.0f32; LANES], [0.0f32; LANES]);
        let chunks = values.chunks_exact(LANES).zip(factors.chunks_exact(LANES));
        for (chunk, f) in chunks {
            for (((lo, hi), &v), &f) in low.iter_mut().zip(high.iter_mut()).zip(chunk).zip(f) {
                let v = v * f;
                *lo = if v < *lo { v } else { *lo };
                *hi = if v > *hi { v } else { *hi };
            }
        }
        let tail = values.len() / LANES * LANES;
        let tail = values[tail..].iter().zip(&factors[tail..]).map(|(v, f)| v * f);
        let (low, high) = tail.fold(
            (
                low.iter().copied().fold(0.0f32, f32::min),
                high.iter().copied().fold(0.0f32, f32::max),
            ),
            |(lo, hi), v| (lo.min(v), hi.max(v)),
        );
        if high <= low {
            row[..values.len()].fill(0);
            return RowCode { scale: 1.0, zero: 0 };
        }
        let scale = (high - low) / 255.0;
        let zero = (-low / scale).round().clamp(0.0, 255.0);
        // Adding 2²³ to a float in [0, 255] leaves its nearest integer in the
        // low mantissa bits: a bit cast that vectorises, where `as` checks
        // every value for NaN and saturation one at a time.
        const ROUND: f32 = 8_388_608.0;
        let inv = 1.0 / scale;
        for ((q, &v), &f) in row.iter_mut().zip(values).zip(factors) {
            *q = ((v * f * inv + zero).clamp(0.0, 255.0) + ROUND).to_bits() as u8;
        }
        RowCode {
            scale,
            zero: zero as i32,
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod vnni {
    use std::arch::x86_64::*;

    use super::{BLOCK, GROUP};

    /// [`super::scalar_accumulate`] with `vpdpbusd`: tiles of up to four rows
    /// by `span` blocks, each step broadcasting four inputs of a row against
    /// the 64 packed weights of each block's 16 outputs.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub unsafe fn accumulate(rows: &[u8], weights: &[i8], k4: usize, span: usize, acc: &mut [i32]) {
        let count = rows.len() / k4;
        let width = span * BLOCK;
        assert!(acc.len() >= count * width && weights.len() >= span * k4 * BLOCK);
        let mut r = 0;
        while r < count {
            let n = (count - r).min(4);
            let (rows, acc) = (
                &rows[r * k4..(r + n) * k4],
                &mut acc[r * width..(r + n) * width],
            );
            // SAFETY: the features are enabled here; the slices hold `n`
            // rows and `span` blocks.
            unsafe {
                match (n, span) {
                    (4, 4) => tile::<4, 4>(rows, weights, k4, acc),
                    (4, 3) => tile::<4, 3>(rows, weights, k4, acc),
                    (4, 2) => tile::<4, 2>(rows, weights, k4, acc),
                    (4, 1) => tile::<4, 1>(rows, weights, k4, acc),
                    (_, 4) => tile::<1, 4>(&rows[..k4], weights, k4, &mut acc[..width]),
                    (_, 3) => tile::<1, 3>(&rows[..k4], weights, k4, &mut acc[..width]),
                    (_, 2) => tile::<1, 2>(&rows[..k4], weights, k4, &mut acc[..width]),
                    (_, 1) => tile::<1, 1>(&rows[..k4], weights, k4, &mut acc[..width]),
                    _ => unreachable!("a span is 1 to 4 blocks"),
                }
            }
            r += if n == 4 { 4 } else { 1 };
        }
    }

    /// `R` rows by `B` blocks, `R · B` accumulators kept in registers.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    #[inline]
    unsafe fn tile<const R: usize, const B: usize>(
        rows: &[u8],
        weights: &[i8],
        k4: usize,
        acc: &mut [i32],
    ) {
        assert!(rows.len() >= R * k4 && weights.len() >= B * k4 * BLOCK);
        assert!(acc.len() >= R * B * BLOCK);
        let mut sums = [[_mm512_setzero_si512(); B]; R];
        let per_block = k4 * BLOCK;
        for step in 0..k4 / GROUP {
            let t = step * GROUP;
            let mut w = [_mm512_setzero_si512(); B];
            for (b, w) in w.iter_mut().enumerate() {
                // SAFETY: `b · per_block + step · 64 + 64 <= B · k4 · 16`.
                *w = unsafe {
                    _mm512_loadu_si512(weights.as_ptr().add(b * per_block + step * BLOCK * GROUP)
                        as *const __m512i)
                };
            }
            for (r, sums) in sums.iter_mut().enumerate() {
                // SAFETY: `r < R` and `t + 4 <= k4`, inside the assert above.
                let x = unsafe {
                    std::ptr::read_unaligned(rows.as_ptr().add(r * k4 + t) as *const i32)
                };
                let x = _mm512_set1_epi32(x);
                for (sum, &w) in sums.iter_mut().zip(&w) {
                    *sum = _mm512_dpbusd_epi32(*sum, x, w);
                }
            }
        }
        for (r, sums) in sums.iter().enumerate() {
            for (b, &sum) in sums.iter().enumerate() {
                // SAFETY: `acc` holds `R` rows of `B` blocks of 16 lanes.
                unsafe {
                    _mm512_storeu_si512(
                        acc.as_mut_ptr().add((r * B + b) * BLOCK) as *mut __m512i,
                        sum,
                    )
                };
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{BLOCK, GROUP};

    /// [`super::scalar_accumulate`] on AVX2: tiles of up to four rows by one
    /// block (16 outputs, two registers), each step broadcasting four inputs
    /// of a row against the block's 64 packed weights. `vpmaddubsw` sums the
    /// products of each pair of inputs into `i16` (exact: weights are within
    /// ±63, so a pair is at most 2 · 255 · 63 = 32,130) and `vpmaddwd` by ones
    /// sums the two pairs into each output's `i32` lane: `vpdpbusd`'s result.
    #[target_feature(enable = "avx2")]
    pub unsafe fn accumulate(rows: &[u8], weights: &[i8], k4: usize, span: usize, acc: &mut [i32]) {
        let count = rows.len() / k4;
        let width = span * BLOCK;
        let per_block = k4 * BLOCK;
        assert!(acc.len() >= count * width && weights.len() >= span * per_block);
        let mut r = 0;
        while r < count {
            let n = if count - r >= 4 { 4 } else { 1 };
            for b in 0..span {
                let weights = &weights[b * per_block..(b + 1) * per_block];
                let rows = &rows[r * k4..(r + n) * k4];
                // SAFETY: the feature is enabled here; `rows` holds `n` rows,
                // `weights` one block, and `acc` is indexed inside its rows.
                unsafe {
                    if n == 4 {
                        tile::<4>(rows, weights, k4, &mut acc[r * width..], width, b);
                    } else {
                        tile::<1>(rows, weights, k4, &mut acc[r * width..], width, b);
                    }
                }
            }
            r += n;
        }
    }

    /// `R` rows by one block: `2 · R` accumulators in registers, written to
    /// row `r`'s lanes `b · 16..(b + 1) · 16` of `acc` (rows `width` apart).
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn tile<const R: usize>(
        rows: &[u8],
        weights: &[i8],
        k4: usize,
        acc: &mut [i32],
        width: usize,
        b: usize,
    ) {
        assert!(rows.len() >= R * k4 && weights.len() >= k4 * BLOCK);
        assert!(acc.len() >= (R - 1) * width + (b + 1) * BLOCK);
        let ones = _mm256_set1_epi16(1);
        let mut sums = [[_mm256_setzero_si256(); 2]; R];
        for step in 0..k4 / GROUP {
            let at = weights.as_ptr().wrapping_add(step * BLOCK * GROUP);
            // SAFETY: `step · 64 + 64 <= k4 · 16`, inside the assert above.
            let w = unsafe {
                [
                    _mm256_loadu_si256(at as *const __m256i),
                    _mm256_loadu_si256(at.add(32) as *const __m256i),
                ]
            };
            for (r, sums) in sums.iter_mut().enumerate() {
                // SAFETY: `r < R` and `step · 4 + 4 <= k4`.
                let x = unsafe {
                    std::ptr::read_unaligned(rows.as_ptr().add(r * k4 + step * GROUP) as *const i32)
                };
                let x = _mm256_set1_epi32(x);
                for (sum, &w) in sums.iter_mut().zip(&w) {
                    let pairs = _mm256_maddubs_epi16(x, w);
                    *sum = _mm256_add_epi32(*sum, _mm256_madd_epi16(pairs, ones));
                }
            }
        }
        for (r, sums) in sums.iter().enumerate() {
            for (half, &sum) in sums.iter().enumerate() {
                let at = r * width + b * BLOCK + half * 8;
                // SAFETY: inside the assert on `acc` above.
                unsafe { _mm256_storeu_si256(acc.as_mut_ptr().add(at) as *mut __m256i, sum) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic generator (xorshift), so failures reproduce.
    fn values(seed: u64, n: usize, scale: f32) -> Vec<f32> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ((state >> 11) as f32 / (1u64 << 53) as f32 * 2.0 - 1.0) * scale
            })
            .collect()
    }

    fn quantised_rows(x: &[f32], rows: usize, k: usize, k4: usize) -> Vec<u8> {
        let mut scratch = Scratch::default();
        scratch.quantise(View::dense(x, rows, k), k4, &vec![1.0; k]);
        scratch.rows
    }

    #[test]
    fn the_vector_kernels_match_the_scalar_one_exactly_on_awkward_sizes() {
        let kernels: Vec<Int8Kernel> = [Int8Kernel::Avx512Vnni, Int8Kernel::Avx2]
            .into_iter()
            .filter(|k| k.runs_here())
            .collect();
        if kernels.is_empty() {
            eprintln!("no vector kernel runs on this CPU: only the scalar one");
        }
        for kernel in kernels {
            products_match_the_scalar_kernel(kernel);
        }
    }

    /// A few rows (a query) split by output columns across tasks give the
    /// same outputs, bit for bit, as the split by rows.
    #[test]
    fn few_rows_by_columns_equal_rows_by_rows() {
        let kernel = Int8Kernel::detect().unwrap_or(Int8Kernel::Scalar);
        for (seed, (m, k, n)) in [(1, 7, 3), (5, 33, 100), (16, 384, 1152), (3, 130, 47)]
            .into_iter()
            .enumerate()
        {
            let weights = values(seed as u64 + 7, k * n, 0.5);
            let bias = values(seed as u64 + 8, n, 0.1);
            let layer = QuantizedLinear::new(&weights, &bias, k, kernel);
            let x = values(seed as u64 + 9, m * k, 2.0);
            let mut scratch = Scratch::default();
            scratch.quantise(View::dense(&x, m, k), layer.k4, &layer.input_inverse);
            let (rows, codes) = (&scratch.rows[..m * layer.k4], &scratch.codes[..m]);
            let mut by_rows = vec![f32::NAN; m * n];
            layer.rows_forward(rows, codes, &mut by_rows);
            let mut by_columns = vec![f32::NAN; m * n];
            layer.forward_by_columns(rows, codes, &mut by_columns, &mut Vec::new());
            assert!(
                by_rows.iter().all(|v| v.is_finite()),
                "{m} × {k} · {k} × {n}"
            );
            let same = by_rows
                .iter()
                .zip(&by_columns)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{m} × {k} · {k} × {n}");
        }
    }

    fn products_match_the_scalar_kernel(kernel: Int8Kernel) {
        // Sizes off every multiple: rows not of 4, inputs not of 4, outputs not of 16.
        for (seed, (m, k, n)) in [
            (1, 1, 1),
            (5, 7, 3),
            (9, 33, 17),
            (21, 130, 47),
            (3, 384, 1152),
        ]
        .into_iter()
        .enumerate()
        {
            let weights = values(seed as u64, k * n, 0.5);
            let layer = QuantizedLinear::new(&weights, &vec![0.0; n], k, kernel);
            let rows = quantised_rows(&values(seed as u64 + 100, m * k, 3.0), m, k, layer.k4);
            assert_eq!(
                layer.products(&rows, kernel),
                layer.products(&rows, Int8Kernel::Scalar),
                "{kernel:?}: {m} × {k} · {k} × {n}"
            );
        }
        // The largest sums: every input at 255 against weights at ± the
        // kernel's limit, where `vpmaddubsw` would saturate with 8-bit weights.
        let (k, n) = (64, 32);
        let weights: Vec<f32> = (0..k * n)
            .map(|i| if i % 3 == 0 { -1.0 } else { 1.0 })
            .collect();
        let layer = QuantizedLinear::new(&weights, &vec![0.0; n], k, kernel);
        for rows in [vec![255u8; 5 * k], vec![0u8; 5 * k]] {
            assert_eq!(
                layer.products(&rows, kernel),
                layer.products(&rows, Int8Kernel::Scalar),
                "{kernel:?}: extreme values"
            );
        }
    }

    #[test]
    fn the_scalar_kernel_is_the_integer_product_of_the_quantised_values() {
        let (k, n) = (6, 2);
        // Column 0 is [1, -1, 0.5, …] scaled to ±127; column 1 all zero.
        let mut wt = vec![0.0f32; k * n];
        for t in 0..k {
            wt[t * n] = [1.0, -1.0, 0.5, 0.25, -0.5, 1.0][t];
        }
        let layer = QuantizedLinear::new(&wt, &[0.0, 0.0], k, Int8Kernel::Scalar);
        let x = [1.0, 1.0, 1.0, 1.0, 1.0, -1.0];
        let mut scratch = Scratch::default();
        scratch.quantise(View::dense(&x, 1, k), layer.k4, &layer.input_inverse);
        let (rows, code) = (scratch.rows, scratch.codes[0]);
        // The row spans [-1, 1] in 255 steps: each code decodes to within half a step.
        for (&q, &v) in rows.iter().zip(&x) {
            let decoded = (i32::from(q) - code.zero) as f32 * code.scale;
            assert!(
                (decoded - v).abs() <= code.scale / 2.0 + 1e-6,
                "{q} → {decoded}, not {v}"
            );
        }
        let products = layer.products(&rows, Int8Kernel::Scalar);
        let weights = [127, -127, 64, 32, -64, 127];
        let expected: i32 = rows
            .iter()
            .zip(weights)
            .map(|(&x, w)| i32::from(x) * w)
            .sum();
        assert_eq!(products[0], expected);
        assert_eq!(products[1], 0);
        assert_eq!(layer.sums[0], weights.iter().sum::<i32>());
    }

    #[test]
    fn smoothing_keeps_the_product_and_shrinks_the_error_of_an_outlier_channel() {
        // Input 0 is fifty times larger than the rest, as some channels of a
        // transformer's hidden state are: a per-row code spends its steps on it.
        let (m, k, n) = (8, 64, 24);
        let (wt, bias) = (values(4, k * n, 0.2), values(5, n, 0.5));
        let mut x = values(6, m * k, 1.0);
        x.iter_mut().step_by(k).for_each(|v| *v *= 50.0);
        let mut input_max = vec![0.0f32; k];
        for row in x.chunks_exact(k) {
            for (m, v) in input_max.iter_mut().zip(row) {
                *m = m.max(v.abs());
            }
        }
        let error = |layer: &QuantizedLinear| {
            let mut out = vec![0.0; m * n];
            layer.forward(View::dense(&x, m, k), &mut out, &mut Scratch::default());
            let mut worst = 0.0f32;
            for r in 0..m {
                for j in 0..n {
                    let exact: f32 =
                        bias[j] + (0..k).map(|t| x[r * k + t] * wt[t * n + j]).sum::<f32>();
                    worst = worst.max((out[r * n + j] - exact).abs());
                }
            }
            worst
        };
        let kernel = Int8Kernel::Scalar;
        let plain = error(&QuantizedLinear::new(&wt, &bias, k, kernel));
        let smoothed = error(&QuantizedLinear::smoothed(
            &wt,
            &bias,
            k,
            (&input_max, 0.5),
            kernel,
        ));
        assert!(smoothed < 0.1, "smoothed error {smoothed}");
        assert!(
            smoothed < plain / 2.0,
            "smoothing did not help: {smoothed} against {plain}"
        );
    }

    #[test]
    fn a_quantised_layer_is_close_to_the_float_one() {
        let (m, k, n) = (7, 384, 50);
        let (wt, bias, x) = (
            values(1, k * n, 0.1),
            values(2, n, 1.0),
            values(3, m * k, 2.0),
        );
        let kernel = Int8Kernel::detect().unwrap_or(Int8Kernel::Scalar);
        let layer = QuantizedLinear::new(&wt, &bias, k, kernel);
        let mut out = vec![0.0; m * n];
        layer.forward(View::dense(&x, m, k), &mut out, &mut Scratch::default());
        for r in 0..m {
            for j in 0..n {
                let exact: f32 =
                    bias[j] + (0..k).map(|t| x[r * k + t] * wt[t * n + j]).sum::<f32>();
                // Half a step of error in each of 384 products, with random
                // signs: a loose statistical bound (the worst case is ~0.6).
                let bound = 0.5 * (2.0 / kernel.weight_max()) * 0.1 * k as f32 * 0.2 + 0.02;
                assert!(
                    (out[r * n + j] - exact).abs() < bound,
                    "{r},{j}: {} vs {exact}",
                    out[r * n + j]
                );
            }
        }
    }
}
