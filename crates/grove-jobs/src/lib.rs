//! Agent jobs. So far: when a job is due ([`schedule`]). Triggers, runs,
//! fan-out, chats and notifications build on it.

pub mod schedule;
