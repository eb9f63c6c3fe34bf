//! [`OpenAiChat`]: the OpenAI-compatible Chat Completions provider
//! (OpenAI, vLLM, Ollama, llama.cpp), `POST {base_url}/chat/completions`
//! with the base URL including its version (`https://api.openai.com/v1`).
//!
//! `generate` streams (`stream: true` with `stream_options.include_usage`)
//! and forwards each `choices[0].delta.content` until `data: [DONE]`. Usage
//! comes from the chunk that carries `usage`; a server that sends none
//! (some compatible servers ignore `stream_options`) gets an estimate of
//! about four characters per token: input from the rendered prompt (system
//! text and all messages), output from the streamed text. A
//! `data: {"error": …}` chunk ends the answer with
//! [`LlmError::Upstream`] `{ status: 0 }`. A stream that ends without
//! `[DONE]` is accepted when a choice had a `finish_reason`, and is an
//! [`LlmError::Transport`] (answer cut short) otherwise.

use async_trait::async_trait;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::prompt::{self, Message, Rendered};
use crate::stream::{self, estimate_tokens, json_error_message, Http};
use crate::tools::{parse_arguments, ChatTurn, ModelTurn, ToolCall, ToolRequest};
use crate::{Completion, Generator, HttpPolicy, LlmError, Prompt, Settings, Usage};

/// Tool calls one turn may make.
const MAX_CALLS: usize = 64;

/// An OpenAI-compatible Chat Completions provider.
pub struct OpenAiChat {
    http: Http,
    url: String,
    /// `Bearer <key>`, marked sensitive; `Err` when the key cannot be a
    /// header value (reported per request, without the key).
    auth: Result<Option<HeaderValue>, String>,
}

/// One streamed chunk; every field optional, unknown ones ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Chunk {
    choices: Option<Vec<Choice>>,
    usage: Option<ApiUsage>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Choice {
    delta: Option<Delta>,
    finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Delta {
    content: Option<String>,
    tool_calls: Option<Vec<CallDelta>>,
}

/// A piece of a streamed tool call; pieces join by `index`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CallDelta {
    index: usize,
    id: Option<String>,
    function: Option<FunctionDelta>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FunctionDelta {
    name: Option<String>,
    arguments: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApiUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

/// What a stream gave so far.
#[derive(Debug, Default)]
struct Progress {
    output_chars: usize,
    usage: Option<ApiUsage>,
    finished: bool,
    /// Tool calls being streamed, by index: id, name, argument text.
    calls: Vec<(String, String, String)>,
}

impl OpenAiChat {
    /// A provider named `name` (used in errors and logs) at `base_url`.
    pub fn new(name: &str, base_url: &str, api_key: Option<String>, policy: HttpPolicy) -> Self {
        Self {
            http: Http::new(name, policy),
            url: format!("{}/chat/completions", base_url.trim_end_matches('/')),
            auth: bearer(api_key),
        }
    }

    /// The request body; `system` goes first as a system message.
    fn body(system: &str, messages: &[Message], settings: &Settings, stream: bool) -> Value {
        let mut all = Vec::with_capacity(messages.len() + 1);
        if !system.is_empty() {
            all.push(json!({ "role": "system", "content": system }));
        }
        all.extend(messages.iter().map(|m| json!(m)));
        let mut body = json!({
            "model": settings.model,
            "messages": all,
            "temperature": stream::wire_number(settings.temperature),
            "max_tokens": settings.max_tokens,
            "stream": stream,
        });
        if stream {
            body["stream_options"] = json!({ "include_usage": true });
        }
        body
    }

    async fn post(&self, body: &Value) -> Result<reqwest::Response, LlmError> {
        let auth = self.auth.as_ref().map_err(|e| self.http.transport(e))?;
        self.http
            .send(|client| {
                let request = client.post(&self.url).json(body);
                match auth {
                    Some(value) => request.header(AUTHORIZATION, value.clone()),
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
        let mut progress = Progress::default();
        while let Some(event) = events.next().await? {
            if event.data.trim() == "[DONE]" {
                return Ok(usage(rendered, progress));
            }
            if let Some(text) = self.read_chunk(&event.data, &mut progress)? {
                stream::forward(deltas, text).await?;
            }
        }
        if progress.finished {
            return Ok(usage(rendered, progress));
        }
        Err(self
            .http
            .transport("the answer ended before `data: [DONE]`"))
    }

    /// Takes usage and the finish mark from one chunk; returns its text.
    fn read_chunk(&self, data: &str, progress: &mut Progress) -> Result<Option<String>, LlmError> {
        let json: Value = serde_json::from_str(data)
            .map_err(|e| self.http.transport(format!("unreadable chunk: {e}")))?;
        if json.get("error").is_some_and(|e| !e.is_null()) {
            let message = json_error_message(&json).unwrap_or_else(|| json["error"].to_string());
            return Err(self.http.stream_error(message));
        }
        let chunk: Chunk = serde_json::from_value(json)
            .map_err(|e| self.http.transport(format!("unreadable chunk: {e}")))?;
        if chunk.usage.is_some() {
            progress.usage = chunk.usage;
        }
        let Some(choice) = chunk.choices.and_then(|c| c.into_iter().next()) else {
            return Ok(None);
        };
        progress.finished |= choice.finish_reason.is_some();
        let Some(delta) = choice.delta else {
            return Ok(None);
        };
        for piece in delta.tool_calls.unwrap_or_default() {
            if piece.index >= MAX_CALLS {
                return Err(self.http.transport(format!(
                    "a tool call index of {} (at most {MAX_CALLS} calls a turn)",
                    piece.index
                )));
            }
            if progress.calls.len() <= piece.index {
                progress.calls.resize(piece.index + 1, Default::default());
            }
            let call = &mut progress.calls[piece.index];
            if let Some(id) = piece.id {
                call.0 = id;
            }
            if let Some(function) = piece.function {
                call.1.push_str(&function.name.unwrap_or_default());
                call.2.push_str(&function.arguments.unwrap_or_default());
            }
        }
        let text = delta.content;
        if let Some(text) = &text {
            progress.output_chars += text.chars().count();
        }
        Ok(text)
    }

    fn answer_text(&self, json: &Value) -> Result<String, LlmError> {
        if let Some(message) = json_error_message(json) {
            return Err(self.http.stream_error(message));
        }
        json.pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                self.http
                    .transport("the answer has no `choices[0].message.content`")
            })
    }
}

/// The Chat Completions messages of a tool conversation.
fn tool_messages(request: &ToolRequest<'_>) -> Vec<Value> {
    let mut messages = Vec::with_capacity(request.turns.len() + 1);
    if !request.system.is_empty() {
        messages.push(json!({"role": "system", "content": request.system}));
    }
    for turn in request.turns {
        match turn {
            ChatTurn::User(text) => messages.push(json!({"role": "user", "content": text})),
            ChatTurn::Assistant { text, calls } => {
                let mut message = json!({"role": "assistant", "content": if text.is_empty() { Value::Null } else { json!(text) }});
                if !calls.is_empty() {
                    message["tool_calls"] = calls
                        .iter()
                        .map(|c| json!({"id": c.id, "type": "function",
                                        "function": {"name": c.name, "arguments": c.arguments_text()}}))
                        .collect();
                }
                messages.push(message);
            }
            ChatTurn::Results(results) => {
                messages.extend(results.iter().map(
                    |r| json!({"role": "tool", "tool_call_id": r.call_id, "content": r.content}),
                ))
            }
        }
    }
    messages
}

/// The request body of one tool-using turn, streamed.
fn tool_body(request: &ToolRequest<'_>, settings: &Settings) -> Value {
    let tools: Vec<Value> = request
        .tools
        .iter()
        .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
        .collect();
    let mut body = json!({
        "model": settings.model,
        "messages": tool_messages(request),
        "temperature": stream::wire_number(settings.temperature),
        "max_tokens": settings.max_tokens,
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    if !tools.is_empty() {
        body["tools"] = json!(tools);
        body["tool_choice"] = json!(if request.final_turn { "none" } else { "auto" });
    }
    body
}

/// The reported usage, with estimates for whatever the server left out.
fn usage(rendered: &Rendered, progress: Progress) -> Usage {
    let reported = progress.usage.unwrap_or_default();
    Usage {
        input_tokens: reported
            .prompt_tokens
            .unwrap_or_else(|| estimate_tokens(rendered.chars())),
        output_tokens: reported
            .completion_tokens
            .unwrap_or_else(|| estimate_tokens(progress.output_chars)),
    }
}

fn bearer(api_key: Option<String>) -> Result<Option<HeaderValue>, String> {
    let Some(key) = api_key else {
        return Ok(None);
    };
    let mut value = HeaderValue::from_str(&format!("Bearer {key}"))
        .map_err(|_| "the api key is not a valid header value".to_owned())?;
    value.set_sensitive(true);
    Ok(Some(value))
}

impl OpenAiChat {
    /// Streams one tool-using turn: text pieces and tool-call pieces joined
    /// by index until `[DONE]` (or a finish reason).
    async fn stream_turn(
        &self,
        request: &ToolRequest<'_>,
        settings: &Settings,
    ) -> Result<ModelTurn, LlmError> {
        let body = tool_body(request, settings);
        let sent = body["messages"].to_string().chars().count();
        let response = self.post(&body).await?;
        let mut events = self.http.events(response);
        let mut progress = Progress::default();
        let mut text = String::new();
        let mut done = false;
        while let Some(event) = events.next().await? {
            if event.data.trim() == "[DONE]" {
                done = true;
                break;
            }
            if let Some(piece) = self.read_chunk(&event.data, &mut progress)? {
                text.push_str(&piece);
            }
        }
        if !done && !progress.finished {
            return Err(self
                .http
                .transport("the answer ended before `data: [DONE]`"));
        }
        let reported = progress.usage.take().unwrap_or_default();
        let output =
            progress.output_chars + progress.calls.iter().map(|c| c.2.len()).sum::<usize>();
        Ok(ModelTurn {
            text,
            calls: progress
                .calls
                .into_iter()
                .filter(|(_, name, _)| !name.is_empty())
                .map(|(id, name, raw)| ToolCall {
                    id,
                    name,
                    arguments: parse_arguments(&raw),
                })
                .collect(),
            usage: Usage {
                input_tokens: reported
                    .prompt_tokens
                    .unwrap_or_else(|| estimate_tokens(sent)),
                output_tokens: reported
                    .completion_tokens
                    .unwrap_or_else(|| estimate_tokens(output)),
            },
        })
    }
}

#[async_trait]
impl Generator for OpenAiChat {
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
        tracing::debug!(provider = self.http.provider(), model = %settings.model, "streaming chat completion");
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
            ("prompt_tokens", "completion_tokens"),
            sent,
            text,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn provider() -> OpenAiChat {
        let policy = HttpPolicy {
            request_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            max_retries: 0,
            max_retry_after: Duration::from_secs(1),
        };
        OpenAiChat::new("t", "http://127.0.0.1:9/v1/", None, policy)
    }

    #[test]
    fn chunks_give_text_usage_and_errors_without_panicking() {
        let p = provider();
        assert_eq!(p.url, "http://127.0.0.1:9/v1/chat/completions");
        let mut progress = Progress::default();
        let text = p.read_chunk(r#"{"choices":[{"delta":{"content":"Hé"}}]}"#, &mut progress);
        assert_eq!(text, Ok(Some("Hé".into())));
        for odd in [
            r#"{"choices":[]}"#,
            r#"{"choices":null,"usage":null}"#,
            r#"{"choices":[{"delta":{"role":"assistant"}}]}"#,
            r#"{"choices":[{}]}"#,
            r#"{}"#,
        ] {
            assert_eq!(p.read_chunk(odd, &mut progress), Ok(None), "{odd}");
        }
        let last = r#"{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}"#;
        assert_eq!(p.read_chunk(last, &mut progress), Ok(None));
        assert_eq!(progress.output_chars, 2);
        assert!(matches!(
            p.read_chunk("not json", &mut progress),
            Err(LlmError::Transport { .. })
        ));
        assert!(matches!(
            p.read_chunk(r#"{"choices":"x"}"#, &mut progress),
            Err(LlmError::Transport { .. })
        ));
        assert_eq!(
            p.read_chunk(r#"{"error":{"message":"overloaded"}}"#, &mut progress),
            Err(LlmError::Upstream {
                provider: "t".into(),
                status: 0,
                message: "overloaded".into()
            })
        );
    }

    #[test]
    fn missing_usage_is_estimated_from_characters() {
        let rendered = Rendered {
            system: "abcd".into(),
            messages: vec![Message {
                role: prompt::Role::User,
                content: "efghi".into(),
            }],
        };
        let progress = Progress {
            output_chars: 10,
            ..Progress::default()
        };
        assert_eq!(
            usage(&rendered, progress),
            Usage {
                input_tokens: 3,
                output_tokens: 3
            }
        );
    }

    #[test]
    fn keys_that_cannot_be_headers_fail_without_showing_the_key() {
        let err = bearer(Some("sk-secret\nx".into())).unwrap_err();
        assert!(!err.contains("sk-secret"));
        let value = bearer(Some("sk-ok".into())).unwrap().unwrap();
        assert!(value.is_sensitive());
        assert_eq!(bearer(None), Ok(None));
    }
}
