//! Agent-job records: jobs (a prompt template with typed parameters, a
//! schedule, fan-out, timeout, retries and notification channels), their
//! runs, the chats runs leave (messages and documents), and notification
//! channels.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::agents::CitedSource;
use crate::ids::{
    AgentId, ChannelId, ChatId, DataConnectorId, DocumentOutputId, JobId, NotificationId, OrgId,
    QueueItemId, RunGroupId, RunId,
};

wire_enum!(
    /// The type of a job parameter; a value must match it.
    ParamType {
        String = "string",
        Integer = "integer",
        Number = "number",
        Boolean = "boolean",
        Date = "date",
    }
);

/// A parameter a job's prompt template declares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// Used when a trigger leaves the parameter out; without one the
    /// parameter is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub default: Option<Value>,
}

/// Values of a job's parameters, by name.
pub type ParamValues = Map<String, Value>;

/// What happens when a run fails or times out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts after the first one.
    pub max_retries: u32,
    /// Wait before each retry.
    pub delay_seconds: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 0,
            delay_seconds: 60,
        }
    }
}

wire_enum!(
    /// The mark of a chart.
    ChartType {
        Bar = "bar",
        Line = "line",
        Point = "point",
        Area = "area",
    }
);

/// Which chart a query's result gets: the mark and the columns on each
/// channel (checked against the result's columns when it runs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChartChoice {
    #[serde(rename = "type")]
    pub kind: ChartType,
    pub x: String,
    pub y: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// A query a job runs before (or instead of) its model, with the job's
/// `{{parameters}}` bound as SQL parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedQuery {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[schema(value_type = String, pattern = "^dc_[A-Za-z0-9]{1,64}$")]
    pub connector_id: DataConnectorId,
    #[schema(min_length = 1, max_length = 100000, pattern = "\\S")]
    pub sql: String,
    /// Without one, the chart is chosen from the result's shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<ChartChoice>,
}

/// A job: a named, repeatable question to an agent.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Job {
    pub id: JobId,
    pub org_id: OrgId,
    pub agent_id: AgentId,
    pub name: String,
    /// The question, with `{{name}}` placeholders for parameters.
    pub prompt: String,
    pub parameters: Vec<ParamSpec>,
    /// 5-field cron or a shortcut (`@daily`, `@first-weekday`, …).
    pub schedule: Option<String>,
    /// IANA time zone the schedule is read in.
    pub timezone: String,
    pub schedule_enabled: bool,
    /// Saved parameter sets: a trigger without parameters fans out over them.
    #[schema(value_type = Vec<Object>)]
    pub parameter_sets: Vec<ParamValues>,
    /// Runs of one fan-out that may run at the same time.
    pub fan_out_concurrency: u32,
    pub timeout_seconds: u32,
    pub retry: RetryPolicy,
    pub channel_ids: Vec<ChannelId>,
    /// When the schedule fires next (absent without an enabled schedule).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_run_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Queries run in order before the model; their tables, charts and
    /// report go in the run's chat.
    pub queries: Vec<SavedQuery>,
}

wire_enum!(
    /// Where a run ends up. `skipped` records a scheduled fire that did not
    /// run (missed beyond the grace window, or the job was still running).
    RunStatus {
        Queued = "queued",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        TimedOut = "timed_out",
        Cancelled = "cancelled",
        Skipped = "skipped",
    }
);

impl RunStatus {
    /// Whether the run is over.
    pub fn is_terminal(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

wire_enum!(
    /// What started a run.
    Initiator {
        Schedule = "schedule",
        Manual = "manual",
        Api = "api",
    }
);

/// One run of a job with one parameter set.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Run {
    pub id: RunId,
    pub org_id: OrgId,
    pub job_id: JobId,
    pub agent_id: AgentId,
    /// The runs started by the same trigger share it.
    pub group_id: RunGroupId,
    pub chat_id: Option<ChatId>,
    pub status: RunStatus,
    pub initiator: Initiator,
    #[schema(value_type = Object)]
    pub parameters: ParamValues,
    /// The question asked, as rendered when the run was triggered.
    pub prompt: String,
    /// The queue item that carries the run now (internal).
    #[serde(skip)]
    #[schema(ignore)]
    pub queue_item_id: Option<QueueItemId>,
    /// Attempts made so far.
    pub attempts: u32,
    pub max_attempts: u32,
    pub error: Option<String>,
    /// The schedule's due time, for scheduled runs.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub scheduled_for: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
}

wire_enum!(
    /// Who wrote a chat message: the question (`user`), the answer
    /// (`assistant`), or a step of a tool-using run (`tool`: the call, its
    /// arguments and a short result).
    MessageRole {
        User = "user",
        Assistant = "assistant",
        Tool = "tool",
    }
);

/// A message of a chat.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChatMessage {
    pub role: MessageRole,
    pub content: String,
    pub sources: Vec<CitedSource>,
    /// The model that wrote an answer or made a step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

wire_enum!(
    /// What a chat document holds: `table` (`{columns, rows}`), `chart`
    /// (`{spec, svg}`: a Vega-Lite spec and its server rendering) or `text`
    /// (`{text}`).
    DocumentKind {
        Table = "table",
        Chart = "chart",
        Text = "text",
        Report = "report",
    }
);

/// A document a chat produced.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChatDocument {
    pub id: DocumentOutputId,
    pub kind: DocumentKind,
    pub title: String,
    #[schema(value_type = Object)]
    pub content: Value,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// A chat: a run's record, or an ad-hoc conversation (no job).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Chat {
    pub id: ChatId,
    pub org_id: OrgId,
    pub agent_id: AgentId,
    pub job_id: Option<JobId>,
    pub run_id: Option<RunId>,
    pub title: String,
    /// What language models used for the chat's answers, summed over every
    /// step and component.
    pub usage: ModelUsage,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// Tokens used and their estimated cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModelUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
}

impl std::ops::AddAssign for ModelUsage {
    fn add_assign(&mut self, other: ModelUsage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cost_usd += other.cost_usd;
    }
}

impl ModelUsage {
    pub fn tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }
}

wire_enum!(
    /// How a notification channel delivers.
    ChannelKind {
        Email = "email",
        Slack = "slack",
        Teams = "teams",
    }
);

wire_enum!(
    /// How serious a notification is: a succeeded run is `info`, a
    /// cancelled one `warning`, a failed or timed-out one `error`.
    NotifyLevel {
        Info = "info",
        Warning = "warning",
        Error = "error",
    }
);

wire_enum!(
    /// What a notification is about.
    NotifyTopic {
        CompletedRun = "completed_run",
        FailedRun = "failed_run",
    }
);

/// Where job notifications go. `config` holds `{to: [..]}` for email and
/// `{webhook_url}` for Slack and Teams.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Channel {
    pub id: ChannelId,
    pub org_id: OrgId,
    pub name: String,
    pub kind: ChannelKind,
    #[schema(value_type = Object)]
    pub config: Value,
    /// The lowest level sent.
    pub min_level: NotifyLevel,
    pub topics: Vec<NotifyTopic>,
    pub enabled: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Channel {
    /// Whether a notification of `level` about `topic` goes to this channel.
    pub fn accepts(&self, level: NotifyLevel, topic: NotifyTopic) -> bool {
        self.enabled && level.at_least(self.min_level) && self.topics.contains(&topic)
    }
}

impl NotifyLevel {
    /// Whether this level is `min` or more serious.
    pub fn at_least(self, min: NotifyLevel) -> bool {
        let rank = |l: NotifyLevel| Self::ALL.iter().position(|x| *x == l);
        rank(self) >= rank(min)
    }
}

wire_enum!(
    /// Where a notification's delivery stands: `pending` while attempts
    /// remain, `delivered`, `failed` after its last attempt, or `dropped`
    /// when its channel, run or topic no longer wanted it.
    NotificationStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
        Dropped = "dropped",
    }
);

/// One attempt to deliver a notification.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NotificationAttempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// `delivered` or `failed`.
    pub status: NotificationStatus,
    pub latency_ms: u64,
    /// Why the attempt failed (SMTP or HTTP error, non-2xx answer).
    pub error: Option<String>,
}

/// One notification to one channel: a finished run (`job.run.succeeded`,
/// `job.run.failed`, …) or a test message (`test`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NotificationDelivery {
    pub id: NotificationId,
    pub channel_id: ChannelId,
    /// The run announced; `None` for a test message.
    #[schema(value_type = Option<String>)]
    pub run_id: Option<RunId>,
    pub event: String,
    pub status: NotificationStatus,
    pub attempts: Vec<NotificationAttempt>,
    /// When the next attempt is due, while pending.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<Timestamp>,
    /// Why it failed or was dropped, when no attempt says it.
    pub error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}
