//! Jobs, their runs and chats, on SQLite and PostgreSQL: jobs kept per
//! organisation with their channels; manual and scheduled triggers (one
//! group of runs at a time, a due time fired once, a fire that finds the
//! job running recorded as skipped); runs started, finished into their
//! chats, retried, requeued and cancelled; fan-outs dispatched up to their
//! concurrency. On PostgreSQL, two replicas fire one due schedule and
//! finish runs of one fan-out at once.

use std::collections::HashSet;
use std::time::Duration;

use grove_core::agents::RagStrategy;
use grove_core::ids::{AgentId, JobId, OrgId, RunId};
use grove_core::jobs::{
    ChannelKind, DocumentKind, Initiator, MessageRole, ModelUsage, NotifyLevel, NotifyTopic,
    ParamSpec, ParamType, ParamValues, RetryPolicy, Run, RunStatus,
};
use grove_core::page::Page;
use grove_store::notifications::NotificationStore;
use grove_store::postgres::PgStore;
use grove_store::queue::QueueStore;
use grove_store::{
    AgentStore, ChannelStore, JobStore, NewAgent, NewChannel, NewDocument, NewJob, NewMessage,
    PlannedRun, RunFinish, ScheduledFire, TenancyStore, TriggerOutcome, TriggerRequest, RUN_KIND,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

mod backends;

use backends::TestDb;

on_each_backend!(
    jobs_are_kept_per_org_with_their_channels,
    a_manual_run_goes_from_trigger_to_its_chat_and_notification,
    a_due_time_fires_once_and_a_busy_job_records_a_skip,
    a_fan_out_dispatches_up_to_its_concurrency,
    runs_are_retried_requeued_and_cancelled,
    deleting_a_job_cancels_its_runs,
    ad_hoc_chats_are_listed_with_their_agent,
);

/// Everything a job test needs of a store.
trait Stores:
    TenancyStore + AgentStore + JobStore + ChannelStore + NotificationStore + QueueStore
{
}

impl<S> Stores for S where
    S: TenancyStore + AgentStore + JobStore + ChannelStore + NotificationStore + QueueStore
{
}

async fn agent<S: AgentStore>(store: &S, org: &OrgId, slug: &str) -> AgentId {
    let new = NewAgent {
        name: format!("Agent {slug}"),
        slug: slug.to_owned(),
        description: String::new(),
        system_prompt: "Answer from the sources only.".into(),
        rag_strategy: RagStrategy::Redwood,
        model: None,
        temperature: 0.25,
        max_tokens: 800,
        similarity_threshold: 0.35,
        data_source_ids: vec![],
        data_connector_ids: Vec::new(),
        max_steps: 8,
        components: None,
        max_run_tokens: None,
        max_run_cost_usd: None,
        active: true,
    };
    store.create_agent(org, new).await.unwrap().id
}

fn new_job(agent: &AgentId, name: &str) -> NewJob {
    NewJob {
        agent_id: agent.clone(),
        name: name.into(),
        prompt: "Summarise {{region}}".into(),
        parameters: vec![ParamSpec {
            name: "region".into(),
            kind: ParamType::String,
            default: Some(json!("emea")),
        }],
        schedule: None,
        timezone: "UTC".into(),
        schedule_enabled: true,
        parameter_sets: Vec::new(),
        fan_out_concurrency: 1,
        timeout_seconds: 300,
        retry: RetryPolicy {
            max_retries: 2,
            delay_seconds: 30,
        },
        channel_ids: Vec::new(),
        next_run_at: None,
        queries: Vec::new(),
    }
}

fn channel(topics: Vec<NotifyTopic>) -> NewChannel {
    NewChannel {
        name: "ops".into(),
        kind: ChannelKind::Email,
        config: json!({"to": ["ops@example.com"]}),
        min_level: NotifyLevel::Info,
        topics,
        enabled: true,
    }
}

fn params(region: &str) -> ParamValues {
    let mut values = ParamValues::new();
    values.insert("region".into(), json!(region));
    values
}

/// A trigger of `regions.len()` runs, one per region.
fn trigger(
    initiator: Initiator,
    regions: &[&str],
    schedule: Option<ScheduledFire>,
) -> TriggerRequest {
    TriggerRequest {
        initiator,
        runs: regions
            .iter()
            .map(|r| PlannedRun {
                parameters: params(r),
                prompt: format!("Summarise {r}"),
            })
            .collect(),
        schedule,
    }
}

fn started(outcome: Option<TriggerOutcome>) -> Vec<Run> {
    match outcome {
        Some(TriggerOutcome::Started(runs)) => runs,
        other => panic!("expected runs to start, got {other:?}"),
    }
}

fn finish(status: RunStatus) -> RunFinish {
    RunFinish {
        status,
        error: (status != RunStatus::Succeeded).then(|| "it broke".to_owned()),
        steps: Vec::new(),
        reply: None,
        documents: Vec::new(),
        usage: ModelUsage::default(),
    }
}

/// The runs of the run items due in the queue now, leased (and so taken).
async fn leased_runs<S: QueueStore>(store: &S) -> Vec<RunId> {
    let mut runs = Vec::new();
    while let Some(item) = store
        .lease(&[RUN_KIND.to_owned()], "test", Duration::from_secs(60))
        .await
        .unwrap()
    {
        assert_eq!(item.kind, RUN_KIND);
        let run = item.payload["run_id"].as_str().unwrap();
        runs.push(RunId::parse(run).unwrap());
    }
    runs
}

/// A whole-second time (as the scheduler computes them) `minutes` away.
fn at_minutes(minutes: i64) -> Timestamp {
    let now = Timestamp::from_second(Timestamp::now().as_second()).unwrap();
    now + SignedDuration::from_mins(minutes)
}

async fn jobs_are_kept_per_org_with_their_channels<S: Stores>(store: &S) {
    let acme = backends::org(store, "acme").await;
    let other = backends::org(store, "other").await;
    let support = agent(store, &acme, "support").await;
    let sales = agent(store, &acme, "sales").await;
    let one = store.create_channel(&acme, channel(vec![])).await.unwrap();
    let two = store.create_channel(&acme, channel(vec![])).await.unwrap();
    let mut new = new_job(&support, "weekly");
    new.channel_ids = vec![two.id.clone(), one.id.clone()];
    new.parameter_sets = vec![params("emea"), params("apac")];
    new.fan_out_concurrency = 2;
    new.schedule = Some("0 9 * * MON".into());
    new.next_run_at = Some(at_minutes(60));
    let job = store.create_job(&acme, new.clone()).await.unwrap();
    assert_eq!(job.name, "weekly");
    assert_eq!(
        job.channel_ids,
        vec![two.id.clone(), one.id.clone()],
        "in order"
    );
    assert_eq!(job.parameters, new.parameters);
    assert_eq!(job.parameter_sets, new.parameter_sets);
    assert_eq!(job.retry, new.retry);
    assert_eq!(job.next_run_at, new.next_run_at);
    assert_eq!(job.fan_out_concurrency, 2);
    assert_eq!(
        store.get_job(&acme, &job.id).await.unwrap(),
        Some(job.clone())
    );
    assert!(store.get_job(&other, &job.id).await.unwrap().is_none());

    // A later millisecond, so the order by creation is known.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = store
        .create_job(&acme, new_job(&sales, "daily"))
        .await
        .unwrap();
    let all = store.list_jobs(&acme, None, Page::default()).await.unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(all.items[0], job, "oldest first, with channels");
    let of_sales = store
        .list_jobs(&acme, Some(&sales), Page::default())
        .await
        .unwrap();
    assert_eq!(of_sales.total, 1);
    assert_eq!(of_sales.items[0].id, second.id);
    assert_eq!(
        store
            .list_jobs(&other, None, Page::default())
            .await
            .unwrap()
            .total,
        0
    );

    let mut replacement = new_job(&support, "weekly, renamed");
    replacement.channel_ids = vec![one.id.clone()];
    assert!(store
        .replace_job(&other, &job.id, replacement.clone())
        .await
        .unwrap()
        .is_none());
    let replaced = store
        .replace_job(&acme, &job.id, replacement)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(replaced.name, "weekly, renamed");
    assert_eq!(replaced.channel_ids, vec![one.id.clone()]);
    assert_eq!(replaced.next_run_at, None);

    let two_id = two.id.clone();
    let changed = store
        .change_job(
            &acme,
            &job.id,
            Box::new(move |mut j| {
                j.timeout_seconds = 60;
                j.channel_ids.push(two_id);
                Ok(j)
            }),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.timeout_seconds, 60);
    assert_eq!(changed.channel_ids, vec![one.id.clone(), two.id.clone()]);
    let refused = store
        .change_job(
            &acme,
            &job.id,
            Box::new(|_| Err(grove_core::ApiError::conflict("no"))),
        )
        .await;
    assert!(refused.is_err());
    assert_eq!(store.get_job(&acme, &job.id).await.unwrap(), Some(changed));

    assert!(store.delete_channel(&acme, &two.id).await.unwrap());
    let without = store.get_job(&acme, &job.id).await.unwrap().unwrap();
    assert_eq!(
        without.channel_ids,
        vec![one.id.clone()],
        "a deleted channel drops out"
    );
    assert!(!store.delete_job(&other, &job.id).await.unwrap());
    assert!(store.delete_job(&acme, &job.id).await.unwrap());
    assert!(store.get_job(&acme, &job.id).await.unwrap().is_none());
    assert!(!store.delete_job(&acme, &job.id).await.unwrap());
}

async fn a_manual_run_goes_from_trigger_to_its_chat_and_notification<S: Stores>(store: &S) {
    let acme = backends::org(store, "acme").await;
    let support = agent(store, &acme, "support").await;
    let done = store
        .create_channel(&acme, channel(vec![NotifyTopic::CompletedRun]))
        .await
        .unwrap();
    let failures = store
        .create_channel(&acme, channel(vec![NotifyTopic::FailedRun]))
        .await
        .unwrap();
    let mut new = new_job(&support, "report");
    new.channel_ids = vec![done.id.clone(), failures.id.clone()];
    let job = store.create_job(&acme, new).await.unwrap();
    assert!(store
        .trigger_job(
            &acme,
            &JobId::generate(),
            trigger(Initiator::Manual, &["emea"], None)
        )
        .await
        .unwrap()
        .is_none());

    let runs = started(
        store
            .trigger_job(&acme, &job.id, trigger(Initiator::Manual, &["emea"], None))
            .await
            .unwrap(),
    );
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.status, RunStatus::Queued);
    assert_eq!(run.initiator, Initiator::Manual);
    assert_eq!(run.max_attempts, 3, "two retries");
    assert_eq!(run.prompt, "Summarise emea");
    assert_eq!(run.parameters, params("emea"));
    assert!(run.queue_item_id.is_some());
    let chat = run.chat_id.clone().expect("a run's chat");
    match store
        .trigger_job(&acme, &job.id, trigger(Initiator::Api, &["apac"], None))
        .await
        .unwrap()
    {
        Some(TriggerOutcome::AlreadyRunning { run_id, chat_id }) => {
            assert_eq!(run_id, run.id);
            assert_eq!(chat_id.as_ref(), Some(&chat));
        }
        other => panic!("one group at a time, got {other:?}"),
    }
    assert_eq!(leased_runs(store).await, vec![run.id.clone()]);

    let running = store.start_run(&run.id).await.unwrap().unwrap();
    assert_eq!(running.status, RunStatus::Running);
    assert_eq!(running.attempts, 1);
    assert!(running.started_at.is_some());
    let report = NewDocument::new(DocumentKind::Text, "Summary", json!({"text": "fine"}));
    let ended = store
        .finish_run(
            &run.id,
            RunFinish {
                status: RunStatus::Succeeded,
                error: None,
                steps: vec![NewMessage {
                    role: MessageRole::Tool,
                    content: "searched".into(),
                    sources: Vec::new(),
                    model: Some("m".into()),
                }],
                reply: Some(NewMessage {
                    role: MessageRole::Assistant,
                    content: "All fine in emea.".into(),
                    sources: Vec::new(),
                    model: Some("m".into()),
                }),
                documents: vec![report.clone()],
                usage: ModelUsage {
                    input_tokens: 120,
                    output_tokens: 30,
                    cost_usd: 0.25,
                },
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, RunStatus::Succeeded);
    assert!(ended.finished_at.is_some());
    assert!(
        store
            .finish_run(&run.id, finish(RunStatus::Failed))
            .await
            .unwrap()
            .is_none(),
        "a run ends once"
    );

    let record = store.get_chat(&acme, &chat).await.unwrap().unwrap();
    assert_eq!(record.chat.job_id.as_ref(), Some(&job.id));
    assert_eq!(record.chat.run_id.as_ref(), Some(&run.id));
    assert_eq!(record.chat.title, "report (region=emea)");
    let roles: Vec<_> = record.messages.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [MessageRole::User, MessageRole::Tool, MessageRole::Assistant]
    );
    assert_eq!(record.messages[0].content, "Summarise emea");
    assert_eq!(record.documents.len(), 1);
    assert_eq!(record.documents[0].id, report.id);
    assert_eq!(record.chat.usage.input_tokens, 120);
    assert_eq!(record.chat.usage.cost_usd, 0.25);
    assert_eq!(
        record.run.as_ref().map(|r| r.status),
        Some(RunStatus::Succeeded)
    );

    let to_done = store
        .notification_deliveries(&acme, &done.id, Page::default())
        .await
        .unwrap();
    assert_eq!(to_done.total, 1, "the completed-runs channel is told");
    assert_eq!(to_done.items[0].run_id.as_ref(), Some(&run.id));
    assert_eq!(to_done.items[0].event, "job.run.succeeded");
    let to_failures = store
        .notification_deliveries(&acme, &failures.id, Page::default())
        .await
        .unwrap();
    assert_eq!(to_failures.total, 0, "the failed-runs channel is not");

    let chats = store
        .list_chats(&acme, None, Some(&job.id), Page::default())
        .await
        .unwrap();
    assert_eq!(chats.total, 1);
    assert_eq!(chats.items[0].status, Some(RunStatus::Succeeded));
    assert_eq!(chats.items[0].initiator, Some(Initiator::Manual));
    assert_eq!(chats.items[0].job_name.as_deref(), Some("report"));
    assert_eq!(chats.items[0].agent_name.as_deref(), Some("Agent support"));

    let again = started(
        store
            .trigger_job(&acme, &job.id, trigger(Initiator::Api, &["apac"], None))
            .await
            .unwrap(),
    );
    assert_ne!(again[0].group_id, run.group_id, "the job was released");
}

async fn a_due_time_fires_once_and_a_busy_job_records_a_skip<S: Stores>(store: &S) {
    let acme = backends::org(store, "acme").await;
    let support = agent(store, &acme, "support").await;
    let (due, next, after) = (at_minutes(-1), at_minutes(59), at_minutes(119));
    let mut new = new_job(&support, "hourly");
    new.schedule = Some("0 * * * *".into());
    new.next_run_at = Some(due);
    let job = store.create_job(&acme, new.clone()).await.unwrap();
    let mut later = new;
    later.next_run_at = Some(at_minutes(30));
    store.create_job(&acme, later).await.unwrap();
    assert_eq!(store.next_due_at().await.unwrap(), Some(due));
    let due_now = store.due_jobs(Timestamp::now(), 10).await.unwrap();
    assert_eq!(due_now.len(), 1, "only the job due by now");
    assert_eq!(due_now[0].id, job.id);

    let fire = ScheduledFire {
        due_at: due,
        next_run_at: Some(next),
    };
    let runs = started(
        store
            .trigger_job(
                &acme,
                &job.id,
                trigger(Initiator::Schedule, &["emea"], Some(fire)),
            )
            .await
            .unwrap(),
    );
    assert_eq!(runs[0].scheduled_for, Some(due));
    assert_eq!(runs[0].initiator, Initiator::Schedule);
    let moved = store.get_job(&acme, &job.id).await.unwrap().unwrap();
    assert_eq!(moved.next_run_at, Some(next));
    assert!(matches!(
        store
            .trigger_job(
                &acme,
                &job.id,
                trigger(Initiator::Schedule, &["emea"], Some(fire))
            )
            .await
            .unwrap(),
        Some(TriggerOutcome::Stale)
    ));
    assert!(!store
        .skip_fire(&acme, &job.id, fire, "missed")
        .await
        .unwrap());

    // The next fire finds the first run still queued: a skip, recorded.
    let busy = ScheduledFire {
        due_at: next,
        next_run_at: Some(after),
    };
    assert!(matches!(
        store
            .trigger_job(
                &acme,
                &job.id,
                trigger(Initiator::Schedule, &["emea"], Some(busy))
            )
            .await
            .unwrap(),
        Some(TriggerOutcome::AlreadyRunning { .. })
    ));
    let job_now = store.get_job(&acme, &job.id).await.unwrap().unwrap();
    assert_eq!(job_now.next_run_at, Some(after));

    // A fire missed beyond its grace is skipped once.
    let missed = ScheduledFire {
        due_at: after,
        next_run_at: None,
    };
    assert!(store
        .skip_fire(&acme, &job.id, missed, "missed by 2 h")
        .await
        .unwrap());
    assert!(!store
        .skip_fire(&acme, &job.id, missed, "missed by 2 h")
        .await
        .unwrap());
    let job_now = store.get_job(&acme, &job.id).await.unwrap().unwrap();
    assert_eq!(job_now.next_run_at, None);

    let listed = store
        .list_runs(&acme, &job.id, Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 3);
    let seen: Vec<_> = listed
        .items
        .iter()
        .map(|r| (r.status, r.scheduled_for, r.error.clone()))
        .collect();
    let still_running = format!("the job was still running (run {})", runs[0].id);
    assert_eq!(
        seen,
        vec![
            (
                RunStatus::Skipped,
                Some(after),
                Some("missed by 2 h".to_owned())
            ),
            (RunStatus::Skipped, Some(next), Some(still_running)),
            (RunStatus::Queued, Some(due), None),
        ],
        "newest first"
    );
    let page = Page {
        limit: 1,
        offset: 2,
    };
    let last = store.list_runs(&acme, &job.id, page).await.unwrap();
    assert_eq!((last.total, last.items.len()), (3, 1));
    assert_eq!(last.items[0].id, runs[0].id);
}

async fn a_fan_out_dispatches_up_to_its_concurrency<S: Stores>(store: &S) {
    let acme = backends::org(store, "acme").await;
    let support = agent(store, &acme, "support").await;
    let mut new = new_job(&support, "regions");
    new.fan_out_concurrency = 2;
    let job = store.create_job(&acme, new).await.unwrap();
    let runs = started(
        store
            .trigger_job(
                &acme,
                &job.id,
                trigger(Initiator::Api, &["a", "b", "c", "d"], None),
            )
            .await
            .unwrap(),
    );
    assert_eq!(runs.len(), 4);
    assert!(runs.iter().all(|r| r.group_id == runs[0].group_id));
    let dispatched: Vec<bool> = runs.iter().map(|r| r.queue_item_id.is_some()).collect();
    assert_eq!(dispatched, [true, true, false, false]);
    assert_eq!(
        leased_runs(store).await,
        vec![runs[0].id.clone(), runs[1].id.clone()]
    );

    store.start_run(&runs[0].id).await.unwrap().unwrap();
    store
        .finish_run(&runs[0].id, finish(RunStatus::Failed))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        leased_runs(store).await,
        vec![runs[2].id.clone()],
        "one more"
    );
    // Cancelling a run that is still waiting frees no slot: nothing more.
    let cancelled = store.cancel_run(&acme, &runs[3].id).await.unwrap().unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert!(leased_runs(store).await.is_empty());
    let again = store.cancel_run(&acme, &runs[3].id).await.unwrap().unwrap();
    assert_eq!(again.finished_at, cancelled.finished_at, "unchanged");

    assert!(matches!(
        store
            .trigger_job(&acme, &job.id, trigger(Initiator::Api, &["e"], None))
            .await
            .unwrap(),
        Some(TriggerOutcome::AlreadyRunning { .. })
    ));
    for run in [&runs[1], &runs[2]] {
        store.start_run(&run.id).await.unwrap().unwrap();
        store
            .finish_run(&run.id, finish(RunStatus::Succeeded))
            .await
            .unwrap()
            .unwrap();
    }
    started(
        store
            .trigger_job(&acme, &job.id, trigger(Initiator::Api, &["e"], None))
            .await
            .unwrap(),
    );
}

async fn runs_are_retried_requeued_and_cancelled<S: Stores>(store: &S) {
    let acme = backends::org(store, "acme").await;
    let support = agent(store, &acme, "support").await;
    let job = store
        .create_job(&acme, new_job(&support, "flaky"))
        .await
        .unwrap();
    let run = started(
        store
            .trigger_job(&acme, &job.id, trigger(Initiator::Api, &["emea"], None))
            .await
            .unwrap(),
    )
    .remove(0);
    assert!(!store
        .retry_run(&run.id, "not running", Timestamp::now())
        .await
        .unwrap());
    store.start_run(&run.id).await.unwrap().unwrap();
    let at = at_minutes(5);
    assert!(store.retry_run(&run.id, "timeout", at).await.unwrap());
    let waiting = store.run_by_id(&run.id).await.unwrap().unwrap();
    assert_eq!(waiting.status, RunStatus::Queued);
    assert_eq!(waiting.error.as_deref(), Some("timeout"));
    let item = waiting.queue_item_id.clone().unwrap();
    assert_ne!(
        Some(&item),
        run.queue_item_id.as_ref(),
        "a new item carries it"
    );
    let queued = store.queue_item(&item).await.unwrap().unwrap();
    assert_eq!(queued.run_at, at);
    assert_eq!(queued.payload["run_id"], json!(run.id));

    let running = store.start_run(&run.id).await.unwrap().unwrap();
    assert_eq!(running.attempts, 2);
    assert_eq!(
        store
            .requeue_runs(&[run.id.clone(), RunId::generate()])
            .await
            .unwrap(),
        1
    );
    let requeued = store.run_by_id(&run.id).await.unwrap().unwrap();
    assert_eq!(requeued.status, RunStatus::Queued);
    assert_eq!(requeued.attempts, 1, "the stopped attempt is not counted");
    assert_eq!(
        store
            .requeue_runs(std::slice::from_ref(&run.id))
            .await
            .unwrap(),
        0
    );

    let other = backends::org(store, "other").await;
    assert!(store.cancel_run(&other, &run.id).await.unwrap().is_none());
    assert!(store.get_run(&other, &run.id).await.unwrap().is_none());
    let cancelled = store.cancel_run(&acme, &run.id).await.unwrap().unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert_eq!(cancelled.error.as_deref(), Some("cancelled on request"));
    assert!(
        store.start_run(&run.id).await.unwrap().is_none(),
        "over before it started"
    );
    assert_eq!(
        store.get_run(&acme, &run.id).await.unwrap(),
        Some(cancelled)
    );
    started(
        store
            .trigger_job(&acme, &job.id, trigger(Initiator::Api, &["emea"], None))
            .await
            .unwrap(),
    );
}

async fn deleting_a_job_cancels_its_runs<S: Stores>(store: &S) {
    let acme = backends::org(store, "acme").await;
    let support = agent(store, &acme, "support").await;
    let job = store
        .create_job(&acme, new_job(&support, "doomed"))
        .await
        .unwrap();
    let runs = started(
        store
            .trigger_job(&acme, &job.id, trigger(Initiator::Api, &["a", "b"], None))
            .await
            .unwrap(),
    );
    store.start_run(&runs[0].id).await.unwrap().unwrap();
    assert!(store.delete_job(&acme, &job.id).await.unwrap());
    for run in &runs {
        let run = store.run_by_id(&run.id).await.unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Cancelled);
        assert_eq!(run.error.as_deref(), Some("the job was deleted"));
    }
    assert!(
        store
            .finish_run(&runs[0].id, finish(RunStatus::Succeeded))
            .await
            .unwrap()
            .is_none(),
        "a cancelled run does not finish"
    );
    let chat = runs[0].chat_id.clone().unwrap();
    assert!(
        store.get_chat(&acme, &chat).await.unwrap().is_some(),
        "chats stay"
    );
}

async fn ad_hoc_chats_are_listed_with_their_agent<S: Stores>(store: &S) {
    let acme = backends::org(store, "acme").await;
    let support = agent(store, &acme, "support").await;
    let sales = agent(store, &acme, "sales").await;
    let question = NewMessage {
        role: MessageRole::User,
        content: "How many tickets?".into(),
        sources: Vec::new(),
        model: None,
    };
    let answer = NewMessage {
        role: MessageRole::Assistant,
        content: "Twelve.".into(),
        sources: Vec::new(),
        model: Some("m".into()),
    };
    let table = NewDocument::new(DocumentKind::Table, "Tickets", json!({"rows": [[12]]}));
    let usage = ModelUsage {
        input_tokens: 10,
        output_tokens: 2,
        cost_usd: 0.5,
    };
    let chat = store
        .create_chat(
            &acme,
            &support,
            "Tickets",
            vec![question, answer],
            vec![table.clone()],
            usage,
        )
        .await
        .unwrap();
    assert_eq!(chat.usage, usage);
    assert!(chat.job_id.is_none() && chat.run_id.is_none());
    store
        .create_chat(
            &acme,
            &sales,
            "Deals",
            Vec::new(),
            Vec::new(),
            ModelUsage::default(),
        )
        .await
        .unwrap();
    let record = store.get_chat(&acme, &chat.id).await.unwrap().unwrap();
    assert_eq!(record.chat, chat);
    assert!(record.run.is_none());
    let contents: Vec<_> = record.messages.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["How many tickets?", "Twelve."]);
    assert_eq!(record.messages[1].model.as_deref(), Some("m"));
    assert_eq!(record.documents[0].id, table.id);
    assert_eq!(record.documents[0].content, json!({"rows": [[12]]}));

    let all = store
        .list_chats(&acme, None, None, Page::default())
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    let of_support = store
        .list_chats(&acme, Some(&support), None, Page::default())
        .await
        .unwrap();
    assert_eq!(of_support.total, 1);
    assert_eq!(of_support.items[0].chat.id, chat.id);
    assert_eq!(
        of_support.items[0].agent_name.as_deref(),
        Some("Agent support")
    );
    assert!(of_support.items[0].status.is_none() && of_support.items[0].job_name.is_none());
    let past_end = Page {
        limit: 10,
        offset: 5,
    };
    let beyond = store.list_chats(&acme, None, None, past_end).await.unwrap();
    assert_eq!((beyond.total, beyond.items.len()), (2, 0));
    let other = backends::org(store, "other").await;
    assert!(store.get_chat(&other, &chat.id).await.unwrap().is_none());
    assert_eq!(
        store
            .list_chats(&other, None, None, Page::default())
            .await
            .unwrap()
            .total,
        0
    );
}

/// Two replicas of one database with an organisation and an agent.
async fn two_replicas() -> (TestDb, PgStore, PgStore, OrgId, AgentId) {
    let db = TestDb::new().await;
    let (one, two) = (db.replica().await, db.replica().await);
    let acme = backends::org(&one, "acme").await;
    let support = agent(&one, &acme, "support").await;
    (db, one, two, acme, support)
}

/// Both replicas' schedulers take the same due fire of many jobs at once:
/// each fire starts one group of runs, the other replica finding it
/// stale; and a missed fire taken by both is skipped once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_fire_each_due_schedule_once() {
    let (_db, one, two, acme, support) = two_replicas().await;
    let due = at_minutes(-1);
    let mut new = new_job(&support, "hourly");
    new.schedule = Some("0 * * * *".into());
    new.next_run_at = Some(due);
    let mut jobs = Vec::new();
    for _ in 0..12 {
        jobs.push(one.create_job(&acme, new.clone()).await.unwrap().id);
    }
    let fire = ScheduledFire {
        due_at: due,
        next_run_at: Some(at_minutes(59)),
    };
    let mut tasks = tokio::task::JoinSet::new();
    for job in &jobs {
        for store in [&one, &two] {
            let (store, acme, job) = (store.clone(), acme.clone(), job.clone());
            tasks.spawn(async move {
                let request = trigger(Initiator::Schedule, &["emea", "apac"], Some(fire));
                store.trigger_job(&acme, &job, request).await
            });
        }
    }
    let (mut groups, mut stale) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap().unwrap() {
            Some(TriggerOutcome::Started(runs)) => {
                assert_eq!(runs.len(), 2);
                groups += 1;
            }
            Some(TriggerOutcome::Stale) => stale += 1,
            other => panic!("a due fire starts or is stale, got {other:?}"),
        }
    }
    assert_eq!((groups, stale), (12, 12), "each job fired by one replica");
    for job in &jobs {
        let runs = two.list_runs(&acme, job, Page::default()).await.unwrap();
        assert_eq!(runs.total, 2, "one set of runs per job");
        let moved = two.get_job(&acme, job).await.unwrap().unwrap();
        assert_eq!(moved.next_run_at, fire.next_run_at);
    }
    assert_eq!(
        leased_runs(&two).await.len(),
        12,
        "one run item per job (concurrency 1)"
    );

    // The next fire is missed beyond its grace: both skip it, once.
    let missed = ScheduledFire {
        due_at: fire.next_run_at.unwrap(),
        next_run_at: Some(at_minutes(119)),
    };
    let mut tasks = tokio::task::JoinSet::new();
    for job in &jobs {
        for store in [&one, &two] {
            let (store, acme, job) = (store.clone(), acme.clone(), job.clone());
            tasks.spawn(async move { store.skip_fire(&acme, &job, missed, "missed").await });
        }
    }
    let mut skipped = 0;
    while let Some(joined) = tasks.join_next().await {
        skipped += usize::from(joined.unwrap().unwrap());
    }
    assert_eq!(skipped, 12, "each missed fire skipped by one replica");
    for job in &jobs {
        let runs = one.list_runs(&acme, job, Page::default()).await.unwrap();
        let skips = runs
            .items
            .iter()
            .filter(|r| r.status == RunStatus::Skipped)
            .count();
        assert_eq!((runs.total, skips), (3, 1));
    }
}

/// Two replicas finish the running runs of one fan-out at once, round
/// after round: each finish frees one slot, and every run is dispatched
/// (given a queue item) exactly once, never more than the concurrency at
/// a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_finishing_a_fan_out_dispatch_each_run_once() {
    let (_db, one, two, acme, support) = two_replicas().await;
    let mut new = new_job(&support, "regions");
    new.fan_out_concurrency = 2;
    let regions: Vec<String> = (0..12).map(|i| format!("r{i}")).collect();
    let names: Vec<&str> = regions.iter().map(String::as_str).collect();
    let mut all_dispatched = Vec::new();
    for _ in 0..3 {
        let job = one.create_job(&acme, new.clone()).await.unwrap();
        let runs = started(
            one.trigger_job(&acme, &job.id, trigger(Initiator::Api, &names, None))
                .await
                .unwrap(),
        );
        let mut active = leased_runs(&one).await;
        let mut dispatched = active.clone();
        while !active.is_empty() {
            assert_eq!(active.len().min(2), active.len(), "at most the concurrency");
            for run in &active {
                one.start_run(run).await.unwrap().unwrap();
            }
            let finishes: Vec<_> = active
                .iter()
                .zip([&one, &two])
                .map(|(run, store)| {
                    let (store, run) = (store.clone(), run.clone());
                    tokio::spawn(async move {
                        store.finish_run(&run, finish(RunStatus::Succeeded)).await
                    })
                })
                .collect();
            for finished in finishes {
                assert!(finished.await.unwrap().unwrap().is_some());
            }
            active = leased_runs(&two).await;
            dispatched.extend(active.iter().cloned());
        }
        let unique: HashSet<_> = dispatched.iter().collect();
        assert_eq!(unique.len(), dispatched.len(), "no run dispatched twice");
        assert_eq!(dispatched.len(), runs.len(), "every run dispatched");
        let listed = two
            .list_runs(&acme, &job.id, Page::default())
            .await
            .unwrap();
        assert!(listed
            .items
            .iter()
            .all(|r| r.status == RunStatus::Succeeded));
        all_dispatched.extend(dispatched);
        started(
            two.trigger_job(&acme, &job.id, trigger(Initiator::Api, &["again"], None))
                .await
                .unwrap(),
        );
        leased_runs(&two).await;
    }
    assert_eq!(all_dispatched.len(), 36);
}
