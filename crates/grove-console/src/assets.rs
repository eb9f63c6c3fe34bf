//! The console's static files, embedded in the binary and served under a
//! path holding a hash of their content, so browsers may keep them for a
//! year: a changed file gets a new address. htmx is vendored (2.0.11,
//! Zero-Clause BSD, `npm pack htmx.org@2.0.11`), not fetched at build time.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const FILES: &[Asset] = &[
    Asset {
        name: "console.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../static/console.css"),
    },
    Asset {
        name: "chat.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/chat.js"),
    },
    Asset {
        name: "progress.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/progress.js"),
    },
    Asset {
        name: "time.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/time.js"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/htmx-2.0.11.min.js"),
    },
];

/// Each file's hash (the first 16 hex digits of its SHA-256).
fn hashes() -> &'static Vec<String> {
    static HASHES: OnceLock<Vec<String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        FILES
            .iter()
            .map(|f| hex::encode(Sha256::digest(f.body))[..16].to_owned())
            .collect()
    })
}

/// The address of the embedded file `name`.
pub fn url(name: &str) -> String {
    let index = FILES.iter().position(|f| f.name == name).unwrap_or(0);
    format!("/assets/{}/{}", hashes()[index], FILES[index].name)
}

/// `GET /assets/{hash}/{name}`: the file when the hash is its current one.
pub async fn serve(Path((hash, name)): Path<(String, String)>) -> Response {
    let found = FILES
        .iter()
        .zip(hashes())
        .find(|(file, current)| file.name == name && **current == hash);
    match found {
        Some((file, _)) => (
            [
                (header::CONTENT_TYPE, file.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            file.body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
