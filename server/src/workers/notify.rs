//! Delivers notifyRefund from the outbox until the merchant acknowledges it.
//!
//! A worker claims due notifications by pushing their next attempt a lease ahead
//! (`FOR UPDATE SKIP LOCKED`, committed at once), sends them concurrently, and records
//! each attempt with the next one scheduled. No connection or row lock is held while a
//! merchant's server answers, so slow receivers do not hold up the queue. A crash while
//! sending leaves the claim to expire and the attempt is made again later: delivery is
//! at least once, as with Antom, and merchants deduplicate by refundId. An attempt is
//! recorded only by the delivery that still holds the claim.
//!
//! Every delivery goes only to a public address (checked after DNS resolution, with no
//! redirects followed and no proxy), waits at most the configured timeout and reads at
//! most [`MAX_REPLY_BYTES`] of the answer (docs/SECURITY.md).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::notifications::target::{check_host, TargetPolicy};
use app::notifications::DeliveryStatus;
use chrono::{DateTime, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sqlx::PgPool;
use tokio::sync::Semaphore;

use super::{Stop, WorkerConfig};
use crate::api::{keys, signature};

/// The most of a merchant's answer that is read: an acknowledgement is under 100 bytes.
pub const MAX_REPLY_BYTES: usize = 4096;
/// How much longer than the delivery timeout a claim lasts, for recording the attempt.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// A claimed notification.
struct Due {
    id: i64,
    merchant_id: uuid::Uuid,
    url: String,
    client_id: String,
    body: String,
    attempts: i32,
}

/// Looks up a host name's addresses. The system resolver in production; tests give a
/// table, so that a name pointing at a private address is refused without anything
/// connecting to it.
pub trait NameLookup: Send + Sync + 'static {
    fn lookup(
        &self,
        host: String,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>>;
}

/// The operating system's resolver.
pub struct SystemLookup;

impl NameLookup for SystemLookup {
    fn lookup(
        &self,
        host: String,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>> {
        Box::pin(async move { Ok(tokio::net::lookup_host((host, 0)).await?.collect()) })
    }
}

/// The HTTP client's resolver: every address a name resolves to must be allowed, or
/// the delivery is refused before any connection is made.
struct GuardedResolver {
    policy: TargetPolicy,
    names: Arc<dyn NameLookup>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (policy, names) = (self.policy, self.names.clone());
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs = names.lookup(host.clone()).await?;
            if addrs.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            if let Some(bad) = addrs.iter().find(|a| !policy.allows(a.ip())) {
                return Err(format!(
                    "refused: {host} resolves to {}, which is not a public address",
                    bad.ip()
                )
                .into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// What sends notifications: the HTTP client, the platform key that signs them and the
/// schedule of attempts.
#[derive(Clone)]
pub struct Sender {
    pool: PgPool,
    client: reqwest::Client,
    key: keys::PlatformKey,
    config: WorkerConfig,
}

impl Sender {
    /// A sender resolving names with `names`.
    pub async fn new(
        pool: PgPool,
        config: WorkerConfig,
        names: Arc<dyn NameLookup>,
    ) -> anyhow::Result<Sender> {
        let key = keys::platform_key(&pool).await?;
        crate::tls::use_aws_lc_rs();
        let client = reqwest::Client::builder()
            .connect_timeout(config.notify_timeout.min(Duration::from_secs(5)))
            .timeout(config.notify_timeout)
            // A notification URL is the merchant's endpoint itself; a redirect could
            // point anywhere, so none is followed.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the address check.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: config.notify_targets,
                names,
            }))
            .build()?;
        Ok(Sender {
            pool,
            client,
            key,
            config,
        })
    }

    /// Claims up to `limit` notifications due at `now`.
    async fn claim(&self, limit: usize, now: DateTime<Utc>) -> sqlx::Result<Vec<Due>> {
        let lease = self.config.notify_timeout + LEASE_MARGIN;
        sqlx::query_as!(
            Due,
            "UPDATE refund_notifications n
                SET next_attempt_at = $2::timestamptz + make_interval(secs => $3)
               FROM (SELECT id FROM refund_notifications
                      WHERE status = 'PENDING' AND next_attempt_at <= $2
                      ORDER BY next_attempt_at
                      LIMIT $1
                      FOR UPDATE SKIP LOCKED) due
              WHERE n.id = due.id
          RETURNING n.id, n.merchant_id, n.url, n.client_id, n.body, n.attempts",
            limit as i64,
            now as DateTime<Utc>,
            lease.as_secs_f64()
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Makes one attempt of `due`, claimed at `now`, and records it with the next one
    /// scheduled from then.
    async fn deliver(&self, due: Due, now: DateTime<Utc>) -> sqlx::Result<()> {
        let attempt_no = due.attempts + 1;
        let started = Instant::now();
        let outcome = self.send(&due).await;
        let latency_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let (http_status, delivered, error) = match outcome {
            Ok(Reply::Acknowledged) => (Some(200), true, None),
            Ok(Reply::Other { status, why }) => (Some(i32::from(status)), false, Some(why)),
            Err(e) => (None, false, Some(e)),
        };
        let outcome = match (delivered, http_status) {
            (true, _) => "delivered",
            (false, Some(_)) => "refused",
            (false, None) => "failed",
        };
        metrics::counter!("paydesk_notify_attempts_total", "outcome" => outcome).increment(1);
        let next = after_attempt(delivered, attempt_no, &self.config.notify_schedule);
        let status = next.status();
        let mut tx = self.pool.begin().await?;
        // Only the delivery that holds the claim records: after a crash and an expired
        // claim, the attempt made again is recorded once. Without a retry the interval
        // is NULL, and so is the next attempt's time.
        let recorded = sqlx::query!(
            "UPDATE refund_notifications
             SET attempts = $2, status = $3,
                 next_attempt_at = $4::timestamptz + make_interval(secs => $5),
                 delivered_at = $6
             WHERE id = $1 AND attempts = $7 AND status = 'PENDING'",
            due.id,
            attempt_no,
            status as DeliveryStatus,
            now as DateTime<Utc>,
            next.retry_in().map(|d| d.as_secs_f64()),
            delivered.then_some(now) as Option<DateTime<Utc>>,
            due.attempts
        )
        .execute(&mut *tx)
        .await?;
        if recorded.rows_affected() == 0 {
            return Ok(());
        }
        sqlx::query!(
            "INSERT INTO refund_notification_attempts
                 (notification_id, merchant_id, attempt_no, attempted_at, http_status,
                  latency_ms, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            due.id,
            due.merchant_id,
            attempt_no,
            now as DateTime<Utc>,
            http_status,
            latency_ms,
            error.as_deref()
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(
            notification = due.id,
            attempt_no,
            status = status.label(),
            ?http_status,
            "notifyRefund attempt"
        );
        Ok(())
    }

    /// POSTs the signed notification and reads the start of the answer.
    async fn send(&self, due: &Due) -> Result<Reply, String> {
        let url = reqwest::Url::parse(&due.url).map_err(|e| format!("bad URL: {e}"))?;
        // Names are checked by the resolver; addresses written into the URL here.
        check_host(&url, self.config.notify_targets).map_err(|_| {
            format!(
                "refused: {} is not a public address",
                url.host_str().unwrap_or("")
            )
        })?;
        let time = signature::format_time(Utc::now());
        let content = signature::signed_content(
            "POST",
            url.path(),
            &due.client_id,
            &time,
            due.body.as_bytes(),
        );
        let sig = signature::sign(&self.key.pair, &content);
        let mut response = self
            .client
            .post(url)
            .header("content-type", "application/json; charset=UTF-8")
            .header("client-id", &due.client_id)
            .header("request-time", &time)
            .header(
                "signature",
                signature::header_value(self.key.key_version, &sig),
            )
            .body(due.body.clone())
            .send()
            .await
            .map_err(|e| error_chain(&e))?;
        let status = response.status().as_u16();
        let mut reply = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| error_chain(&e))? {
            reply.extend_from_slice(&chunk);
            if reply.len() > MAX_REPLY_BYTES {
                // Dropping the response closes the connection: the rest is never read.
                return Ok(Reply::Other {
                    status,
                    why: format!(
                        "HTTP {status} with an answer longer than {MAX_REPLY_BYTES} bytes"
                    ),
                });
            }
        }
        Ok(if status == 200 && acknowledges(&reply) {
            Reply::Acknowledged
        } else {
            Reply::Other {
                status,
                why: format!("HTTP {status} without the SUCCESS acknowledgement"),
            }
        })
    }
}

enum Reply {
    Acknowledged,
    Other { status: u16, why: String },
}

/// What follows an attempt.
#[derive(Clone, Copy, Debug, PartialEq)]
enum AfterAttempt {
    Delivered,
    RetryIn(Duration),
    GaveUp,
}

impl AfterAttempt {
    fn status(self) -> DeliveryStatus {
        match self {
            AfterAttempt::Delivered => DeliveryStatus::Delivered,
            AfterAttempt::RetryIn(_) => DeliveryStatus::Pending,
            AfterAttempt::GaveUp => DeliveryStatus::GaveUp,
        }
    }

    fn retry_in(self) -> Option<Duration> {
        match self {
            AfterAttempt::RetryIn(delay) => Some(delay),
            AfterAttempt::Delivered | AfterAttempt::GaveUp => None,
        }
    }
}

/// What follows attempt `attempt_no` (1-based) under `schedule`: when it failed, the
/// next waits `schedule[attempt_no]`; after the last, delivery gives up.
fn after_attempt(delivered: bool, attempt_no: i32, schedule: &[Duration]) -> AfterAttempt {
    if delivered {
        return AfterAttempt::Delivered;
    }
    usize::try_from(attempt_no)
        .ok()
        .and_then(|k| schedule.get(k))
        .map_or(AfterAttempt::GaveUp, |&delay| AfterAttempt::RetryIn(delay))
}

/// Whether an answer body is Antom's acknowledgement: `result.resultStatus` "S".
fn acknowledges(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/result/resultStatus")
                .and_then(|s| s.as_str())
                .map(|s| s == "S")
        })
        .unwrap_or(false)
}

/// An error with its causes: reqwest's own message leaves out why a request failed.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The notification worker of `server serve`: up to `notify_concurrency` deliveries in
/// flight at once.
pub async fn run(pool: PgPool, config: WorkerConfig, mut stop: Stop) {
    let sender = loop {
        match Sender::new(pool.clone(), config.clone(), Arc::new(SystemLookup)).await {
            Ok(s) => break s,
            Err(e) => {
                tracing::warn!(error = %e, "the platform key is unavailable; retrying");
                tokio::select! {
                    () = stop.requested() => return,
                    () = tokio::time::sleep(config.poll_interval.max(Duration::from_secs(1))) => {}
                }
            }
        }
    };
    let slots = Arc::new(Semaphore::new(config.notify_concurrency));
    loop {
        // Wait for a free slot, then claim as many as are free.
        tokio::select! {
            () = stop.requested() => break,
            slot = slots.acquire() => drop(slot.expect("never closed")),
        }
        let free = slots.available_permits();
        let now = Utc::now();
        let claimed = match sender.claim(free, now).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "claiming notifications failed; retrying");
                Vec::new()
            }
        };
        let idle = claimed.len() < free;
        for due in claimed {
            let permit = slots.clone().acquire_owned().await.expect("never closed");
            let sender = sender.clone();
            tokio::spawn(async move {
                if let Err(e) = sender.deliver(due, now).await {
                    tracing::warn!(error = %e, "recording a notifyRefund attempt failed");
                }
                drop(permit);
            });
        }
        if idle {
            tokio::select! {
                () = stop.requested() => break,
                () = tokio::time::sleep(config.poll_interval) => {}
            }
        }
    }
    // Stopped: the deliveries in flight finish and record their attempt (each within the
    // delivery timeout), so their claims are released now rather than left to expire.
    let all = u32::try_from(config.notify_concurrency).unwrap_or(u32::MAX);
    drop(slots.acquire_many(all).await);
}

/// Delivers everything due at `now`, concurrently, until nothing is due; returns how
/// many attempts were made. For tests and one-off runs: every attempt counts as made at
/// `now`, so a test states the time instead of waiting for a retry.
pub async fn deliver_due(
    pool: &PgPool,
    config: &WorkerConfig,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let sender = Sender::new(pool.clone(), config.clone(), Arc::new(SystemLookup)).await?;
    deliver_due_with(&sender, now).await
}

/// [`deliver_due`] through `sender`.
pub async fn deliver_due_with(sender: &Sender, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut n = 0;
    loop {
        let claimed = sender.claim(sender.config.notify_concurrency, now).await?;
        if claimed.is_empty() {
            return Ok(n);
        }
        n += claimed.len();
        let attempts = claimed.into_iter().map(|d| sender.deliver(d, now));
        for result in futures_util::future::join_all(attempts).await {
            result?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &[u64]) -> Vec<Duration> {
        s.iter().map(|&s| Duration::from_secs(s)).collect()
    }

    #[test]
    fn a_failed_attempt_waits_for_the_next_delay_of_the_schedule() {
        let schedule = secs(&[0, 120, 600]);
        assert_eq!(
            after_attempt(false, 1, &schedule),
            AfterAttempt::RetryIn(Duration::from_secs(120))
        );
        assert_eq!(
            after_attempt(false, 2, &schedule),
            AfterAttempt::RetryIn(Duration::from_secs(600))
        );
        assert_eq!(after_attempt(false, 3, &schedule), AfterAttempt::GaveUp);
        assert_eq!(after_attempt(false, 3, &schedule).retry_in(), None);
    }

    #[test]
    fn an_acknowledged_attempt_is_the_last() {
        let schedule = secs(&[0, 120]);
        for attempt_no in 1..=3 {
            let next = after_attempt(true, attempt_no, &schedule);
            assert_eq!(next, AfterAttempt::Delivered);
            assert_eq!(next.status(), DeliveryStatus::Delivered);
            assert_eq!(next.retry_in(), None);
        }
        assert_eq!(
            after_attempt(false, 1, &schedule).status(),
            DeliveryStatus::Pending
        );
    }

    #[test]
    fn acknowledgements_are_result_status_s() {
        assert!(acknowledges(
            br#"{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}"#
        ));
        assert!(!acknowledges(br#"{"result":{"resultStatus":"F"}}"#));
        assert!(!acknowledges(b"OK"));
    }
}
