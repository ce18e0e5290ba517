//! An export's progress, kept in PostgreSQL (`export_jobs`) so that with several
//! instances behind a load balancer, whichever one the page's poll or cancel reaches
//! answers it.
//!
//! The exporting instance holds a [`Tracker`]. A reporter task writes the rows done and
//! the total every [`REPORT_EVERY`]; the same statement tells it whether the job is still
//! running, so a cancel written by any instance stops the export at the next report.
//! The tracker travels with the response body: the body ending marks the job FINISHED,
//! an error FAILED, and the body dropped early (the client went away) CANCELLED.

use app::auth::session::SessionUser;
use axum::body::{Body, Bytes};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use sqlx::PgPool;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How often a running export writes its progress and looks for a cancel.
const REPORT_EVERY: Duration = Duration::from_millis(250);

/// The id the page chose for an export: 1 to 64 ASCII letters, digits and dashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobId(String);

impl JobId {
    pub fn parse(text: &str) -> Option<JobId> {
        let valid = (1..=64).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        valid.then(|| JobId(text.to_owned()))
    }
}

/// Where an export stands, as `export_jobs.state` holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobState {
    Running,
    Finished,
    Cancelled,
    Failed,
}

/// What the page polls: rows written so far of the total.
#[derive(Debug, Serialize)]
pub struct ProgressView {
    pub done: i64,
    /// None until the count query answers.
    pub total: Option<i64>,
    pub finished: bool,
    pub state: JobState,
}

/// The counts an export bumps as it writes; the reporter reads them.
#[derive(Debug)]
pub struct Counters {
    done: Arc<AtomicU64>,
    /// -1 until the count query answers.
    total: AtomicI64,
}

impl Counters {
    fn new() -> Counters {
        Counters {
            done: Arc::new(AtomicU64::new(0)),
            total: AtomicI64::new(-1),
        }
    }

    /// The counter of rows done, for writers that add to it themselves.
    pub fn rows_done(&self) -> Arc<AtomicU64> {
        self.done.clone()
    }

    pub fn set_done(&self, rows: u64) {
        self.done.store(rows, Ordering::Relaxed);
    }

    pub fn set_total(&self, rows: i64) {
        self.total.store(rows, Ordering::Relaxed);
    }

    fn done(&self) -> i64 {
        i64::try_from(self.done.load(Ordering::Relaxed)).unwrap_or(i64::MAX)
    }

    fn total(&self) -> Option<i64> {
        Some(self.total.load(Ordering::Relaxed)).filter(|t| *t >= 0)
    }
}

/// One export's progress while it runs. Dropping it ends the job: CANCELLED unless
/// [`Tracker::end`] said otherwise.
pub struct Tracker {
    counters: Arc<Counters>,
    cancelled: CancellationToken,
    /// Tells the reporter how the export ended; None for an export without a job id.
    reporter: Option<oneshot::Sender<JobState>>,
    outcome: JobState,
}

impl Tracker {
    /// Records `job` as running for `user` (a job id used again starts over) and starts
    /// its reporter. Without a job id, counts in memory only.
    pub async fn start(
        pool: &PgPool,
        user: &SessionUser,
        job: Option<JobId>,
    ) -> sqlx::Result<Tracker> {
        let mut tracker = Tracker {
            counters: Arc::new(Counters::new()),
            cancelled: CancellationToken::new(),
            reporter: None,
            outcome: JobState::Cancelled,
        };
        let Some(job) = job else {
            return Ok(tracker);
        };
        prune(pool).await?;
        sqlx::query!(
            "INSERT INTO export_jobs (merchant_id, user_id, job) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, job, merchant_id) DO UPDATE
                SET rows_done = 0, rows_total = NULL,
                    state = 'RUNNING', updated_at = now()",
            user.merchant_id,
            user.id,
            job.0
        )
        .execute(pool)
        .await?;
        let (end, ended) = oneshot::channel();
        tracker.reporter = Some(end);
        tokio::spawn(report(
            pool.clone(),
            (user.id, job),
            tracker.counters.clone(),
            tracker.cancelled.clone(),
            ended,
        ));
        Ok(tracker)
    }

    pub fn counters(&self) -> Arc<Counters> {
        self.counters.clone()
    }

    /// Resolves once the job was cancelled, from this instance or another.
    pub async fn cancelled(&self) {
        self.cancelled.cancelled().await
    }

    /// A token that fires with [`Tracker::cancelled`], for tasks apart from the tracker.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancelled.clone()
    }

    /// Ends the job as `outcome`.
    pub fn end(mut self, outcome: JobState) {
        self.outcome = outcome;
    }

    /// The response body of `chunks`, ending the job with it. A cancel ends the body with
    /// an error, so that the download fails visibly instead of looking complete.
    pub fn body<S>(self, chunks: S) -> Body
    where
        S: Stream<Item = Result<Bytes, std::io::Error>> + Send + Unpin + 'static,
    {
        let stream = futures_util::stream::unfold(Some((chunks, self)), |open| async move {
            let (mut chunks, tracker) = open?;
            let cancel = tracker.cancel_token();
            let next = tokio::select! {
                biased;
                () = cancel.cancelled() => None,
                next = chunks.next() => Some(next),
            };
            match next {
                None => Some((Err(std::io::Error::other("the export was cancelled")), None)),
                Some(Some(Ok(bytes))) => Some((Ok(bytes), Some((chunks, tracker)))),
                Some(Some(Err(err))) => {
                    tracker.end(JobState::Failed);
                    Some((Err(err), None))
                }
                Some(None) => {
                    tracker.end(JobState::Finished);
                    None
                }
            }
        });
        Body::from_stream(stream)
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        if let Some(reporter) = self.reporter.take() {
            // The reporter writes the last state; it may already be gone at shutdown.
            let _ = reporter.send(self.outcome);
        }
    }
}

/// Writes `counters` every [`REPORT_EVERY`] until the export ends, then its last state.
async fn report(
    pool: PgPool,
    (user, job): (Uuid, JobId),
    counters: Arc<Counters>,
    cancelled: CancellationToken,
    mut ended: oneshot::Receiver<JobState>,
) {
    let mut tick = tokio::time::interval(REPORT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            outcome = &mut ended => {
                let outcome = outcome.unwrap_or(JobState::Cancelled);
                if let Err(err) = write(&pool, user, &job, &counters, outcome).await {
                    tracing::warn!(error = %err, "could not record the end of an export");
                }
                return;
            }
            _ = tick.tick(), if !cancelled.is_cancelled() => {
                match write(&pool, user, &job, &counters, JobState::Running).await {
                    Ok(true) => {}
                    // Cancelled by any instance (or the row is gone): stop the export.
                    Ok(false) => cancelled.cancel(),
                    Err(err) => tracing::warn!(error = %err, "could not record an export's progress"),
                }
            }
        }
    }
}

/// Writes the counts and `state` while the job is RUNNING; false when it is not (any
/// more). A finished export's total is the rows it wrote, whatever the count said.
async fn write(
    pool: &PgPool,
    user: Uuid,
    job: &JobId,
    counters: &Counters,
    state: JobState,
) -> sqlx::Result<bool> {
    let done = counters.done();
    let total = match state {
        JobState::Finished => Some(done),
        _ => counters.total(),
    };
    let updated = sqlx::query!(
        "UPDATE export_jobs SET rows_done = $3, rows_total = $4, state = $5, updated_at = now()
          WHERE user_id = $1 AND job = $2 AND state = 'RUNNING'",
        user,
        job.0,
        done,
        total,
        state as JobState
    )
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Deletes the jobs nobody changed for an hour, which also bounds the table.
async fn prune(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM export_jobs WHERE updated_at < now() - interval '1 hour'")
        .execute(pool)
        .await?;
    Ok(())
}

/// `user`'s export `job`, as the page polls it.
pub async fn read(
    pool: &PgPool,
    user: &SessionUser,
    job: &JobId,
) -> sqlx::Result<Option<ProgressView>> {
    let row = sqlx::query!(
        r#"SELECT rows_done, rows_total, state AS "state: JobState" FROM export_jobs
            WHERE merchant_id = $1 AND user_id = $2 AND job = $3"#,
        user.merchant_id,
        user.id,
        job.0
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| ProgressView {
        done: r.rows_done,
        total: r.rows_total,
        finished: r.state != JobState::Running,
        state: r.state,
    }))
}

/// Marks `user`'s running export `job` CANCELLED; the instance running it stops at its
/// next report. False when no such export is running.
pub async fn cancel(pool: &PgPool, user: &SessionUser, job: &JobId) -> sqlx::Result<bool> {
    let updated = sqlx::query!(
        "UPDATE export_jobs SET state = 'CANCELLED', updated_at = now()
          WHERE merchant_id = $1 AND user_id = $2 AND job = $3 AND state = 'RUNNING'",
        user.merchant_id,
        user.id,
        job.0
    )
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_are_short_and_plain() {
        assert!(JobId::parse("3f9a-1").is_some());
        assert!(JobId::parse(&"a".repeat(64)).is_some());
        assert!(JobId::parse(&"a".repeat(65)).is_none());
        assert!(JobId::parse("").is_none());
        assert!(JobId::parse("a b").is_none());
        assert!(JobId::parse("é").is_none());
    }
}
