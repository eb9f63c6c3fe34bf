//! Notifications of finished runs: the [`Notifier`] works the `job.notify`
//! queue items that a run's finish enqueued (in the same transaction, so no
//! notification is lost) and delivers each to its channel: email over SMTP,
//! a Slack incoming webhook or a Microsoft Teams incoming webhook.
//!
//! A delivery that fails (a transport error, a non-2xx answer) returns an
//! error, so the queue retries it with backoff; a channel deleted, disabled
//! or narrowed since the run finished gets nothing. [`check_config`] is the
//! one place that says what a channel's `config` holds; the API validates
//! with it and delivery reads with it.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use grove_core::config::{Config, SmtpConfig, SmtpSecurity};
use grove_core::credentials::MASK;
use grove_core::ids::{ChannelId, NotificationId, OrgId, RunId};
use grove_core::jobs::{Channel, ChannelKind, NotifyLevel, NotifyTopic, Run, RunStatus};
use grove_ingest::net::{error_chain, guarded_client, NetworkPolicy};
use grove_store::notifications::AttemptOutcome;
use grove_store::queue::{JobHandler, Leased};
use grove_store::Store;
use jiff::Timestamp;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message as Email, Tokio1Executor};
use reqwest::Url;
use serde::Deserialize;
use serde_json::{json, Value};

/// How long a webhook may take to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(30);
/// Recipients of one email channel.
pub const MAX_RECIPIENTS: usize = 50;
const MAX_URL: usize = 2048;
/// Longest error and parameter texts shown in a notification.
const MAX_ERROR_CHARS: usize = 1500;
const MAX_PARAMS_CHARS: usize = 500;

/// A channel config that does not hold: the field (`config.to`,
/// `config.webhook_url`, `config.<unknown key>`) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub field: String,
    pub reason: String,
}

impl ConfigError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Where a channel delivers, read from its `config`.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// `{"to": ["a@example.com", …]}`
    Email(Vec<Address>),
    /// `{"webhook_url": "https://…"}` (Slack and Teams)
    Webhook(Url),
}

/// The keys a kind's config takes.
fn known_keys(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Email => &["to"],
        ChannelKind::Slack | ChannelKind::Teams => &["webhook_url"],
    }
}

/// Checks a channel's config for its kind: an object with exactly the
/// kind's keys. Email takes `to`, 1 to [`MAX_RECIPIENTS`] addresses; Slack
/// and Teams take `webhook_url`, an http(s) URL.
pub fn check_config(kind: ChannelKind, config: &Value) -> Result<Target, ConfigError> {
    let Some(map) = config.as_object() else {
        return Err(ConfigError::new("config", "must be an object"));
    };
    let known = known_keys(kind);
    if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ConfigError::new(
            format!("config.{unknown}"),
            grove_core::suggest::unknown_field_reason(unknown, known),
        ));
    }
    match kind {
        ChannelKind::Email => {
            let reason = format!("must list 1 to {MAX_RECIPIENTS} email addresses");
            let list = match map.get("to") {
                Some(Value::Array(items)) if (1..=MAX_RECIPIENTS).contains(&items.len()) => items,
                _ => return Err(ConfigError::new("config.to", reason)),
            };
            let mut addresses = Vec::with_capacity(list.len());
            for item in list {
                let raw = item
                    .as_str()
                    .ok_or_else(|| ConfigError::new("config.to", reason.clone()))?;
                let address = raw.parse::<Address>().map_err(|_| {
                    ConfigError::new("config.to", format!("`{raw}` is not an email address"))
                })?;
                addresses.push(address);
            }
            Ok(Target::Email(addresses))
        }
        ChannelKind::Slack | ChannelKind::Teams => {
            let field = "config.webhook_url";
            let reason = "must be an http or https URL";
            let raw = match map.get("webhook_url") {
                Some(Value::String(raw)) => raw,
                None | Some(Value::Null) => return Err(ConfigError::new(field, "is required")),
                Some(_) => return Err(ConfigError::new(field, reason)),
            };
            if raw.len() > MAX_URL {
                return Err(ConfigError::new(
                    field,
                    format!("must be at most {MAX_URL} characters"),
                ));
            }
            let url = Url::parse(raw.trim()).map_err(|_| ConfigError::new(field, reason))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(ConfigError::new(field, reason));
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err(ConfigError::new(field, "must not carry credentials"));
            }
            Ok(Target::Webhook(url))
        }
    }
}

/// What is shown of a channel's config: a webhook URL is a credential (it
/// lets anyone post), so only its scheme and host are shown.
pub fn masked_config(kind: ChannelKind, config: &Value) -> Value {
    match kind {
        ChannelKind::Email => config.clone(),
        ChannelKind::Slack | ChannelKind::Teams => {
            let mut shown = config.clone();
            if let Some(raw) = config.get("webhook_url").and_then(Value::as_str) {
                shown["webhook_url"] = json!(mask_url(raw));
            }
            shown
        }
    }
}

/// `https://hooks.example.com/********`.
pub fn mask_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(url) => {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!(
                "{}://{}{port}/{MASK}",
                url.scheme(),
                url.host_str().unwrap_or("")
            )
        }
        Err(_) => MASK.to_owned(),
    }
}

/// A queue item's payload (see `grove_store::NOTIFY_KIND`).
#[derive(Debug, Deserialize)]
struct Payload {
    channel_id: ChannelId,
    /// The delivery recording this notification's attempts (absent on
    /// items queued by versions before deliveries were recorded).
    #[serde(default)]
    delivery_id: Option<NotificationId>,
    /// A test message (`POST …/notification-channels/{id}/test`).
    #[serde(default)]
    test: bool,
    #[serde(default)]
    run_id: Option<RunId>,
    #[serde(default)]
    level: Option<NotifyLevel>,
    #[serde(default)]
    topic: Option<NotifyTopic>,
    /// When the item itself carries no organisation.
    #[serde(default)]
    org_id: Option<OrgId>,
}

/// A notification as each kind of channel receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The email subject.
    pub subject: String,
    /// The plain-text email body.
    pub text: String,
    /// The Slack incoming-webhook body.
    pub slack: Value,
    /// The Microsoft Teams incoming-webhook body.
    pub teams: Value,
}

impl Message {
    /// The message `POST …/notification-channels/{id}/test` sends.
    pub fn test(channel_name: &str) -> Self {
        let line = format!(
            "This is a test message from Grove: the channel \"{}\" receives job notifications.",
            one_line(channel_name)
        );
        Self {
            subject: "[Grove] Test notification".to_owned(),
            text: format!("{line}\n"),
            slack: json!({"text": slack_escape(&line)}),
            teams: json!({
                "type": "message",
                "attachments": [{
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": null,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [{"type": "TextBlock", "text": line, "wrap": true}],
                    },
                }]
            }),
        }
    }
}

/// What a notification says about a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub job_name: String,
    pub run: Run,
    /// The run's chat, `<public_url>/api/v1/chats/<chat_id>`.
    pub link: Option<String>,
    pub level: NotifyLevel,
}

impl Summary {
    pub fn new(job_name: String, run: Run, public_url: &str, level: NotifyLevel) -> Self {
        let link = run.chat_id.as_ref().map(|chat| {
            format!(
                "{}/api/v1/chats/{}",
                public_url.trim_end_matches('/'),
                chat.as_str()
            )
        });
        Self {
            job_name,
            run,
            link,
            level,
        }
    }

    fn outcome(&self) -> &'static str {
        match self.run.status {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::TimedOut => "timed out",
            RunStatus::Cancelled => "was cancelled",
            RunStatus::Skipped => "was skipped",
            RunStatus::Queued => "is queued",
            RunStatus::Running => "is running",
        }
    }

    /// `Job "Weekly report" succeeded`.
    pub fn headline(&self) -> String {
        format!("Job \"{}\" {}", one_line(&self.job_name), self.outcome())
    }

    /// The email subject: `[Grove] Job "Weekly report" succeeded`.
    pub fn subject(&self) -> String {
        format!("[Grove] {}", self.headline())
    }

    /// Name and value of each fact shown, in order.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let run = &self.run;
        let mut facts = vec![
            ("Status", run.status.as_str().to_owned()),
            ("Started by", run.initiator.as_str().to_owned()),
            ("Parameters", parameters_text(&run.parameters)),
            (
                "Attempts",
                format!("{} of {}", run.attempts, run.max_attempts.max(run.attempts)),
            ),
        ];
        if let Some(at) = run.started_at {
            facts.push(("Started", time_text(at)));
        }
        if let Some(at) = run.finished_at {
            facts.push(("Finished", time_text(at)));
        }
        if let (Some(start), Some(end)) = (run.started_at, run.finished_at) {
            facts.push(("Duration", duration_text(start, end)));
        }
        facts.push(("Run", run.id.as_str().to_owned()));
        facts
    }

    /// The run's error, shortened.
    pub fn error(&self) -> Option<String> {
        self.run
            .error
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(|e| shorten(e.trim(), MAX_ERROR_CHARS))
    }

    /// The notification for every kind of channel.
    pub fn message(&self) -> Message {
        Message {
            subject: self.subject(),
            text: self.text(),
            slack: self.slack(),
            teams: self.teams(),
        }
    }

    /// The plain-text email body.
    pub fn text(&self) -> String {
        let mut out = format!("{}.\n\n", self.headline());
        let facts = self.facts();
        let width = facts.iter().map(|(n, _)| n.len()).max().unwrap_or(0) + 2;
        for (name, value) in &facts {
            let _ = writeln!(out, "{:<width$}{value}", format!("{name}:"));
        }
        if let Some(error) = self.error() {
            let _ = write!(out, "\nError:\n{error}\n");
        }
        if let Some(link) = &self.link {
            let _ = write!(out, "\nOpen the chat: {link}\n");
        }
        out
    }

    /// The Slack incoming-webhook body: `text` (the fallback shown in
    /// notifications) and section blocks in mrkdwn.
    pub fn slack(&self) -> Value {
        let icon = match self.run.status {
            RunStatus::Succeeded => ":white_check_mark:",
            RunStatus::Failed | RunStatus::TimedOut => ":x:",
            _ => ":information_source:",
        };
        let mut blocks = vec![json!({
            "type": "section",
            "text": {"type": "mrkdwn", "text": format!("{icon} *{}*", slack_escape(&self.headline()))}
        })];
        let fields: Vec<Value> = self
            .facts()
            .into_iter()
            .map(|(name, value)| {
                json!({"type": "mrkdwn", "text": format!("*{name}*\n{}", slack_escape(&value))})
            })
            .collect();
        blocks.push(json!({"type": "section", "fields": fields}));
        if let Some(error) = self.error() {
            blocks.push(json!({
                "type": "section",
                "text": {"type": "mrkdwn", "text": format!("*Error*\n```{}```", slack_escape(&error))}
            }));
        }
        if let Some(link) = &self.link {
            blocks.push(json!({
                "type": "section",
                "text": {"type": "mrkdwn", "text": format!("<{link}|Open the chat>")}
            }));
        }
        json!({ "text": slack_escape(&self.headline()), "blocks": blocks })
    }

    /// The Microsoft Teams incoming-webhook body: a message with one
    /// Adaptive Card (title, facts, error, a button to the chat).
    pub fn teams(&self) -> Value {
        let color = match self.level {
            NotifyLevel::Info => "Good",
            NotifyLevel::Warning => "Warning",
            NotifyLevel::Error => "Attention",
        };
        let facts: Vec<Value> = self
            .facts()
            .into_iter()
            .map(|(name, value)| json!({"title": name, "value": value}))
            .collect();
        let mut body = vec![
            json!({
                "type": "TextBlock", "text": self.headline(), "weight": "Bolder",
                "size": "Medium", "color": color, "wrap": true
            }),
            json!({"type": "FactSet", "facts": facts}),
        ];
        if let Some(error) = self.error() {
            body.push(json!({
                "type": "TextBlock", "text": error, "color": "Attention", "wrap": true
            }));
        }
        let mut content = json!({
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
        });
        if let Some(link) = &self.link {
            content["actions"] =
                json!([{"type": "Action.OpenUrl", "title": "Open chat", "url": link}]);
        }
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": content,
            }]
        })
    }
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(max).collect();
        short.push('…');
        short
    }
}

/// `region = EU, week = 12`, or `none`.
fn parameters_text(parameters: &serde_json::Map<String, Value>) -> String {
    if parameters.is_empty() {
        return "none".to_owned();
    }
    let text = parameters
        .iter()
        .map(|(name, value)| match value {
            Value::String(s) => format!("{name} = {s}"),
            other => format!("{name} = {other}"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    shorten(&one_line(&text), MAX_PARAMS_CHARS)
}

fn time_text(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `1h 2m 3s`, `2m 5s`, `4s`, `350 ms`.
fn duration_text(start: Timestamp, end: Timestamp) -> String {
    let ms = end
        .as_millisecond()
        .saturating_sub(start.as_millisecond())
        .max(0);
    if ms < 1000 {
        return format!("{ms} ms");
    }
    let secs = ms / 1000;
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if h > 0 {
        format!("{h}h {m}m {s}s")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

/// Slack's mrkdwn control characters.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Delivers `job.notify` queue items (register it for
/// `grove_store::NOTIFY_KIND`).
pub struct Notifier {
    store: Arc<dyn Store>,
    config: Arc<Config>,
    http: reqwest::Client,
    /// The crawlers' SSRF rules: webhooks on loopback, private or metadata
    /// addresses are refused unless `allow_private_networks` or
    /// `ingest.allowed_cidrs` open them.
    policy: Arc<NetworkPolicy>,
}

impl Notifier {
    /// Fails only on a malformed `ingest.allowed_cidrs`.
    pub fn new(store: Arc<dyn Store>, config: Arc<Config>) -> Result<Self, String> {
        let policy = Arc::new(NetworkPolicy::from_config(&config)?);
        let http = guarded_client(policy.clone())
            .timeout(WEBHOOK_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Grove/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the webhook client: {e}"))?;
        Ok(Self {
            store,
            config,
            http,
            policy,
        })
    }

    /// Refuses a webhook whose host is a restricted IP literal (names are
    /// checked by the client's resolver when it connects).
    fn check_host(&self, url: &Url) -> Result<(), String> {
        match self.policy.literal_host_refusal(url) {
            Some(why) => Err(format!(
                "webhook refused: its host is a {why} address (allow_private_networks or \
                 ingest.allowed_cidrs open such addresses)"
            )),
            None => Ok(()),
        }
    }

    /// Sends `message` to `channel`.
    pub async fn deliver(&self, channel: &Channel, message: &Message) -> Result<(), String> {
        // The webhook URL is sealed at rest; it is opened only here.
        let config = self
            .store
            .reveal_config(&channel.config)
            .await
            .map_err(|e| format!("channel {}: {e}", channel.id))?;
        let target = check_config(channel.kind, &config)
            .map_err(|e| format!("channel {} has a bad config: {e}", channel.id))?;
        match (channel.kind, target) {
            (ChannelKind::Email, Target::Email(to)) => {
                send_email(&self.config.jobs.smtp, to, message).await
            }
            (ChannelKind::Slack, Target::Webhook(url)) => {
                self.post_webhook(url, &message.slack).await
            }
            (ChannelKind::Teams, Target::Webhook(url)) => {
                self.post_webhook(url, &message.teams).await
            }
            _ => Err(format!("channel {} has a bad config", channel.id)),
        }
    }

    async fn post_webhook(&self, url: Url, body: &Value) -> Result<(), String> {
        self.check_host(&url)?;
        let response =
            self.http.post(url).json(body).send().await.map_err(|e| {
                format!("webhook request failed: {}", error_chain(&e.without_url()))
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        Err(format!(
            "webhook answered {status}: {}",
            shorten(&one_line(text.trim()), 200)
        ))
    }
}

async fn send_email(smtp: &SmtpConfig, to: Vec<Address>, message: &Message) -> Result<(), String> {
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| format!("jobs.smtp.from `{}` is not a mailbox: {e}", smtp.from))?;
    let mut email = Email::builder()
        .from(from)
        .subject(one_line(&message.subject))
        .header(ContentType::TEXT_PLAIN);
    for address in to {
        email = email.to(Mailbox::new(None, address));
    }
    let email = email
        .body(message.text.clone())
        .map_err(|e| format!("could not build the email: {e}"))?;
    let builder = match smtp.security {
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
            .map_err(|e| format!("SMTP TLS setup failed: {}", error_chain(&e)))?,
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
            .map_err(|e| format!("SMTP TLS setup failed: {}", error_chain(&e)))?,
    };
    let timeout = Duration::from_secs(smtp.timeout_seconds.max(1));
    let mut builder = builder.port(smtp.port).timeout(Some(timeout));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    let transport = builder.build();
    // The whole exchange is bounded too, not only each command.
    match tokio::time::timeout(timeout * 4, transport.send(email)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!(
            "SMTP delivery via {}:{} failed: {}",
            smtp.host,
            smtp.port,
            error_chain(&e)
        )),
        Err(_) => Err(format!(
            "SMTP delivery via {}:{} timed out",
            smtp.host, smtp.port
        )),
    }
}

#[async_trait]
impl JobHandler for Notifier {
    async fn handle(&self, item: &Leased) -> Result<(), String> {
        let payload: Payload = serde_json::from_value(item.payload.clone())
            .map_err(|e| format!("bad notification payload: {e}"))?;
        let org = item
            .org_id
            .clone()
            .or(payload.org_id.clone())
            .ok_or("notification without an organisation")?;
        let delivery = payload.delivery_id.clone();
        let (channel, message) = match self.message(&org, &payload).await? {
            Ok(found) => found,
            Err(reason) => {
                tracing::info!(channel = %payload.channel_id, "notification dropped: {reason}");
                if let Some(id) = &delivery {
                    self.store
                        .drop_notification(id, reason)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                return Ok(());
            }
        };
        let started = Instant::now();
        let result = self.deliver(&channel, &message).await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let outcome = match &result {
            Ok(()) => {
                tracing::info!(
                    channel = %channel.id, kind = %channel.kind, attempt = item.attempts,
                    "notification delivered"
                );
                AttemptOutcome::Delivered
            }
            Err(error) => {
                tracing::warn!(
                    channel = %channel.id, kind = %channel.kind, attempt = item.attempts,
                    max_attempts = item.max_attempts, %error, "notification not delivered"
                );
                if item.attempts >= item.max_attempts {
                    AttemptOutcome::Failed(error.clone())
                } else {
                    AttemptOutcome::Retrying(error.clone())
                }
            }
        };
        if let Some(id) = &delivery {
            self.store
                .record_notification_attempt(id, item.attempts, latency_ms, outcome)
                .await
                .map_err(|e| e.to_string())?;
        }
        result
    }
}

impl Notifier {
    /// The channel and the message of a queued notification, or why it is
    /// dropped: the channel was deleted, is disabled or no longer takes the
    /// topic, or the run is gone.
    async fn message(
        &self,
        org: &OrgId,
        payload: &Payload,
    ) -> Result<Result<(Channel, Message), &'static str>, String> {
        let channel = self
            .store
            .get_channel(org, &payload.channel_id)
            .await
            .map_err(|e| e.to_string())?;
        let Some(channel) = channel else {
            return Ok(Err("the channel was deleted"));
        };
        if payload.test {
            let message = Message::test(&channel.name);
            return Ok(Ok((channel, message)));
        }
        let (Some(run_id), Some(level), Some(topic)) =
            (&payload.run_id, payload.level, payload.topic)
        else {
            return Err("a run notification without its run, level or topic".to_owned());
        };
        if !channel.accepts(level, topic) {
            return Ok(Err("the channel is disabled or no longer takes it"));
        }
        let run = self
            .store
            .run_by_id(run_id)
            .await
            .map_err(|e| e.to_string())?
            .filter(|run| &run.org_id == org);
        let Some(run) = run else {
            return Ok(Err("the run is gone"));
        };
        let job_name = match self
            .store
            .get_job(org, &run.job_id)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(job) => job.name,
            None => run.job_id.as_str().to_owned(),
        };
        let summary = Summary::new(job_name, run, &self.config.jobs.public_url, level);
        Ok(Ok((channel, summary.message())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use grove_core::ids::{AgentId, ChatId, JobId, RunGroupId};
    use grove_core::jobs::Initiator;

    fn run(status: RunStatus, error: Option<&str>) -> Run {
        let start = Timestamp::from_second(1_700_000_000).unwrap();
        let mut parameters = serde_json::Map::new();
        parameters.insert("region".into(), json!("EU <west>"));
        parameters.insert("week".into(), json!(12));
        Run {
            id: RunId::generate(),
            org_id: OrgId::generate(),
            job_id: JobId::generate(),
            agent_id: AgentId::generate(),
            group_id: RunGroupId::generate(),
            chat_id: Some(ChatId::generate()),
            status,
            initiator: Initiator::Schedule,
            parameters,
            prompt: "How is region EU <west> doing in week 12?".into(),
            queue_item_id: None,
            attempts: 2,
            max_attempts: 3,
            error: error.map(str::to_owned),
            scheduled_for: None,
            created_at: start,
            started_at: Some(start),
            finished_at: Some(start + jiff::SignedDuration::from_secs(125)),
        }
    }

    #[test]
    fn configs_are_checked_per_kind_naming_the_field() {
        let ok = check_config(ChannelKind::Email, &json!({"to": ["a@b.example"]})).unwrap();
        assert!(matches!(ok, Target::Email(ref to) if to.len() == 1));
        let field = |kind, config: Value| check_config(kind, &config).unwrap_err().field;
        assert_eq!(field(ChannelKind::Email, json!({"to": []})), "config.to");
        assert_eq!(
            field(ChannelKind::Email, json!({"to": ["nope"]})),
            "config.to"
        );
        assert_eq!(
            field(ChannelKind::Email, json!({"to": "a@b.example"})),
            "config.to"
        );
        assert_eq!(field(ChannelKind::Email, json!({})), "config.to");
        assert_eq!(
            field(ChannelKind::Email, json!({"to": ["a@b.example"], "cc": []})),
            "config.cc"
        );
        assert_eq!(field(ChannelKind::Slack, json!([])), "config");
        for bad in [
            "ftp://x.example/h",
            "not a url",
            "https://u:p@x.example/h",
            "mailto:a@b.c",
        ] {
            assert_eq!(
                field(ChannelKind::Slack, json!({ "webhook_url": bad })),
                "config.webhook_url",
                "{bad}"
            );
        }
        assert_eq!(field(ChannelKind::Teams, json!({})), "config.webhook_url");
        assert_eq!(
            field(
                ChannelKind::Teams,
                json!({"webhook_url": "https://x.example/h", "to": []})
            ),
            "config.to"
        );
        let hook = check_config(
            ChannelKind::Teams,
            &json!({"webhook_url": "http://127.0.0.1:9/h"}),
        );
        assert!(matches!(hook, Ok(Target::Webhook(_))));
    }

    #[test]
    fn webhook_urls_are_masked() {
        let shown = masked_config(
            ChannelKind::Slack,
            &json!({"webhook_url": "https://hooks.slack.com/services/T0/B0/secret"}),
        );
        assert_eq!(shown["webhook_url"], "https://hooks.slack.com/********");
        assert_eq!(
            mask_url("http://127.0.0.1:8099/x?sig=1"),
            "http://127.0.0.1:8099/********"
        );
        let email = json!({"to": ["a@b.example"]});
        assert_eq!(masked_config(ChannelKind::Email, &email), email);
    }

    #[test]
    fn summaries_say_what_happened_with_a_link() {
        let summary = Summary::new(
            "Weekly <report>".into(),
            run(RunStatus::Failed, Some("model unavailable")),
            "http://grove.example/",
            NotifyLevel::Error,
        );
        let chat = summary.run.chat_id.clone().unwrap();
        let link = format!("http://grove.example/api/v1/chats/{chat}");
        assert_eq!(summary.link.as_deref(), Some(link.as_str()));
        assert_eq!(summary.subject(), "[Grove] Job \"Weekly <report>\" failed");
        let text = summary.text();
        for part in [
            "Status:",
            "failed",
            "Started by:",
            "schedule",
            "region = EU <west>, week = 12",
            "2 of 3",
            "2023-11-14 22:13:20 UTC",
            "2m 5s",
            "model unavailable",
            link.as_str(),
        ] {
            assert!(text.contains(part), "{part} missing from:\n{text}");
        }

        let slack = summary.slack();
        assert_eq!(slack["text"], "Job \"Weekly &lt;report&gt;\" failed");
        let blocks = slack["blocks"].as_array().unwrap();
        assert!(blocks.iter().all(|b| b["type"] == "section"));
        assert!(blocks[0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("Weekly &lt;report&gt;"));
        assert_eq!(
            blocks.last().unwrap()["text"]["text"],
            format!("<{link}|Open the chat>")
        );
        assert!(slack.to_string().contains("model unavailable"));

        let teams = summary.teams();
        assert_eq!(teams["type"], "message");
        let attachment = &teams["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let card = &attachment["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(card["version"], "1.4");
        assert_eq!(card["body"][0]["type"], "TextBlock");
        assert_eq!(card["body"][0]["color"], "Attention");
        assert_eq!(card["body"][1]["type"], "FactSet");
        assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
        assert_eq!(card["actions"][0]["url"], link);
    }

    #[test]
    fn durations_read_naturally() {
        let t = Timestamp::from_second(1_700_000_000).unwrap();
        let after = |ms: i64| t + jiff::SignedDuration::from_millis(ms);
        assert_eq!(duration_text(t, after(350)), "350 ms");
        assert_eq!(duration_text(t, after(4_000)), "4s");
        assert_eq!(duration_text(t, after(3_723_000)), "1h 2m 3s");
        let ok = Summary::new(
            "J".into(),
            run(RunStatus::Succeeded, None),
            "http://h",
            NotifyLevel::Info,
        );
        assert_eq!(ok.subject(), "[Grove] Job \"J\" succeeded");
        assert!(ok.error().is_none());
    }
}
