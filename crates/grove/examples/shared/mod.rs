//! Helpers shared by the benchmarks: the Rust book of the installed
//! toolchain served over loopback HTTP, and percentiles.

#![allow(dead_code)]

use axum::http::{header, StatusCode, Uri};
use axum::response::IntoResponse;

/// Serves `$(rustc --print sysroot)/share/doc/rust/html/book` on a free
/// loopback port; returns its base URL.
pub async fn serve_book() -> String {
    let sysroot = std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc");
    let root = std::path::PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim())
        .join("share/doc/rust/html/book");
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let path = root.join(uri.path().trim_start_matches('/'));
        async move {
            if uri.path().contains("..") {
                return StatusCode::BAD_REQUEST.into_response();
            }
            match std::fs::read(&path) {
                Ok(bytes) => ([(header::CONTENT_TYPE, "text/html")], bytes).into_response(),
                Err(_) => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// The `p` quantile (0–1) of sorted values, by nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
