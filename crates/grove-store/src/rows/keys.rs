//! API keys as stored: hashes, prefixes and grants, never secrets.

use grove_core::apikey::KeyEnvironment;
use grove_core::ids::{KeyId, OrgId, UserId};
use grove_core::model::ApiKey;

use super::{BadRow, StoredRow};

/// The columns [`key_from_row`] reads, in its order.
pub(crate) const KEY_COLUMNS: &str =
    "id, org_id, user_id, name, prefix, environment, scopes, permissions,
                           created_at, expires_at, revoked_at";

pub(crate) fn key_from_row(row: &impl StoredRow) -> Result<ApiKey, BadRow> {
    Ok(ApiKey {
        id: row.parsed(0, |s| KeyId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        user_id: row.parsed_opt(2, |s| UserId::parse(s).ok())?,
        name: row.col(3)?,
        prefix: row.col(4)?,
        environment: row.parsed(5, KeyEnvironment::parse)?,
        scopes: row.json(6)?,
        permissions: row.json(7)?,
        created_at: row.time(8)?,
        expires_at: row.time_opt(9)?,
        revoked_at: row.time_opt(10)?,
    })
}
