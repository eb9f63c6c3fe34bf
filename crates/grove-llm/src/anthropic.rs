//! [`Anthropic`]: the Anthropic Messages API provider,
//! `POST {base_url}/v1/messages` with the base URL without its version
//! (`https://api.anthropic.com`), headers `x-api-key` and
//! `anthropic-version: 2023-06-01`, and the system text as the top-level
//! `system` field.
//!
//! `generate` streams and reads the event stream: `message_start` gives the
//! input tokens, each `content_block_delta` with a `text_delta` is
//! forwarded, `message_delta` gives the output tokens, `message_stop` ends
//! the answer; `ping` and event types this module does not know are
//! ignored, as Anthropic asks of clients. An `error` event ends the answer
//! with [`LlmError::Upstream`] `{ status: 0 }`; a stream that ends before
//! `message_stop` is an [`LlmError::Transport`] (answer cut short).
//!
//! The temperature is clamped to the API's range, 0 to 1 (OpenAI-style
//! agents may carry up to 2), so a shared agent setting never gets a 400.

use async_trait::async_trait;
use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::prompt::{self, Message, Rendered};
use crate::stream::{self, json_error_message, Http, SseEvent};
use crate::tools::{parse_arguments, ChatTurn, ModelTurn, ToolCall, ToolRequest};
use crate::{Completion, Generator, HttpPolicy, LlmError, Prompt, Settings, Usage};

/// The API version this module speaks.
pub const API_VERSION: &str = "2023-06-01";

/// An Anthropic Messages API provider.
pub struct Anthropic {
    http: Http,
    url: String,
    /// The `x-api-key` value, marked sensitive; `Err` when the key cannot
    /// be a header value (reported per request, without the key).
    key: Result<Option<HeaderValue>, String>,
}

/// One streamed event, by its `type`; unknown types read as `Other`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StreamEvent {
    MessageStart {
        #[serde(default)]
        message: StartMessage,
    },
    ContentBlockStart {
        #[serde(default)]
        index: usize,
        content_block: BlockStart,
    },
    ContentBlockDelta {
        #[serde(default)]
        index: usize,
        delta: BlockDelta,
    },
    MessageDelta {
        #[serde(default)]
        usage: ApiUsage,
    },
    MessageStop,
    Error {
        #[serde(default)]
        error: Value,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StartMessage {
    usage: ApiUsage,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum BlockDelta {
    TextDelta {
        text: String,
    },
    /// A piece of a `tool_use` block's input, as JSON text.
    InputJsonDelta {
        partial_json: String,
    },
    #[serde(other)]
    Other,
}

/// The kind of a content block, from its start event.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum BlockStart {
    ToolUse {
        id: String,
        name: String,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApiUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
}

/// What one event means for the answer.
#[derive(Debug, PartialEq)]
enum Step {
    Text(String),
    /// A `tool_use` block starts at this index.
    CallStart {
        index: usize,
        id: String,
        name: String,
    },
    /// Input JSON text for the block at this index.
    CallInput {
        index: usize,
        json: String,
    },
    Continue,
    Stop,
}

impl Anthropic {
    /// A provider named `name` (used in errors and logs) at `base_url`.
    pub fn new(name: &str, base_url: &str, api_key: Option<String>, policy: HttpPolicy) -> Self {
        Self {
            http: Http::new(name, policy),
            url: format!("{}/v1/messages", base_url.trim_end_matches('/')),
            key: api_key_header(api_key),
        }
    }

    fn body(system: &str, messages: &[Message], settings: &Settings, stream: bool) -> Value {
        let mut body = json!({
            "model": settings.model,
            "messages": messages,
            "max_tokens": settings.max_tokens,
            "temperature": stream::wire_number(settings.temperature.clamp(0.0, 1.0)),
            "stream": stream,
        });
        if !system.is_empty() {
            body["system"] = json!(system);
        }
        body
    }

    async fn post(&self, body: &Value) -> Result<reqwest::Response, LlmError> {
        let key = self.key.as_ref().map_err(|e| self.http.transport(e))?;
        self.http
            .send(|client| {
                let request = client
                    .post(&self.url)
                    .header("anthropic-version", API_VERSION)
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string());
                match key {
                    Some(value) => {
                        request.header(HeaderName::from_static("x-api-key"), value.clone())
                    }
                    None => request,
                }
            })
            .await
    }

    async fn stream_answer(
        &self,
        rendered: &Rendered,
        settings: &Settings,
        deltas: &mpsc::Sender<String>,
    ) -> Result<Usage, LlmError> {
        let body = Self::body(&rendered.system, &rendered.messages, settings, true);
        let response = self.post(&body).await?;
        let mut events = self.http.events(response);
        let mut usage = Usage::default();
        while let Some(event) = events.next().await? {
            match self.read_event(&event, &mut usage)? {
                Step::Text(text) => stream::forward(deltas, text).await?,
                Step::Stop => return Ok(usage),
                _ => {}
            }
        }
        Err(self
            .http
            .transport("the answer ended before `message_stop`"))
    }

    /// Takes usage from one event and says what it means.
    fn read_event(&self, event: &SseEvent, usage: &mut Usage) -> Result<Step, LlmError> {
        let parsed = match serde_json::from_str::<StreamEvent>(&event.data) {
            Ok(parsed) => parsed,
            Err(_) if event.event.as_deref() == Some("error") => {
                let message = serde_json::from_str::<Value>(&event.data)
                    .ok()
                    .and_then(|json| json_error_message(&json))
                    .unwrap_or_else(|| event.data.trim().to_owned());
                return Err(self.http.stream_error(message));
            }
            Err(e) => return Err(self.http.transport(format!("unreadable event: {e}"))),
        };
        Ok(match parsed {
            StreamEvent::MessageStart { message } => {
                usage.input_tokens = message.usage.input_tokens.unwrap_or(0);
                usage.output_tokens = message.usage.output_tokens.unwrap_or(0);
                Step::Continue
            }
            StreamEvent::ContentBlockDelta {
                delta: BlockDelta::TextDelta { text },
                ..
            } => Step::Text(text),
            StreamEvent::ContentBlockDelta {
                index,
                delta: BlockDelta::InputJsonDelta { partial_json },
            } => Step::CallInput {
                index,
                json: partial_json,
            },
            StreamEvent::ContentBlockStart {
                index,
                content_block: BlockStart::ToolUse { id, name },
            } => Step::CallStart { index, id, name },
            StreamEvent::MessageDelta { usage: delta } => {
                usage.input_tokens = delta.input_tokens.unwrap_or(usage.input_tokens);
                usage.output_tokens = delta.output_tokens.unwrap_or(usage.output_tokens);
                Step::Continue
            }
            StreamEvent::MessageStop => Step::Stop,
            StreamEvent::Error { error } => return Err(self.event_error(&error)),
            StreamEvent::ContentBlockDelta { .. }
            | StreamEvent::ContentBlockStart { .. }
            | StreamEvent::Other => Step::Continue,
        })
    }

    /// Streams one tool-using turn: text blocks joined, `tool_use` blocks
    /// collected by index with their input JSON parsed at the end.
    async fn stream_turn(
        &self,
        request: &ToolRequest<'_>,
        settings: &Settings,
    ) -> Result<ModelTurn, LlmError> {
        let response = self.post(&tool_body(request, settings)).await?;
        let mut events = self.http.events(response);
        let mut turn = ModelTurn::default();
        // (block index, id, name, input JSON text)
        let mut calls: Vec<(usize, String, String, String)> = Vec::new();
        while let Some(event) = events.next().await? {
            match self.read_event(&event, &mut turn.usage)? {
                Step::Text(text) => turn.text.push_str(&text),
                Step::CallStart { index, id, name } => calls.push((index, id, name, String::new())),
                Step::CallInput { index, json } => {
                    if let Some(call) = calls.iter_mut().find(|c| c.0 == index) {
                        call.3.push_str(&json);
                    }
                }
                Step::Continue => {}
                Step::Stop => {
                    turn.calls = calls
                        .into_iter()
                        .map(|(_, id, name, raw)| ToolCall {
                            id,
                            name,
                            arguments: parse_arguments(&raw),
                        })
                        .collect();
                    return Ok(turn);
                }
            }
        }
        Err(self
            .http
            .transport("the answer ended before `message_stop`"))
    }

    fn event_error(&self, error: &Value) -> LlmError {
        let message =
            json_error_message(&json!({ "error": error })).unwrap_or_else(|| error.to_string());
        self.http.stream_error(message)
    }

    /// The text blocks of a non-streamed answer, concatenated.
    fn answer_text(&self, json: &Value) -> Result<String, LlmError> {
        if json.get("type").and_then(Value::as_str) == Some("error") {
            return Err(self.event_error(&json["error"]));
        }
        let blocks = json
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| self.http.transport("the answer has no `content`"))?;
        Ok(blocks
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect())
    }
}

/// The Messages API's content blocks of a tool conversation: results go in
/// a user message, as the API asks.
fn tool_messages(turns: &[ChatTurn]) -> Vec<Value> {
    turns
        .iter()
        .map(|turn| match turn {
            ChatTurn::User(text) => json!({"role": "user", "content": [{"type": "text", "text": text}]}),
            ChatTurn::Assistant { text, calls } => {
                let mut content = Vec::new();
                if !text.is_empty() {
                    content.push(json!({"type": "text", "text": text}));
                }
                content.extend(calls.iter().map(|c| {
                    let input = c.arguments.clone().unwrap_or_else(|_| json!({}));
                    json!({"type": "tool_use", "id": c.id, "name": c.name, "input": input})
                }));
                json!({"role": "assistant", "content": content})
            }
            ChatTurn::Results(results) => json!({"role": "user", "content": results.iter().map(|r| json!({
                "type": "tool_result", "tool_use_id": r.call_id, "content": r.content, "is_error": r.is_error,
            })).collect::<Vec<_>>()}),
        })
        .collect()
}

fn tool_body(request: &ToolRequest<'_>, settings: &Settings) -> Value {
    let mut body = json!({
        "model": settings.model,
        "messages": tool_messages(request.turns),
        "max_tokens": settings.max_tokens,
        "temperature": stream::wire_number(settings.temperature.clamp(0.0, 1.0)),
        "stream": true,
    });
    if !request.system.is_empty() {
        body["system"] = json!(request.system);
    }
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
            .collect();
        body["tool_choice"] = json!({"type": if request.final_turn { "none" } else { "auto" }});
    }
    body
}

fn api_key_header(api_key: Option<String>) -> Result<Option<HeaderValue>, String> {
    let Some(key) = api_key else {
        return Ok(None);
    };
    let mut value = HeaderValue::from_str(&key)
        .map_err(|_| "the api key is not a valid header value".to_owned())?;
    value.set_sensitive(true);
    Ok(Some(value))
}

#[async_trait]
impl Generator for Anthropic {
    async fn converse(
        &self,
        request: &ToolRequest<'_>,
        settings: &Settings,
    ) -> Result<Option<ModelTurn>, LlmError> {
        tracing::debug!(provider = self.http.provider(), model = %settings.model, tools = request.tools.len(), "streaming a tool turn");
        self.stream_turn(request, settings).await.map(Some)
    }

    async fn generate(
        &self,
        prompt: &Prompt,
        settings: &Settings,
        deltas: mpsc::Sender<String>,
    ) -> Result<Usage, LlmError> {
        let rendered = prompt::render(prompt);
        tracing::debug!(provider = self.http.provider(), model = %settings.model, "streaming message");
        stream::until_closed(&deltas, self.stream_answer(&rendered, settings, &deltas)).await
    }

    async fn complete(
        &self,
        system: &str,
        user: &str,
        settings: &Settings,
    ) -> Result<Option<Completion>, LlmError> {
        let message = Message {
            role: prompt::Role::User,
            content: user.to_owned(),
        };
        let body = Self::body(system, &[message], settings, false);
        let response = self.post(&body).await?;
        let json = self.http.read_json(response).await?;
        let text = self.answer_text(&json)?;
        let sent = system.chars().count() + user.chars().count();
        Ok(Some(stream::completion(
            &json,
            ("input_tokens", "output_tokens"),
            sent,
            text,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn provider() -> Anthropic {
        let policy = HttpPolicy {
            request_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            max_retries: 0,
            max_retry_after: Duration::from_secs(1),
        };
        Anthropic::new("a", "http://127.0.0.1:9/", None, policy)
    }

    fn event(name: Option<&str>, data: &str) -> SseEvent {
        SseEvent {
            event: name.map(str::to_owned),
            data: data.to_owned(),
        }
    }

    #[test]
    fn events_give_text_usage_and_the_end() {
        let p = provider();
        assert_eq!(p.url, "http://127.0.0.1:9/v1/messages");
        let mut usage = Usage::default();
        let steps: Vec<Step> = [
            r#"{"type":"message_start","message":{"id":"m","usage":{"input_tokens":12,"output_tokens":1}}}"#,
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            r#"{"type":"ping"}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#,
            r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{"}}"#,
            r#"{"type":"some_future_event","x":1}"#,
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}"#,
            r#"{"type":"message_stop"}"#,
        ]
        .iter()
        .map(|data| p.read_event(&event(None, data), &mut usage).unwrap())
        .collect();
        assert_eq!(
            steps,
            [
                Step::Continue,
                Step::Continue,
                Step::Continue,
                Step::Text("Hi".into()),
                // A tool call's input, joined by block index.
                Step::CallInput {
                    index: 1,
                    json: "{".into()
                },
                Step::Continue,
                Step::Continue,
                Step::Stop
            ]
        );
        assert_eq!(
            usage,
            Usage {
                input_tokens: 12,
                output_tokens: 9
            }
        );
    }

    #[test]
    fn bad_events_are_errors_not_panics() {
        let p = provider();
        let mut usage = Usage::default();
        let upstream = |message: &str| LlmError::Upstream {
            provider: "a".into(),
            status: 0,
            message: message.into(),
        };
        let overloaded =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(
            p.read_event(&event(Some("error"), overloaded), &mut usage),
            Err(upstream("Overloaded"))
        );
        assert_eq!(
            p.read_event(&event(Some("error"), "boom"), &mut usage),
            Err(upstream("boom"))
        );
        for bad in [
            "boom",
            r#"{"no_type":1}"#,
            r#"{"type":"content_block_delta"}"#,
            r#"{"type":"content_block_delta","delta":{"type":"text_delta"}}"#,
            r#"{"type":"message_start","message":{"usage":{"input_tokens":"x"}}}"#,
        ] {
            assert!(
                matches!(
                    p.read_event(&event(None, bad), &mut usage),
                    Err(LlmError::Transport { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn non_streamed_answers_join_text_blocks() {
        let p = provider();
        let json = json!({"content": [
            {"type": "text", "text": "a"},
            {"type": "tool_use", "id": "t"},
            {"type": "text", "text": "b"}
        ]});
        assert_eq!(p.answer_text(&json), Ok("ab".into()));
        assert!(p.answer_text(&json!({"content": 3})).is_err());
    }

    #[test]
    fn temperature_is_clamped_and_system_is_top_level() {
        let settings = Settings {
            model: "claude".into(),
            temperature: 1.5,
            max_tokens: 5,
        };
        let body = Anthropic::body("sys", &[], &settings, true);
        assert_eq!(body["temperature"], json!(1.0));
        assert_eq!(body["system"], json!("sys"));
        assert!(Anthropic::body("", &[], &settings, false)
            .get("system")
            .is_none());
        let key = api_key_header(Some("sk-ant".into())).unwrap().unwrap();
        assert!(key.is_sensitive());
        assert!(api_key_header(Some("bad\r\nkey".into())).is_err());
    }
}
