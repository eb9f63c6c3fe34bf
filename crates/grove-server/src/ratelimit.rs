//! Per-caller, per-scope rate limits with GCRA (the `governor` crate). Each
//! scope has its own keyed limiter, so a burst of reads never eats into
//! writes. A caller is an API key, or a user signed in to the console: the
//! console's pages spend from the same quotas as the API routes that do
//! the same work.

use std::num::NonZeroU32;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use governor::clock::Clock;
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use grove_core::config::{RateLimits, RateQuota};
use grove_core::ids::{KeyId, UserId};
use grove_core::scope::Scope;

/// Whose quota a request spends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RateKey {
    /// An API key.
    Key(KeyId),
    /// A user of the console.
    User(UserId),
}

type KeyedLimiter = RateLimiter<
    RateKey,
    DefaultKeyedStateStore<RateKey>,
    governor::clock::DefaultClock,
    StateInformationMiddleware,
>;

struct ScopeLimiter {
    quota: RateQuota,
    limiter: KeyedLimiter,
}

/// What the `X-RateLimit-*` headers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateStatus {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds at which the bucket is full again.
    pub reset: u64,
    /// Set when the request was refused: seconds until one can pass.
    pub retry_after: Option<u64>,
}

pub struct Limiters {
    read: ScopeLimiter,
    write: ScopeLimiter,
    execute: ScopeLimiter,
    admin: ScopeLimiter,
}

fn limiter(quota: RateQuota) -> ScopeLimiter {
    let per_minute = NonZeroU32::new(quota.per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(quota.burst).unwrap_or(NonZeroU32::MIN);
    let q = Quota::per_minute(per_minute).allow_burst(burst);
    ScopeLimiter {
        quota,
        limiter: RateLimiter::keyed(q).with_middleware::<StateInformationMiddleware>(),
    }
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

impl Limiters {
    pub fn new(config: &RateLimits) -> Self {
        Self {
            read: limiter(config.read),
            write: limiter(config.write),
            execute: limiter(config.execute),
            admin: limiter(config.admin),
        }
    }

    fn for_scope(&self, scope: Scope) -> &ScopeLimiter {
        match scope {
            Scope::Read => &self.read,
            Scope::Write => &self.write,
            Scope::Execute => &self.execute,
            Scope::Admin => &self.admin,
        }
    }

    /// Takes one request from `key`'s bucket for `scope`.
    pub fn check(&self, scope: Scope, key: &RateKey) -> RateStatus {
        let ScopeLimiter { quota, limiter } = self.for_scope(scope);
        let per_request = Duration::from_secs(60) / quota.per_minute.max(1);
        match limiter.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let refill = per_request * quota.burst.saturating_sub(remaining);
                RateStatus {
                    limit: quota.per_minute,
                    remaining,
                    reset: (unix_now() + refill).as_secs_f64().ceil() as u64,
                    retry_after: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(limiter.clock().now());
                let refill = per_request * quota.burst;
                RateStatus {
                    limit: quota.per_minute,
                    remaining: 0,
                    reset: (unix_now() + refill).as_secs_f64().ceil() as u64,
                    retry_after: Some(wait.as_secs_f64().ceil().max(1.0) as u64),
                }
            }
        }
    }

    /// Drops state of keys that have been idle long enough to be full again.
    pub fn forget_idle(&self) {
        for scope in Scope::ALL {
            self.for_scope(scope).limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refusal_with_retry_after() {
        let limits = RateLimits {
            write: RateQuota {
                per_minute: 10,
                burst: 3,
            },
            ..RateLimits::default()
        };
        let limiters = Limiters::new(&limits);
        let key = RateKey::Key(KeyId::generate());
        let remaining: Vec<u32> = (0..3)
            .map(|_| limiters.check(Scope::Write, &key).remaining)
            .collect();
        assert_eq!(remaining, vec![2, 1, 0]);
        let refused = limiters.check(Scope::Write, &key);
        assert_eq!(refused.remaining, 0);
        assert!(matches!(refused.retry_after, Some(s) if (1..=6).contains(&s)));
        // Other scopes and other keys are untouched.
        assert!(limiters.check(Scope::Read, &key).retry_after.is_none());
        assert!(limiters
            .check(Scope::Write, &RateKey::Key(KeyId::generate()))
            .retry_after
            .is_none());
    }
}
