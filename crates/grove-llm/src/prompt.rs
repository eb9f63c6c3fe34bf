//! The prompt template of the model-backed providers (OpenAI-compatible and
//! Anthropic): [`render`] turns a [`Prompt`] into a system text and a list
//! of chat messages, which each provider puts in its own wire format.
//!
//! The template, literally; `{…}` are filled in, `=== role ===` lines
//! only mark where each message starts, and `…` repeats per earlier turn:
//!
//! ```text
//! === system ===
//! {system_prompt}
//!
//! Answer the question using only the numbered sources in the last user message.
//! Cite every claim with the numbers of its sources in square brackets, like [1] or [2][3].
//! If the sources do not contain the answer, say that you have no information about it.
//! Be concise.
//! === user ===
//! {history[0].question}
//! === assistant ===
//! {history[0].answer}
//! …
//! === user ===
//! Sources:
//!
//! [1] {title} ({url})
//! {text}
//!
//! [2] {title}
//! {text}
//!
//! Question: {question}
//! ```
//!
//! - The system text is the agent's system prompt, a blank line, then the
//!   fixed [`INSTRUCTIONS`]; an empty system prompt leaves only the
//!   instructions.
//! - Earlier turns come oldest first, one user and one assistant message
//!   each; a turn with an empty question or answer is left out, so the
//!   messages always alternate and never carry empty content (the
//!   Anthropic API refuses both).
//! - Sources are numbered from 1 in the order given; ` ({url})` is left
//!   out when a source has no URL. With no sources at all the list reads
//!   `(none)`.

use serde::Serialize;

use crate::Prompt;

/// The fixed instructions that follow the agent's system prompt.
pub const INSTRUCTIONS: &str = "\
Answer the question using only the numbered sources in the last user message.
Cite every claim with the numbers of its sources in square brackets, like [1] or [2][3].
If the sources do not contain the answer, say that you have no information about it.
Be concise.";

/// Who speaks a chat message; serialises as `user` / `assistant`, which
/// both wire formats share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One chat message, serialisable as `{"role": …, "content": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

/// A prompt rendered by the template: the system text and the messages
/// (alternating, starting and ending with a user message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub system: String,
    pub messages: Vec<Message>,
}

impl Rendered {
    /// Characters of the system text and all messages, for estimating
    /// tokens when a provider reports none.
    pub fn chars(&self) -> usize {
        self.system.chars().count()
            + self
                .messages
                .iter()
                .map(|m| m.content.chars().count())
                .sum::<usize>()
    }
}

/// Renders `prompt` with the template documented above.
pub fn render(prompt: &Prompt) -> Rendered {
    let mut messages = Vec::with_capacity(prompt.history.len() * 2 + 1);
    for turn in &prompt.history {
        if turn.question.trim().is_empty() || turn.answer.trim().is_empty() {
            continue;
        }
        messages.push(message(Role::User, &turn.question));
        messages.push(message(Role::Assistant, &turn.answer));
    }
    messages.push(Message {
        role: Role::User,
        content: question_message(prompt),
    });
    Rendered {
        system: system_text(&prompt.system_prompt),
        messages,
    }
}

/// The agent's system prompt followed by the fixed instructions.
pub fn system_text(system_prompt: &str) -> String {
    let own = system_prompt.trim();
    if own.is_empty() {
        INSTRUCTIONS.to_owned()
    } else {
        format!("{own}\n\n{INSTRUCTIONS}")
    }
}

fn message(role: Role, content: &str) -> Message {
    Message {
        role,
        content: content.to_owned(),
    }
}

/// The last user message: the numbered sources, then the question.
fn question_message(prompt: &Prompt) -> String {
    let mut out = String::from("Sources:\n\n");
    if prompt.sources.is_empty() {
        out.push_str("(none)\n\n");
    }
    for (i, source) in prompt.sources.iter().enumerate() {
        out.push_str(&format!("[{}] {}", i + 1, source.title));
        if let Some(url) = &source.url {
            out.push_str(&format!(" ({url})"));
        }
        out.push('\n');
        out.push_str(&source.text);
        out.push_str("\n\n");
    }
    out.push_str("Question: ");
    out.push_str(&prompt.question);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceText, Turn};

    fn prompt() -> Prompt {
        Prompt {
            system_prompt: "You are the handbook assistant.".into(),
            question: "How many vacation days?".into(),
            sources: vec![
                SourceText {
                    title: "Leave policy".into(),
                    url: Some("https://wiki/leave".into()),
                    text: "Staff get 25 days.".into(),
                },
                SourceText {
                    title: "FAQ".into(),
                    url: None,
                    text: "Carry-over ends in March.".into(),
                },
            ],
            history: vec![
                Turn {
                    question: "Hi".into(),
                    answer: "Hello!".into(),
                },
                Turn {
                    question: "Who approves leave?".into(),
                    answer: "Your manager [1].".into(),
                },
            ],
        }
    }

    #[test]
    fn system_is_the_agent_prompt_then_the_instructions() {
        let rendered = render(&prompt());
        assert_eq!(
            rendered.system,
            format!("You are the handbook assistant.\n\n{INSTRUCTIONS}")
        );
        assert!(INSTRUCTIONS.contains("[1] or [2][3]"));
        assert!(INSTRUCTIONS.contains("no information"));
        assert_eq!(system_text("  "), INSTRUCTIONS);
    }

    #[test]
    fn module_doc_shows_the_instructions_literally() {
        let doc: Vec<&str> = include_str!("prompt.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//! "))
            .collect();
        let lines: Vec<&str> = INSTRUCTIONS.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(
            doc.windows(lines.len()).any(|w| w == lines.as_slice()),
            "the module doc no longer matches INSTRUCTIONS"
        );
    }

    #[test]
    fn last_message_numbers_the_sources_and_asks_the_question() {
        let rendered = render(&prompt());
        let last = rendered.messages.last().unwrap();
        assert_eq!(last.role, Role::User);
        assert_eq!(
            last.content,
            "Sources:\n\n\
             [1] Leave policy (https://wiki/leave)\nStaff get 25 days.\n\n\
             [2] FAQ\nCarry-over ends in March.\n\n\
             Question: How many vacation days?"
        );
    }

    #[test]
    fn history_alternates_oldest_first_and_skips_empty_turns() {
        let mut p = prompt();
        p.history.insert(
            1,
            Turn {
                question: "lost".into(),
                answer: " ".into(),
            },
        );
        let rendered = render(&p);
        let got: Vec<(Role, &str)> = rendered
            .messages
            .iter()
            .take(4)
            .map(|m| (m.role, m.content.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Role::User, "Hi"),
                (Role::Assistant, "Hello!"),
                (Role::User, "Who approves leave?"),
                (Role::Assistant, "Your manager [1]."),
            ]
        );
        assert_eq!(rendered.messages.len(), 5);
    }

    #[test]
    fn no_sources_and_no_history() {
        let p = Prompt {
            system_prompt: String::new(),
            question: "Anything?".into(),
            sources: vec![],
            history: vec![],
        };
        let rendered = render(&p);
        assert_eq!(rendered.system, INSTRUCTIONS);
        assert_eq!(
            rendered.messages,
            [Message {
                role: Role::User,
                content: "Sources:\n\n(none)\n\nQuestion: Anything?".into()
            }]
        );
        assert_eq!(
            serde_json::to_value(&rendered.messages[0]).unwrap(),
            serde_json::json!({"role": "user", "content": rendered.messages[0].content})
        );
    }

    #[test]
    fn chars_counts_everything_sent() {
        let rendered = render(&prompt());
        let expected = rendered.system.chars().count()
            + rendered
                .messages
                .iter()
                .map(|m| m.content.chars().count())
                .sum::<usize>();
        assert_eq!(rendered.chars(), expected);
        assert!(rendered.chars() > INSTRUCTIONS.len());
    }
}
