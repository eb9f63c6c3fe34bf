//! Grove's shared vocabulary: typed ids, the one error-code table, scopes and
//! permissions, API-key material, pagination and the one configuration loader.
//! Nothing here does I/O except reading configuration.

/// A closed set of lowercase wire names with `as_str`, `parse` and `ALL`.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw)
            }

            /// The wire names, for error messages.
            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod agents;
pub mod apikey;
pub mod config;
pub mod connectors;
pub mod credentials;
pub mod error;
pub mod evals;
pub mod ids;
pub mod jobs;
pub mod model;
pub mod page;
pub mod scope;
pub mod sources;
pub mod suggest;
pub mod time;
pub mod webhooks;

pub use error::{ApiError, ErrorCode};
