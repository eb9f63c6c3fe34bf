//! The review inbox end to end: review statuses and edited answers, the
//! `review_status` filter, and knowledge-base articles made from edited
//! answers.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{greenhouse_source, Reply, TestServer};

async fn patch(t: &TestServer, id: &str, key: &str, body: Value) -> Reply {
    t.call(
        Method::PATCH,
        &format!("/api/v1/interactions/{id}"),
        Some(key),
        Some(body),
    )
    .await
}

/// Three interactions of an agent over the greenhouse page, oldest first.
async fn interactions(t: &TestServer) -> Vec<String> {
    let key = &t.org_a.api_key;
    let source = greenhouse_source(t, key).await;
    let agent = t
        .post(
            "/api/v1/agents",
            key,
            json!({"name": "Gardener", "data_source_ids": [source]}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    let agent = agent.body["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for query in [
        "When do the greenhouse vents open?",
        "Do the vents close at night?",
        "What temperature opens the vents?",
    ] {
        let answer = t
            .post(
                "/api/v1/query",
                key,
                json!({"agent_id": agent, "query": query}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        ids.push(
            answer.body["metadata"]["interaction_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ids
}

fn assert_bad(reply: &Reply, field: &str, context: &str) {
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "{context}: {}",
        reply.body
    );
    assert_eq!(reply.error_code(), "invalid_request", "{context}");
    assert_eq!(
        reply.body["error"]["details"]["field"], field,
        "{context}: {}",
        reply.body
    );
}

async fn listed(t: &TestServer, query: &str) -> Vec<String> {
    let list = t
        .get(&format!("/api/v1/interactions?{query}"), &t.org_a.api_key)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let ids: Vec<String> = list.body["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(list.body["total"], ids.len(), "{query}");
    ids
}

#[tokio::test]
async fn reviews_set_a_status_or_an_edited_answer_and_filter_the_log() {
    let t = TestServer::start().await;
    let key = t.org_a.api_key.clone();
    let ids = interactions(&t).await;
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);

    let fresh = t.get(&format!("/api/v1/interactions/{a}"), &key).await;
    assert_eq!(
        fresh.body["review_status"], "not_reviewed",
        "{}",
        fresh.body
    );
    assert!(fresh.body["edited_answer"].is_null());
    assert!(fresh.body["reviewed_at"].is_null());
    assert!(fresh.body["kb_article_id"].is_null());
    assert_eq!(listed(&t, "review_status=not_reviewed").await.len(), 3);

    let accurate = patch(&t, a, &key, json!({"review_status": "accurate"})).await;
    assert_eq!(accurate.status, StatusCode::OK, "{}", accurate.body);
    assert_eq!(accurate.body["review_status"], "accurate");
    assert!(accurate.body["reviewed_at"].is_string());
    assert!(accurate.body["edited_answer"].is_null());
    assert_eq!(
        accurate.body["query"], fresh.body["query"],
        "the same answer"
    );

    // Refused reviews name the field and change nothing.
    for (body, field) in [
        (json!({"review_status": "edited"}), "edited_answer"),
        (
            json!({"review_status": "accurate", "edited_answer": "Above 28 degrees."}),
            "review_status",
        ),
        (json!({}), "review_status"),
        (json!({"review_status": "great"}), "review_status"),
        (json!({"edited_answer": "   "}), "edited_answer"),
        (json!({"edited_answer": 28}), "edited_answer"),
        (
            json!({"edited_answer": "x".repeat(20_001)}),
            "edited_answer",
        ),
    ] {
        let reply = patch(&t, b, &key, body.clone()).await;
        assert_bad(&reply, field, &body.to_string());
    }
    let untouched = t.get(&format!("/api/v1/interactions/{b}"), &key).await;
    assert_eq!(untouched.body["review_status"], "not_reviewed");
    assert!(untouched.body["reviewed_at"].is_null());

    let answer = "The vents open when the greenhouse is warmer than 28 degrees.";
    let edited = patch(
        &t,
        b,
        &key,
        json!({"edited_answer": format!("  {answer} ")}),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["review_status"], "edited");
    assert_eq!(edited.body["edited_answer"], answer);
    let explicit = patch(
        &t,
        b,
        &key,
        json!({"review_status": "edited", "edited_answer": answer}),
    )
    .await;
    assert_eq!(explicit.status, StatusCode::OK, "{}", explicit.body);
    let inaccurate = patch(&t, b, &key, json!({"review_status": "inaccurate"})).await;
    assert_eq!(inaccurate.status, StatusCode::OK);
    assert_eq!(inaccurate.body["review_status"], "inaccurate");
    assert_eq!(
        inaccurate.body["edited_answer"], answer,
        "the edited answer is kept"
    );
    let back = patch(&t, b, &key, json!({"review_status": "edited"})).await;
    assert_eq!(
        back.status,
        StatusCode::OK,
        "edited, with the answer given before: {}",
        back.body
    );
    assert_eq!(back.body["review_status"], "edited");

    let missing = patch(
        &t,
        "int_00000000000000000000000000",
        &key,
        json!({"review_status": "accurate"}),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    let foreign = patch(
        &t,
        c,
        &t.org_b.api_key,
        json!({"review_status": "no_answer"}),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);
    let c_now = t.get(&format!("/api/v1/interactions/{c}"), &key).await;
    assert_eq!(
        c_now.body["review_status"], "not_reviewed",
        "untouched by org B"
    );

    assert_eq!(listed(&t, "review_status=accurate").await, [a.as_str()]);
    assert_eq!(listed(&t, "review_status=edited").await, [b.as_str()]);
    assert_eq!(listed(&t, "review_status=not_reviewed").await, [c.as_str()]);
    assert!(listed(&t, "review_status=no_answer").await.is_empty());
    assert_bad(
        &t.get("/api/v1/interactions?review_status=great", &key)
            .await,
        "review_status",
        "filter",
    );
    let legacy = t.get("/api/interactions?reviewStatus=edited", &key).await;
    assert_eq!(legacy.status, StatusCode::OK, "{}", legacy.body);
    assert_eq!(legacy.body["total"], 1);
    assert_eq!(legacy.body["interactions"][0]["id"], b.as_str());
    assert_eq!(legacy.body["interactions"][0]["reviewStatus"], "edited");
    assert_eq!(legacy.body["interactions"][0]["editedAnswer"], answer);
    t.stop().await;
}

#[tokio::test]
async fn an_edited_answer_becomes_a_kb_article_once() {
    let t = TestServer::start().await;
    let key = t.org_a.api_key.clone();
    let ids = interactions(&t).await;
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
    let answer = "The vents close again every night.";
    let edited = patch(&t, b, &key, json!({"edited_answer": answer})).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let path = |id: &str| format!("/api/v1/interactions/{id}/kb-article");

    // Nothing to make an article of yet.
    let none = t.post(&path(c), &key, json!({})).await;
    assert_eq!(none.status, StatusCode::CONFLICT, "{}", none.body);
    assert_eq!(none.error_code(), "conflict");
    let accurate = patch(&t, a, &key, json!({"review_status": "accurate"})).await;
    assert_eq!(accurate.status, StatusCode::OK);
    assert_eq!(
        t.post(&path(a), &key, json!({})).await.status,
        StatusCode::CONFLICT,
        "accurate answers have no edited answer"
    );

    for (body, field) in [
        (json!({"status": "archived"}), "status"),
        (json!({"title": "  "}), "title"),
        (json!({"content": "not a field"}), "content"),
    ] {
        let reply = t.post(&path(b), &key, body.clone()).await;
        assert_bad(&reply, field, &body.to_string());
    }

    // An empty body: the question as the title, a draft.
    let created = t.call(Method::POST, &path(b), Some(&key), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["title"], "Do the vents close at night?");
    assert_eq!(created.body["content"], answer);
    assert_eq!(created.body["tags"], json!(["from-review"]));
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["version"], 1);
    let article = created.body["id"].as_str().unwrap().to_owned();
    let stored = t.get(&format!("/api/v1/kb/{article}"), &key).await;
    assert_eq!(stored.status, StatusCode::OK);
    assert_eq!(stored.body, created.body);
    let linked = t.get(&format!("/api/v1/interactions/{b}"), &key).await;
    assert_eq!(linked.body["kb_article_id"], article.as_str());

    let again = t.post(&path(b), &key, json!({"status": "published"})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.error_code(), "conflict");
    assert_eq!(
        again.body["error"]["details"]["kb_article_id"],
        article.as_str()
    );
    assert_eq!(
        t.get("/api/v1/kb", &key).await.body["total"],
        1,
        "refused calls made no article"
    );

    // A title and a status may be given.
    let fix = "Above 28 degrees.";
    assert_eq!(
        patch(&t, c, &key, json!({"edited_answer": fix}))
            .await
            .status,
        StatusCode::OK
    );
    let foreign = t.post(&path(c), &t.org_b.api_key, json!({})).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);
    let published = t
        .post(
            &path(c),
            &key,
            json!({"title": "Vent temperature", "status": "published"}),
        )
        .await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);
    assert_eq!(published.body["title"], "Vent temperature");
    assert_eq!(published.body["status"], "published");
    assert_eq!(published.body["content"], fix);
    assert_ne!(published.body["id"], article.as_str());
    let versions = t
        .get(
            &format!(
                "/api/v1/kb/{}/versions",
                published.body["id"].as_str().unwrap()
            ),
            &key,
        )
        .await;
    assert_eq!(versions.body["total"], 1);
    assert_eq!(versions.body["versions"][0]["content"], fix);
    t.stop().await;
}
