//! HTTP behaviour shared by the model-backed providers: one client per
//! provider, sending with retries ([`Http::send`]), error answers turned
//! into [`LlmError`]s, bounded body reads, and reading a server-sent event
//! stream ([`Events`]) with an idle timeout.
//!
//! The SSE parser is hand-written rather than taken from a crate
//! (`eventsource-stream`): both wire formats only need the `event:` and
//! `data:` fields of the spec, it is some sixty lines, and owning it lets
//! us bound how much an endless line may buffer and keep the dependency
//! tree as it is. It follows the WHATWG rules for line ends (`\n`, `\r\n`,
//! `\r`), comments (`:`), multi-line `data` and the optional space after
//! the colon.
//!
//! Retries: a 429 waits out its `Retry-After` (whole or fractional
//! seconds; without one, or with an HTTP date, the backoff below) and is
//! retried up to `max_retries` times; a `Retry-After` longer than
//! `max_retry_after` fails at once with [`LlmError::RateLimited`]. A 5xx is
//! retried with a short exponential backoff (250 ms, 500 ms, 1 s, … capped
//! at 4 s). Retries only happen before a stream starts, so never after any
//! text was forwarded. Connection failures are not retried.

use std::collections::VecDeque;
use std::error::Error as _;
use std::future::Future;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::{HttpPolicy, LlmError};

/// Longest error message kept from a non-JSON error body, in characters.
const MESSAGE_CHARS: usize = 300;
/// Most bytes read of an error body.
const ERROR_BODY_BYTES: usize = 64 * 1024;
/// Most bytes read of a non-streamed answer.
const ANSWER_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Most bytes one SSE line or event may buffer.
const EVENT_BYTES: usize = 4 * 1024 * 1024;
/// First 5xx backoff, doubled per retry up to [`BACKOFF_CAP`].
const BACKOFF_BASE: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(4);

/// A provider's HTTP client and policy.
pub(crate) struct Http {
    provider: String,
    /// The error when the client could not be built (reported per request
    /// rather than panicking at start-up).
    client: Result<reqwest::Client, String>,
    policy: HttpPolicy,
}

impl Http {
    pub(crate) fn new(provider: &str, policy: HttpPolicy) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(policy.request_timeout)
            .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| describe(&e));
        Self {
            provider: provider.to_owned(),
            client,
            policy,
        }
    }

    pub(crate) fn provider(&self) -> &str {
        &self.provider
    }

    pub(crate) fn transport(&self, message: impl Into<String>) -> LlmError {
        LlmError::Transport {
            provider: self.provider.clone(),
            message: message.into(),
        }
    }

    fn timeout(&self, limit: Duration) -> LlmError {
        LlmError::Timeout {
            provider: self.provider.clone(),
            seconds: limit.as_millis().div_ceil(1000) as u64,
        }
    }

    /// Sends the request `build` makes, retrying 429 and 5xx answers as
    /// the module doc says; returns the first successful response.
    pub(crate) async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Response, LlmError> {
        let client = self.client.as_ref().map_err(|e| self.transport(e))?;
        let mut attempt = 0;
        loop {
            let response = self.send_once(build(client)).await?;
            if response.status().is_success() {
                return Ok(response);
            }
            let wait = self.retry_wait(response, attempt).await?;
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One request, bounded by `request_timeout` up to the response headers.
    async fn send_once(&self, request: RequestBuilder) -> Result<Response, LlmError> {
        let limit = self.policy.request_timeout;
        match tokio::time::timeout(limit, request.send()).await {
            Err(_) => Err(self.timeout(limit)),
            Ok(Err(e)) if e.is_timeout() => Err(self.timeout(limit)),
            Ok(Err(e)) => Err(self.transport(describe(&e))),
            Ok(Ok(response)) => Ok(response),
        }
    }

    /// How long to wait before retrying a failed answer, or the error when
    /// it is not retried.
    async fn retry_wait(&self, response: Response, attempt: u32) -> Result<Duration, LlmError> {
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let message = self.error_message(response).await;
        let retries_left = attempt < self.policy.max_retries;
        tracing::warn!(provider = %self.provider, %status, attempt, %message, "provider answered an error");
        if status == StatusCode::TOO_MANY_REQUESTS {
            let secs = retry_after.map(|d| d.as_secs_f64().ceil() as u64);
            let wait = retry_after.unwrap_or_else(|| backoff(attempt));
            if !retries_left || wait > self.policy.max_retry_after {
                return Err(LlmError::RateLimited {
                    provider: self.provider.clone(),
                    retry_after_secs: secs,
                });
            }
            return Ok(wait);
        }
        if status.is_server_error() && retries_left {
            return Ok(backoff(attempt));
        }
        Err(LlmError::Upstream {
            provider: self.provider.clone(),
            status: status.as_u16(),
            message,
        })
    }

    /// The message of an error answer: `error.message` (or a string
    /// `error`, or `message`) of a JSON body, else the body text cut short,
    /// else the status's reason.
    async fn error_message(&self, response: Response) -> String {
        let status = response.status();
        let body = self
            .read_body(response, ERROR_BODY_BYTES)
            .await
            .unwrap_or_default();
        let message = message_of_body(&body);
        if message.is_empty() {
            status.canonical_reason().unwrap_or("no message").to_owned()
        } else {
            message
        }
    }

    /// A whole body, each wait for a piece bounded by `idle_timeout`;
    /// at most `limit` bytes (the rest is not read).
    async fn read_body(&self, mut response: Response, limit: usize) -> Result<Vec<u8>, LlmError> {
        let mut body = Vec::new();
        while let Some(chunk) = self.next_chunk(&mut response).await? {
            let chunk = chunk.as_ref();
            let room = limit.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= limit {
                break;
            }
        }
        Ok(body)
    }

    /// A non-streamed answer's JSON body.
    pub(crate) async fn read_json(&self, response: Response) -> Result<Value, LlmError> {
        let body = self.read_body(response, ANSWER_BODY_BYTES).await?;
        serde_json::from_slice(&body).map_err(|e| self.transport(format!("unreadable answer: {e}")))
    }

    async fn next_chunk(
        &self,
        response: &mut Response,
    ) -> Result<Option<impl AsRef<[u8]>>, LlmError> {
        let limit = self.policy.idle_timeout;
        match tokio::time::timeout(limit, response.chunk()).await {
            Err(_) => Err(self.timeout(limit)),
            Ok(Err(e)) => Err(self.transport(describe(&e))),
            Ok(Ok(chunk)) => Ok(chunk),
        }
    }

    /// The server-sent events of a streamed answer.
    pub(crate) fn events(&self, response: Response) -> Events<'_> {
        Events {
            http: self,
            response,
            parser: SseParser::default(),
            ready: VecDeque::new(),
            ended: false,
        }
    }

    /// An error event inside a stream.
    pub(crate) fn stream_error(&self, message: String) -> LlmError {
        LlmError::Upstream {
            provider: self.provider.clone(),
            status: 0,
            message,
        }
    }
}

/// `Retry-After` as a duration, when it is a number of seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let secs = value.parse::<f64>().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

fn backoff(attempt: u32) -> Duration {
    BACKOFF_BASE
        .saturating_mul(1 << attempt.min(16))
        .min(BACKOFF_CAP)
}

/// An error's text with its causes (reqwest puts the useful part there).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The message of an error body, JSON or not; empty for an empty body.
pub(crate) fn message_of_body(body: &[u8]) -> String {
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        if let Some(message) = json_error_message(&json) {
            return message;
        }
    }
    truncate(String::from_utf8_lossy(body).trim())
}

/// `error.message`, a string `error`, or a top-level `message` of a JSON
/// error body or event.
pub(crate) fn json_error_message(json: &Value) -> Option<String> {
    let error = json.get("error");
    let message = error
        .and_then(|e| e.get("message"))
        .or_else(|| error.filter(|e| e.is_string()))
        .or_else(|| json.get("message"))?;
    message.as_str().map(|m| truncate(m.trim()))
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Sends one piece of answer text to the client; [`LlmError::Cancelled`]
/// when the client went away.
pub(crate) async fn forward(deltas: &mpsc::Sender<String>, text: String) -> Result<(), LlmError> {
    if text.is_empty() {
        return Ok(());
    }
    deltas.send(text).await.map_err(|_| LlmError::Cancelled)
}

/// Runs `work` until it ends or `deltas` is closed, whichever comes first;
/// closing drops `work` (and so its response and connection) and gives
/// [`LlmError::Cancelled`], even while waiting on a silent server.
pub(crate) async fn until_closed<T>(
    deltas: &mpsc::Sender<String>,
    work: impl Future<Output = Result<T, LlmError>>,
) -> Result<T, LlmError> {
    tokio::select! {
        biased;
        () = deltas.closed() => Err(LlmError::Cancelled),
        result = work => result,
    }
}

/// Estimated tokens of `chars` characters (about four per token), for
/// servers that report no usage.
/// A helper completion's usage from the `usage` object of a whole answer,
/// under the provider's names for input and output tokens; a count the
/// server left out is estimated from the characters sent or received.
pub(crate) fn completion(
    json: &serde_json::Value,
    names: (&str, &str),
    sent_chars: usize,
    text: String,
) -> crate::Completion {
    let reported = |name: &str| {
        json.pointer(&format!("/usage/{name}"))
            .and_then(serde_json::Value::as_u64)
    };
    let usage = crate::Usage {
        input_tokens: reported(names.0).unwrap_or_else(|| estimate_tokens(sent_chars)),
        output_tokens: reported(names.1).unwrap_or_else(|| estimate_tokens(text.chars().count())),
    };
    crate::Completion { text, usage }
}

pub(crate) fn estimate_tokens(chars: usize) -> u64 {
    chars.div_ceil(4) as u64
}

/// An `f32` setting as the `f64` it reads as (`0.2`, not
/// `0.20000000298023224`), for request bodies.
pub(crate) fn wire_number(value: f32) -> f64 {
    value.to_string().parse().unwrap_or(f64::from(value))
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event:` field; `None` for the default (`message`).
    pub event: Option<String>,
    pub data: String,
}

/// The events of a streamed response, read chunk by chunk.
pub(crate) struct Events<'a> {
    http: &'a Http,
    response: Response,
    parser: SseParser,
    ready: VecDeque<SseEvent>,
    ended: bool,
}

impl Events<'_> {
    /// The next event; `None` when the body ended. Each wait for more of
    /// the body is bounded by `idle_timeout`.
    pub(crate) async fn next(&mut self) -> Result<Option<SseEvent>, LlmError> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Ok(Some(event));
            }
            if self.ended {
                return Ok(None);
            }
            match self.http.next_chunk(&mut self.response).await? {
                Some(chunk) => self
                    .parser
                    .push(chunk.as_ref(), &mut self.ready)
                    .map_err(|e| self.http.transport(e))?,
                None => {
                    self.parser.finish(&mut self.ready);
                    self.ended = true;
                }
            }
        }
    }
}

/// An incremental SSE parser (see the module doc for why hand-written).
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    /// Bytes of an unfinished line.
    line: Vec<u8>,
    /// A `\r` ended the last line; a `\n` right after it belongs to it.
    after_cr: bool,
    event: Option<String>,
    data: Option<String>,
}

impl SseParser {
    /// Feeds bytes; completed events go to `out`.
    pub(crate) fn push(
        &mut self,
        bytes: &[u8],
        out: &mut VecDeque<SseEvent>,
    ) -> Result<(), String> {
        for &byte in bytes {
            let after_cr = std::mem::take(&mut self.after_cr);
            match byte {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    self.line_done(&String::from_utf8_lossy(&line), out);
                }
                _ => self.line.push(byte),
            }
        }
        let buffered = self.line.len() + self.data.as_ref().map_or(0, String::len);
        if buffered > EVENT_BYTES {
            return Err(format!("a streamed event exceeded {EVENT_BYTES} bytes"));
        }
        Ok(())
    }

    /// Ends the stream: an unfinished last event is dispatched as if a
    /// blank line followed it.
    pub(crate) fn finish(&mut self, out: &mut VecDeque<SseEvent>) {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.line_done(&String::from_utf8_lossy(&line), out);
        }
        self.line_done("", out);
    }

    fn line_done(&mut self, line: &str, out: &mut VecDeque<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut VecDeque<SseEvent>) {
        let event = self.event.take().filter(|e| !e.is_empty());
        if let Some(data) = self.data.take() {
            out.push_back(SseEvent { event, data });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pieces: &[&[u8]]) -> Vec<SseEvent> {
        let mut parser = SseParser::default();
        let mut out = VecDeque::new();
        for piece in pieces {
            parser.push(piece, &mut out).unwrap();
        }
        parser.finish(&mut out);
        out.into()
    }

    fn event(event: Option<&str>, data: &str) -> SseEvent {
        SseEvent {
            event: event.map(str::to_owned),
            data: data.to_owned(),
        }
    }

    #[test]
    fn events_split_across_chunks_and_line_ends() {
        let events = parse(&[
            b"event: ping\r",
            b"\ndata: {}\r\n\r\n: comment\n\ndata:{\"a\"",
            b":1}\n\rdata: one\ndata:  two\n\nevent: x\n\n",
            b"data: [DONE]",
        ]);
        assert_eq!(
            events,
            [
                event(Some("ping"), "{}"),
                event(None, "{\"a\":1}"),
                event(None, "one\n two"),
                event(None, "[DONE]"),
            ]
        );
    }

    #[test]
    fn multibyte_text_split_between_chunks_survives() {
        let text = "data: grüße\n\n".as_bytes();
        let (a, b) = text.split_at(10);
        assert_eq!(parse(&[a, b]), [event(None, "grüße")]);
    }

    #[test]
    fn an_endless_line_is_refused() {
        let mut parser = SseParser::default();
        let mut out = VecDeque::new();
        let chunk = vec![b'x'; 1024 * 1024];
        let result = (0..5).try_for_each(|_| parser.push(&chunk, &mut out));
        assert!(result.is_err());
    }

    #[test]
    fn error_messages_come_from_json_or_text() {
        let openai = br#"{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}"#;
        assert_eq!(message_of_body(openai), "Incorrect API key");
        let anthropic =
            br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(message_of_body(anthropic), "Overloaded");
        assert_eq!(
            message_of_body(br#"{"error":"model not found"}"#),
            "model not found"
        );
        assert_eq!(message_of_body(b"  Bad gateway\n"), "Bad gateway");
        assert_eq!(
            message_of_body(br#"{"error":{"code":1}}"#),
            r#"{"error":{"code":1}}"#
        );
        let long = "é".repeat(1000);
        let cut = message_of_body(long.as_bytes());
        assert_eq!(cut.chars().count(), MESSAGE_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn retry_after_and_backoff() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(RETRY_AFTER, "0.5".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(500)));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, "-1".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
        assert_eq!(backoff(0), BACKOFF_BASE);
        assert_eq!(backoff(1), BACKOFF_BASE * 2);
        assert_eq!(backoff(40), BACKOFF_CAP);
    }

    #[test]
    fn settings_numbers_are_sent_as_written() {
        assert_eq!(serde_json::json!(wire_number(0.2)).to_string(), "0.2");
        assert_eq!(serde_json::json!(wire_number(1.0)).to_string(), "1.0");
    }

    #[test]
    fn token_estimate_rounds_up() {
        assert_eq!(estimate_tokens(0), 0);
        assert_eq!(estimate_tokens(1), 1);
        assert_eq!(estimate_tokens(8), 2);
        assert_eq!(estimate_tokens(9), 3);
    }
}
