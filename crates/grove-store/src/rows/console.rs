//! The console's sessions and one-time links as stored: the joined user
//! columns, and when a session has expired or is due a touch.

use grove_core::model::{LinkPurpose, User};

use super::tenancy::{user_from_row, USER_COLUMNS};
use super::{BadRow, StoredRow};
use crate::console::SessionLimits;
use crate::millis;

/// A session's `last_seen_at` is written at most this often (ms), so
/// reading pages does not write on every request.
pub(crate) const TOUCH_EVERY_MS: i64 = 60_000;

/// The user columns of [`USER_COLUMNS`] from the users table aliased `u`.
pub(crate) fn users_columns() -> String {
    USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A session as read: its user, CSRF token, and creation and last-seen
/// times (ms), from `users_columns(), s.csrf_token, s.created_at,
/// s.last_seen_at`.
pub(crate) struct StoredSession {
    pub user: User,
    pub csrf_token: String,
    pub created: i64,
    pub last_seen: i64,
}

impl StoredSession {
    pub(crate) fn from_row(row: &impl StoredRow) -> Result<Self, BadRow> {
        Ok(Self {
            user: user_from_row(row)?,
            csrf_token: row.col(7)?,
            created: row.col(8)?,
            last_seen: row.col(9)?,
        })
    }

    /// Whether it has been idle or alive too long at `now` (ms).
    pub(crate) fn expired(&self, now: i64, limits: SessionLimits) -> bool {
        now.saturating_sub(self.last_seen) > millis(limits.idle)
            || now.saturating_sub(self.created) > millis(limits.lifetime)
    }

    /// Whether `last_seen_at` should be written at `now` (ms).
    pub(crate) fn due_a_touch(&self, now: i64) -> bool {
        now - self.last_seen > TOUCH_EVERY_MS
    }
}

/// A link's user and purpose, from `users_columns(), l.purpose`.
pub(crate) fn link_from_row(row: &impl StoredRow) -> Result<(User, LinkPurpose), BadRow> {
    Ok((user_from_row(row)?, row.parsed(7, LinkPurpose::parse)?))
}
