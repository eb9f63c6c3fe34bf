//! Tool calls: what a tool-using loop sends a model (the conversation so
//! far and the tools it may call) and what one model turn answers (text
//! and tool calls), independent of the provider's wire format. OpenAI's
//! Chat Completions (`tools`, `tool_calls`, `role: tool`) and Anthropic's
//! Messages (`tools`, `tool_use`, `tool_result`) map onto these in
//! `openai.rs` and `anthropic.rs`.

use serde_json::Value;

use crate::Usage;

/// A tool the model may call: its name, what it does, and a JSON schema of
/// its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub parameters: Value,
}

/// A call the model made. `arguments` is the parsed JSON object, or the raw
/// text when it did not parse (the loop answers that as a tool error).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: Result<Value, String>,
}

impl ToolCall {
    /// The arguments as the wire sends them back: JSON text.
    pub fn arguments_text(&self) -> String {
        match &self.arguments {
            Ok(value) => value.to_string(),
            Err(raw) => raw.clone(),
        }
    }
}

/// What a tool answered to one call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    pub call_id: String,
    pub content: String,
    pub is_error: bool,
}

/// One turn of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatTurn {
    User(String),
    Assistant {
        text: String,
        calls: Vec<ToolCall>,
    },
    /// The answers to the previous assistant turn's calls, in its order.
    Results(Vec<ToolResult>),
}

/// What a tool-using loop sends for one model turn.
#[derive(Debug, Clone)]
pub struct ToolRequest<'a> {
    pub system: &'a str,
    pub turns: &'a [ChatTurn],
    pub tools: &'a [ToolSpec],
    /// The budget is spent: the model must answer in text, calling nothing.
    pub final_turn: bool,
}

/// One model turn: its text and its calls (none when it is done).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelTurn {
    pub text: String,
    pub calls: Vec<ToolCall>,
    pub usage: Usage,
}

/// Parses streamed argument text; empty text is an empty object.
pub(crate) fn parse_arguments(raw: &str) -> Result<Value, String> {
    if raw.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_str::<Value>(raw) {
        Ok(value) if value.is_object() => Ok(value),
        _ => Err(raw.to_owned()),
    }
}
