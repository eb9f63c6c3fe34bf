//! Grove's shared vocabulary: typed ids, the one error-code table, scopes and
//! permissions, API-key material, pagination and the one configuration loader.
//! Nothing here does I/O except reading configuration.

pub mod apikey;
pub mod config;
pub mod error;
pub mod ids;
pub mod model;
pub mod page;
pub mod scope;
pub mod sources;
pub mod time;

pub use error::{ApiError, ErrorCode};
