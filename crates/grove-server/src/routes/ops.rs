//! Unauthenticated operational routes: `/healthz`, `/readyz`, `/metrics`,
//! `/openapi.json`.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::state::AppState;

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let store = match state.store.ping().await {
        Ok(()) => json!({ "status": "up", "backend": state.store.backend_name() }),
        Err(e) => json!({ "status": "down", "error": e.to_string() }),
    };
    let queue = match state.store.queue_depth().await {
        Ok(d) => json!({ "status": "up", "queued": d.queued, "leased": d.leased, "dead": d.dead }),
        Err(e) => json!({ "status": "down", "error": e.to_string() }),
    };
    let embedder = match state.search.embedder() {
        Some(e) => {
            let calibration = e.calibration();
            json!({
                "status": "up", "name": e.info().name, "dimension": e.info().dimension,
                "detail": &*state.embedder_status,
                "calibration": calibration.label(), "calibration_detail": calibration.to_string(),
            })
        }
        None => json!({ "status": "unavailable", "detail": &*state.embedder_status }),
    };
    let search = json!({
        "status": "up",
        "modes": if state.search.embedder().is_some() { json!(["lexical", "vector", "hybrid"]) } else { json!(["lexical"]) },
    });
    // Search without a model is degraded, not down: lexical search serves.
    let ready = store["status"] == "up" && queue["status"] == "up";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "subsystems": {
            "http": { "status": "up" }, "store": store, "queue": queue,
            "search": search, "embedder": embedder,
        },
    });
    (status, Json(body))
}

async fn metrics() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::metrics::render(),
    )
}

/// The document, built from the route catalogue once per process (it
/// cannot change while the process runs) and served as the same bytes.
async fn openapi() -> impl IntoResponse {
    static DOCUMENT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let body = DOCUMENT
        .get_or_init(|| serde_json::to_vec(&crate::openapi::document()).unwrap_or_default());
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.as_slice(),
    )
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}
