//! Scopes and fine permissions carried by API keys, and what a route requires.
//!
//! `admin` grants every scope; `read`, `write` and `execute` are independent,
//! so a key can be made for exactly one kind of work. Fine permissions (such as
//! `agent_jobs_trigger`) grant one action without a whole scope.

use serde::{Deserialize, Serialize};

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

/// What a route asks of the calling key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub scope: Scope,
    /// A fine permission that also satisfies the requirement.
    pub or_permission: Option<&'static str>,
}

impl Requirement {
    pub const fn scope(scope: Scope) -> Self {
        Self {
            scope,
            or_permission: None,
        }
    }

    pub const fn scope_or(scope: Scope, permission: &'static str) -> Self {
        Self {
            scope,
            or_permission: Some(permission),
        }
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
    fn a_permission_can_stand_in_for_a_scope() {
        let trigger = Grants {
            scopes: vec![],
            permissions: vec!["agent_jobs_trigger".into()],
        };
        assert!(trigger.satisfies(Requirement::scope_or(Scope::Execute, "agent_jobs_trigger")));
        assert!(!trigger.satisfies(Requirement::scope(Scope::Execute)));
    }
}
