//! The route catalogue: every API route with its method, path, required scope,
//! documentation and handler. The router, the OpenAPI document and the
//! table-driven scope and isolation tests are all built from this one list.
//!
//! Three families share the handlers: `/api/v1` (snake_case), the legacy
//! `/api` aliases (camelCase, see [`crate::legacy`]) and the agent-job routes
//! under `/api/agents` (added with the jobs issue). A fourth, `/v1`, speaks
//! OpenAI's Chat Completions ([`openai`]).

pub mod agents;
pub mod analytics;
pub mod api_keys;
pub mod chat_exports;
pub mod chats;
pub mod data_connectors;
pub mod data_sources;
pub mod documents;
pub mod evals;
pub mod files;
pub mod interactions;
pub mod jobs;
pub mod kb;
pub mod notification_channels;
pub mod openai;
pub mod ops;
pub mod organization;
pub mod query;
pub mod review;
pub mod search;
pub mod sessions;
pub mod users;
pub mod webhooks;

use axum::http::Method;
use axum::routing::MethodRouter;
use grove_core::model::Role;
use grove_core::scope::{Requirement, Scope};

use crate::state::AppState;

/// Which family a route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V1,
    Legacy,
    Agents,
    /// The OpenAI-compatible face (`/v1`): OpenAI's shapes and error envelope.
    OpenAi,
}

/// A documented schema reference: the component name in OpenAPI.
pub type SchemaName = &'static str;

/// Documentation of one route, rendered into OpenAPI.
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    pub operation_id: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    pub request: Option<SchemaName>,
    /// Success status and body schema (`None` for an empty body).
    pub response: (u16, Option<SchemaName>),
    /// Whether the route takes `limit` / `offset`.
    pub paginated: bool,
    /// Whether the bodies are in camelCase outside the legacy family (whose
    /// bodies always are): documented with the legacy copies of the schemas.
    pub camel_case: bool,
    /// Fields of the request body this operation requires that its schema
    /// leaves optional (a create sharing its body type with the update);
    /// `a|b` requires one of the two. Documented on a copy of the schema.
    pub required: &'static [&'static str],
    /// The query parameters, when the route documents them
    /// (`<Params as IntoParams>::into_params`).
    pub query: Option<QueryParams>,
}

/// The query parameters of a route, from a `utoipa::IntoParams` type.
pub type QueryParams = fn() -> Vec<utoipa::openapi::path::Parameter>;

/// One API route.
pub struct Route {
    pub family: Family,
    pub method: Method,
    pub path: &'static str,
    pub requirement: Requirement,
    pub doc: RouteDoc,
    pub handler: MethodRouter<AppState>,
}

/// Every authenticated API route, in all families.
pub fn catalogue() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(users::routes());
    routes.extend(organization::routes());
    routes.extend(api_keys::routes());
    routes.extend(search::routes());
    routes.extend(data_sources::routes());
    routes.extend(data_connectors::routes());
    routes.extend(documents::routes());
    routes.extend(files::routes());
    routes.extend(agents::routes());
    routes.extend(query::routes());
    routes.extend(sessions::routes());
    routes.extend(interactions::routes());
    routes.extend(review::routes());
    routes.extend(kb::routes());
    routes.extend(jobs::routes());
    routes.extend(chats::routes());
    routes.extend(chat_exports::routes());
    routes.extend(notification_channels::routes());
    routes.extend(analytics::routes());
    routes.extend(webhooks::routes());
    routes.extend(evals::routes());
    routes.extend(openai::routes());
    routes
}

impl Route {
    /// The same route, open to users of `role` and above (instead of the
    /// role its scope implies).
    pub(crate) fn for_role(mut self, role: Role) -> Self {
        self.requirement = self.requirement.with_role(role);
        self
    }
}

/// A route's method, path and requirement, for tests and docs.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub family: Family,
    pub method: Method,
    pub path: &'static str,
    pub requirement: Requirement,
}

pub fn route_infos() -> Vec<RouteInfo> {
    catalogue()
        .into_iter()
        .map(|r| RouteInfo {
            family: r.family,
            method: r.method,
            path: r.path,
            requirement: r.requirement,
        })
        .collect()
}

/// A route of `family` guarded by `requirement`.
pub(crate) fn route_in(
    family: Family,
    method: Method,
    path: &'static str,
    requirement: Requirement,
    doc: RouteDoc,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        family,
        method,
        path,
        requirement,
        doc,
        handler,
    }
}

/// A `/api/v1` route that requires `scope`.
pub(crate) fn v1_route(
    method: Method,
    path: &'static str,
    scope: Scope,
    doc: RouteDoc,
    handler: MethodRouter<AppState>,
) -> Route {
    route_in(
        Family::V1,
        method,
        path,
        Requirement::scope(scope),
        doc,
        handler,
    )
}

/// Builds the same route in the v1 and legacy families.
pub(crate) fn both_families(
    method: Method,
    v1_path: &'static str,
    legacy_path: &'static str,
    scope: Scope,
    doc: RouteDoc,
    handler: fn() -> MethodRouter<AppState>,
) -> [Route; 2] {
    let route = |family, path| Route {
        family,
        method: method.clone(),
        path,
        requirement: Requirement::scope(scope),
        doc,
        handler: handler(),
    };
    [
        route(Family::V1, v1_path),
        route(Family::Legacy, legacy_path),
    ]
}
