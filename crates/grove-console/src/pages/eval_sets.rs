//! `/evals/new` and `/evals/{id}/edit`: writing an eval set — its name,
//! description and questions, each with the answer and the sources a good
//! answer has — and deleting one. The questions are typed as blocks of
//! text (see [`parse_items`]); saving goes through the API's own
//! functions (`routes::evals`), so a set the API refuses is refused here
//! with the API's reason (`items[i]` is the question block i + 1).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use grove_core::evals::{EvalItem, EvalSet};
use grove_core::ids::EvalSetId;
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::evals::{create_set, delete_set, update_set, EvalItemBody, EvalSetBody};
use grove_server::state::AppState;

use super::{render_form, see_other, CsrfForm, Fields, Layout, PageError};
use crate::session::Viewer;

/// Writing eval sets: the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);
const ANSWER: &str = "Answer:";
const SOURCES: &str = "Sources:";

/// The questions typed as blocks separated by blank lines: the first line
/// of a block is the question; a line starting with `Answer:` is the
/// expected answer (the lines after it belong to it), and one starting
/// with `Sources:` lists the expected sources separated by `;`.
pub fn parse_items(text: &str) -> Vec<EvalItemBody> {
    let normalised = text.replace("\r\n", "\n");
    normalised
        .split("\n\n")
        .map(str::trim)
        .filter(|block| !block.is_empty())
        .map(parse_block)
        .collect()
}

fn parse_block(block: &str) -> EvalItemBody {
    let mut lines = block.lines();
    let question = lines.next().unwrap_or_default().trim().to_owned();
    let mut answer: Option<String> = None;
    let mut sources = None;
    for line in lines {
        if let Some(rest) = line.trim().strip_prefix(SOURCES) {
            sources = Some(
                rest.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
        } else if let Some(rest) = line.trim().strip_prefix(ANSWER) {
            answer = Some(rest.trim().to_owned());
        } else if let Some(answer) = answer.as_mut() {
            answer.push('\n');
            answer.push_str(line.trim());
        }
    }
    EvalItemBody {
        question,
        expected_answer: answer,
        expected_sources: sources,
    }
}

/// The stored questions as [`parse_items`] reads them back.
fn items_text(items: &[EvalItem]) -> String {
    items
        .iter()
        .map(|item| {
            let mut block = item.question.clone();
            if let Some(answer) = &item.expected_answer {
                block.push_str(&format!("\n{ANSWER} {answer}"));
            }
            if !item.expected_sources.is_empty() {
                block.push_str(&format!("\n{SOURCES} {}", item.expected_sources.join("; ")));
            }
            block
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Whether the form can show `items` as they are: each reads back the
/// same (no question on several lines, no blank line in an answer, no
/// `;` inside a source), so saving the form unchanged changes nothing.
fn writable(items: &[EvalItem]) -> bool {
    let again = parse_items(&items_text(items));
    again.len() == items.len()
        && again.iter().zip(items).all(|(read, item)| {
            read.question == item.question
                && read.expected_answer == item.expected_answer
                && read.expected_sources.clone().unwrap_or_default() == item.expected_sources
        })
}

/// The set, if the form can edit it without changing what it does not show.
fn editable(set: EvalSet) -> Result<EvalSet, PageError> {
    if writable(set.items.as_deref().unwrap_or_default()) {
        Ok(set)
    } else {
        Err(PageError::Conflict(format!(
            "This set has questions the form cannot show as they are (a question on several \
             lines, a blank line in an answer, or `;` inside a source); change it through \
             the API: PUT /api/v1/eval-sets/{}.",
            set.id
        )))
    }
}

#[derive(Debug, Default)]
pub struct SetForm {
    pub name: String,
    pub description: String,
    pub items: String,
}

impl SetForm {
    fn read(fields: &Fields) -> Self {
        SetForm {
            name: fields.one("name"),
            description: fields.one("description"),
            items: fields.one("items"),
        }
    }

    fn as_body(&self) -> EvalSetBody {
        EvalSetBody {
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            items: Some(parse_items(&self.items)),
        }
    }
}

#[derive(Template)]
#[template(path = "eval_set_form.html")]
struct SetFormPage {
    layout: Layout,
    /// `None` for a new set.
    set_id: Option<String>,
    heading: String,
    form: SetForm,
    error: Option<String>,
}

fn form_page(
    viewer: &Viewer,
    set: Option<&EvalSet>,
    form: SetForm,
    error: Option<String>,
) -> Response {
    let heading = set.map_or("New eval set".to_owned(), |s| format!("Edit {}", s.name));
    let refused = error.is_some();
    let page = SetFormPage {
        layout: Layout::signed_in(heading.clone(), viewer, "/evals"),
        set_id: set.map(|s| s.id.to_string()),
        heading,
        form,
        error,
    };
    render_form(&page, refused)
}

pub async fn new_form(viewer: Viewer) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    Ok(form_page(&viewer, None, SetForm::default(), None))
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let form = SetForm::read(&fields);
    match create_set(&state, &viewer.user.org_id, form.as_body()).await {
        Ok(set) => Ok(see_other(&format!("/evals/{}", set.id))),
        Err(failure) => Ok(form_page(&viewer, None, form, Some(failure.0.message))),
    }
}

async fn find(state: &AppState, viewer: &Viewer, id: &str) -> Result<EvalSet, PageError> {
    let missing = || PageError::NotFound(format!("There is no eval set {id}."));
    let set_id = EvalSetId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_eval_set(&viewer.user.org_id, &set_id)
        .await?
        .ok_or_else(missing)
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    let set = editable(find(&state, &viewer, &id).await?)?;
    let form = SetForm {
        name: set.name.clone(),
        description: set.description.clone(),
        items: items_text(set.items.as_deref().unwrap_or_default()),
    };
    Ok(form_page(&viewer, Some(&set), form, None))
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let set = editable(find(&state, &viewer, &id).await?)?;
    let form = SetForm::read(&fields);
    match update_set(&state, &viewer.user.org_id, &set.id, form.as_body()).await {
        Ok(saved) => Ok(see_other(&format!("/evals/{}", saved.id))),
        Err(failure) => Ok(form_page(
            &viewer,
            Some(&set),
            form,
            Some(failure.0.message),
        )),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let set = find(&state, &viewer, &id).await?;
    delete_set(&state, &viewer.user.org_id, &set.id).await?;
    Ok(see_other("/evals"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_blocks_read_back_as_they_were_written() {
        let text = "How do vents open?\nAnswer: Above 28 degrees,\nautomatically.\nSources: greenhouse.md; Vents\n\n\r\nWhen are trees pruned?\n\nWhat is a closure?\nSources: ch13.html";
        let items = parse_items(text);
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].question, "How do vents open?");
        assert_eq!(
            items[0].expected_answer.as_deref(),
            Some("Above 28 degrees,\nautomatically.")
        );
        assert_eq!(
            items[0].expected_sources.as_deref(),
            Some(&["greenhouse.md".to_owned(), "Vents".to_owned()][..])
        );
        assert_eq!(items[1].expected_answer, None);
        assert_eq!(items[1].expected_sources, None);
        assert_eq!(
            items[2].expected_sources.as_deref().map(<[_]>::len),
            Some(1)
        );
        let stored: Vec<EvalItem> = items
            .into_iter()
            .map(|i| EvalItem {
                question: i.question,
                expected_answer: i.expected_answer,
                expected_sources: i.expected_sources.unwrap_or_default(),
            })
            .collect();
        let again = parse_items(&items_text(&stored));
        assert_eq!(again.len(), 3);
        assert_eq!(
            again[0].expected_answer.as_deref(),
            Some("Above 28 degrees,\nautomatically.")
        );
        assert_eq!(again[2].question, "What is a closure?");
        assert!(writable(&stored));
    }

    #[test]
    fn sets_the_blocks_cannot_show_are_not_offered_for_editing() {
        let item = |question: &str, answer: Option<&str>, sources: &[&str]| EvalItem {
            question: question.into(),
            expected_answer: answer.map(str::to_owned),
            expected_sources: sources.iter().map(|s| s.to_string()).collect(),
        };
        assert!(writable(&[item("Q?", Some("A."), &["a.md"])]));
        assert!(!writable(&[item("Two\nlines?", None, &[])]));
        assert!(!writable(&[item("Q?", Some("One.\n\nTwo."), &[])]));
        assert!(!writable(&[item("Q?", None, &["a;b"])]));
    }
}
