//! Organisations, their settings and users as stored.

use grove_core::ids::{OrgId, UserId};
use grove_core::model::{Org, OrgSettings, Role, User};

use super::{BadRow, StoredRow};

/// The columns [`user_from_row`] reads, in its order.
pub(crate) const USER_COLUMNS: &str = "id, org_id, email, name, role, created_at, updated_at";
/// The columns [`org_from_row`] reads, in its order.
pub(crate) const ORG_COLUMNS: &str = "id, name, created_at";
/// The columns [`settings_from_row`] reads, in its order.
pub(crate) const SETTINGS_COLUMNS: &str = "default_model, updated_at";

/// What a user-writing statement that breaks the email rule means.
pub(crate) const EMAIL_TAKEN: &str = "a user with this email already exists in the organisation";

/// Why a change would leave an organisation without an admin user.
pub(crate) const NO_ADMIN_LEFT: &str =
    "this would leave the organisation without an admin: promote another user to admin first \
     (on the server host, `grove users promote EMAIL` restores one)";

/// Why a change would leave an organisation without an admin key that acts.
pub(crate) const NO_ADMIN_KEY_LEFT: &str =
    "this would leave the organisation without a usable admin-scoped API key: create another \
     admin key first";

pub(crate) fn user_from_row(row: &impl StoredRow) -> Result<User, BadRow> {
    Ok(User {
        id: row.parsed(0, |s| UserId::parse(s).ok())?,
        org_id: row.parsed(1, |s| OrgId::parse(s).ok())?,
        email: row.col(2)?,
        name: row.col(3)?,
        role: row.parsed(4, Role::parse)?,
        created_at: row.time(5)?,
        updated_at: row.time(6)?,
    })
}

pub(crate) fn org_from_row(row: &impl StoredRow) -> Result<Org, BadRow> {
    Ok(Org {
        id: row.parsed(0, |s| OrgId::parse(s).ok())?,
        name: row.col(1)?,
        created_at: row.time(2)?,
    })
}

pub(crate) fn settings_from_row(row: &impl StoredRow) -> Result<OrgSettings, BadRow> {
    Ok(OrgSettings {
        default_model: row.col(0)?,
        updated_at: Some(row.time(1)?),
    })
}
