//! `/channels` and `/channels/{id}`: where job notifications go (email,
//! Slack, Teams) — add a channel, change what it receives, send a test
//! message and see what the other side answered, read its deliveries with
//! every attempt, and delete it. Every change goes through the API's own
//! functions (`routes::notification_channels`), so a value the API
//! refuses is refused here with its reason, and a webhook URL is shown
//! masked and kept when sent back masked, as in the API.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use grove_core::ids::ChannelId;
use grove_core::jobs::{Channel, ChannelKind, NotificationDelivery, NotifyLevel, NotifyTopic};
use grove_core::scope::{Requirement, Scope};
use grove_server::routes::notification_channels::{
    create_channel, delete_channel, find_channel, send_test_message, shown, update_channel,
    ChannelBody, TestMessage,
};
use grove_server::state::AppState;
use serde_json::{json, Value};

use super::{
    choices, page_at, render_form, see_other, submit, Choice, CsrfForm, Fields, Layout,
    OffsetParam, PageError, Pager, Time,
};
use crate::session::Viewer;

const READ: Requirement = Requirement::scope(Scope::Read);
/// Adding, changing, testing and deleting channels: the API's write scope.
const WRITE: Requirement = Requirement::scope(Scope::Write);

/// A channel's settings as the form holds them (text, as typed).
#[derive(Debug)]
pub struct ChannelForm {
    pub name: String,
    pub kind: String,
    /// Email addresses, separated by commas (email).
    pub to: String,
    /// The incoming-webhook URL (Slack, Teams); masked when shown.
    pub webhook_url: String,
    pub min_level: String,
    pub topics: Vec<String>,
    pub enabled: bool,
}

impl Default for ChannelForm {
    fn default() -> Self {
        ChannelForm {
            name: String::new(),
            kind: ChannelKind::Email.as_str().to_owned(),
            to: String::new(),
            webhook_url: String::new(),
            min_level: NotifyLevel::Info.as_str().to_owned(),
            topics: NotifyTopic::ALL
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            enabled: true,
        }
    }
}

impl ChannelForm {
    fn of(channel: &Channel) -> Self {
        let text = |key: &str| channel.config.get(key).and_then(Value::as_str);
        let to = channel
            .config
            .get("to")
            .and_then(Value::as_array)
            .map(|to| {
                to.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            });
        ChannelForm {
            name: channel.name.clone(),
            kind: channel.kind.as_str().to_owned(),
            to: to.unwrap_or_default(),
            webhook_url: text("webhook_url").unwrap_or_default().to_owned(),
            min_level: channel.min_level.as_str().to_owned(),
            topics: channel
                .topics
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            enabled: channel.enabled,
        }
    }

    fn read(fields: &Fields) -> Self {
        ChannelForm {
            name: fields.one("name"),
            kind: fields.one("kind"),
            to: fields.one("to"),
            webhook_url: fields.one("webhook_url"),
            min_level: fields.one("min_level"),
            topics: fields.all("topics"),
            enabled: fields.has("enabled"),
        }
    }

    /// The API body of these settings, or the field that is not one of
    /// its values.
    fn as_body(&self) -> Result<ChannelBody, String> {
        let kind = ChannelKind::parse(&self.kind)
            .ok_or_else(|| format!("kind: must be one of {}", ChannelKind::names()))?;
        let min_level = NotifyLevel::parse(&self.min_level)
            .ok_or_else(|| format!("min_level: must be one of {}", NotifyLevel::names()))?;
        let topics = self
            .topics
            .iter()
            .map(|t| {
                NotifyTopic::parse(t)
                    .ok_or_else(|| format!("topics: must be among {}", NotifyTopic::names()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let config = match kind {
            ChannelKind::Email => {
                let to: Vec<&str> = self
                    .to
                    .split([',', ' ', '\n', ';'])
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .collect();
                json!({ "to": to })
            }
            ChannelKind::Slack | ChannelKind::Teams => json!({ "webhook_url": self.webhook_url }),
        };
        Ok(ChannelBody {
            name: Some(self.name.clone()),
            kind: Some(kind),
            config: Some(config),
            min_level: Some(min_level),
            topics: Some(topics),
            enabled: Some(self.enabled),
        })
    }
}

pub struct ChannelRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    /// Where it sends: the addresses, or the webhook's scheme and host.
    pub target: String,
    pub enabled: bool,
}

fn channel_row(channel: &Channel) -> ChannelRow {
    let form = ChannelForm::of(channel);
    ChannelRow {
        id: channel.id.to_string(),
        name: channel.name.clone(),
        kind: channel.kind.as_str(),
        target: if form.to.is_empty() {
            form.webhook_url
        } else {
            form.to
        },
        enabled: channel.enabled,
    }
}

/// The form's lists: kinds, levels and topics with the form's choices.
pub struct FormChoices {
    pub kinds: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub topics: Vec<Choice>,
}

fn form_choices(form: &ChannelForm) -> FormChoices {
    FormChoices {
        kinds: choices(
            &form.kind,
            ChannelKind::ALL.iter().map(|k| (k.as_str(), k.as_str())),
        ),
        levels: choices(
            &form.min_level,
            NotifyLevel::ALL.iter().map(|l| (l.as_str(), l.as_str())),
        ),
        topics: NotifyTopic::ALL
            .iter()
            .map(|t| Choice {
                value: t.as_str().to_owned(),
                label: t.as_str().replace('_', " "),
                selected: form.topics.iter().any(|chosen| chosen == t.as_str()),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "channels.html")]
struct ListPage {
    layout: Layout,
    action: String,
    submit: &'static str,
    rows: Vec<ChannelRow>,
    pager: Pager,
    form: ChannelForm,
    choices: FormChoices,
    can_write: bool,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    offset: u64,
    form: ChannelForm,
    error: Option<String>,
) -> Result<Response, PageError> {
    let listed = state
        .store
        .list_channels(&viewer.user.org_id, page_at(offset))
        .await?;
    let mut rows = Vec::with_capacity(listed.items.len());
    for channel in listed.items {
        rows.push(channel_row(&shown(state, channel).await?));
    }
    let pager = Pager::new(offset, rows.len(), listed.total, |offset| {
        format!("/channels?offset={offset}")
    });
    let refused = error.is_some();
    let page = ListPage {
        layout: Layout::signed_in("Notification channels", viewer, "/channels"),
        action: "/channels".into(),
        submit: "Add the channel",
        rows,
        pager,
        choices: form_choices(&form),
        form,
        can_write: viewer.can(WRITE),
        error,
    };
    Ok(render_form(&page, refused))
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    list_page(&state, &viewer, params.offset, ChannelForm::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let form = ChannelForm::read(&fields);
    let created = submit(form.as_body(), |body| {
        create_channel(&state, &viewer.user.org_id, body)
    })
    .await;
    match created {
        Ok(channel) => Ok(see_other(&format!("/channels/{}", channel.id))),
        Err(error) => list_page(&state, &viewer, 0, form, Some(error)).await,
    }
}

pub struct AttemptRow {
    pub number: u32,
    pub at: Time,
    pub status: &'static str,
    pub latency_ms: u64,
    pub error: String,
}

pub struct DeliveryRow {
    pub event: String,
    pub status: &'static str,
    pub created_at: Time,
    pub error: String,
    pub attempts: Vec<AttemptRow>,
}

fn delivery_row(d: &NotificationDelivery) -> DeliveryRow {
    DeliveryRow {
        event: d.event.clone(),
        status: d.status.as_str(),
        created_at: Time::from(d.created_at),
        error: d.error.clone().unwrap_or_default(),
        attempts: d
            .attempts
            .iter()
            .map(|a| AttemptRow {
                number: a.attempt,
                at: Time::from(a.at),
                status: a.status.as_str(),
                latency_ms: a.latency_ms,
                error: a.error.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "channel.html")]
struct ChannelPage {
    layout: Layout,
    action: String,
    submit: &'static str,
    id: String,
    heading: String,
    form: ChannelForm,
    choices: FormChoices,
    can_write: bool,
    error: Option<String>,
    notice: Option<String>,
    deliveries: Vec<DeliveryRow>,
    pager: Pager,
}

/// What the channel page says on top.
#[derive(Default)]
struct Said {
    error: Option<String>,
    notice: Option<String>,
}

async fn channel_page(
    state: &AppState,
    viewer: &Viewer,
    channel: &Channel,
    form: ChannelForm,
    offset: u64,
    said: Said,
) -> Result<Response, PageError> {
    let listed = state
        .store
        .notification_deliveries(&viewer.user.org_id, &channel.id, page_at(offset))
        .await?;
    let deliveries: Vec<DeliveryRow> = listed.items.iter().map(delivery_row).collect();
    let id = channel.id.to_string();
    let pager = Pager::new(offset, deliveries.len(), listed.total, |offset| {
        format!("/channels/{id}?offset={offset}")
    });
    let refused = said.error.is_some();
    let page = ChannelPage {
        layout: Layout::signed_in(channel.name.clone(), viewer, "/channels"),
        action: format!("/channels/{id}"),
        submit: "Save",
        id,
        heading: channel.name.clone(),
        choices: form_choices(&form),
        form,
        can_write: viewer.can(WRITE),
        error: said.error,
        notice: said.notice,
        deliveries,
        pager,
    };
    Ok(render_form(&page, refused))
}

async fn find(state: &AppState, viewer: &Viewer, id: &str) -> Result<Channel, PageError> {
    let missing = || PageError::NotFound(format!("There is no notification channel {id}."));
    let channel_id = ChannelId::parse(id).map_err(|_| missing())?;
    Ok(find_channel(state, &viewer.user.org_id, &channel_id).await?)
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<OffsetParam>,
) -> Result<Response, PageError> {
    viewer.require(READ)?;
    let channel = find(&state, &viewer, &id).await?;
    let form = ChannelForm::of(&channel);
    channel_page(
        &state,
        &viewer,
        &channel,
        form,
        params.offset,
        Said::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&fields.one("csrf"))?;
    let channel = find(&state, &viewer, &id).await?;
    let form = ChannelForm::read(&fields);
    let updated = submit(form.as_body(), |body| {
        update_channel(&state, &viewer.user.org_id, &channel.id, body)
    })
    .await;
    let (channel, form, said) = match updated {
        Ok(saved) => {
            let form = ChannelForm::of(&saved);
            let said = Said {
                notice: Some("Saved.".into()),
                error: None,
            };
            (saved, form, said)
        }
        Err(error) => {
            let said = Said {
                error: Some(error),
                notice: None,
            };
            (channel, form, said)
        }
    };
    channel_page(&state, &viewer, &channel, form, 0, said).await
}

/// `POST /channels/{id}/test`: a test message, and what the other side
/// answered (or that it is still on its way).
pub async fn test(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let channel = find(&state, &viewer, &id).await?;
    let notice = match send_test_message(&state, &viewer.user.org_id, &channel.id).await? {
        TestMessage::Attempted(d) => match d.attempts.last() {
            Some(a) if a.error.is_none() => {
                format!("The test message was delivered in {} ms.", a.latency_ms)
            }
            Some(a) => format!(
                "The test message failed: {}.",
                a.error.as_deref().unwrap_or("no reason given")
            ),
            None => format!(
                "The test message was not sent: {}.",
                d.error.as_deref().unwrap_or("no reason given")
            ),
        },
        TestMessage::Pending(_) => {
            "The test message is still on its way; its delivery below updates when it lands.".into()
        }
    };
    let said = Said {
        notice: Some(notice),
        error: None,
    };
    let form = ChannelForm::of(&channel);
    channel_page(&state, &viewer, &channel, form, 0, said).await
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.require(WRITE)?;
    viewer.check_csrf(&form.csrf)?;
    let channel = find(&state, &viewer, &id).await?;
    delete_channel(&state, &viewer.user.org_id, &channel.id).await?;
    Ok(see_other("/channels"))
}
