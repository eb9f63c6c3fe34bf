//! Dynamic batching of one-text requests (search queries). Embedding a short
//! query with the local model is bound by reading the model's weights, not
//! by arithmetic, so queries that arrive together are embedded as one batch:
//! a single worker takes every query waiting when it becomes free. An idle
//! worker starts at once, so a lone query waits for nothing. Requests of
//! several texts (indexing) go straight to the model, so a query never
//! queues behind a large indexing batch. No crate does this for an
//! arbitrary async trait, hence the few lines here.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use super::{EmbedError, Embedder, EmbedderInfo};

/// Queries embedded together at most.
const MAX_BATCH: usize = 32;

struct Job {
    text: String,
    reply: oneshot::Sender<Result<Vec<f32>, String>>,
}

pub struct Coalescing {
    inner: Arc<dyn Embedder>,
    /// Started on first use, inside the runtime.
    jobs: OnceLock<mpsc::UnboundedSender<Job>>,
}

impl Coalescing {
    pub fn new(inner: Arc<dyn Embedder>) -> Self {
        Self {
            inner,
            jobs: OnceLock::new(),
        }
    }

    fn queue(&self) -> &mpsc::UnboundedSender<Job> {
        self.jobs.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(work(self.inner.clone(), rx));
            tx
        })
    }
}

/// Embeds whatever is waiting, one batch at a time, until every sender is gone.
async fn work(inner: Arc<dyn Embedder>, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let texts = jobs.iter().map(|j| j.text.clone()).collect();
        match inner.embed(texts).await {
            Ok(vectors) if vectors.len() == jobs.len() => {
                for (job, vector) in jobs.into_iter().zip(vectors) {
                    let _ = job.reply.send(Ok(vector));
                }
            }
            Ok(vectors) => {
                let message = format!("{} vectors for {} texts", vectors.len(), jobs.len());
                for job in jobs {
                    let _ = job.reply.send(Err(message.clone()));
                }
            }
            Err(e) => {
                for job in jobs {
                    let _ = job.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

#[async_trait]
impl Embedder for Coalescing {
    fn info(&self) -> &EmbedderInfo {
        self.inner.info()
    }

    fn calibration(&self) -> crate::calibration::Calibrated {
        self.inner.calibration()
    }

    async fn embed(&self, mut texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.len() != 1 {
            return self.inner.embed(texts).await;
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            text: texts.remove(0),
            reply,
        };
        let gone = || EmbedError::Model("the query embedding worker stopped".into());
        self.queue().send(job).map_err(|_| gone())?;
        let vector = answer
            .await
            .map_err(|_| gone())?
            .map_err(EmbedError::Model)?;
        Ok(vec![vector])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records the batches it sees; a text's vector is its length.
    struct Recorder {
        info: EmbedderInfo,
        batches: Mutex<Vec<usize>>,
    }

    #[async_trait]
    impl Embedder for Recorder {
        fn info(&self) -> &EmbedderInfo {
            &self.info
        }

        async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
            self.batches.lock().unwrap().push(texts.len());
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok(texts.iter().map(|t| vec![t.len() as f32]).collect())
        }
    }

    #[tokio::test]
    async fn concurrent_queries_share_batches_and_get_their_own_vectors() {
        let recorder = Arc::new(Recorder {
            info: EmbedderInfo {
                name: "recorder".into(),
                dimension: 1,
            },
            batches: Mutex::new(Vec::new()),
        });
        let coalescing = Arc::new(Coalescing::new(recorder.clone()));
        let mut tasks = Vec::new();
        for n in 1..=20usize {
            let c = coalescing.clone();
            tasks.push(tokio::spawn(async move {
                (n, c.embed(vec!["x".repeat(n)]).await.unwrap())
            }));
        }
        for task in tasks {
            let (n, vectors) = task.await.unwrap();
            assert_eq!(vectors, vec![vec![n as f32]]);
        }
        let batches = recorder.batches.lock().unwrap().clone();
        assert_eq!(batches.iter().sum::<usize>(), 20);
        assert!(batches.len() < 20, "no query shared a batch: {batches:?}");
        // Several texts at once bypass the worker.
        let many = coalescing
            .embed(vec!["ab".into(), "c".into()])
            .await
            .unwrap();
        assert_eq!(many, vec![vec![2.0], vec![1.0]]);
        assert_eq!(recorder.batches.lock().unwrap().last(), Some(&2));
    }
}
