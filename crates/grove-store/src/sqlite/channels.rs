//! Notification channels in SQLite. Topics and config are JSON text; a
//! channel's `job_channels` rows go with it (foreign-key cascade).

use async_trait::async_trait;
use grove_core::ids::{ChannelId, OrgId};
use grove_core::jobs::Channel;
use grove_core::page::Page;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{backend, delete_in_org, list_in_org, missing_in_org, now_ms, secrets, SqliteStore};
use crate::rows::channels::{channel_from_row, topics_json, CHANNEL_COLUMNS as COLUMNS};
use crate::secrets::Keyring;
use crate::{Change, ChannelStore, Listed, NewChannel, StoreError, StoreResult};

fn select(conn: &Connection, org: &OrgId, id: &ChannelId) -> StoreResult<Option<Channel>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM notification_channels WHERE org_id = ?1 AND id = ?2"),
        params![org.as_str(), id.as_str()],
        |r| Ok(channel_from_row(r)?),
    )
    .optional()
    .map_err(backend)
}

#[async_trait]
impl ChannelStore for SqliteStore {
    async fn create_channel(&self, org: &OrgId, new: NewChannel) -> StoreResult<Channel> {
        let (org, ring) = (org.clone(), self.keyring.clone());
        self.write(move |conn| {
            let id = ChannelId::generate();
            let config = secrets::seal_config(conn, &ring, &new.config)?;
            conn.execute(
                &format!(
                    "INSERT INTO notification_channels ({COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
                ),
                params![
                    id.as_str(),
                    org.as_str(),
                    new.name,
                    new.kind.as_str(),
                    config.to_string(),
                    new.min_level.as_str(),
                    topics_json(&new.topics),
                    new.enabled,
                    now_ms()
                ],
            )
            .map_err(backend)?;
            select(conn, &org, &id)?.ok_or_else(|| backend("channel vanished after insert"))
        })
        .await
    }

    async fn get_channel(&self, org: &OrgId, id: &ChannelId) -> StoreResult<Option<Channel>> {
        self.read(|conn| select(conn, org, id))
    }

    async fn list_channels(&self, org: &OrgId, page: Page) -> StoreResult<Listed<Channel>> {
        self.read(|conn| {
            list_in_org(
                conn,
                "notification_channels",
                COLUMNS,
                org,
                None,
                page,
                |r| channel_from_row(r),
            )
        })
    }

    async fn replace_channel(
        &self,
        org: &OrgId,
        id: &ChannelId,
        new: NewChannel,
    ) -> StoreResult<Option<Channel>> {
        let (org, id, ring) = (org.clone(), id.clone(), self.keyring.clone());
        self.write(move |conn| replace_in(conn, &ring, &org, &id, &new))
            .await
    }

    async fn change_channel(
        &self,
        org: &OrgId,
        id: &ChannelId,
        change: Change<NewChannel>,
    ) -> StoreResult<Option<Channel>> {
        let (org, id, ring) = (org.clone(), id.clone(), self.keyring.clone());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let Some(mut channel) = select(&tx, &org, &id)? else {
                return Ok(None);
            };
            channel.config = secrets::open_config(&tx, &ring, &channel.config)?;
            let new = change(channel.into()).map_err(StoreError::Refused)?;
            let channel = replace_in(&tx, &ring, &org, &id, &new)?;
            tx.commit().map_err(backend)?;
            Ok(channel)
        })
        .await
    }

    async fn delete_channel(&self, org: &OrgId, id: &ChannelId) -> StoreResult<bool> {
        delete_in_org(self, "notification_channels", org, id.as_str()).await
    }

    async fn missing_channels(
        &self,
        org: &OrgId,
        ids: &[ChannelId],
    ) -> StoreResult<Vec<ChannelId>> {
        self.read(|conn| missing_in_org(conn, "notification_channels", org, ids, ChannelId::as_str))
    }
}

/// Writes every field of channel `id`, its config sealed; `None` if absent.
fn replace_in(
    conn: &Connection,
    ring: &Keyring,
    org: &OrgId,
    id: &ChannelId,
    new: &NewChannel,
) -> StoreResult<Option<Channel>> {
    let config = secrets::seal_config(conn, ring, &new.config)?;
    let changed = conn
        .execute(
            "UPDATE notification_channels SET name = ?3, kind = ?4, config = ?5,
                 min_level = ?6, topics = ?7, enabled = ?8, updated_at = ?9
             WHERE org_id = ?1 AND id = ?2",
            params![
                org.as_str(),
                id.as_str(),
                new.name,
                new.kind.as_str(),
                config.to_string(),
                new.min_level.as_str(),
                topics_json(&new.topics),
                new.enabled,
                now_ms()
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Ok(None);
    }
    select(conn, org, id)
}
