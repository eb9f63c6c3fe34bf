//! Offline commands that work on a data directory directly: `grove ingest dir`
//! and `grove eval retrieval`. They open the store and the search index
//! themselves; `ingest` writes the index, so the server must not be running
//! on the same data directory at the time (the index says so if it is).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use grove_core::config::Config;
use grove_core::ids::OrgId;
use grove_ingest::chunk::ChunkSettings;
use grove_ingest::local::{index_directory, DirectoryIngest};
use grove_search::eval::{
    agent_rates, parse_questions, rank_questions, score_rankings, Question, Ranking,
};
use grove_search::Mode;
use grove_server::{open_search, open_store};
use grove_store::TenancyStore;

/// The organisation to work in: the one named, or the only one there is.
pub async fn pick_org(store: &dyn TenancyStore, named: Option<&str>) -> anyhow::Result<OrgId> {
    if let Some(raw) = named {
        let id = OrgId::parse(raw).map_err(|e| anyhow::anyhow!("--org: {e}"))?;
        if store.get_org(&id).await?.is_none() {
            bail!("--org: no organisation {id} in this data directory");
        }
        return Ok(id);
    }
    let orgs = store.list_orgs().await?;
    match orgs.as_slice() {
        [only] => Ok(only.id.clone()),
        [] => bail!("no organisation yet: run `grove init` first"),
        _ => bail!("{} organisations here: choose one with --org", orgs.len()),
    }
}

pub struct IngestArgs<'a> {
    pub dir: &'a Path,
    pub name: Option<&'a str>,
    pub org: Option<&'a str>,
    pub exclude: &'a [String],
    pub settings: ChunkSettings,
}

pub async fn ingest_dir(config: &Config, args: IngestArgs<'_>) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let org = pick_org(store.as_ref(), args.org).await?;
    let (engine, status) = open_search(config)?;
    eprintln!("embedder: {status}");
    let default_name = args
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "files".into());
    let job = DirectoryIngest {
        dir: args.dir,
        name: args.name.unwrap_or(&default_name),
        exclude: args.exclude,
        settings: args.settings,
    };
    let started = std::time::Instant::now();
    let report = index_directory(
        store.as_ref(),
        &engine,
        &org,
        job,
        grove_ingest::chunk::token_counter(config).as_ref(),
    )
    .await
    .context("indexing failed")?;
    for (path, why) in &report.skipped {
        eprintln!("skipped {}: {why}", path.display());
    }
    println!(
        "data source {}: {} documents, {} chunks in {:.1} s",
        report.data_source_id,
        report.documents,
        report.chunks,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What `grove eval retrieval` scores.
pub struct EvalRun<'a> {
    pub questions: &'a Path,
    pub data_source: &'a str,
    pub org: Option<&'a str>,
    pub modes: &'a [Mode],
    pub rankings_out: Option<&'a Path>,
}

fn read_questions(path: &Path) -> anyhow::Result<Vec<Question>> {
    let raw =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_questions(&raw).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub async fn eval_retrieval(config: &Config, run: EvalRun<'_>) -> anyhow::Result<()> {
    let questions = read_questions(run.questions)?;
    let store = open_store(config).await?;
    let org = pick_org(store.as_ref(), run.org).await?;
    let (engine, status) = open_search(config)?;
    eprintln!("embedder: {status}");
    let mut rankings = Vec::new();
    for &mode in run.modes {
        if mode != Mode::Lexical && engine.embedder().is_none() {
            eprintln!("{}: skipped, no embedding model", mode.as_str());
            continue;
        }
        rankings.extend(
            rank_questions(&engine, org.as_str(), run.data_source, &questions, mode).await?,
        );
    }
    if let Some(path) = run.rankings_out {
        write_rankings(path, &rankings)?;
    }
    print_scores(&questions, &rankings);
    let threshold = config.agents.similarity_threshold;
    if run.modes.contains(&Mode::Hybrid) && engine.embedder().is_some() {
        let rates = agent_rates(
            &engine,
            org.as_str(),
            run.data_source,
            &questions,
            threshold,
        )
        .await?;
        println!(
            "default agent (hybrid, threshold {threshold}): answers {}/{} answerable ({:.1} %), declines {}/{} unanswerable ({:.1} %)",
            rates.answered,
            rates.answerable,
            percent(rates.answered, rates.answerable),
            rates.declined,
            rates.unanswerable,
            percent(rates.declined, rates.unanswerable),
        );
    }
    Ok(())
}

pub fn eval_score(questions: &Path, files: &[PathBuf]) -> anyhow::Result<()> {
    let questions = read_questions(questions)?;
    let mut rankings = Vec::new();
    for path in files {
        let raw = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        for (n, line) in raw
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let ranking: Ranking = serde_json::from_str(line)
                .with_context(|| format!("{}: line {}", path.display(), n + 1))?;
            rankings.push(ranking);
        }
    }
    print_scores(&questions, &rankings);
    Ok(())
}

fn write_rankings(path: &Path, rankings: &[Ranking]) -> anyhow::Result<()> {
    let mut out = String::new();
    for r in rankings {
        out.push_str(&serde_json::to_string(r)?);
        out.push('\n');
    }
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

fn print_scores(questions: &[Question], rankings: &[Ranking]) {
    let answerable = questions.iter().filter(|q| q.answerable()).count();
    println!(
        "{:<8} {:<8} {:>7} {:>7} {:>10}   ({answerable} answerable questions)",
        "system", "mode", "hit@5", "MRR@10", "recall@10"
    );
    for (system, mode, s) in score_rankings(questions, rankings) {
        println!(
            "{system:<8} {mode:<8} {:>7.3} {:>7.3} {:>10.3}",
            s.hit_at_5, s.mrr_at_10, s.recall_at_10
        );
    }
}

fn percent(n: usize, of: usize) -> f64 {
    100.0 * n as f64 / of.max(1) as f64
}

/// What `grove eval answers` runs.
pub struct AnswerRun<'a> {
    pub answers: &'a Path,
    pub data_source: &'a str,
    pub org: Option<&'a str>,
    pub sentences: usize,
    pub followups: Option<&'a Path>,
    pub answers_out: Option<&'a Path>,
    pub strategies: Option<&'a Path>,
}

pub async fn eval_answers(config: &Config, run: AnswerRun<'_>) -> anyhow::Result<()> {
    use grove_agent::answer_eval::{
        evaluate_answers, first_two_sentences, parse_answer_set, previous, AnswerFn,
    };
    use grove_llm::extractive::Extractive;
    let raw = std::fs::read_to_string(run.answers)
        .with_context(|| format!("cannot read {}", run.answers.display()))?;
    let items =
        parse_answer_set(&raw).map_err(|e| anyhow::anyhow!("{}: {e}", run.answers.display()))?;
    let store = open_store(config).await?;
    let org = pick_org(store.as_ref(), run.org).await?;
    let (engine, status) = open_search(config)?;
    eprintln!("embedder: {status}");
    // Agents answer within their max_tokens (500 by default).
    const MAX_TOKENS: u32 = 500;
    let terms = &Extractive::new(None, run.sentences);
    let with_model = engine
        .embedder()
        .cloned()
        .map(|e| Extractive::new(Some(grove_server::text_embedder(e)), run.sentences));
    let mut answerers: Vec<(&str, AnswerFn<'_>)> = vec![
        (
            "first-two",
            Box::new(|p| Box::pin(async move { first_two_sentences(&p) })),
        ),
        (
            "previous",
            Box::new(|p| Box::pin(async move { previous::compose(&p, MAX_TOKENS).join(" ") })),
        ),
        (
            "terms",
            Box::new(move |p| {
                Box::pin(async move { terms.compose(&p, MAX_TOKENS).await.join(" ") })
            }),
        ),
    ];
    if let Some(extractive) = &with_model {
        answerers.push((
            "extractive",
            Box::new(move |p| {
                Box::pin(async move { extractive.compose(&p, MAX_TOKENS).await.join(" ") })
            }),
        ));
    }
    let threshold = config.agents.similarity_threshold;
    let grove_agent::answer_eval::AnswerEval { scores, reach } = evaluate_answers(
        &engine,
        org.as_str(),
        run.data_source,
        &items,
        threshold,
        &answerers,
    )
    .await?;
    println!(
        "{:<11} {:>9} {:>9} {:>10} {:>10} {:>7} {:>8} {:>8}   ({} questions, {} sentences, threshold {threshold})",
        "answerer", "answered", "gold-hit", "head/quest", "cited-prec", "words", "p50-ms", "p99-ms",
        items.len(), run.sentences
    );
    if let Some(path) = run.answers_out {
        let mut out = String::new();
        for s in &scores {
            for a in &s.answers {
                let line = serde_json::json!({"answerer": s.answerer, "question": a.question,
                                              "answer": a.answer, "gold_hit": a.gold_hit,
                                              "gold_source": a.gold_source});
                out.push_str(&format!("{line}\n"));
            }
        }
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?;
    }
    for s in scores {
        println!(
            "{:<11} {:>9} {:>8.1}% {:>10} {:>9.1}% {:>7.1} {:>8.2} {:>8.2}",
            s.answerer,
            s.answered,
            percent(s.gold_hits, s.questions),
            s.headings_or_questions,
            percent(s.relevant_first_citation, s.citing),
            s.mean_words,
            s.p50_ms,
            s.p99_ms,
        );
    }
    println!(
        "a gold sentence stands in the first source for {:.1} %, the first three {:.1} %, any of them {:.1} % (the most an answer quoting from them can hit)",
        percent(reach.in_first, reach.questions),
        percent(reach.in_first_three, reach.questions),
        percent(reach.in_any, reach.questions),
    );
    if let Some(path) = run.followups {
        use grove_agent::answer_eval::{evaluate_followups, parse_followups};
        let raw = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let pairs =
            parse_followups(&raw).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let f = evaluate_followups(&engine, org.as_str(), run.data_source, &pairs).await?;
        println!(
            "second turn hit@5 over {} pairs: redwood {:.3}, cedar without a model {:.3}",
            f.pairs,
            f.redwood_hits as f64 / f.pairs.max(1) as f64,
            f.cedar_hits as f64 / f.pairs.max(1) as f64,
        );
    }
    if let Some(path) = run.strategies {
        let questions = read_questions(path)?;
        let ds = grove_core::ids::DataSourceId::parse(run.data_source)
            .map_err(|e| anyhow::anyhow!("--data-source: {e}"))?;
        let s = grove_agent::answer_eval::evaluate_strategies(
            &engine, &org, &ds, &questions, threshold,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let rate = |hits: usize, of: usize| hits as f64 / of.max(1) as f64;
        println!(
            "retrieval hit@5 over {} questions: redwood {:.3}, cypress without a model {:.3}; on the {} whose first redwood source misses: redwood {:.3}, cypress {:.3}",
            s.questions,
            rate(s.redwood_hits, s.questions),
            rate(s.cypress_hits, s.questions),
            s.hard,
            rate(s.hard_redwood_hits, s.hard),
            rate(s.hard_cypress_hits, s.hard),
        );
    }
    Ok(())
}
