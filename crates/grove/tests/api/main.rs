//! End-to-end API tests: real HTTP against a server on a random loopback port.

mod common;

mod admin_access;
mod agents;
mod analyst_jobs;
mod analyst_loop;
mod analytics;
mod cli;
mod concurrent_updates;
mod console;
mod conventions;
mod data_connectors;
mod data_sources;
mod documents;
mod evals;
mod files;
mod generation;
mod isolation;
mod jobs;
mod kb;
mod keys;
mod mcp;
mod notifications;
mod openai;
mod rate_limits;
mod resume;
mod review;
mod roles;
mod scopes;
mod search;
mod secrets;
mod typos;
mod webhooks;
