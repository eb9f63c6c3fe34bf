//! Notification channels on PostgreSQL. Topics and config are JSON text,
//! the config's credentials sealed with the keyring; a channel's
//! `job_channels` rows go with it (foreign-key cascade). A change reads
//! the channel `FOR UPDATE`, so two replicas changing it at once apply
//! their changes one after the other.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use grove_core::ids::{ChannelId, OrgId};
use grove_core::jobs::Channel;
use grove_core::page::Page;

use super::secrets::{open_config, seal_config};
use super::{delete_in_org, list_in_org, mapped_opt, missing_in_org, now_ms, pg_error, PgStore};
use crate::rows::channels::{channel_from_row, topics_json, CHANNEL_COLUMNS as COLUMNS};
use crate::secrets::Keyring;
use crate::{Change, ChannelStore, Listed, NewChannel, StoreError, StoreResult};

/// Channel `id` of `org`; `lock` holds its row until the transaction ends.
async fn select(
    client: &impl GenericClient,
    org: &OrgId,
    id: &ChannelId,
    lock: bool,
) -> StoreResult<Option<Channel>> {
    let lock = if lock { "FOR UPDATE" } else { "" };
    let row = client
        .query_opt(
            &format!(
                "SELECT {COLUMNS} FROM notification_channels WHERE org_id = $1 AND id = $2 {lock}"
            ),
            &[&org.as_str(), &id.as_str()],
        )
        .await
        .map_err(pg_error)?;
    mapped_opt(row, channel_from_row)
}

/// Writes every field of channel `id`, its config sealed; `None` if absent.
async fn replace_in(
    client: &impl GenericClient,
    ring: &Keyring,
    org: &OrgId,
    id: &ChannelId,
    new: &NewChannel,
) -> StoreResult<Option<Channel>> {
    let config = seal_config(client, ring, &new.config).await?;
    let changed = client
        .execute(
            "UPDATE notification_channels SET name = $3, kind = $4, config = $5,
                 min_level = $6, topics = $7, enabled = $8, updated_at = $9
             WHERE org_id = $1 AND id = $2",
            &[
                &org.as_str(),
                &id.as_str(),
                &new.name,
                &new.kind.as_str(),
                &config.to_string(),
                &new.min_level.as_str(),
                &topics_json(&new.topics),
                &new.enabled,
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
    if changed == 0 {
        return Ok(None);
    }
    select(client, org, id, false).await
}

#[async_trait]
impl ChannelStore for PgStore {
    async fn create_channel(&self, org: &OrgId, new: NewChannel) -> StoreResult<Channel> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let id = ChannelId::generate();
        let config = seal_config(&tx, &self.keyring, &new.config).await?;
        tx.execute(
            &format!(
                "INSERT INTO notification_channels ({COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
            ),
            &[
                &id.as_str(),
                &org.as_str(),
                &new.name,
                &new.kind.as_str(),
                &config.to_string(),
                &new.min_level.as_str(),
                &topics_json(&new.topics),
                &new.enabled,
                &now_ms(),
            ],
        )
        .await
        .map_err(pg_error)?;
        let created = select(&tx, org, &id, false)
            .await?
            .ok_or_else(|| StoreError::Backend("channel vanished after insert".into()))?;
        tx.commit().await.map_err(pg_error)?;
        Ok(created)
    }

    async fn get_channel(&self, org: &OrgId, id: &ChannelId) -> StoreResult<Option<Channel>> {
        select(&self.client().await?, org, id, false).await
    }

    async fn list_channels(&self, org: &OrgId, page: Page) -> StoreResult<Listed<Channel>> {
        let client = self.client().await?;
        list_in_org(
            &client,
            "notification_channels",
            COLUMNS,
            org,
            None,
            page,
            channel_from_row,
        )
        .await
    }

    async fn replace_channel(
        &self,
        org: &OrgId,
        id: &ChannelId,
        new: NewChannel,
    ) -> StoreResult<Option<Channel>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let replaced = replace_in(&tx, &self.keyring, org, id, &new).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(replaced)
    }

    async fn change_channel(
        &self,
        org: &OrgId,
        id: &ChannelId,
        change: Change<NewChannel>,
    ) -> StoreResult<Option<Channel>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_error)?;
        let Some(mut channel) = select(&tx, org, id, true).await? else {
            return Ok(None);
        };
        channel.config = open_config(&tx, &self.keyring, &channel.config).await?;
        let new = change(channel.into()).map_err(StoreError::Refused)?;
        let changed = replace_in(&tx, &self.keyring, org, id, &new).await?;
        tx.commit().await.map_err(pg_error)?;
        Ok(changed)
    }

    async fn delete_channel(&self, org: &OrgId, id: &ChannelId) -> StoreResult<bool> {
        delete_in_org(self, "notification_channels", org, id.as_str()).await
    }

    async fn missing_channels(
        &self,
        org: &OrgId,
        ids: &[ChannelId],
    ) -> StoreResult<Vec<ChannelId>> {
        let client = self.client().await?;
        missing_in_org(
            &client,
            "notification_channels",
            org,
            ids,
            ChannelId::as_str,
        )
        .await
    }
}
