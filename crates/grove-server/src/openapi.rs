//! The OpenAPI 3 document, generated from the route catalogue and the
//! request/response types' `ToSchema` derives, served at `/openapi.json`.

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ComponentsBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr, Required,
    ResponseBuilder, Schema,
};
use utoipa::ToSchema;

use crate::routes::{self, Family, Route};

type Schemas = Vec<(String, RefOr<Schema>)>;

/// Adds `T` and every schema it refers to.
fn collect<T: ToSchema>(out: &mut Schemas) {
    out.push((T::name().into_owned(), T::schema()));
    T::schemas(out);
}

fn component_schemas() -> Schemas {
    let mut out = Schemas::new();
    collect::<grove_core::model::User>(&mut out);
    collect::<routes::users::UserList>(&mut out);
    collect::<routes::users::CreateUser>(&mut out);
    collect::<routes::users::UpdateUser>(&mut out);
    collect::<grove_core::model::ApiKey>(&mut out);
    collect::<routes::api_keys::ApiKeyList>(&mut out);
    collect::<routes::api_keys::CreateApiKey>(&mut out);
    collect::<routes::api_keys::CreatedApiKey>(&mut out);
    collect::<routes::search::SemanticSearch>(&mut out);
    collect::<routes::search::SemanticSearchResults>(&mut out);
    collect::<grove_core::sources::DataSource>(&mut out);
    collect::<routes::data_sources::DataSourceList>(&mut out);
    collect::<routes::data_sources::CreateDataSource>(&mut out);
    collect::<routes::data_sources::CreateDataSpec>(&mut out);
    collect::<routes::data_sources::UpdateDataSource>(&mut out);
    collect::<routes::data_sources::SyncQueued>(&mut out);
    collect::<routes::data_sources::SyncStatusView>(&mut out);
    collect::<routes::documents::DocumentList>(&mut out);
    collect::<routes::documents::DocumentDetailView>(&mut out);
    collect::<routes::documents::ChunkView>(&mut out);
    collect::<routes::files::UploadFiles>(&mut out);
    collect::<routes::files::UploadReport>(&mut out);
    collect::<routes::files::FileList>(&mut out);
    collect::<grove_core::agents::Agent>(&mut out);
    collect::<routes::agents::AgentList>(&mut out);
    collect::<routes::agents::AgentBody>(&mut out);
    collect::<routes::agents::AiAgentManager>(&mut out);
    collect::<routes::agents::AiAgentManagerList>(&mut out);
    collect::<routes::agents::AiAgentManagerBody>(&mut out);
    collect::<routes::query::QueryRequest>(&mut out);
    collect::<routes::query::QueryResponse>(&mut out);
    collect::<routes::query::ChatRequest>(&mut out);
    collect::<routes::query::ChatResponse>(&mut out);
    collect::<routes::openai::ModelList>(&mut out);
    collect::<routes::openai::ModelView>(&mut out);
    collect::<routes::openai::ChatCompletionRequest>(&mut out);
    collect::<routes::openai::ChatCompletion>(&mut out);
    collect::<routes::openai::ChatCompletionChunk>(&mut out);
    out.push((
        "QueryStreamFrame".into(),
        stream_frame_schema("CitedSource", "QueryMetadata").into(),
    ));
    out.push((
        "ChatStreamFrame".into(),
        stream_frame_schema("ChatSource", "ChatMetadata").into(),
    ));
    collect::<routes::sessions::SessionView>(&mut out);
    collect::<grove_core::agents::Interaction>(&mut out);
    collect::<routes::interactions::InteractionList>(&mut out);
    collect::<routes::interactions::FeedbackRequest>(&mut out);
    collect::<routes::interactions::LegacyFeedbackRequest>(&mut out);
    collect::<routes::review::ReviewBody>(&mut out);
    collect::<routes::review::ArticleFromReviewBody>(&mut out);
    collect::<grove_core::sources::KbArticle>(&mut out);
    collect::<grove_core::sources::KbArticleVersion>(&mut out);
    collect::<routes::kb::ArticleBody>(&mut out);
    collect::<routes::kb::KbArticleList>(&mut out);
    collect::<routes::kb::KbVersionList>(&mut out);
    collect::<routes::analytics::Analytics>(&mut out);
    collect::<grove_core::jobs::Job>(&mut out);
    collect::<grove_core::jobs::Run>(&mut out);
    collect::<routes::jobs::JobBody>(&mut out);
    collect::<routes::jobs::JobList>(&mut out);
    collect::<routes::jobs::RunList>(&mut out);
    collect::<routes::jobs::RunRequest>(&mut out);
    collect::<routes::jobs::Started>(&mut out);
    collect::<routes::chats::ChatView>(&mut out);
    collect::<routes::chats::ChatList>(&mut out);
    collect::<routes::chats::NewChatBody>(&mut out);
    collect::<routes::chats::Triggered>(&mut out);
    collect::<grove_core::model::OrgSettings>(&mut out);
    collect::<routes::organization::OrgSettingsBody>(&mut out);
    collect::<grove_core::agents::Components>(&mut out);
    collect::<grove_core::agents::Component>(&mut out);
    collect::<grove_core::jobs::ModelUsage>(&mut out);
    collect::<grove_core::connectors::DataConnector>(&mut out);
    collect::<routes::data_connectors::ConnectorBody>(&mut out);
    collect::<routes::data_connectors::DataConnectorList>(&mut out);
    collect::<routes::data_connectors::QueryBody>(&mut out);
    collect::<routes::data_connectors::QueryAnswer>(&mut out);
    collect::<grove_sql::TestReport>(&mut out);
    collect::<grove_sql::DatabaseSchema>(&mut out);
    collect::<grove_core::jobs::Channel>(&mut out);
    collect::<routes::notification_channels::ChannelList>(&mut out);
    collect::<routes::notification_channels::ChannelBody>(&mut out);
    collect::<grove_core::jobs::NotificationDelivery>(&mut out);
    collect::<routes::notification_channels::NotificationDeliveryList>(&mut out);
    collect::<grove_core::webhooks::Webhook>(&mut out);
    collect::<grove_core::webhooks::Delivery>(&mut out);
    collect::<routes::webhooks::WebhookBody>(&mut out);
    collect::<routes::webhooks::LegacyWebhookBody>(&mut out);
    collect::<routes::webhooks::WebhookWithSecret>(&mut out);
    collect::<routes::webhooks::WebhookList>(&mut out);
    collect::<routes::webhooks::DeliveryList>(&mut out);
    collect::<grove_core::evals::EvalSet>(&mut out);
    collect::<grove_core::evals::EvalRun>(&mut out);
    collect::<routes::evals::EvalSetBody>(&mut out);
    collect::<routes::evals::EvalSetList>(&mut out);
    collect::<routes::evals::EvalRunRequest>(&mut out);
    collect::<routes::evals::EvalRunList>(&mut out);
    collect::<routes::evals::EvalRunDetail>(&mut out);
    collect::<routes::evals::EvalComparison>(&mut out);
    out.push(("ErrorEnvelope".into(), error_envelope().into()));
    out.push(("OpenAiErrorEnvelope".into(), openai_error_envelope().into()));
    out
}

/// A frame of a query's event stream: `{delta, done: false}` as text is
/// generated, then `{delta: "", done: true}` with the answer's `sources`
/// and `metadata` (or its `error`), of the given schemas (`/api/v1/query`'s,
/// or the seed's `/api/chat`'s). The frames are built as JSON in
/// `routes::query`; this is their documentation.
fn stream_frame_schema(source: &str, metadata: &str) -> Schema {
    let array_of = |name: &str| {
        utoipa::openapi::schema::ArrayBuilder::new().items(Ref::from_schema_name(name))
    };
    ObjectBuilder::new()
        .property(
            "delta",
            string().description(Some("The next piece of the answer's text")),
        )
        .property("done", ObjectBuilder::new().schema_type(Type::Boolean))
        .property("sources", array_of(source))
        .property("metadata", Ref::from_schema_name(metadata))
        .property(
            "error",
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some("`{code, message, details}` when generation failed")),
        )
        .required("delta")
        .required("done")
        .into()
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// The OpenAI-compatible face's error envelope (`crate::error::ErrorStyle`).
fn openai_error_envelope() -> Schema {
    let error = ObjectBuilder::new()
        .property("message", string())
        .property("type", string())
        .property(
            "param",
            ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ])),
        )
        .property("code", string())
        .property("details", ObjectBuilder::new().schema_type(Type::Object))
        .required("message")
        .required("type")
        .required("code");
    ObjectBuilder::new()
        .property("error", error)
        .property("request_id", string())
        .required("error")
        .into()
}

fn error_envelope() -> Schema {
    let error = ObjectBuilder::new()
        .property("code", ObjectBuilder::new().schema_type(Type::String))
        .property("message", ObjectBuilder::new().schema_type(Type::String))
        .property("details", ObjectBuilder::new().schema_type(Type::Object))
        .required("code")
        .required("message");
    ObjectBuilder::new()
        .property("error", error)
        .property("request_id", ObjectBuilder::new().schema_type(Type::String))
        .required("error")
        .required("request_id")
        .into()
}

fn http_method(method: &axum::http::Method) -> HttpMethod {
    match *method {
        axum::http::Method::POST => HttpMethod::Post,
        axum::http::Method::PUT => HttpMethod::Put,
        axum::http::Method::PATCH => HttpMethod::Patch,
        axum::http::Method::DELETE => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

fn json_content(schema: &str) -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(schema)))
        .build()
}

/// The frame schema of the routes that answer an event stream when asked
/// (`stream: true`), by operation id.
fn stream_frame(operation_id: &str) -> Option<&'static str> {
    match operation_id {
        "query" => Some("QueryStreamFrame"),
        "chat" => Some("ChatStreamFrame"),
        "openai_chat_completions" => Some("ChatCompletionChunk"),
        _ => None,
    }
}

/// The OpenAI face's stream ends with this `data:` line, which is not JSON.
const OPENAI_STREAM_END: &str = "[DONE]";

/// An event stream whose `data:` lines are JSON frames of `frame`, named
/// by the `x-grove-stream` extension. Its schema describes one event (what
/// OpenAPI 3.2 calls `itemSchema`, and how schemathesis reads a 3.1 stream's
/// schema); [`describe_event_streams`] writes it (utoipa has no
/// `contentSchema`).
fn event_stream(frame: &str) -> utoipa::openapi::Content {
    let extensions = utoipa::openapi::extensions::ExtensionsBuilder::new()
        .add(
            "x-grove-stream",
            serde_json::json!({
                "frame": format!("#/components/schemas/{frame}"),
                "end": if frame == "ChatCompletionChunk" { format!("data: {OPENAI_STREAM_END}") } else { "a frame with done: true".to_owned() },
            }),
        )
        .build();
    ContentBuilder::new()
        .schema(Some(string()))
        .extensions(Some(extensions))
        .build()
}

/// Gives each `text/event-stream` answer its event schema: an event whose
/// `data` is a JSON frame of the stream's `x-grove-stream` frame (or, on
/// the OpenAI face, an error envelope or the closing `[DONE]`).
fn describe_event_streams(document: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let Some(Value::Object(paths)) = document.get_mut("paths") else {
        return;
    };
    let streams = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|operations| operations.values_mut())
        .filter_map(|operation| operation.get_mut("responses")?.as_object_mut())
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.pointer_mut("/content/text~1event-stream"));
    for stream in streams {
        let Some(frame) = stream
            .pointer("/x-grove-stream/frame")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            continue;
        };
        let json_data = |schema: Value| json!({"type": "string", "contentMediaType": "application/json", "contentSchema": schema});
        let data = if frame.ends_with("/ChatCompletionChunk") {
            let error = "#/components/schemas/OpenAiErrorEnvelope";
            json!({"anyOf": [
                {"const": OPENAI_STREAM_END},
                json_data(json!({"anyOf": [{"$ref": frame}, {"$ref": error}]})),
            ]})
        } else {
            json_data(json!({"$ref": frame}))
        };
        stream["schema"] = json!({
            "type": "object",
            "description": "One Server-Sent Event; its `data` is a JSON frame (see x-grove-stream)",
            "properties": {"event": {"type": "string"}, "id": {"type": "string"}, "data": data},
            "required": ["data"],
        });
    }
}

/// A response header, documented as an integer or a string.
fn header(description: &str, integer: bool) -> utoipa::openapi::header::Header {
    utoipa::openapi::header::HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(if integer {
            Type::Integer
        } else {
            Type::String
        }))
        .description(Some(description))
        .build()
}

/// Headers every API answer carries: the request id and the rate limit's state.
fn with_common_headers(response: ResponseBuilder) -> ResponseBuilder {
    response
        .header(
            "X-Request-Id",
            header("The request's id, also in the logs", false),
        )
        .header(
            "X-RateLimit-Limit",
            header("Requests allowed per window for the key", true),
        )
        .header(
            "X-RateLimit-Remaining",
            header("Requests left in the window", true),
        )
        .header(
            "X-RateLimit-Reset",
            header("Seconds until the window resets", true),
        )
}

/// The error answers every operation may give: (status, component name
/// suffix, description). Each family's components carry its envelope.
const ERRORS: [(&str, &str, &str); 6] = [
    (
        "400",
        "BadRequest",
        "A field is invalid: `details.field` names it, `details.reason` says why",
    ),
    (
        "401",
        "Unauthorized",
        "No key, or an unknown, revoked or expired one",
    ),
    (
        "403",
        "Forbidden",
        "The key lacks the scope (`details.required_scope`) or its user the role",
    ),
    (
        "404",
        "NotFound",
        "Nothing with this id in the key's organisation",
    ),
    (
        "429",
        "RateLimited",
        "The key's rate limit is spent; retry after `Retry-After` seconds",
    ),
    (
        "default",
        "OtherError",
        "Another error of the error-code table (409, 5xx)",
    ),
];

/// The reusable error responses, `<Family><Name>`, in `components.responses`.
fn error_components() -> Vec<(String, utoipa::openapi::Response)> {
    let mut out = Vec::new();
    for (prefix, envelope) in [("", "ErrorEnvelope"), ("OpenAi", "OpenAiErrorEnvelope")] {
        for (status, name, description) in ERRORS {
            let mut response = with_common_headers(ResponseBuilder::new().description(description))
                .content("application/json", json_content(envelope));
            if status == "429" {
                response = response.header(
                    "Retry-After",
                    header("Seconds to wait before retrying", true),
                );
            }
            out.push((format!("{prefix}{name}"), response.build()));
        }
    }
    out
}

/// The error answers a route can give, as references to its family's
/// components (404 only where the path names a resource).
fn error_responses(route: &Route) -> Vec<(&'static str, Ref)> {
    let prefix = match route.family {
        Family::OpenAi => "OpenAi",
        _ => "",
    };
    let names_a_resource = !path_parameters(route.path).is_empty();
    ERRORS
        .iter()
        .filter(|(status, _, _)| *status != "404" || names_a_resource)
        .map(|(status, name, _)| {
            (
                *status,
                Ref::new(format!("#/components/responses/{prefix}{name}")),
            )
        })
        .collect()
}

/// Bearer, or `X-API-Key` together with `X-Organization-Id`.
fn security() -> [utoipa::openapi::security::SecurityRequirement; 2] {
    use utoipa::openapi::security::SecurityRequirement;
    let none = Vec::<String>::new;
    [
        SecurityRequirement::new("bearer", none()),
        SecurityRequirement::new("api_key", none()).add("organization_id", none()),
    ]
}

fn operation(route: &Route) -> utoipa::openapi::path::Operation {
    let doc = route.doc;
    let legacy = route.family == Family::Legacy;
    let (status, body) = doc.response;
    let family_schema = |name: &str| {
        if in_camel_case(route) {
            format!("{LEGACY}{name}")
        } else {
            name.to_owned()
        }
    };
    let mut success = with_common_headers(ResponseBuilder::new().description("Success"));
    if let Some(schema) = body {
        success = success.content("application/json", json_content(&family_schema(schema)));
    }
    if let Some(frame) = stream_frame(doc.operation_id) {
        success = success.content("text/event-stream", event_stream(&family_schema(frame)));
    }
    let success = success.build();
    let pending = ANSWER_PENDING_AS_202.contains(&doc.operation_id).then(|| {
        let mut pending = success.clone();
        pending.description = "Still pending when the wait ran out".into();
        pending
    });
    let mut op = OperationBuilder::new()
        .operation_id(Some(if legacy {
            format!("{}Legacy", doc.operation_id)
        } else {
            doc.operation_id.to_owned()
        }))
        .summary(Some(doc.summary))
        .description(Some(format!(
            "Requires the `{}` scope.{}",
            route.requirement.scope.as_str(),
            if legacy {
                " Legacy alias: field names in camelCase."
            } else {
                ""
            }
        )))
        .tag(if legacy { "legacy" } else { doc.tag })
        .response(status.to_string(), success);
    if let Some(pending) = pending {
        op = op.response("202", pending);
    }
    for (status, response) in error_responses(route) {
        op = op.response(status, response);
    }
    for requirement in security() {
        op = op.security(requirement);
    }
    for (name, schema) in path_parameter_schemas(route.path) {
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(schema)),
        );
    }
    if doc.paginated {
        use grove_core::page::MAX_LIMIT;
        let limit = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT));
        let offset = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(i64::MAX));
        for (name, text, schema) in [
            ("limit", "1 to 200, default 50", limit),
            ("offset", "0 or more, default 0", offset),
        ] {
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Query)
                    .description(Some(text))
                    .schema(Some(schema)),
            );
        }
    }
    for mut parameter in doc.query.map(|params| params()).unwrap_or_default() {
        if in_camel_case(route) {
            parameter.name = crate::legacy::snake_to_camel(&parameter.name);
        }
        op = op.parameter(parameter);
    }
    if let Some(schema) = request_schema(&doc) {
        let (content_type, content) = if MULTIPART_REQUESTS.contains(&schema.as_str()) {
            ("multipart/form-data", multipart_content(&schema))
        } else {
            ("application/json", json_content(&family_schema(&schema)))
        };
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .content(content_type, content)
                .required(Some(Required::True))
                .build(),
        ));
    }
    op.build()
}

/// The operations that wait for an outcome and answer 202 with the same
/// body when it is still pending.
const ANSWER_PENDING_AS_202: [&str; 2] = ["testWebhook", "testNotificationChannel"];

/// The request schemas sent as `multipart/form-data` rather than JSON.
const MULTIPART_REQUESTS: [&str; 1] = ["UploadFiles"];

/// A `multipart/form-data` body of `schema` whose `files` parts each carry
/// a file name (the upload reads the format from its extension).
fn multipart_content(schema: &str) -> utoipa::openapi::Content {
    let disposition = r#"form-data; name="files"; filename="notes.md""#;
    let content = serde_json::json!({
        "schema": {"$ref": format!("#/components/schemas/{schema}")},
        "encoding": {"files": {
            "contentType": "text/markdown, text/plain, text/html, text/csv, application/pdf, application/zip, application/octet-stream",
            "headers": {"Content-Disposition": {
                "description": "Each part names its file; the extension decides how it is read",
                "schema": {"type": "string", "example": disposition},
            }},
        }},
    });
    serde_json::from_value(content).unwrap_or_else(|_| json_content(schema))
}

fn plain_get(summary: &str) -> utoipa::openapi::path::Operation {
    OperationBuilder::new()
        .summary(Some(summary))
        .tag("operations")
        .response("200", ResponseBuilder::new().description("Success"))
        .build()
}

/// The whole document, as served at `/openapi.json`.
pub fn document() -> serde_json::Value {
    let mut document = serde_json::to_value(build()).unwrap_or_default();
    describe_event_streams(&mut document);
    document
}

fn build() -> OpenApi {
    let mut schemas = component_schemas();
    schemas.extend(create_schemas(&schemas));
    schemas.extend(legacy_schemas(&schemas));
    let mut paths = Paths::new();
    for route in routes::catalogue() {
        paths.add_path_operation(
            openapi_path(route.path),
            vec![http_method(&route.method)],
            operation(&route),
        );
    }
    for (path, summary) in [
        ("/healthz", "Liveness: the process answers"),
        ("/readyz", "Readiness, with the state of each subsystem"),
        ("/metrics", "Prometheus metrics"),
        ("/openapi.json", "This document"),
    ] {
        paths.add_path_operation(path, vec![HttpMethod::Get], plain_get(summary));
    }
    let components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .responses_from_iter(error_components())
        .security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        )
        .security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "Sent with X-Organization-Id naming the key's organisation",
            ))),
        )
        .security_scheme(
            "organization_id",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Organization-Id",
                "The organisation of the key sent as X-API-Key",
            ))),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Grove API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some("Knowledge agents and agent jobs over your own data.")),
        )
        .paths(paths)
        .components(Some(components))
        .build()
}

/// The prefix of the legacy family's copies of the schemas (a namespace,
/// so `LegacyWebhookBody`'s copy is `legacy.LegacyWebhookBody`).
const LEGACY: &str = "legacy.";

/// The component a route's request body is documented with: its schema,
/// or `<OperationId>Body`, the copy requiring the route's `required` fields.
fn request_schema(doc: &routes::RouteDoc) -> Option<String> {
    let name = doc.request?;
    if doc.required.is_empty() {
        return Some(name.to_owned());
    }
    let mut chars = doc.operation_id.chars();
    let first = chars.next()?.to_ascii_uppercase();
    Some(format!("{first}{}Body", chars.as_str()))
}

/// The `<OperationId>Body` copies of the schemas whose routes require
/// fields the schema leaves optional (a create sharing its body with the
/// update, a patch that needs one of two fields).
fn create_schemas(schemas: &Schemas) -> Schemas {
    let mut out = Schemas::new();
    for route in routes::catalogue() {
        let (Some(name), Some(copy)) = (route.doc.request, request_schema(&route.doc)) else {
            continue;
        };
        if copy == name || out.iter().any(|(done, _)| *done == copy) {
            continue;
        }
        let Some(schema) = schemas.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let Ok(value) = serde_json::to_value(&schema.1) else {
            continue;
        };
        if let Some(copy_schema) = requiring(value, route.doc.required) {
            out.push((copy, copy_schema));
        }
    }
    out
}

/// `schema` with `fields` required and not nullable; an `a|b` entry
/// requires one of the two (`allOf` the schema and an `anyOf` of two
/// `required`s).
fn requiring(mut schema: serde_json::Value, fields: &[&str]) -> Option<RefOr<Schema>> {
    use serde_json::Value;
    use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder};
    let mut required: Vec<Value> = match schema.get("required") {
        Some(Value::Array(names)) => names.clone(),
        _ => Vec::new(),
    };
    let mut one_ofs = Vec::new();
    for field in fields {
        let alternatives: Vec<&str> = field.split('|').collect();
        for name in &alternatives {
            if let Some(property) = schema.pointer_mut(&format!("/properties/{name}")) {
                not_nullable(property);
            }
        }
        match alternatives.as_slice() {
            [one] => required.push(Value::from(*one)),
            several => one_ofs.push(several.iter().fold(AnyOfBuilder::new(), |any, name| {
                any.item(ObjectBuilder::new().required(*name))
            })),
        }
    }
    schema["required"] = Value::Array(required);
    let schema = serde_json::from_value::<RefOr<Schema>>(schema).ok()?;
    if one_ofs.is_empty() {
        return Some(schema);
    }
    let all = one_ofs
        .into_iter()
        .fold(AllOfBuilder::new().item(schema), |all, any| all.item(any));
    Some(all.into())
}

/// Drops `null` from a property's types (`type: [T, "null"]`, or a
/// `oneOf` with a `{"type": "null"}` member).
fn not_nullable(property: &mut serde_json::Value) {
    use serde_json::Value;
    if let Some(Value::Array(types)) = property.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            property["type"] = only.clone();
        }
    }
    let Some(Value::Array(members)) = property.get_mut("oneOf") else {
        return;
    };
    members.retain(|m| m.get("type").and_then(Value::as_str) != Some("null"));
    if let [only] = members.as_slice() {
        let only = only.clone();
        if let (Value::Object(target), Value::Object(fields)) = (&mut *property, only) {
            target.remove("oneOf");
            target.extend(fields);
        }
    }
}

/// Whether a route's bodies are in camelCase: documented with the legacy
/// copies of the schemas.
fn in_camel_case(route: &Route) -> bool {
    route.family == Family::Legacy || route.doc.camel_case
}

/// The legacy family's schemas, derived rather than written twice: every
/// schema its routes take or answer, and every schema those refer to,
/// copied as `legacy.<Name>` with field names renamed as the adapter
/// ([`crate::legacy`]) renames them on the wire.
fn legacy_schemas(schemas: &Schemas) -> Schemas {
    let by_name: std::collections::HashMap<&str, serde_json::Value> = schemas
        .iter()
        .filter_map(|(name, schema)| Some((name.as_str(), serde_json::to_value(schema).ok()?)))
        .collect();
    let mut wanted: Vec<String> = routes::catalogue()
        .iter()
        .filter(|r| in_camel_case(r))
        .flat_map(|r| {
            [
                request_schema(&r.doc),
                r.doc.response.1.map(str::to_owned),
                stream_frame(r.doc.operation_id).map(str::to_owned),
            ]
        })
        .flatten()
        .collect();
    let mut out = Schemas::new();
    let mut done = std::collections::HashSet::new();
    while let Some(name) = wanted.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        let Some(schema) = by_name.get(name.as_str()) else {
            continue;
        };
        let mut refs = Vec::new();
        let renamed = camel_case_schema(schema.clone(), &mut refs);
        wanted.extend(refs);
        if let Ok(schema) = serde_json::from_value::<RefOr<Schema>>(renamed) {
            out.push((format!("{LEGACY}{name}"), schema));
        }
    }
    out
}

/// A schema with its property names (and `required` entries) in
/// camelCase and its references pointing at the legacy copies, which are
/// collected in `refs`.
fn camel_case_schema(value: serde_json::Value, refs: &mut Vec<String>) -> serde_json::Value {
    use serde_json::Value;
    const SCHEMAS: &str = "#/components/schemas/";
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("properties", Value::Object(props)) => Value::Object(
                            props
                                .into_iter()
                                .map(|(k, v)| {
                                    (
                                        crate::legacy::snake_to_camel(&k),
                                        camel_case_schema(v, refs),
                                    )
                                })
                                .collect(),
                        ),
                        ("required", Value::Array(names)) => Value::Array(
                            names
                                .into_iter()
                                .map(|n| match n {
                                    Value::String(n) => {
                                        Value::String(crate::legacy::snake_to_camel(&n))
                                    }
                                    other => other,
                                })
                                .collect(),
                        ),
                        ("$ref", Value::String(target)) => match target.strip_prefix(SCHEMAS) {
                            Some(name) => {
                                refs.push(name.to_owned());
                                Value::String(format!("{SCHEMAS}{LEGACY}{name}"))
                            }
                            None => Value::String(target),
                        },
                        (_, value) => camel_case_schema(value, refs),
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| camel_case_schema(v, refs))
                .collect(),
        ),
        other => other,
    }
}

/// A route path as OpenAPI writes it: the router's catch-all `{*name}`
/// is the template `{name}` (OpenAPI has no catch-all syntax).
pub fn openapi_path(path: &str) -> String {
    path.replace("{*", "{")
}

/// The id prefix of the resource a path segment names (the segment before
/// a `{placeholder}`), as the handlers parse it.
fn id_prefix(collection: &str) -> Option<&'static str> {
    use grove_core::ids::*;
    Some(match collection {
        "agents" | "ai-agent-managers" => AgentId::PREFIX,
        "api-keys" => KeyId::PREFIX,
        "chats" => ChatId::PREFIX,
        "chunks" => ChunkId::PREFIX,
        "data-connectors" => DataConnectorId::PREFIX,
        "data-sources" | "data-specs" => DataSourceId::PREFIX,
        "deliveries" => DeliveryId::PREFIX,
        "eval-runs" => EvalRunId::PREFIX,
        "eval-sets" => EvalSetId::PREFIX,
        "interactions" => InteractionId::PREFIX,
        "jobs" => JobId::PREFIX,
        "kb" => KbArticleId::PREFIX,
        "notification-channels" => ChannelId::PREFIX,
        "runs" => RunId::PREFIX,
        "sessions" => SessionId::PREFIX,
        "users" => UserId::PREFIX,
        "webhooks" => WebhookId::PREFIX,
        _ => return None,
    })
}

/// Each path parameter with its schema: an id's `pattern` (its prefix and
/// 1 to 64 letters or digits, as `grove_core::ids` checks it), a chat
/// document's `out_` id, a version number, or a plain string.
fn path_parameter_schemas(path: &str) -> Vec<(&str, ObjectBuilder)> {
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
            continue;
        };
        let name = name.trim_start_matches('*');
        let collection = if i > 0 { parts[i - 1] } else { "" };
        let prefix = match (collection, name) {
            ("documents", "document_id") => Some(grove_core::ids::DocumentOutputId::PREFIX),
            ("documents", _) => Some(grove_core::ids::DocumentId::PREFIX),
            _ => id_prefix(collection),
        };
        let schema = match (prefix, name) {
            (_, "version") => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
            (Some(prefix), _) => string().pattern(Some(format!("^{prefix}[A-Za-z0-9]{{1,64}}$"))),
            (None, _) => string().min_length(Some(1)),
        };
        out.push((name, schema));
    }
    out
}

/// The names of a route path's `{placeholders}` (`{*name}` as `name`).
fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| name.trim_start_matches('*'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_schemas_share_a_component_name() {
        // utoipa names a schema after its type, so two types of one name
        // (the chats' and the OpenAI face's `ChatMessage`, once) would
        // silently document one with the other.
        let mut seen = std::collections::HashMap::new();
        for (name, schema) in component_schemas() {
            let value = serde_json::to_value(&schema).unwrap();
            if let Some(before) = seen.insert(name.clone(), value.clone()) {
                assert_eq!(before, value, "two different schemas are named {name}");
            }
        }
    }

    #[test]
    fn a_create_requires_what_its_update_leaves_optional() {
        let document = document();
        let schemas = &document["components"]["schemas"];
        let create = &schemas["CreateAgentBody"]["allOf"];
        assert_eq!(create[0]["required"], serde_json::json!(["name"]));
        assert_eq!(create[0]["properties"]["name"]["type"], "string");
        assert_eq!(
            create[1]["anyOf"][1]["required"],
            serde_json::json!(["data_connector_ids"])
        );
        assert_eq!(
            schemas["AgentBody"]["properties"]["name"]["type"],
            serde_json::json!(["string", "null"]),
            "the update's fields stay optional"
        );
        let legacy = &schemas["legacy.CreateAiAgentManagerBody"]["allOf"];
        assert_eq!(
            legacy[1]["anyOf"][0]["required"],
            serde_json::json!(["dataSourceIds"])
        );
    }
}
