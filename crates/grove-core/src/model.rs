//! Domain records shared by the store and the API: organisations, users and
//! API keys. Timestamps are `jiff::Timestamp`, which serialise as RFC 3339 UTC.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::apikey::KeyEnvironment;
use crate::ids::{KeyId, OrgId, UserId};
use crate::scope::Scope;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Org {
    pub id: OrgId,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

wire_enum!(
    /// What a one-time console link is for: the first admin's password
    /// (`setup`), an invited user's (`invite`), or a new one (`reset`).
    LinkPurpose {
        Setup = "setup",
        Invite = "invite",
        Reset = "reset",
    }
);

/// An organisation's settings.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OrgSettings {
    /// The model of agents that set none: `extractive` or
    /// `<provider>:<model>`.
    pub default_model: String,
    /// When an admin last changed them; `null` while they are the defaults.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<Timestamp>,
}

/// What a user may do, from least to most (see docs/API.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Readonly,
    Train,
    Configure,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Readonly, Role::Train, Role::Configure, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Readonly => "readonly",
            Role::Train => "train",
            Role::Configure => "configure",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// An API key's record. The secret itself is never stored or listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    pub id: KeyId,
    pub org_id: OrgId,
    pub name: String,
    /// The first characters of the key, enough to recognise it.
    pub prefix: String,
    pub environment: KeyEnvironment,
    pub scopes: Vec<Scope>,
    pub permissions: Vec<String>,
    /// The user the key acts for, when it was made for one.
    pub user_id: Option<UserId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

impl ApiKey {
    pub fn grants(&self) -> crate::scope::Grants {
        crate::scope::Grants {
            scopes: self.scopes.clone(),
            permissions: self.permissions.clone(),
        }
    }

    /// Whether the key can authenticate at `now`.
    pub fn is_usable_at(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|exp| now < exp)
    }
}
