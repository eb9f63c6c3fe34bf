//! Outgoing webhooks. [`endpoint`] checks what users register (URL rules,
//! event names) and makes secrets; [`signature`] signs bodies;
//! [`dispatcher`] fans outbox events out into deliveries, each one a durable
//! queue item; [`deliverer`] makes the HTTP attempts and schedules retries,
//! taking [`turns`] at each endpoint.
//!
//! Events reach the outbox in the same transaction as what they report, so
//! delivery is at least once: a crash before an attempt is recorded repeats
//! it, and receivers de-duplicate with `X-Grove-Event-Id`.

pub mod deliverer;
pub mod dispatcher;
pub mod endpoint;
pub mod signature;
pub mod turns;

pub use deliverer::Deliverer;
