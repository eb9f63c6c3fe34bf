//! Knowledge agents, sessions and the interaction log, on SQLite and on
//! PostgreSQL: slugs unique per organisation, ordered data sources,
//! organisation scoping, session turns and purging, the interaction log's
//! filters and feedback, the `interaction.completed` outbox event, and
//! (on PostgreSQL) changes from several replicas at once.

use std::time::Duration;

use grove_core::agents::{
    AgentStatus, CitedSource, Component, Components, Feedback, Interaction, ModelSource, Outcome,
    RagStrategy, RetrievalTrace, ReviewStatus, Span,
};
use grove_core::ids::{AgentId, DataSourceId, InteractionId, OrgId, SessionId};
use grove_core::page::Page;
use grove_core::sources::SourceKind;
use grove_store::postgres::PgStore;
use grove_store::{
    AgentStore, DataSourceStore, FeedbackUpdate, InteractionFact, InteractionFilter,
    InteractionStore, NewAgent, NewDataSource, NewInteraction, ReviewUpdate, StoreError, SyncStore,
    TenancyStore,
};
use jiff::Timestamp;

mod backends;
use backends::provision;

use backends::{TestDb, TestPg, TestSqlite};

on_each_backend!(
    agents_are_created_listed_replaced_and_deleted,
    slugs_are_unique_within_an_organisation,
    an_agent_is_invisible_to_other_organisations,
    deleting_a_data_source_drops_it_from_agents,
    agents_without_a_model_follow_the_organisation_default,
    sessions_are_scoped_and_keep_their_turns,
    an_interaction_round_trips_and_announces_itself,
    the_log_lists_newest_first_with_filters,
    feedback_is_set_within_the_organisation_only,
    reviews_are_kept_and_filter_the_log,
    analytics_facts_name_who_asked,
    purging_removes_only_idle_sessions,
    deleting_an_agent_takes_its_sessions_and_keeps_its_interactions,
);

/// What the agent tests need of a store.
trait Agents: TenancyStore + DataSourceStore + AgentStore {}
impl<S: TenancyStore + DataSourceStore + AgentStore> Agents for S {}

/// What the session and interaction tests need of a store.
trait Log: Agents + InteractionStore {}
impl<S: Agents + InteractionStore> Log for S {}

async fn data_source<S: DataSourceStore>(store: &S, org: &OrgId, name: &str) -> DataSourceId {
    store
        .create_data_source(org, NewDataSource::new(name, SourceKind::Website))
        .await
        .unwrap()
        .id
}

fn new_agent(slug: &str, data_source_ids: Vec<DataSourceId>) -> NewAgent {
    NewAgent {
        name: format!("Agent {slug}"),
        slug: slug.to_owned(),
        description: format!("answers about {slug}"),
        system_prompt: "Answer from the sources only.".into(),
        rag_strategy: RagStrategy::Redwood,
        model: None,
        temperature: 0.25,
        max_tokens: 800,
        similarity_threshold: 0.35,
        data_source_ids,
        data_connector_ids: Vec::new(),
        max_steps: 8,
        components: None,
        max_run_tokens: None,
        max_run_cost_usd: None,
        active: true,
    }
}

async fn agent<S: AgentStore>(store: &S, org: &OrgId, slug: &str) -> AgentId {
    store
        .create_agent(org, new_agent(slug, vec![]))
        .await
        .unwrap()
        .id
}

/// A minimal answered interaction with no sources.
fn ask(agent: &AgentId, session: Option<&SessionId>, query: &str) -> NewInteraction {
    NewInteraction {
        agent_id: agent.clone(),
        session_id: session.cloned(),
        key_id: None,
        user_id: None,
        query: query.to_owned(),
        response: format!("answer to {query}"),
        sources: vec![],
        rag_strategy: RagStrategy::Redwood,
        model: "extractive".into(),
        retrieval: RetrievalTrace::default(),
        outcome: Outcome::Answered,
        error: None,
        latency_ms: 12,
        tokens_input: 0,
        tokens_output: 0,
        cost_usd: 0.0,
    }
}

/// Lets the millisecond clock the store stamps rows with move on.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(3)).await;
}

fn ids(items: &[Interaction]) -> Vec<&InteractionId> {
    items.iter().map(|i| &i.id).collect()
}

fn queries(items: &[Interaction]) -> Vec<&str> {
    items.iter().map(|i| i.query.as_str()).collect()
}

async fn agents_are_created_listed_replaced_and_deleted<S: Agents>(store: &S) {
    let org = backends::org(store, "acme").await;
    let ds1 = data_source(store, &org, "one").await;
    let ds2 = data_source(store, &org, "two").await;
    let ds3 = data_source(store, &org, "three").await;

    let before = Timestamp::now();
    let forward = vec![ds1.clone(), ds2.clone(), ds3.clone()];
    let first = store
        .create_agent(&org, new_agent("support", forward.clone()))
        .await
        .unwrap();
    assert!(first.id.as_str().starts_with(AgentId::PREFIX));
    assert_eq!(first.org_id, org);
    assert_eq!(first.name, "Agent support");
    assert_eq!(first.slug, "support");
    assert_eq!(first.description, "answers about support");
    assert_eq!(first.system_prompt, "Answer from the sources only.");
    assert_eq!(first.rag_strategy, RagStrategy::Redwood);
    assert_eq!(first.model, "extractive", "the organisation's default");
    assert_eq!(first.model_source, ModelSource::Organization);
    assert_eq!(first.temperature, 0.25);
    assert_eq!(first.max_tokens, 800);
    assert_eq!(first.similarity_threshold, 0.35);
    assert_eq!(first.data_source_ids, forward);
    assert!(first.active);
    assert_eq!(first.status, AgentStatus::Active);
    assert!(first.created_at.as_millisecond() >= before.as_millisecond());
    assert!(first.created_at <= Timestamp::now());
    assert_eq!(first.created_at, first.updated_at);
    assert_eq!(
        store.get_agent(&org, &first.id).await.unwrap().as_ref(),
        Some(&first)
    );

    // The order given is kept, whichever way round (at most one of the two
    // orders can match any order by id).
    tick().await;
    let backward = vec![ds3.clone(), ds2.clone(), ds1.clone()];
    let second = store
        .create_agent(&org, new_agent("sales", backward.clone()))
        .await
        .unwrap();
    assert_eq!(second.data_source_ids, backward);
    assert_eq!(
        store
            .get_agent(&org, &second.id)
            .await
            .unwrap()
            .unwrap()
            .data_source_ids,
        backward
    );

    tick().await;
    let mut inactive = new_agent("archive", vec![]);
    inactive.active = false;
    let third = store.create_agent(&org, inactive).await.unwrap();
    assert!(!third.active);
    assert_eq!(third.status, AgentStatus::Inactive);
    assert!(third.data_source_ids.is_empty());

    // Oldest first, with the total before paging.
    let all = store.list_agents(&org, Page::default()).await.unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(all.items, [first.clone(), second.clone(), third.clone()]);
    let page = store
        .list_agents(
            &org,
            Page {
                limit: 2,
                offset: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(
        page.items.iter().map(|a| &a.id).collect::<Vec<_>>(),
        [&second.id, &third.id]
    );
    assert_eq!(
        page.items[0].data_source_ids, backward,
        "listed with sources"
    );
    let first_page = store
        .list_agents(
            &org,
            Page {
                limit: 1,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(first_page.total, 3);
    assert_eq!(first_page.items, std::slice::from_ref(&first));
    let past_end = store
        .list_agents(
            &org,
            Page {
                limit: 10,
                offset: 5,
            },
        )
        .await
        .unwrap();
    assert!(past_end.items.is_empty());
    assert_eq!(past_end.total, 3);

    // Replace changes every field and the data sources, and keeps created_at.
    tick().await;
    let replacement = NewAgent {
        name: "Helpdesk".into(),
        slug: "helpdesk".into(),
        description: "first-line support".into(),
        system_prompt: "Be brief.".into(),
        rag_strategy: RagStrategy::Cypress,
        model: Some("openai:gpt-4o-mini".into()),
        temperature: 0.75,
        max_tokens: 2048,
        similarity_threshold: 0.5,
        data_source_ids: vec![ds2.clone(), ds1.clone()],
        data_connector_ids: Vec::new(),
        max_steps: 8,
        components: Some(Components {
            query: Component {
                model: Some("anthropic:claude-haiku".into()),
            },
            analysis: Component::default(),
        }),
        max_run_tokens: Some(40_000),
        max_run_cost_usd: Some(0.5),
        active: false,
    };
    let replaced = store
        .replace_agent(&org, &first.id, replacement)
        .await
        .unwrap()
        .expect("the agent exists");
    assert_eq!(replaced.id, first.id);
    assert_eq!(replaced.org_id, org);
    assert_eq!(replaced.name, "Helpdesk");
    assert_eq!(replaced.slug, "helpdesk");
    assert_eq!(replaced.description, "first-line support");
    assert_eq!(replaced.system_prompt, "Be brief.");
    assert_eq!(replaced.rag_strategy, RagStrategy::Cypress);
    assert_eq!(replaced.model, "openai:gpt-4o-mini");
    assert_eq!(replaced.model_source, ModelSource::Agent);
    assert_eq!(
        replaced.components.as_ref().unwrap().query.model.as_deref(),
        Some("anthropic:claude-haiku")
    );
    assert_eq!(replaced.max_run_tokens, Some(40_000));
    assert_eq!(replaced.max_run_cost_usd, Some(0.5));
    assert_eq!(replaced.temperature, 0.75);
    assert_eq!(replaced.max_tokens, 2048);
    assert_eq!(replaced.similarity_threshold, 0.5);
    assert_eq!(replaced.data_source_ids, [ds2.clone(), ds1.clone()]);
    assert!(!replaced.active);
    assert_eq!(replaced.status, AgentStatus::Inactive);
    assert_eq!(replaced.created_at, first.created_at);
    assert!(replaced.updated_at > first.updated_at);
    assert_eq!(
        store.get_agent(&org, &first.id).await.unwrap().as_ref(),
        Some(&replaced)
    );
    assert!(store
        .agent_by_slug(&org, "support")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .agent_by_slug(&org, "helpdesk")
            .await
            .unwrap()
            .map(|a| a.id),
        Some(first.id.clone())
    );
    assert!(store
        .replace_agent(&org, &AgentId::generate(), new_agent("ghost", vec![]))
        .await
        .unwrap()
        .is_none());

    assert!(store.delete_agent(&org, &second.id).await.unwrap());
    assert!(!store.delete_agent(&org, &second.id).await.unwrap());
    assert!(store.get_agent(&org, &second.id).await.unwrap().is_none());
    let left = store.list_agents(&org, Page::default()).await.unwrap();
    assert_eq!(left.total, 2);
    assert_eq!(left.items, [replaced, third]);
}

async fn slugs_are_unique_within_an_organisation<S: Agents>(store: &S) {
    let a = backends::org(store, "acme").await;
    let b = backends::org(store, "globex").await;

    let support = store
        .create_agent(&a, new_agent("support", vec![]))
        .await
        .unwrap();
    let err = store
        .create_agent(&a, new_agent("support", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        store.list_agents(&a, Page::default()).await.unwrap().total,
        1,
        "nothing was written"
    );

    let other = store
        .create_agent(&b, new_agent("support", vec![]))
        .await
        .expect("the same slug in another organisation is fine");
    assert_ne!(other.id, support.id);
    assert_eq!(
        store
            .agent_by_slug(&b, "support")
            .await
            .unwrap()
            .map(|x| x.id),
        Some(other.id.clone())
    );
    assert_eq!(
        store
            .agent_by_slug(&a, "support")
            .await
            .unwrap()
            .map(|x| x.id),
        Some(support.id.clone())
    );

    let sales = store
        .create_agent(&a, new_agent("sales", vec![]))
        .await
        .unwrap();
    let err = store
        .replace_agent(&a, &sales.id, new_agent("support", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        store.get_agent(&a, &sales.id).await.unwrap().as_ref(),
        Some(&sales),
        "a refused replace changes nothing"
    );

    // Keeping its own slug is no conflict, nor is taking one from another
    // organisation's agent.
    let mut renamed = new_agent("sales", vec![]);
    renamed.name = "Sales desk".into();
    let renamed = store
        .replace_agent(&a, &sales.id, renamed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renamed.name, "Sales desk");
    assert!(store
        .replace_agent(&b, &other.id, new_agent("sales", vec![]))
        .await
        .unwrap()
        .is_some());
}

async fn an_agent_is_invisible_to_other_organisations<S: Agents>(store: &S) {
    let a = backends::org(store, "acme").await;
    let b = backends::org(store, "globex").await;
    let ds = data_source(store, &a, "docs").await;
    let agent = store
        .create_agent(&a, new_agent("support", vec![ds]))
        .await
        .unwrap();

    assert!(store.get_agent(&b, &agent.id).await.unwrap().is_none());
    assert!(store.agent_by_slug(&b, "support").await.unwrap().is_none());
    let listed = store.list_agents(&b, Page::default()).await.unwrap();
    assert_eq!(listed.total, 0);
    assert!(listed.items.is_empty());
    assert!(store
        .replace_agent(&b, &agent.id, new_agent("hijacked", vec![]))
        .await
        .unwrap()
        .is_none());
    assert!(!store.delete_agent(&b, &agent.id).await.unwrap());

    assert_eq!(
        store.get_agent(&a, &agent.id).await.unwrap().as_ref(),
        Some(&agent),
        "untouched by the other organisation"
    );
    assert_eq!(
        store.agent_by_slug(&a, "support").await.unwrap().as_ref(),
        Some(&agent)
    );
    assert!(store.agent_by_slug(&a, "nobody").await.unwrap().is_none());
    assert!(store.agent_by_slug(&b, "hijacked").await.unwrap().is_none());
}

async fn deleting_a_data_source_drops_it_from_agents<S: Agents>(store: &S) {
    let org = backends::org(store, "acme").await;
    let ds1 = data_source(store, &org, "one").await;
    let ds2 = data_source(store, &org, "two").await;
    let ds3 = data_source(store, &org, "three").await;
    let agent = store
        .create_agent(
            &org,
            new_agent("support", vec![ds3.clone(), ds2.clone(), ds1.clone()]),
        )
        .await
        .unwrap();
    let other = store
        .create_agent(&org, new_agent("sales", vec![ds2.clone()]))
        .await
        .unwrap();

    assert!(store.delete_data_source(&org, &ds2).await.unwrap());
    let agent = store.get_agent(&org, &agent.id).await.unwrap().unwrap();
    assert_eq!(agent.data_source_ids, [ds3.clone(), ds1.clone()]);
    let other = store.get_agent(&org, &other.id).await.unwrap().unwrap();
    assert!(other.data_source_ids.is_empty());
    let listed = store.list_agents(&org, Page::default()).await.unwrap();
    assert!(listed
        .items
        .iter()
        .all(|a| !a.data_source_ids.contains(&ds2)));
}

async fn sessions_are_scoped_and_keep_their_turns<S: Log>(store: &S) {
    let a = backends::org(store, "acme").await;
    let b = backends::org(store, "globex").await;
    let agent = agent(store, &a, "support").await;

    let before = Timestamp::now();
    let session = store.create_session(&a, &agent).await.unwrap();
    assert!(session.id.as_str().starts_with(SessionId::PREFIX));
    assert_eq!(session.org_id, a);
    assert_eq!(session.agent_id, agent);
    assert!(session.created_at.as_millisecond() >= before.as_millisecond());
    assert_eq!(session.created_at, session.last_active_at);
    assert_eq!(
        store.get_session(&a, &session.id).await.unwrap().as_ref(),
        Some(&session)
    );
    assert!(store.get_session(&b, &session.id).await.unwrap().is_none());
    assert!(!store.delete_session(&b, &session.id).await.unwrap());
    assert!(store
        .get_session(&a, &SessionId::generate())
        .await
        .unwrap()
        .is_none());

    let other = store.create_session(&a, &agent).await.unwrap();
    let mut turns = Vec::new();
    for n in 0..5 {
        let query = format!("q{n}");
        turns.push(
            store
                .record_interaction(&a, ask(&agent, Some(&session.id), &query))
                .await
                .unwrap(),
        );
        store
            .record_interaction(&a, ask(&agent, Some(&other.id), &format!("other {n}")))
            .await
            .unwrap();
    }
    store
        .record_interaction(&a, ask(&agent, None, "no session"))
        .await
        .unwrap();

    // The last N, oldest first, of that session only (even within one
    // millisecond).
    let last3 = store.session_turns(&a, &session.id, 3).await.unwrap();
    assert_eq!(queries(&last3), ["q2", "q3", "q4"]);
    assert_eq!(last3, turns[2..]);
    let all = store.session_turns(&a, &session.id, 10).await.unwrap();
    assert_eq!(queries(&all), ["q0", "q1", "q2", "q3", "q4"]);
    let last1 = store.session_turns(&a, &session.id, 1).await.unwrap();
    assert_eq!(queries(&last1), ["q4"]);
    assert!(store
        .session_turns(&b, &session.id, 10)
        .await
        .unwrap()
        .is_empty());

    assert!(store.delete_session(&a, &session.id).await.unwrap());
    assert!(store.get_session(&a, &session.id).await.unwrap().is_none());
    assert!(!store.delete_session(&a, &session.id).await.unwrap());
    assert!(store
        .session_turns(&a, &session.id, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store.get_session(&a, &other.id).await.unwrap().is_some());

    // Its interactions stay in the log, detached.
    for turn in &turns {
        let kept = store
            .get_interaction(&a, &turn.id)
            .await
            .unwrap()
            .expect("the interaction outlives its session");
        assert_eq!(kept.session_id, None);
        assert_eq!(kept.query, turn.query);
        assert_eq!(kept.agent_id, agent);
    }
    let listed = store
        .list_interactions(&a, InteractionFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 11);
    assert_eq!(
        listed
            .items
            .iter()
            .filter(|i| i.session_id.as_ref() == Some(&other.id))
            .count(),
        5,
        "the other session's interactions keep it"
    );
}

async fn an_interaction_round_trips_and_announces_itself<S: Log + SyncStore>(store: &S) {
    let provisioned = provision(store, "acme").await;
    let org = provisioned.org.id.clone();
    let ds = data_source(store, &org, "docs").await;
    let agent = agent(store, &org, "support").await;
    let session = store.create_session(&org, &agent).await.unwrap();
    tick().await;

    let sources = vec![
        CitedSource {
            number: 1,
            chunk_id: "chk_1".into(),
            document_id: "doc_1".into(),
            document_title: "Refunds".into(),
            document_url: Some("https://acme.example/refunds".into()),
            data_source_id: ds.to_string(),
            similarity_score: 0.83,
            chunk_text: "Refunds are issued within 14 days. Contact support.".into(),
            span: Some(Span { start: 0, end: 34 }),
            cited: true,
        },
        CitedSource {
            number: 2,
            chunk_id: "chk_2".into(),
            document_id: "doc_2".into(),
            document_title: "Shipping — “FAQ”".into(),
            document_url: None,
            data_source_id: ds.to_string(),
            similarity_score: 0.41,
            chunk_text: "We ship worldwide.".into(),
            span: None,
            cited: false,
        },
    ];
    let retrieval = RetrievalTrace {
        queries: vec![
            "how long do refunds take".into(),
            "refund processing time".into(),
        ],
        rewrite_ms: 3.5,
        search_ms: 12.25,
        rerank_ms: 0.75,
        candidates: 17,
    };
    let new = NewInteraction {
        agent_id: agent.clone(),
        session_id: Some(session.id.clone()),
        key_id: Some(provisioned.admin_key.id.clone()),
        user_id: None,
        query: "How long do refunds take?".into(),
        response: "Refunds are issued within 14 days [1].".into(),
        sources: sources.clone(),
        rag_strategy: RagStrategy::Cypress,
        model: "openai:gpt-4o-mini".into(),
        retrieval: retrieval.clone(),
        outcome: Outcome::Answered,
        error: None,
        latency_ms: 1234,
        tokens_input: 987,
        tokens_output: 65,
        cost_usd: 0.001_234,
    };
    let before = Timestamp::now();
    let recorded = store.record_interaction(&org, new).await.unwrap();
    let after = Timestamp::now();

    assert!(recorded.id.as_str().starts_with(InteractionId::PREFIX));
    assert_eq!(recorded.org_id, org);
    assert_eq!(recorded.agent_id, agent);
    assert_eq!(recorded.session_id.as_ref(), Some(&session.id));
    assert_eq!(recorded.key_id.as_ref(), Some(&provisioned.admin_key.id));
    assert_eq!(recorded.query, "How long do refunds take?");
    assert_eq!(recorded.response, "Refunds are issued within 14 days [1].");
    assert_eq!(recorded.sources, sources);
    assert_eq!(recorded.sources[0].span, Some(Span { start: 0, end: 34 }));
    assert_eq!(recorded.rag_strategy, RagStrategy::Cypress);
    assert_eq!(recorded.model, "openai:gpt-4o-mini");
    assert_eq!(recorded.retrieval, retrieval);
    assert_eq!(recorded.outcome, Outcome::Answered);
    assert_eq!(recorded.error, None);
    assert_eq!(recorded.latency_ms, 1234);
    assert_eq!(recorded.tokens_input, 987);
    assert_eq!(recorded.tokens_output, 65);
    assert_eq!(recorded.cost_usd, 0.001_234);
    assert_eq!(recorded.feedback, None);
    assert_eq!(recorded.feedback_comment, None);
    assert_eq!(recorded.rating, None);
    assert!(recorded.has_citation());
    assert!(recorded.created_at.as_millisecond() >= before.as_millisecond());
    assert!(recorded.created_at <= after);
    assert_eq!(
        store.get_interaction(&org, &recorded.id).await.unwrap(),
        Some(recorded.clone())
    );

    // The session was marked active.
    let touched = store.get_session(&org, &session.id).await.unwrap().unwrap();
    assert_eq!(touched.created_at, session.created_at);
    assert!(touched.last_active_at > session.last_active_at);
    assert!(touched.last_active_at >= recorded.created_at);

    // A failed one, outside any session, keeps its error.
    let mut failed = ask(&agent, None, "What is the meaning of life?");
    failed.outcome = Outcome::Failed;
    failed.error = Some("provider timed out".into());
    failed.response = String::new();
    let failed = store.record_interaction(&org, failed).await.unwrap();
    assert_eq!(failed.outcome, Outcome::Failed);
    assert_eq!(failed.error.as_deref(), Some("provider timed out"));
    assert_eq!(failed.session_id, None);
    assert_eq!(failed.key_id, None);
    assert!(!failed.has_citation());
    assert_eq!(
        store.get_interaction(&org, &failed.id).await.unwrap(),
        Some(failed.clone())
    );

    // Both were announced through the outbox, in order.
    let events: Vec<_> = store
        .pending_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event == "interaction.completed")
        .collect();
    assert_eq!(events.len(), 2);
    let event = &events[0];
    assert_eq!(event.org_id, org);
    assert_eq!(event.data["interaction_id"], recorded.id.as_str());
    assert_eq!(event.data["agent_id"], agent.as_str());
    assert_eq!(event.data["session_id"], session.id.as_str());
    assert_eq!(event.data["outcome"], "answered");
    assert_eq!(event.data["rag_strategy"], "cypress");
    assert_eq!(event.data["model"], "openai:gpt-4o-mini");
    assert_eq!(event.data["latency_ms"], 1234);
    assert_eq!(event.data["cited"], true);
    assert_eq!(event.data["sources"], serde_json::json!(["chk_1", "chk_2"]));
    assert_eq!(event.data["query"], "How long do refunds take?");
    assert_eq!(
        event.data["response"],
        "Refunds are issued within 14 days [1]."
    );
    let event = &events[1];
    assert_eq!(event.data["interaction_id"], failed.id.as_str());
    assert_eq!(event.data["outcome"], "failed");
    assert_eq!(event.data["cited"], false);
    assert!(event.data["session_id"].is_null());
}

async fn the_log_lists_newest_first_with_filters<S: Log>(store: &S) {
    let a = backends::org(store, "acme").await;
    let b = backends::org(store, "globex").await;
    let support = agent(store, &a, "support").await;
    let sales = agent(store, &a, "sales").await;
    let foreign = agent(store, &b, "support").await;

    let mut log = Vec::new();
    for (agent, query) in [
        (&support, "i1"),
        (&sales, "i2"),
        (&support, "i3"),
        (&support, "i4"),
    ] {
        tick().await;
        log.push(
            store
                .record_interaction(&a, ask(agent, None, query))
                .await
                .unwrap(),
        );
    }
    store
        .record_interaction(&b, ask(&foreign, None, "elsewhere"))
        .await
        .unwrap();
    let [i1, i2, i3, i4] = [&log[0], &log[1], &log[2], &log[3]];
    assert!(i1.created_at < i2.created_at && i2.created_at < i3.created_at);
    assert!(i3.created_at < i4.created_at);

    let list = |filter: InteractionFilter, page: Page| {
        let a = &a;
        async move { store.list_interactions(a, filter, page).await.unwrap() }
    };

    let all = list(InteractionFilter::default(), Page::default()).await;
    assert_eq!(all.total, 4, "only this organisation's");
    assert_eq!(ids(&all.items), [&i4.id, &i3.id, &i2.id, &i1.id]);
    assert_eq!(all.items[0], *i4);

    let page = list(
        InteractionFilter::default(),
        Page {
            limit: 2,
            offset: 1,
        },
    )
    .await;
    assert_eq!(page.total, 4);
    assert_eq!(ids(&page.items), [&i3.id, &i2.id]);
    let past_end = list(
        InteractionFilter::default(),
        Page {
            limit: 2,
            offset: 10,
        },
    )
    .await;
    assert_eq!(past_end.total, 4);
    assert!(past_end.items.is_empty());

    let by_agent = list(
        InteractionFilter {
            agent_id: Some(support.clone()),
            ..Default::default()
        },
        Page::default(),
    )
    .await;
    assert_eq!(by_agent.total, 3);
    assert_eq!(ids(&by_agent.items), [&i4.id, &i3.id, &i1.id]);
    let by_foreign_agent = list(
        InteractionFilter {
            agent_id: Some(foreign.clone()),
            ..Default::default()
        },
        Page::default(),
    )
    .await;
    assert_eq!(by_foreign_agent.total, 0);

    // `since` is inclusive, `until` exclusive.
    let since = list(
        InteractionFilter {
            since: Some(i2.created_at),
            ..Default::default()
        },
        Page::default(),
    )
    .await;
    assert_eq!(since.total, 3);
    assert_eq!(ids(&since.items), [&i4.id, &i3.id, &i2.id]);
    let until = list(
        InteractionFilter {
            until: Some(i3.created_at),
            ..Default::default()
        },
        Page::default(),
    )
    .await;
    assert_eq!(until.total, 2);
    assert_eq!(ids(&until.items), [&i2.id, &i1.id]);
    let window = list(
        InteractionFilter {
            since: Some(i2.created_at),
            until: Some(i4.created_at),
            ..Default::default()
        },
        Page::default(),
    )
    .await;
    assert_eq!(window.total, 2);
    assert_eq!(ids(&window.items), [&i3.id, &i2.id]);
    let agent_since = list(
        InteractionFilter {
            agent_id: Some(support.clone()),
            since: Some(i2.created_at),
            ..Default::default()
        },
        Page {
            limit: 1,
            offset: 0,
        },
    )
    .await;
    assert_eq!(agent_since.total, 2, "the total ignores paging");
    assert_eq!(ids(&agent_since.items), [&i4.id]);

    let verdict = |feedback| FeedbackUpdate {
        feedback,
        comment: None,
        rating: None,
    };
    store
        .set_feedback(&a, &i1.id, verdict(Feedback::Positive))
        .await
        .unwrap()
        .unwrap();
    store
        .set_feedback(&a, &i3.id, verdict(Feedback::Negative))
        .await
        .unwrap()
        .unwrap();

    let positive = list(
        InteractionFilter {
            feedback: Some(Some(Feedback::Positive)),
            ..Default::default()
        },
        Page::default(),
    )
    .await;
    assert_eq!(positive.total, 1);
    assert_eq!(ids(&positive.items), [&i1.id]);
    assert_eq!(positive.items[0].feedback, Some(Feedback::Positive));
    let negative = list(
        InteractionFilter {
            feedback: Some(Some(Feedback::Negative)),
            ..Default::default()
        },
        Page::default(),
    )
    .await;
    assert_eq!(negative.total, 1);
    assert_eq!(ids(&negative.items), [&i3.id]);
    let none = list(
        InteractionFilter {
            feedback: Some(None),
            ..Default::default()
        },
        Page::default(),
    )
    .await;
    assert_eq!(none.total, 2);
    assert_eq!(ids(&none.items), [&i4.id, &i2.id]);
    assert!(none.items.iter().all(|i| i.feedback.is_none()));
    let support_without = list(
        InteractionFilter {
            agent_id: Some(support.clone()),
            feedback: Some(None),
            ..Default::default()
        },
        Page::default(),
    )
    .await;
    assert_eq!(support_without.total, 1);
    assert_eq!(ids(&support_without.items), [&i4.id]);
    let unfiltered = list(InteractionFilter::default(), Page::default()).await;
    assert_eq!(unfiltered.total, 4, "no feedback filter keeps every one");
}

async fn feedback_is_set_within_the_organisation_only<S: Log>(store: &S) {
    let a = backends::org(store, "acme").await;
    let b = backends::org(store, "globex").await;
    let agent = agent(store, &a, "support").await;
    let original = store
        .record_interaction(&a, ask(&agent, None, "hello?"))
        .await
        .unwrap();

    let rated = store
        .set_feedback(
            &a,
            &original.id,
            FeedbackUpdate {
                feedback: Feedback::Positive,
                comment: Some("spot on".into()),
                rating: Some(5),
            },
        )
        .await
        .unwrap()
        .expect("the interaction exists");
    assert_eq!(rated.feedback, Some(Feedback::Positive));
    assert_eq!(rated.feedback_comment.as_deref(), Some("spot on"));
    assert_eq!(rated.rating, Some(5));
    let expected = Interaction {
        feedback: Some(Feedback::Positive),
        feedback_comment: Some("spot on".into()),
        rating: Some(5),
        ..original.clone()
    };
    assert_eq!(rated, expected, "nothing else changes");
    assert_eq!(
        store.get_interaction(&a, &original.id).await.unwrap(),
        Some(expected.clone())
    );

    // Another organisation can neither see nor change it.
    assert!(store
        .get_interaction(&b, &original.id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .set_feedback(
            &b,
            &original.id,
            FeedbackUpdate {
                feedback: Feedback::Negative,
                comment: Some("sabotage".into()),
                rating: Some(1),
            },
        )
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.get_interaction(&a, &original.id).await.unwrap(),
        Some(expected.clone()),
        "unchanged by the other organisation"
    );
    assert_eq!(
        store
            .list_interactions(&b, InteractionFilter::default(), Page::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert!(store
        .set_feedback(
            &a,
            &InteractionId::generate(),
            FeedbackUpdate {
                feedback: Feedback::Negative,
                comment: None,
                rating: None,
            },
        )
        .await
        .unwrap()
        .is_none());

    // A new verdict replaces the old one.
    let changed = store
        .set_feedback(
            &a,
            &original.id,
            FeedbackUpdate {
                feedback: Feedback::Negative,
                comment: Some("actually wrong".into()),
                rating: None,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.feedback, Some(Feedback::Negative));
    assert_eq!(changed.feedback_comment.as_deref(), Some("actually wrong"));
    assert_eq!(changed.rating, None);
}

async fn reviews_are_kept_and_filter_the_log<S: Log>(store: &S) {
    let a = backends::org(store, "acme").await;
    let b = backends::org(store, "globex").await;
    let agent = agent(store, &a, "support").await;
    let mut log = Vec::new();
    for query in ["r1", "r2", "r3"] {
        tick().await;
        log.push(
            store
                .record_interaction(&a, ask(&agent, None, query))
                .await
                .unwrap(),
        );
    }
    let [i1, i2, i3] = [&log[0], &log[1], &log[2]];
    assert!(log
        .iter()
        .all(|i| i.review_status == ReviewStatus::NotReviewed));
    assert!(log.iter().all(|i| i.reviewed_at.is_none()));

    let review = |status, edited_answer: Option<&str>| ReviewUpdate {
        status,
        edited_answer: edited_answer.map(str::to_owned),
    };
    let before = Timestamp::now();
    let accurate = store
        .set_review(&a, &i1.id, review(ReviewStatus::Accurate, None))
        .await
        .unwrap()
        .expect("the interaction exists");
    assert_eq!(accurate.review_status, ReviewStatus::Accurate);
    assert_eq!(accurate.edited_answer, None);
    let reviewed_at = accurate.reviewed_at.expect("a review time");
    assert!(reviewed_at.as_millisecond() >= before.as_millisecond());
    assert_eq!(
        Interaction {
            review_status: ReviewStatus::NotReviewed,
            reviewed_at: None,
            ..accurate.clone()
        },
        *i1,
        "nothing else changes"
    );

    let edited = store
        .set_review(&a, &i2.id, review(ReviewStatus::Edited, Some("better")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(edited.review_status, ReviewStatus::Edited);
    assert_eq!(edited.edited_answer.as_deref(), Some("better"));
    // No edited answer keeps the stored one; `not_reviewed` clears the time.
    let kept = store
        .set_review(&a, &i2.id, review(ReviewStatus::Inaccurate, None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.review_status, ReviewStatus::Inaccurate);
    assert_eq!(kept.edited_answer.as_deref(), Some("better"));
    assert!(kept.reviewed_at.is_some());
    let reset = store
        .set_review(&a, &i2.id, review(ReviewStatus::NotReviewed, None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reset.review_status, ReviewStatus::NotReviewed);
    assert_eq!(reset.reviewed_at, None);
    assert_eq!(reset.edited_answer.as_deref(), Some("better"));
    assert_eq!(
        store.get_interaction(&a, &i2.id).await.unwrap(),
        Some(reset.clone())
    );

    // Another organisation's review, or an unknown id, changes nothing.
    assert!(store
        .set_review(&b, &i3.id, review(ReviewStatus::Edited, Some("sabotage")))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .set_review(
            &a,
            &InteractionId::generate(),
            review(ReviewStatus::Accurate, None)
        )
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.get_interaction(&a, &i3.id).await.unwrap().as_ref(),
        Some(i3)
    );

    store
        .set_feedback(
            &a,
            &i3.id,
            FeedbackUpdate {
                feedback: Feedback::Negative,
                comment: Some("wrong".into()),
                rating: Some(2),
            },
        )
        .await
        .unwrap()
        .unwrap();
    let list = |filter: InteractionFilter| {
        let a = &a;
        async move {
            store
                .list_interactions(a, filter, Page::default())
                .await
                .unwrap()
        }
    };
    let by_status = |status| InteractionFilter {
        review_status: Some(status),
        ..Default::default()
    };
    let accurate = list(by_status(ReviewStatus::Accurate)).await;
    assert_eq!(accurate.total, 1);
    assert_eq!(ids(&accurate.items), [&i1.id]);
    let waiting = list(by_status(ReviewStatus::NotReviewed)).await;
    assert_eq!(waiting.total, 2);
    assert_eq!(ids(&waiting.items), [&i3.id, &i2.id]);
    assert_eq!(list(by_status(ReviewStatus::Edited)).await.total, 0);
    let waiting_and_disliked = list(InteractionFilter {
        review_status: Some(ReviewStatus::NotReviewed),
        feedback: Some(Some(Feedback::Negative)),
        ..Default::default()
    })
    .await;
    assert_eq!(ids(&waiting_and_disliked.items), [&i3.id]);
    assert_eq!(waiting_and_disliked.items[0].rating, Some(2));
    assert_eq!(
        waiting_and_disliked.items[0].feedback_comment.as_deref(),
        Some("wrong")
    );
}

/// The facts analytics count, oldest first, name who asked: the console
/// user, else the key's user, else the key.
async fn analytics_facts_name_who_asked<S: Log>(store: &S) {
    let p = provision(store, "acme").await;
    let org = p.org.id.clone();
    let other = provision(store, "globex").await;
    let other_agent = agent(store, &other.org.id, "support").await;
    let agent = agent(store, &org, "support").await;

    let by_user = NewInteraction {
        user_id: Some(p.admin.id.clone()),
        cost_usd: 0.25,
        latency_ms: 40,
        ..ask(&agent, None, "by user")
    };
    let by_key = NewInteraction {
        key_id: Some(p.admin_key.id.clone()),
        outcome: Outcome::NoAnswer,
        ..ask(&agent, None, "by key")
    };
    let cited = NewInteraction {
        sources: vec![CitedSource {
            number: 1,
            chunk_id: "chk_1".into(),
            document_id: "doc_1".into(),
            document_title: "Refunds".into(),
            document_url: None,
            data_source_id: "ds_1".into(),
            similarity_score: 0.9,
            chunk_text: "Refunds take 14 days.".into(),
            span: None,
            cited: true,
        }],
        ..ask(&agent, None, "anonymous")
    };
    let mut log = Vec::new();
    for new in [by_user, by_key, cited] {
        tick().await;
        log.push(store.record_interaction(&org, new).await.unwrap());
    }
    store
        .record_interaction(&other.org.id, ask(&other_agent, None, "elsewhere"))
        .await
        .unwrap();
    store
        .set_feedback(
            &org,
            &log[2].id,
            FeedbackUpdate {
                feedback: Feedback::Positive,
                comment: None,
                rating: None,
            },
        )
        .await
        .unwrap();

    let facts = store
        .interaction_facts(&org, InteractionFilter::default())
        .await
        .unwrap();
    let admin = p.admin.id.as_str().to_owned();
    assert_eq!(
        facts,
        [
            InteractionFact {
                created_at: log[0].created_at,
                latency_ms: 40,
                outcome: Outcome::Answered,
                feedback: None,
                cited: false,
                cost_usd: 0.25,
                asker: Some(admin.clone()),
            },
            InteractionFact {
                created_at: log[1].created_at,
                latency_ms: 12,
                outcome: Outcome::NoAnswer,
                feedback: None,
                cited: false,
                cost_usd: 0.0,
                asker: Some(admin),
            },
            InteractionFact {
                created_at: log[2].created_at,
                latency_ms: 12,
                outcome: Outcome::Answered,
                feedback: Some(Feedback::Positive),
                cited: true,
                cost_usd: 0.0,
                asker: None,
            },
        ]
    );
    let since = store
        .interaction_facts(
            &org,
            InteractionFilter {
                since: Some(log[1].created_at),
                feedback: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(since.len(), 1);
    assert_eq!(since[0].created_at, log[1].created_at);
}

async fn purging_removes_only_idle_sessions<S: Log>(store: &S) {
    let a = backends::org(store, "acme").await;
    let b = backends::org(store, "globex").await;
    let agent_a = agent(store, &a, "support").await;
    let agent_b = agent(store, &b, "support").await;

    let idle = store.create_session(&a, &agent_a).await.unwrap();
    let early = store
        .record_interaction(&a, ask(&agent_a, Some(&idle.id), "early"))
        .await
        .unwrap();
    let revived = store.create_session(&a, &agent_a).await.unwrap();
    let idle_b = store.create_session(&b, &agent_b).await.unwrap();
    tick().await;
    let cutoff = Timestamp::now();
    tick().await;
    store
        .record_interaction(&a, ask(&agent_a, Some(&revived.id), "late"))
        .await
        .unwrap();
    let fresh = store.create_session(&a, &agent_a).await.unwrap();

    assert_eq!(store.purge_sessions(cutoff).await.unwrap(), 2);
    assert!(store.get_session(&a, &idle.id).await.unwrap().is_none());
    assert!(store.get_session(&b, &idle_b.id).await.unwrap().is_none());
    assert!(
        store.get_session(&a, &revived.id).await.unwrap().is_some(),
        "activity after the cutoff keeps a session"
    );
    assert!(store.get_session(&a, &fresh.id).await.unwrap().is_some());
    let kept = store.get_interaction(&a, &early.id).await.unwrap().unwrap();
    assert_eq!(kept.session_id, None, "the log outlives purged sessions");

    assert_eq!(store.purge_sessions(cutoff).await.unwrap(), 0);
}

async fn deleting_an_agent_takes_its_sessions_and_keeps_its_interactions<S: Log>(store: &S) {
    let org = backends::org(store, "acme").await;
    let doomed = agent(store, &org, "doomed").await;
    let survivor = agent(store, &org, "survivor").await;
    let session = store.create_session(&org, &doomed).await.unwrap();
    let kept_session = store.create_session(&org, &survivor).await.unwrap();
    let asked = store
        .record_interaction(&org, ask(&doomed, Some(&session.id), "still there?"))
        .await
        .unwrap();
    store
        .record_interaction(&org, ask(&survivor, Some(&kept_session.id), "and me?"))
        .await
        .unwrap();

    assert!(store.delete_agent(&org, &doomed).await.unwrap());
    assert!(store
        .get_session(&org, &session.id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .get_session(&org, &kept_session.id)
        .await
        .unwrap()
        .is_some());
    let kept = store
        .get_interaction(&org, &asked.id)
        .await
        .unwrap()
        .expect("interactions stay in the log");
    assert_eq!(kept.agent_id, doomed);
    assert_eq!(kept.session_id, None);
    assert_eq!(kept.query, "still there?");
    let by_agent = store
        .list_interactions(
            &org,
            InteractionFilter {
                agent_id: Some(doomed.clone()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(by_agent.total, 1);
    assert_eq!(ids(&by_agent.items), [&asked.id]);
    assert_eq!(
        store
            .list_interactions(&org, InteractionFilter::default(), Page::default())
            .await
            .unwrap()
            .total,
        2
    );
}

async fn agents_without_a_model_follow_the_organisation_default<S: Agents>(store: &S) {
    let other = backends::org(store, "globex").await;
    let org = backends::org(store, "acme").await;
    let ds = data_source(store, &org, "one").await;
    let settings = store.org_settings(&org).await.unwrap();
    assert_eq!(settings.default_model, "extractive");
    assert_eq!(settings.updated_at, None);

    let inherits = store
        .create_agent(&org, new_agent("inherits", vec![ds.clone()]))
        .await
        .unwrap();
    let own = store
        .create_agent(
            &org,
            NewAgent {
                model: Some("openai:gpt-4o".into()),
                ..new_agent("own", vec![ds.clone()])
            },
        )
        .await
        .unwrap();

    let changed = store
        .put_org_settings(&org, "anthropic:claude-sonnet")
        .await
        .unwrap();
    assert_eq!(changed.default_model, "anthropic:claude-sonnet");
    assert!(changed.updated_at.is_some());
    let inherits = store.get_agent(&org, &inherits.id).await.unwrap().unwrap();
    assert_eq!(inherits.model, "anthropic:claude-sonnet");
    assert_eq!(inherits.model_source, ModelSource::Organization);
    let own = store.get_agent(&org, &own.id).await.unwrap().unwrap();
    assert_eq!(own.model, "openai:gpt-4o");
    assert_eq!(own.model_source, ModelSource::Agent);
    let listed = store.list_agents(&org, Page::default()).await.unwrap();
    assert!(listed
        .items
        .iter()
        .any(|a| a.model == "anthropic:claude-sonnet"));

    // Written back unchanged, an inheriting agent keeps inheriting.
    let written = store
        .replace_agent(&org, &inherits.id, NewAgent::from(inherits.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(written.model_source, ModelSource::Organization);
    store.put_org_settings(&org, "extractive").await.unwrap();
    let again = store.get_agent(&org, &inherits.id).await.unwrap().unwrap();
    assert_eq!(again.model, "extractive");

    // Another organisation's settings are its own.
    assert_eq!(
        store.org_settings(&other).await.unwrap().default_model,
        "extractive"
    );
}

/// A burst of creates, changes and deletes on several threads, through
/// `one` and `two` in turn (two handles on one store, or two replicas),
/// all land.
async fn a_burst_of_concurrent_writes_all_land<S>(one: &S, two: &S)
where
    S: Agents + Clone + 'static,
{
    let org = backends::org(one, "burst").await;
    let mut existing = Vec::new();
    for i in 0..40 {
        existing.push(agent(one, &org, &format!("old-{i}")).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, id) in existing.into_iter().enumerate() {
        let store = if i % 3 == 0 { one } else { two };
        let (s, o) = (store.clone(), org.clone());
        tasks.spawn(async move {
            if i % 2 == 0 {
                s.delete_agent(&o, &id)
                    .await
                    .map(|deleted| assert!(deleted))
            } else {
                let rename = Box::new(move |mut a: NewAgent| {
                    a.name = format!("renamed {i}");
                    Ok(a)
                });
                s.change_agent(&o, &id, rename)
                    .await
                    .map(|a| assert!(a.is_some()))
            }
        });
        let (s, o) = (store.clone(), org.clone());
        tasks.spawn(async move {
            let new = new_agent(&format!("new-{i}"), vec![]);
            s.create_agent(&o, new).await.map(|_| ())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.unwrap().unwrap();
    }
    let listed = one
        .list_agents(
            &org,
            Page {
                limit: 100,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.total, 60);
    let renamed = listed
        .items
        .iter()
        .filter(|a| a.name.starts_with("renamed"))
        .count();
    assert_eq!(renamed, 20);
}

/// Writers of this process queue for SQLite's write lock in order instead
/// of racing for it in its busy handler.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_writes_all_land_on_sqlite() {
    let test = TestSqlite::new();
    a_burst_of_concurrent_writes_all_land(&test.store, &test.store).await;
}

/// Two replicas write at once, each on a pool of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_writes_all_land_on_two_replicas() {
    let db = TestDb::new().await;
    let (one, two) = (db.replica().await, db.replica().await);
    a_burst_of_concurrent_writes_all_land(&one, &two).await;
}

/// Changes of one agent from two replicas at once apply one after the
/// other, each to the other's result: every change's mark is kept (a read
/// outside the row lock would lose some), and each wrote an
/// `agent.updated` event.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_from_two_replicas_to_one_agent_all_land() {
    let test = TestPg::new().await;
    let other = test.db.replica().await;
    let org = backends::org(&test.store, "acme").await;
    let id = agent(&test.store, &org, "support").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let store: PgStore = if i % 2 == 0 {
            test.store.clone()
        } else {
            other.clone()
        };
        let (org, id) = (org.clone(), id.clone());
        tasks.spawn(async move {
            let mark = Box::new(move |mut a: NewAgent| {
                a.description.push_str(&format!(" [{i}]"));
                Ok(a)
            });
            store.change_agent(&org, &id, mark).await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        assert!(joined.unwrap().unwrap().is_some());
    }
    let changed = other.get_agent(&org, &id).await.unwrap().unwrap();
    for i in 0..16 {
        assert!(
            changed.description.contains(&format!(" [{i}]")),
            "change {i} was lost: {}",
            changed.description
        );
    }
    assert_eq!(changed.description.matches(" [").count(), 16);
}

/// Turns recorded in one session from two replicas at once all land, in
/// the order they were recorded, and the session's last activity is the
/// latest of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn turns_from_two_replicas_share_a_session() {
    let test = TestPg::new().await;
    let other = test.db.replica().await;
    let org = backends::org(&test.store, "acme").await;
    let agent = agent(&test.store, &org, "support").await;
    let session = test.store.create_session(&org, &agent).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let store: PgStore = if i % 2 == 0 {
            test.store.clone()
        } else {
            other.clone()
        };
        let new = ask(&agent, Some(&session.id), &format!("q{i}"));
        let org = org.clone();
        tasks.spawn(async move { store.record_interaction(&org, new).await });
    }
    let mut recorded = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        recorded.push(joined.unwrap().unwrap());
    }
    let turns = other.session_turns(&org, &session.id, 50).await.unwrap();
    assert_eq!(turns.len(), 20);
    let mut asked: Vec<&str> = queries(&turns);
    asked.sort_unstable();
    asked.dedup();
    assert_eq!(asked.len(), 20, "every turn once");
    assert!(turns.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    let latest = recorded.iter().map(|i| i.created_at).max().unwrap();
    let touched = test
        .store
        .get_session(&org, &session.id)
        .await
        .unwrap()
        .unwrap();
    assert!(touched.last_active_at >= latest);
}
