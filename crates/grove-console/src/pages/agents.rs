//! `/agents` and `/agents/{id}/chat`: the organisation's agents, and a
//! chat with one that keeps its session. The form works without
//! JavaScript (the answer arrives with the next page); `chat.js` sends it
//! to `/agents/{id}/chat/stream` instead and shows the answer as it is
//! written, then the server-rendered turn with its citations. Each `[n]`
//! in an answer links to its source, and each source to the cited chunk.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Form;
use grove_agent::{Prepared, Question};
use grove_core::agents::{Agent, CitedSource, Interaction};
use grove_core::ids::{AgentId, SessionId};
use grove_core::scope::{Requirement, Scope};
use grove_server::state::AppState;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::{
    encode_query, page_at, render, see_other, Layout, OffsetParam, PageError, Pager, Time,
};
use crate::session::Viewer;

/// Asking an agent is the API's execute scope.
const ASK: Requirement = Requirement::scope(Scope::Execute);
const READ: Requirement = Requirement::scope(Scope::Read);
/// Turns of a session a chat page shows.
const TURNS_SHOWN: u32 = 50;
/// Longest question accepted.
const MAX_QUESTION: usize = 4_000;

pub struct AgentRow {
    pub id: String,
    pub name: String,
    pub model: String,
    pub strategy: &'static str,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "agents.html")]
struct AgentsPage {
    layout: Layout,
    rows: Vec<AgentRow>,
    pager: Pager,
    can_ask: bool,
    can_write: bool,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let page = page_at(params.offset);
    let listed = state.store.list_agents(&viewer.user.org_id, page).await?;
    let rows: Vec<AgentRow> = listed
        .items
        .into_iter()
        .map(|a| AgentRow {
            id: a.id.to_string(),
            name: a.name,
            model: a.model,
            strategy: a.rag_strategy.as_str(),
            status: a.status.as_str(),
        })
        .collect();
    let pager = Pager::new(params.offset, rows.len(), listed.total, |offset| {
        format!("/agents?offset={offset}")
    });
    let page = AgentsPage {
        layout: Layout::signed_in("Agents", &viewer, "/agents"),
        rows,
        pager,
        can_ask: viewer.can(ASK),
        can_write: viewer.can(Requirement::scope(Scope::Write)),
    };
    Ok(render(&page))
}

/// A source under an answer.
pub struct SourceView {
    pub anchor: String,
    pub number: usize,
    pub title: String,
    pub href: String,
    pub quote: String,
}

/// Thumbs up or down under an answer, for users whose role may give
/// feedback (as in the API: `train` and above).
pub struct FeedbackForm {
    pub csrf: String,
    /// The page to come back to.
    pub back: String,
    /// The feedback already given, if any.
    pub given: Option<&'static str>,
}

/// One question and its answer, as the chat shows them.
pub struct TurnView {
    pub id: String,
    pub feedback: Option<FeedbackForm>,
    pub question: String,
    /// The answer, escaped, with each `[n]` a link to its source.
    pub answer_html: String,
    pub outcome: &'static str,
    pub sources: Vec<SourceView>,
    pub at: Time,
}

#[derive(Template)]
#[template(path = "turn.html")]
struct TurnFragment<'a> {
    turn: &'a TurnView,
}

#[derive(Template)]
#[template(path = "chat.html")]
struct ChatPage {
    layout: Layout,
    agent_id: String,
    agent_name: String,
    session: String,
    turns: Vec<TurnView>,
    chat_js: String,
    error: Option<String>,
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The answer escaped, each `[n]` naming a shown source made a link to it.
pub(super) fn answer_html(answer: &str, anchor: &str, numbers: &[usize]) -> String {
    let escaped = escape(answer);
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let closes = after[digits.len()..].starts_with(']');
        match digits.parse::<usize>() {
            Ok(n) if closes && numbers.contains(&n) => {
                out.push_str(&format!("<a href=\"#{anchor}-{n}\">[{n}]</a>"));
                rest = &after[digits.len() + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub(super) fn source_view(source: &CitedSource, anchor: &str) -> SourceView {
    let quote = match source.span {
        Some(span) => source
            .chunk_text
            .get(span.start..span.end)
            .unwrap_or(&source.chunk_text),
        None => &source.chunk_text,
    };
    SourceView {
        anchor: format!("{anchor}-{}", source.number),
        number: source.number,
        title: source.document_title.clone(),
        href: format!("/documents/{}#{}", source.document_id, source.chunk_id),
        quote: quote.chars().take(400).collect(),
    }
}

/// The API's feedback route: execute scope, `train` and above.
pub(super) const FEEDBACK: Requirement =
    Requirement::scope(Scope::Execute).with_role(grove_core::model::Role::Train);

/// A turn as shown to `viewer`, who comes back to `back` after feedback.
pub(super) fn turn_view(interaction: &Interaction, viewer: &Viewer, back: &str) -> TurnView {
    let anchor = format!("s-{}", interaction.id);
    let cited: Vec<&CitedSource> = interaction.sources.iter().filter(|s| s.cited).collect();
    let numbers: Vec<usize> = cited.iter().map(|s| s.number).collect();
    TurnView {
        id: interaction.id.to_string(),
        feedback: viewer.can(FEEDBACK).then(|| FeedbackForm {
            csrf: viewer.csrf_token.clone(),
            back: back.to_owned(),
            given: interaction.feedback.map(|f| f.as_str()),
        }),
        question: interaction.query.clone(),
        answer_html: answer_html(&interaction.response, &anchor, &numbers),
        outcome: interaction.outcome.as_str(),
        sources: cited.iter().map(|s| source_view(s, &anchor)).collect(),
        at: Time::from(interaction.created_at),
    }
}

pub(super) async fn find_agent(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<Agent, PageError> {
    let missing = || PageError::NotFound(format!("There is no agent {id}."));
    let agent_id = AgentId::parse(id).map_err(|_| missing())?;
    state
        .store
        .get_agent(&viewer.user.org_id, &agent_id)
        .await?
        .ok_or_else(missing)
}

#[derive(Debug, Default, Deserialize)]
pub struct SessionParam {
    #[serde(default)]
    session: String,
}

async fn chat_page(
    state: &AppState,
    viewer: &Viewer,
    agent: Agent,
    session: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let back = format!(
        "/agents/{}/chat?session={}",
        agent.id,
        encode_query(session)
    );
    let turns = match SessionId::parse(session) {
        Ok(id) => state
            .store
            .session_turns(&viewer.user.org_id, &id, TURNS_SHOWN)
            .await?
            .iter()
            .filter(|t| t.agent_id == agent.id)
            .map(|t| turn_view(t, viewer, &back))
            .collect(),
        Err(_) => Vec::new(),
    };
    let page = ChatPage {
        layout: Layout::signed_in(format!("Chat with {}", agent.name), viewer, "/agents"),
        agent_id: agent.id.to_string(),
        agent_name: agent.name,
        session: if turns.is_empty() {
            String::new()
        } else {
            session.to_owned()
        },
        turns,
        chat_js: crate::assets::url("chat.js"),
        error,
    };
    Ok(render(&page))
}

pub async fn chat(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<SessionParam>,
) -> Result<Response, PageError> {
    viewer.require(ASK)?;
    let agent = find_agent(&state, &viewer, &id).await?;
    chat_page(&state, &viewer, agent, &params.session, None).await
}

#[derive(Debug, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    question: String,
}

/// Checks the form and prepares the question; `Err` is the page to show.
async fn prepare(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    form: &AskForm,
) -> Result<Result<Prepared, String>, PageError> {
    viewer.require(ASK)?;
    viewer.check_csrf(&form.csrf)?;
    let agent = find_agent(state, viewer, id).await?;
    let question = form.question.trim();
    if question.is_empty() {
        return Ok(Err("Write a question first.".into()));
    }
    if question.chars().count() > MAX_QUESTION {
        return Ok(Err(format!(
            "The question is longer than {MAX_QUESTION} characters."
        )));
    }
    let question = Question {
        agent,
        query: question.to_owned(),
        session_id: SessionId::parse(&form.session).ok(),
        temperature: None,
        max_tokens: None,
        key_id: None,
        user_id: Some(viewer.user.id.clone()),
        history: None,
    };
    Ok(state
        .answerer
        .prepare(question)
        .await
        .map_err(|e| e.to_string()))
}

/// The form without JavaScript: answers, then shows the chat.
pub async fn ask(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<AskForm>,
) -> Result<Response, PageError> {
    let prepared = match prepare(&state, &viewer, &id, &form).await? {
        Ok(prepared) => prepared,
        Err(problem) => {
            let agent = find_agent(&state, &viewer, &id).await?;
            return chat_page(&state, &viewer, agent, &form.session, Some(problem)).await;
        }
    };
    let session = prepared.session.id.to_string();
    let (tx, mut rx) = mpsc::channel::<String>(64);
    let drain = async move { while rx.recv().await.is_some() {} };
    let (answered, ()) = tokio::join!(state.answerer.answer(prepared, tx), drain);
    if let Err(e) = answered {
        let agent = find_agent(&state, &viewer, &id).await?;
        return chat_page(&state, &viewer, agent, &session, Some(e.to_string())).await;
    }
    Ok(see_other(&format!(
        "/agents/{id}/chat?session={}",
        encode_query(&session)
    )))
}

/// The form with JavaScript: `delta` events carry the answer as it is
/// written; `done` carries the session and the rendered turn; `error`
/// says what went wrong.
pub async fn ask_stream(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<AskForm>,
) -> Result<Response, PageError> {
    let prepared = prepare(&state, &viewer, &id, &form).await?;
    let (events_tx, events_rx) = mpsc::channel::<Result<Event, std::convert::Infallible>>(64);
    tokio::spawn(async move {
        let prepared = match prepared {
            Ok(prepared) => prepared,
            Err(problem) => {
                let _ = events_tx
                    .send(Ok(Event::default().event("error").data(problem)))
                    .await;
                return;
            }
        };
        let session = prepared.session.id.to_string();
        let back = format!("/agents/{id}/chat?session={session}");
        let (tx, mut rx) = mpsc::channel::<String>(64);
        let forward = {
            let events_tx = events_tx.clone();
            async move {
                while let Some(delta) = rx.recv().await {
                    let _ = events_tx
                        .send(Ok(Event::default().event("delta").data(delta)))
                        .await;
                }
            }
        };
        let (answered, ()) = tokio::join!(state.answerer.answer(prepared, tx), forward);
        let event = match answered {
            Ok(interaction) => {
                let turn = turn_view(&interaction, &viewer, &back);
                let html = TurnFragment { turn: &turn }.render().unwrap_or_default();
                let done = serde_json::json!({"session": session, "html": html});
                Event::default().event("done").data(done.to_string())
            }
            Err(e) => Event::default().event("error").data(e.to_string()),
        };
        let _ = events_tx.send(Ok(event)).await;
    });
    let stream = futures_util::stream::unfold(events_rx, |mut rx| async move {
        rx.recv().await.map(|event| (event, rx))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_escaped_and_markers_of_shown_sources_become_links() {
        let html = answer_html(
            "Use <b>Arc</b> [1], not Rc [2] or [x] [9].",
            "s-int_1",
            &[1, 2],
        );
        assert_eq!(
            html,
            "Use &lt;b&gt;Arc&lt;/b&gt; <a href=\"#s-int_1-1\">[1]</a>, not Rc \
             <a href=\"#s-int_1-2\">[2]</a> or [x] [9]."
        );
    }
}
