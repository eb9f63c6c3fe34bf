//! all-MiniLM-L6-v2 on the CPU: the BERT encoder forward pass over packed
//! token rows (no padding: every sequence keeps its own length, and only
//! attention looks at sequence boundaries), mean pooling and L2
//! normalisation, as sentence-transformers computes it.

use std::path::Path;

use gemm::Parallelism;
use rayon::prelude::*;
use safetensors::SafeTensors;
use tokenizers::{Tokenizer, TruncationParams};

use super::int8::{Int8Kernel, QuantizedLinear, Scratch};
use super::kernels::{
    add_layer_norm, gelu_in_place, layer_norm, linear, matmul, matmul_transposed,
    softmax_exp_rows as exp_rows, transpose, View,
};
use super::EmbedError;

const HIDDEN: usize = 384;
const HEADS: usize = 12;
const HEAD_DIM: usize = HIDDEN / HEADS;
const FF: usize = 1536;
const LAYERS: usize = 6;
const LN_EPS: f32 = 1e-12;
/// sentence-transformers' `max_seq_length` for this model.
pub const MAX_TOKENS: usize = 256;
/// Token rows per parallel task in the element-wise steps.
const ROWS_PER_TASK: usize = 32;

struct Layer {
    qkv_w: Vec<f32>,
    qkv_b: Vec<f32>,
    out_w: Vec<f32>,
    out_b: Vec<f32>,
    ln1_g: Vec<f32>,
    ln1_b: Vec<f32>,
    ff1_w: Vec<f32>,
    ff1_b: Vec<f32>,
    ff2_w: Vec<f32>,
    ff2_b: Vec<f32>,
    ln2_g: Vec<f32>,
    ln2_b: Vec<f32>,
    /// The four products quantised, when the model runs in int8.
    int8: Option<Int8Layer>,
}

struct Int8Layer {
    qkv: QuantizedLinear,
    out: QuantizedLinear,
    ff1: QuantizedLinear,
    ff2: QuantizedLinear,
}

impl Layer {
    /// Quantises the four products, smoothed by the largest magnitude each
    /// of their inputs reached in calibration, and lets their f32 weights go
    /// (about 42 MB for the six layers).
    fn quantise(&mut self, maxima: &LayerMaxima, kernel: Int8Kernel) {
        let linear = |w: &mut Vec<f32>, b: &[f32], k: usize, max: &[f32]| {
            QuantizedLinear::smoothed(&std::mem::take(w), b, k, (max, SMOOTHING), kernel)
        };
        self.int8 = Some(Int8Layer {
            qkv: linear(&mut self.qkv_w, &self.qkv_b, HIDDEN, &maxima[0]),
            out: linear(&mut self.out_w, &self.out_b, HIDDEN, &maxima[1]),
            ff1: linear(&mut self.ff1_w, &self.ff1_b, HIDDEN, &maxima[2]),
            ff2: linear(&mut self.ff2_w, &self.ff2_b, FF, &maxima[3]),
        });
    }
}

/// SmoothQuant's migration strength: how much of an input channel's range
/// moves into its weights (0.5 splits it evenly).
const SMOOTHING: f32 = 0.5;

/// Text the int8 model's smoothing is calibrated on when it loads: prose,
/// questions, code, lists and numbers, as documents and searches hold them.
/// Only the largest magnitude of each product's inputs is taken from it.
const CALIBRATION: &[&str] = &[
    "How do I reset my password if I no longer have access to the email address on my account?",
    "The quarterly report shows revenue grew 12% in the northern region, while costs fell by 3.4 million.",
    "fn main() { let v: Vec<u32> = (0..10).map(|x| x * 2).collect(); println!(\"{:?}\", v); }",
    "Installation: 1. Download the package. 2. Run `make install` as root. 3. Restart the service with systemctl.",
    "Error 503: the upstream server did not answer within 30 seconds; retry with exponential backoff.",
    "SELECT customer_id, SUM(amount) FROM orders WHERE created_at >= '2024-01-01' GROUP BY customer_id;",
    "The committee met on Tuesday to discuss the new policy on remote work, travel expenses and training budgets for next year.",
    "which regions had the largest drop in sales last year",
    "Returns a new list containing all items from the iterable in ascending order. A custom key function can be supplied to customize the sort order, and the reverse flag can be set to request the result in descending order.",
    "ERROR [2024-03-01T12:00:00Z] worker-7: connection reset by peer (os error 104) while reading from 10.0.3.12:5432",
    "Photosynthesis converts light energy into chemical energy stored in glucose, releasing oxygen as a by-product.",
    "| name | age | city |\n| Alice | 34 | Berlin |\n| Bob | 27 | Lisbon |",
];

/// Per layer, the largest magnitude of each input of its four products
/// (qkv, attention output, first and second feed-forward).
type LayerMaxima = [Vec<f32>; 4];

/// Where the forward pass reports each product's input, for calibration.
type Observer<'a> = Option<&'a mut Vec<LayerMaxima>>;

fn observe(observer: &mut Observer, layer: usize, product: usize, x: View) {
    let Some(maxima) = observer else { return };
    let max = &mut maxima[layer][product];
    for r in 0..x.rows {
        let row = &x.data[r * x.stride..r * x.stride + x.cols];
        for (m, v) in max.iter_mut().zip(row) {
            *m = m.max(v.abs());
        }
    }
}

/// The arithmetic of the encoder's linear layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    F32,
    /// Weights and activations in 8 bits, products in `i32` (`int8`).
    Int8(Int8Kernel),
}

impl Precision {
    /// The precision for a configured wish: int8 where the CPU has a fast
    /// integer kernel (the default, and what `int8` asks for), else f32.
    pub fn choose(wanted: Option<grove_core::config::EmbeddingPrecision>) -> Self {
        use grove_core::config::EmbeddingPrecision;
        match (wanted, Int8Kernel::detect()) {
            (Some(EmbeddingPrecision::F32), _) | (_, None) => Self::F32,
            (_, Some(kernel)) => Self::Int8(kernel),
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::F32 => f.write_str("f32"),
            Self::Int8(Int8Kernel::Avx512Vnni) => f.write_str("int8, AVX-512 VNNI"),
            Self::Int8(Int8Kernel::Avx2) => f.write_str("int8, AVX2"),
            Self::Int8(Int8Kernel::Scalar) => f.write_str("int8, scalar"),
        }
    }
}

/// The loaded model: tokenizer and weights.
pub struct MiniLm {
    tokenizer: Tokenizer,
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    ln_g: Vec<f32>,
    ln_b: Vec<f32>,
    layers: Vec<Layer>,
    precision: Precision,
}

fn tensor(st: &SafeTensors, name: &str, len: usize) -> Result<Vec<f32>, EmbedError> {
    let view = st
        .tensor(name)
        .map_err(|e| EmbedError::Model(format!("{name}: {e}")))?;
    if view.dtype() != safetensors::Dtype::F32 {
        return Err(EmbedError::Model(format!(
            "{name}: expected f32, found {:?}",
            view.dtype()
        )));
    }
    let data: Vec<f32> = view
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if data.len() != len {
        return Err(EmbedError::Model(format!(
            "{name}: expected {len} values, found {}",
            data.len()
        )));
    }
    Ok(data)
}

impl MiniLm {
    /// Loads `model.safetensors` and `tokenizer.json` from `dir`, in the
    /// default precision ([`Precision::choose`]).
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        Self::load_with(dir, Precision::choose(None))
    }

    /// Loads the model to run in `precision`.
    pub fn load_with(dir: &Path, precision: Precision) -> Result<Self, EmbedError> {
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| EmbedError::Model(format!("tokenizer.json: {e}")))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| EmbedError::Model(format!("tokenizer truncation: {e}")))?;
        tokenizer.with_padding(None);
        let bytes = std::fs::read(dir.join("model.safetensors"))
            .map_err(|e| EmbedError::Model(format!("model.safetensors: {e}")))?;
        let st = SafeTensors::deserialize(&bytes).map_err(|e| EmbedError::Model(e.to_string()))?;
        let layers = (0..LAYERS)
            .map(|i| load_layer(&st, i))
            .collect::<Result<Vec<_>, _>>()?;
        let mut model = Self {
            tokenizer,
            word: tensor(&st, "embeddings.word_embeddings.weight", 30522 * HIDDEN)?,
            position: tensor(&st, "embeddings.position_embeddings.weight", 512 * HIDDEN)?,
            token_type: tensor(&st, "embeddings.token_type_embeddings.weight", 2 * HIDDEN)?,
            ln_g: tensor(&st, "embeddings.LayerNorm.weight", HIDDEN)?,
            ln_b: tensor(&st, "embeddings.LayerNorm.bias", HIDDEN)?,
            layers,
            precision: Precision::F32,
        };
        if let Precision::Int8(kernel) = precision {
            let maxima = model.calibrate()?;
            for (layer, maxima) in model.layers.iter_mut().zip(&maxima) {
                layer.quantise(maxima, kernel);
            }
            model.precision = precision;
        }
        Ok(model)
    }

    /// The largest magnitude of every product's inputs over [`CALIBRATION`],
    /// in f32.
    fn calibrate(&self) -> Result<Vec<LayerMaxima>, EmbedError> {
        let encodings = self
            .tokenizer
            .encode_batch(CALIBRATION.to_vec(), true)
            .map_err(|e| EmbedError::Model(format!("tokenizer: {e}")))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        let mut maxima: Vec<LayerMaxima> = (0..LAYERS)
            .map(|_| {
                [
                    vec![0.0; HIDDEN],
                    vec![0.0; HIDDEN],
                    vec![0.0; HIDDEN],
                    vec![0.0; FF],
                ]
            })
            .collect();
        self.forward(&ids, Some(&mut maxima));
        Ok(maxima)
    }

    pub fn precision(&self) -> Precision {
        self.precision
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Embeds texts; returns one normalised 384-dimensional vector per text.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Model(format!("tokenizer: {e}")))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        // The pass runs inside Rayon's pool: each of its ~60 parallel steps
        // then starts on a worker instead of being handed from this thread
        // to the pool and back (a thread switch each, most of a short
        // query's time beside the arithmetic).
        Ok(rayon::scope(|_| self.forward(&ids, None)))
    }

    /// The encoder over packed sequences.
    fn forward(&self, seqs: &[&[u32]], mut observer: Observer) -> Vec<Vec<f32>> {
        let lens: Vec<usize> = seqs.iter().map(|s| s.len().max(1)).collect();
        let rows: usize = lens.iter().sum();
        let mut hidden = self.embed_tokens(seqs, rows);
        let mut qkv = vec![0.0; rows * 3 * HIDDEN];
        let mut ctx = vec![0.0; rows * HIDDEN];
        let mut by_head = vec![0.0; rows * HIDDEN];
        let mut tmp = vec![0.0; rows * HIDDEN];
        let mut ff = vec![0.0; rows * FF];
        let mut scratch = Scratch::default();
        for (i, layer) in self.layers.iter().enumerate() {
            let int8 = layer.int8.as_ref();
            let mut product = 0;
            let mut project =
                |x: View, w: &[f32], b: &[f32], q: Option<&QuantizedLinear>, out: &mut [f32]| {
                    observe(&mut observer, i, product, x);
                    product += 1;
                    // A quantised layer has let its f32 weights go.
                    match q {
                        Some(q) => q.forward(x, out, &mut scratch),
                        None => linear(x, w, b, out, Parallelism::Rayon(0)),
                    }
                };
            let x = View::dense(&hidden, rows, HIDDEN);
            project(
                x,
                &layer.qkv_w,
                &layer.qkv_b,
                int8.map(|q| &q.qkv),
                &mut qkv,
            );
            attention(&qkv, &lens, &mut by_head, &mut ctx);
            let x = View::dense(&ctx, rows, HIDDEN);
            project(
                x,
                &layer.out_w,
                &layer.out_b,
                int8.map(|q| &q.out),
                &mut tmp,
            );
            hidden
                .par_chunks_mut(HIDDEN * ROWS_PER_TASK)
                .zip(tmp.par_chunks(HIDDEN * ROWS_PER_TASK))
                .for_each(|(h, t)| add_layer_norm(h, t, &layer.ln1_g, &layer.ln1_b, LN_EPS));
            let x = View::dense(&hidden, rows, HIDDEN);
            project(x, &layer.ff1_w, &layer.ff1_b, int8.map(|q| &q.ff1), &mut ff);
            ff.par_chunks_mut(FF * ROWS_PER_TASK)
                .for_each(gelu_in_place);
            let x = View::dense(&ff, rows, FF);
            project(
                x,
                &layer.ff2_w,
                &layer.ff2_b,
                int8.map(|q| &q.ff2),
                &mut tmp,
            );
            hidden
                .par_chunks_mut(HIDDEN * ROWS_PER_TASK)
                .zip(tmp.par_chunks(HIDDEN * ROWS_PER_TASK))
                .for_each(|(h, t)| add_layer_norm(h, t, &layer.ln2_g, &layer.ln2_b, LN_EPS));
        }
        mean_pool_normalised(&hidden, &lens)
    }

    fn embed_tokens(&self, seqs: &[&[u32]], rows: usize) -> Vec<f32> {
        let mut hidden = vec![0.0; rows * HIDDEN];
        let mut offset = 0;
        for seq in seqs {
            for (pos, &id) in seq.iter().enumerate() {
                let row = &mut hidden[(offset + pos) * HIDDEN..(offset + pos + 1) * HIDDEN];
                let word = &self.word[id as usize * HIDDEN..(id as usize + 1) * HIDDEN];
                let position = &self.position[pos * HIDDEN..(pos + 1) * HIDDEN];
                for (((r, w), p), t) in row
                    .iter_mut()
                    .zip(word)
                    .zip(position)
                    .zip(&self.token_type[..HIDDEN])
                {
                    *r = w + p + t;
                }
                layer_norm(row, &self.ln_g, &self.ln_b, LN_EPS);
            }
            offset += seq.len().max(1);
        }
        hidden
    }
}

fn load_layer(st: &SafeTensors, i: usize) -> Result<Layer, EmbedError> {
    let p = format!("encoder.layer.{i}");
    let t = |name: &str, len| tensor(st, &format!("{p}.{name}"), len);
    let mut qkv_w = t("attention.self.query.weight", HIDDEN * HIDDEN)?;
    qkv_w.extend(t("attention.self.key.weight", HIDDEN * HIDDEN)?);
    qkv_w.extend(t("attention.self.value.weight", HIDDEN * HIDDEN)?);
    let mut qkv_b = t("attention.self.query.bias", HIDDEN)?;
    qkv_b.extend(t("attention.self.key.bias", HIDDEN)?);
    qkv_b.extend(t("attention.self.value.bias", HIDDEN)?);
    // Weights are kept transposed (`in × out`), the layout both the batched
    // gemm and the few-rows kernel read fastest.
    Ok(Layer {
        qkv_w: transpose(&qkv_w, 3 * HIDDEN, HIDDEN),
        qkv_b,
        out_w: transpose(
            &t("attention.output.dense.weight", HIDDEN * HIDDEN)?,
            HIDDEN,
            HIDDEN,
        ),
        out_b: t("attention.output.dense.bias", HIDDEN)?,
        ln1_g: t("attention.output.LayerNorm.weight", HIDDEN)?,
        ln1_b: t("attention.output.LayerNorm.bias", HIDDEN)?,
        ff1_w: transpose(&t("intermediate.dense.weight", FF * HIDDEN)?, FF, HIDDEN),
        ff1_b: t("intermediate.dense.bias", FF)?,
        ff2_w: transpose(&t("output.dense.weight", HIDDEN * FF)?, HIDDEN, FF),
        ff2_b: t("output.dense.bias", HIDDEN)?,
        ln2_g: t("output.LayerNorm.weight", HIDDEN)?,
        ln2_b: t("output.LayerNorm.bias", HIDDEN)?,
        int8: None,
    })
}

/// Self-attention of every sequence and head: `qkv` rows hold `[q | k | v]`,
/// the context goes to `ctx` by way of `by_head`, the same values laid out
/// head after head so that each head writes one contiguous block. The heads
/// are the parallel tasks (twelve of equal work whatever the sequences'
/// lengths) and the scores live in a buffer per thread, so a layer
/// allocates nothing. The softmax is left unnormalised and each output row
/// is divided by its sum afterwards, which touches 32 values per row
/// instead of the row's `len` probabilities.
fn attention(qkv: &[f32], lens: &[usize], by_head: &mut [f32], ctx: &mut [f32]) {
    let rows = ctx.len() / HIDDEN;
    if rows == 0 {
        return;
    }
    by_head
        .par_chunks_mut(rows * HEAD_DIM)
        .enumerate()
        .for_each(|(h, block)| {
            ATTENTION_SCRATCH.with_borrow_mut(|scratch| attend_head(qkv, lens, h, block, scratch))
        });
    for (r, row) in ctx.chunks_exact_mut(HIDDEN).enumerate() {
        for (h, out) in row.chunks_exact_mut(HEAD_DIM).enumerate() {
            let from = (h * rows + r) * HEAD_DIM;
            out.copy_from_slice(&by_head[from..from + HEAD_DIM]);
        }
    }
}

thread_local! {
    /// One attention task's scores and their row sums, kept between calls.
    static ATTENTION_SCRATCH: std::cell::RefCell<(Vec<f32>, Vec<f32>)> = Default::default();
}

/// Head `h` of each sequence in turn, into `out` (`rows × HEAD_DIM`).
fn attend_head(
    qkv: &[f32],
    lens: &[usize],
    h: usize,
    mut out: &mut [f32],
    (scores, sums): &mut (Vec<f32>, Vec<f32>),
) {
    let scale = 1.0 / (HEAD_DIM as f32).sqrt();
    let stride = 3 * HIDDEN;
    let mut offset = 0;
    for &len in lens {
        let seq = &qkv[offset * stride..(offset + len) * stride];
        let head = |start: usize| View::new(&seq[start + h * HEAD_DIM..], len, HEAD_DIM, stride);
        let (q, k, v) = (head(0), head(HIDDEN), head(2 * HIDDEN));
        scores.resize(len * len, 0.0);
        sums.resize(len, 0.0);
        matmul_transposed(q, k, scale, scores);
        exp_rows(scores, len, sums);
        let (this, rest) = std::mem::take(&mut out).split_at_mut(len * HEAD_DIM);
        matmul(View::dense(scores, len, len), v, this);
        for (row, total) in this.chunks_exact_mut(HEAD_DIM).zip(sums.iter()) {
            let inv = 1.0 / total;
            row.iter_mut().for_each(|x| *x *= inv);
        }
        out = rest;
        offset += len;
    }
}

fn mean_pool_normalised(hidden: &[f32], lens: &[usize]) -> Vec<Vec<f32>> {
    let mut out = Vec::with_capacity(lens.len());
    let mut offset = 0;
    for &len in lens {
        let mut v = vec![0.0f32; HIDDEN];
        for row in hidden[offset * HIDDEN..(offset + len) * HIDDEN].chunks_exact(HIDDEN) {
            for (a, x) in v.iter_mut().zip(row) {
                *a += x;
            }
        }
        // Mean then normalise equals sum then normalise.
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        for a in v.iter_mut() {
            *a /= norm;
        }
        out.push(v);
        offset += len;
    }
    out
}
