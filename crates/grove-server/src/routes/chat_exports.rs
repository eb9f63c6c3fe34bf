//! `GET /api/v1/chats/{id}/documents/{document_id}/pdf`: a chat document
//! as a PDF — a report with the tables and charts its sections name, or
//! one table, chart or text (laid out by `grove_report::pdf`).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use grove_core::ids::{ChatId, DocumentOutputId, OrgId};
use grove_core::scope::Scope;
use grove_core::ApiError;
use grove_report::pdf::{document_blocks, render};

use super::{v1_route, Route, RouteDoc};
use crate::auth::Caller;
use crate::error::{ApiResult, Failure};
use crate::extract::path_id;
use crate::state::AppState;

/// A chat document of `org` rendered to PDF: its file name and bytes. The
/// console exports through this too.
pub async fn document_pdf(
    state: &AppState,
    org: &OrgId,
    chat: &ChatId,
    document: &DocumentOutputId,
) -> Result<(String, Vec<u8>), Failure> {
    let record = state
        .store
        .get_chat(org, chat)
        .await?
        .ok_or_else(|| Failure(ApiError::not_found("chat", chat.as_str())))?;
    let shown = record
        .documents
        .iter()
        .find(|d| d.id == *document)
        .ok_or_else(|| Failure(ApiError::not_found("document", document.as_str())))?;
    let blocks = document_blocks(shown, &record.documents);
    let title = shown.title.clone();
    let filename = file_name(&title);
    let bytes = tokio::task::spawn_blocking(move || render(&title, &blocks))
        .await
        .map_err(|e| Failure(ApiError::internal(format!("the PDF task stopped: {e}"))))?
        .map_err(|e| Failure(ApiError::internal(e.to_string())))?;
    Ok((filename, bytes))
}

/// A PDF as a download named `filename`.
pub fn pdf_download(filename: &str, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn pdf(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((chat, document)): Path<(String, String)>,
) -> ApiResult<Response> {
    let chat = path_id(&chat, "id", ChatId::parse)?;
    let document = path_id(&document, "document_id", DocumentOutputId::parse)?;
    let (filename, bytes) = document_pdf(&state, caller.org(), &chat, &document).await?;
    Ok(pdf_download(&filename, bytes))
}

/// `Monthly revenue (EU)` → `monthly-revenue-eu.pdf`.
fn file_name(title: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug: Vec<&str> = slug.split('-').filter(|s| !s.is_empty()).collect();
    let slug = slug.join("-");
    let slug: String = slug.chars().take(80).collect();
    if slug.is_empty() {
        "document.pdf".into()
    } else {
        format!("{slug}.pdf")
    }
}

pub fn routes() -> Vec<Route> {
    vec![v1_route(
        Method::GET,
        "/api/v1/chats/{id}/documents/{document_id}/pdf",
        Scope::Read,
        RouteDoc {
            operation_id: "getChatDocumentPdf",
            summary: "A chat document as a PDF (a report with its tables and charts, or one table, chart or text)",
            tag: "chats",
            request: None,
            response: (200, None),
            paginated: false,
            camel_case: false,
            required: &[],
            query: None,
        },
        get(pdf),
    )]
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn titles_become_safe_file_names() {
        assert_eq!(file_name("Monthly revenue (EU)"), "monthly-revenue-eu.pdf");
        assert_eq!(file_name("\"; rm -rf /"), "rm-rf.pdf");
        assert_eq!(file_name("Über"), "ber.pdf");
        assert_eq!(file_name("!!!"), "document.pdf");
    }
}
