//! Typed, prefixed identifiers (`org_…`, `usr_…`, `key_…`, …). A wrong or
//! foreign id is caught when it is parsed at the edge, before any lookup.

use rand::distr::{Alphanumeric, SampleString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("expected an id starting with `{expected}`")]
    WrongPrefix { expected: &'static str },
    #[error("id body must be 1 to 64 ASCII letters or digits")]
    BadBody,
}

/// Length of the random part of a new id.
const RANDOM_LEN: usize = 20;

fn check(raw: &str, prefix: &'static str) -> Result<(), IdError> {
    let body = raw
        .strip_prefix(prefix)
        .ok_or(IdError::WrongPrefix { expected: prefix })?;
    if body.is_empty() || body.len() > 64 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(IdError::BadBody);
    }
    Ok(())
}

fn random_body() -> String {
    Alphanumeric
        .sample_string(&mut rand::rng(), RANDOM_LEN)
        .to_ascii_lowercase()
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A fresh random id.
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, random_body()))
            }

            /// Parses an id, checking its prefix and body.
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                check(raw, $prefix)?;
                Ok(Self(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(concat!("^", $prefix, "[A-Za-z0-9]{1,64}$")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

typed_id!(
    /// An organisation (tenant).
    OrgId,
    "org_"
);
typed_id!(
    /// A user of an organisation.
    UserId,
    "usr_"
);
typed_id!(
    /// An API key (the record, not the secret).
    KeyId,
    "key_"
);
typed_id!(
    /// A data source (website, files, Confluence, …).
    DataSourceId,
    "ds_"
);
typed_id!(
    /// A document of a data source.
    DocumentId,
    "doc_"
);
typed_id!(
    /// A chunk of a document, as indexed and cited.
    ChunkId,
    "chk_"
);
typed_id!(
    /// One sync of a data source.
    SyncId,
    "syn_"
);
typed_id!(
    /// An event in the outbox (webhook payload id).
    EventId,
    "evt_"
);
typed_id!(
    /// A knowledge-base article.
    KbArticleId,
    "kb_"
);
typed_id!(
    /// A data connector: a database an analyst agent may query.
    DataConnectorId,
    "dc_"
);
typed_id!(
    /// A query result kept server-side (what charts and reports refer to).
    ResultId,
    "res_"
);
typed_id!(
    /// A knowledge agent.
    AgentId,
    "agent_"
);
typed_id!(
    /// A conversation with an agent: its turns are interactions.
    SessionId,
    "sess_"
);
typed_id!(
    /// One question and answer, as recorded.
    InteractionId,
    "int_"
);
typed_id!(
    /// An agent job: a named, repeatable prompt for an agent.
    JobId,
    "job_"
);
typed_id!(
    /// One run of a job (one parameter set of a trigger).
    RunId,
    "run_"
);
typed_id!(
    /// The runs one trigger started (several for a fan-out).
    RunGroupId,
    "grp_"
);
typed_id!(
    /// A chat: the messages and documents of a run, or an ad-hoc chat.
    ChatId,
    "chat_"
);
typed_id!(
    /// A document a chat produced (table, chart or text).
    DocumentOutputId,
    "out_"
);
typed_id!(
    /// A notification channel (email, Slack, Teams).
    ChannelId,
    "nch_"
);
typed_id!(
    /// One notification's delivery to one channel (its attempts).
    NotificationId,
    "ntf_"
);
typed_id!(
    /// An outgoing webhook endpoint.
    WebhookId,
    "wh_"
);
typed_id!(
    /// One event's delivery to one webhook endpoint (its attempts).
    DeliveryId,
    "whd_"
);
typed_id!(
    /// An eval set: questions with expected answers and sources.
    EvalSetId,
    "evs_"
);
typed_id!(
    /// One run of an eval set against an agent.
    EvalRunId,
    "eval_"
);
typed_id!(
    /// An item of the durable work queue.
    QueueItemId,
    "qi_"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back() {
        let id = OrgId::generate();
        assert!(id.as_str().starts_with("org_"));
        assert_eq!(OrgId::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn wrong_prefix_and_bad_body_are_refused() {
        assert_eq!(
            UserId::parse("org_abc"),
            Err(IdError::WrongPrefix { expected: "usr_" })
        );
        assert_eq!(UserId::parse("usr_"), Err(IdError::BadBody));
        assert_eq!(UserId::parse("usr_a b"), Err(IdError::BadBody));
    }

    #[test]
    fn deserialising_checks_the_prefix() {
        let err = serde_json::from_str::<KeyId>("\"usr_abc\"").unwrap_err();
        assert!(err.to_string().contains("key_"));
    }
}
