//! Scopes and fine permissions carried by API keys, and what a route requires.
//!
//! `admin` grants every scope; `read`, `write` and `execute` are independent,
//! so a key can be made for exactly one kind of work. Fine permissions (such as
//! `agent_jobs_trigger`) grant one action without a whole scope.

use serde::{Deserialize, Serialize};

use crate::model::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    Write,
    Execute,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Write, Scope::Execute, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Execute => "execute",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Fine permissions a key may carry besides its scopes.
pub const KNOWN_PERMISSIONS: &[&str] = &["agent_jobs_trigger"];

/// What a route asks of the calling key, and of its user's role when the
/// key was made for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub scope: Scope,
    /// A fine permission that also satisfies the scope.
    pub or_permission: Option<&'static str>,
    /// The least role that may use the route; by default the scope's
    /// ([`Role::for_scope`]).
    pub role: Option<Role>,
}

impl Requirement {
    pub const fn scope(scope: Scope) -> Self {
        Self {
            scope,
            or_permission: None,
            role: None,
        }
    }

    pub const fn scope_or(scope: Scope, permission: &'static str) -> Self {
        Self {
            scope,
            or_permission: Some(permission),
            role: None,
        }
    }

    /// The same requirement with another least role.
    pub const fn with_role(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }

    /// The least role that may use the route.
    pub fn least_role(&self) -> Role {
        self.role.unwrap_or(Role::for_scope(self.scope))
    }
}

impl Role {
    /// The least role whose work a scope is: reading and asking are
    /// everyone's (`readonly`), changing things is `configure`'s, and the
    /// admin scope is `admin`'s. Training routes (feedback, the review
    /// inbox) name `train` themselves.
    pub const fn for_scope(scope: Scope) -> Role {
        match scope {
            Scope::Read | Scope::Execute => Role::Readonly,
            Scope::Write => Role::Configure,
            Scope::Admin => Role::Admin,
        }
    }

    /// Whether this role includes everything `least` may do.
    pub fn includes(self, least: Role) -> bool {
        let rank = |r: Role| Role::ALL.iter().position(|x| *x == r);
        rank(self) >= rank(least)
    }
}

/// The scopes and permissions granted to one key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    pub scopes: Vec<Scope>,
    pub permissions: Vec<String>,
}

impl Grants {
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.scopes.contains(&Scope::Admin) || self.scopes.contains(&scope)
    }

    pub fn satisfies(&self, req: Requirement) -> bool {
        self.has_scope(req.scope)
            || req
                .or_permission
                .is_some_and(|p| self.permissions.iter().any(|have| have == p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_grants_everything_and_others_are_independent() {
        let admin = Grants {
            scopes: vec![Scope::Admin],
            permissions: vec![],
        };
        let read = Grants {
            scopes: vec![Scope::Read],
            permissions: vec![],
        };
        for s in Scope::ALL {
            assert!(admin.has_scope(s));
        }
        assert!(read.has_scope(Scope::Read));
        assert!(!read.has_scope(Scope::Write));
        assert!(!read.has_scope(Scope::Execute));
    }

    #[test]
    fn roles_follow_scopes_unless_a_route_names_one() {
        assert_eq!(Requirement::scope(Scope::Read).least_role(), Role::Readonly);
        assert_eq!(
            Requirement::scope(Scope::Execute).least_role(),
            Role::Readonly
        );
        assert_eq!(
            Requirement::scope(Scope::Write).least_role(),
            Role::Configure
        );
        assert_eq!(Requirement::scope(Scope::Admin).least_role(), Role::Admin);
        let train = Requirement::scope(Scope::Write).with_role(Role::Train);
        assert_eq!(train.least_role(), Role::Train);
        assert!(Role::Train.includes(Role::Readonly));
        assert!(Role::Train.includes(Role::Train));
        assert!(!Role::Train.includes(Role::Configure));
        assert!(Role::Admin.includes(Role::Configure));
    }

    #[test]
    fn a_permission_can_stand_in_for_a_scope() {
        let trigger = Grants {
            scopes: vec![],
            permissions: vec!["agent_jobs_trigger".into()],
        };
        assert!(trigger.satisfies(Requirement::scope_or(Scope::Execute, "agent_jobs_trigger")));
        assert!(!trigger.satisfies(Requirement::scope(Scope::Execute)));
    }
}
