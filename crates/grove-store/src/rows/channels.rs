//! Notification channels as stored: topics and config as JSON text, the
//! config's credential fields sealed.

use grove_core::ids::{ChannelId, OrgId};
use grove_core::jobs::{Channel, ChannelKind, NotifyLevel, NotifyTopic};

use super::{BadRow, StoredRow};

/// The columns [`channel_from_row`] reads, in its order.
pub(crate) const CHANNEL_COLUMNS: &str =
    "id, org_id, name, kind, config, min_level, topics, enabled, created_at, updated_at";

pub(crate) fn channel_from_row(row: &impl StoredRow) -> Result<Channel, BadRow> {
    let config: String = row.col(4)?;
    Ok(Channel {
        id: row.parsed(0, |s| ChannelId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        name: row.col(2)?,
        kind: row.parsed(3, ChannelKind::parse)?,
        config: serde_json::from_str(&config).unwrap_or_default(),
        min_level: row.parsed(5, NotifyLevel::parse)?,
        topics: row.json::<Vec<NotifyTopic>>(6)?,
        enabled: row.col(7)?,
        created_at: row.time(8)?,
        updated_at: row.time(9)?,
    })
}

/// Topics as the `topics` column keeps them.
pub(crate) fn topics_json(topics: &[NotifyTopic]) -> String {
    serde_json::to_string(topics).unwrap_or_else(|_| "[]".to_owned())
}

/// Whether a channel (its `min_level`, `topics` JSON and `enabled` as
/// stored) wants a notification of `level` about `topic`.
pub(crate) fn channel_wants(
    min_level: &str,
    topics: &str,
    enabled: bool,
    level: NotifyLevel,
    topic: NotifyTopic,
) -> bool {
    let min_level = NotifyLevel::parse(min_level).unwrap_or(NotifyLevel::Info);
    let topics: Vec<NotifyTopic> = serde_json::from_str(topics).unwrap_or_default();
    enabled && level.at_least(min_level) && topics.contains(&topic)
}
