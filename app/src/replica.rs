//! Reads from a PostgreSQL hot standby (docs/SCALING.md, "The read replica").
//!
//! With `DATABASE_READ_URL` set, the pages that only show data (the transaction query,
//! a transaction's details, the overview, the reports calendar, exports) read from the
//! replica while it is close behind the primary. Everything that writes, and every read
//! that decides a write (a refund's checks, sessions, passwords), uses the primary.
//!
//! Read-your-writes: after a dashboard refund the browser gets a cookie holding the
//! primary's WAL position just after the commit. That browser's reads stay on the
//! primary until the replica has replayed past it. The cookie only steers where one
//! user's reads go, between two copies of the same merchant-scoped data, so a forged
//! one gains nothing.

use sqlx::PgPool;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// How often the replica's position is compared with the primary's.
const CHECK_EVERY: Duration = Duration::from_millis(250);
/// A check older than this means the watcher is stuck: the replica is not used.
const STALE_AFTER: Duration = Duration::from_secs(5);
/// The cookie that carries a browser's last write position.
pub const WRITTEN_COOKIE: &str = "paydesk_written";

/// A position in PostgreSQL's write-ahead log, as `pg_lsn` prints it (`16/B374D848`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lsn(u64);

impl Lsn {
    pub fn parse(text: &str) -> Option<Lsn> {
        let (high, low) = text.split_once('/')?;
        let half = |s: &str| {
            let hex = !s.is_empty() && s.len() <= 8 && s.bytes().all(|b| b.is_ascii_hexdigit());
            hex.then(|| u32::from_str_radix(s, 16).ok()).flatten()
        };
        Some(Lsn((u64::from(half(high)?) << 32) | u64::from(half(low)?)))
    }

    /// Bytes of WAL from `earlier` to here (0 when `earlier` is not earlier).
    pub fn bytes_after(self, earlier: Lsn) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl std::fmt::Display for Lsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// Where the reads of a request go.
#[derive(Clone, Debug)]
pub struct Reads {
    primary: PgPool,
    replica: Option<Replica>,
}

#[derive(Clone, Debug)]
struct Replica {
    pool: PgPool,
    status: Arc<Status>,
    max_lag: Duration,
}

/// The replica as the watcher last saw it.
#[derive(Debug)]
struct Status {
    started: Instant,
    reachable: AtomicBool,
    /// Milliseconds after `started` of the last check.
    checked_ms: AtomicU64,
    replayed: AtomicU64,
    lag_ms: AtomicU64,
}

/// What `/readyz` and the metrics say about the replica.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReplicaState {
    /// No `DATABASE_READ_URL`: every read uses the primary.
    None,
    /// Within the lag bound: reads use it.
    Ok { lag: Duration },
    /// Further behind than the bound: reads use the primary until it catches up.
    Lagging { lag: Duration },
    /// Not answering, or not a standby: reads use the primary.
    Unavailable,
}

impl ReplicaState {
    pub fn name(self) -> &'static str {
        match self {
            ReplicaState::None => "none",
            ReplicaState::Ok { .. } => "ok",
            ReplicaState::Lagging { .. } => "lagging",
            ReplicaState::Unavailable => "unavailable",
        }
    }

    pub fn lag(self) -> Option<Duration> {
        match self {
            ReplicaState::Ok { lag } | ReplicaState::Lagging { lag } => Some(lag),
            _ => None,
        }
    }
}

impl Reads {
    /// Every read on the primary.
    pub fn primary_only(primary: PgPool) -> Reads {
        Reads {
            primary,
            replica: None,
        }
    }

    /// Reads on `replica` while it is at most `max_lag` behind; starts, on the current
    /// runtime, the watcher that measures that (it ends when these `Reads` are dropped).
    pub fn with_replica(primary: PgPool, replica: PgPool, max_lag: Duration) -> Reads {
        let status = Arc::new(Status {
            started: Instant::now(),
            reachable: AtomicBool::new(false),
            checked_ms: AtomicU64::new(0),
            replayed: AtomicU64::new(0),
            lag_ms: AtomicU64::new(0),
        });
        tokio::spawn(watch(
            primary.clone(),
            replica.clone(),
            Arc::downgrade(&status),
        ));
        Reads {
            primary,
            replica: Some(Replica {
                pool: replica,
                status,
                max_lag,
            }),
        }
    }

    /// The pool for a read by a browser whose last write was at `written`: the replica
    /// when it is close enough behind and has replayed that write, else the primary.
    pub fn pool(&self, written: Option<Lsn>) -> &PgPool {
        let on_replica = self.replica.as_ref().filter(|r| {
            matches!(r.state(), ReplicaState::Ok { .. })
                && written.is_none_or(|w| w.0 <= r.status.replayed.load(Ordering::Acquire))
        });
        let database = if on_replica.is_some() {
            "replica"
        } else {
            "primary"
        };
        metrics::counter!("paydesk_reads_total", "database" => database).increment(1);
        on_replica.map_or(&self.primary, |r| &r.pool)
    }

    pub fn state(&self) -> ReplicaState {
        self.replica
            .as_ref()
            .map_or(ReplicaState::None, Replica::state)
    }
}

impl Replica {
    fn state(&self) -> ReplicaState {
        let s = &self.status;
        let checked = Duration::from_millis(s.checked_ms.load(Ordering::Acquire));
        if !s.reachable.load(Ordering::Acquire) || s.started.elapsed() > checked + STALE_AFTER {
            return ReplicaState::Unavailable;
        }
        let lag = Duration::from_millis(s.lag_ms.load(Ordering::Acquire));
        if lag <= self.max_lag {
            ReplicaState::Ok { lag }
        } else {
            ReplicaState::Lagging { lag }
        }
    }
}

/// The replica's lag as the age of the oldest primary position, among those seen at
/// the checks, that it has not replayed yet: zero when it keeps up, growing from the
/// moment it stopped. (The time of its last replayed commit would not do: on a quiet
/// primary that is old while nothing is missing.)
#[derive(Debug, Default)]
struct LagClock {
    unreplayed: VecDeque<(Lsn, Instant)>,
}

impl LagClock {
    fn observe(&mut self, primary: Lsn, replayed: Lsn, now: Instant) -> Duration {
        if self
            .unreplayed
            .back()
            .is_none_or(|(seen, _)| *seen < primary)
        {
            self.unreplayed.push_back((primary, now));
        }
        while self
            .unreplayed
            .front()
            .is_some_and(|(seen, _)| *seen <= replayed)
        {
            self.unreplayed.pop_front();
        }
        // Bounded; the oldest entry stays, as it is the one that sets the lag.
        if self.unreplayed.len() > 1024 {
            self.unreplayed.remove(1);
        }
        self.unreplayed
            .front()
            .map_or(Duration::ZERO, |(_, since)| {
                now.saturating_duration_since(*since)
            })
    }
}

async fn watch(primary: PgPool, replica: PgPool, status: Weak<Status>) {
    let mut clock = LagClock::default();
    let mut warned = false;
    loop {
        let checked = positions(&primary, &replica).await;
        let Some(status) = status.upgrade() else {
            return;
        };
        match checked {
            Ok((at_primary, replayed)) => {
                let lag = clock.observe(at_primary, replayed, Instant::now());
                status.replayed.store(replayed.0, Ordering::Release);
                status
                    .lag_ms
                    .store(lag.as_millis() as u64, Ordering::Release);
                status.reachable.store(true, Ordering::Release);
                metrics::gauge!("paydesk_replica_lag_seconds").set(lag.as_secs_f64());
                metrics::gauge!("paydesk_replica_lag_bytes")
                    .set(at_primary.bytes_after(replayed) as f64);
                warned = false;
            }
            Err(e) => {
                status.reachable.store(false, Ordering::Release);
                if !warned {
                    tracing::warn!(error = %e, "the read replica cannot be used; reads go to the primary");
                    warned = true;
                }
            }
        }
        metrics::gauge!("paydesk_replica_up").set(if status.reachable.load(Ordering::Acquire) {
            1.0
        } else {
            0.0
        });
        let checked_ms = status.started.elapsed().as_millis() as u64;
        status.checked_ms.store(checked_ms, Ordering::Release);
        drop(status);
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

/// Why the replica cannot be used, or was not caught up with in time.
#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the read database is not a hot standby (it is not in recovery)")]
    NotAStandby,
    #[error("PostgreSQL printed a WAL position Paydesk cannot read: {0}")]
    Position(String),
    #[error("the replica did not replay up to {0} in time")]
    TimedOut(String),
}

/// The primary's WAL position, then how far the replica has replayed.
async fn positions(primary: &PgPool, replica: &PgPool) -> Result<(Lsn, Lsn), ReplicaError> {
    let at_primary: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
        .fetch_one(primary)
        .await?;
    let replayed: Option<String> = sqlx::query_scalar(
        "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END",
    )
    .fetch_one(replica)
    .await?;
    let replayed = replayed.ok_or(ReplicaError::NotAStandby)?;
    let parse = |text: String| Lsn::parse(&text).ok_or(ReplicaError::Position(text));
    Ok((parse(at_primary)?, parse(replayed)?))
}

/// Waits until `replica` has replayed everything `primary` had written when this was
/// called, for tools that write and then expect the pages to show it (the seed).
pub async fn catch_up(
    primary: &PgPool,
    replica: &PgPool,
    within: Duration,
) -> Result<(), ReplicaError> {
    let target: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
        .fetch_one(primary)
        .await?;
    let started = Instant::now();
    loop {
        let done: Option<bool> =
            sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn")
                .bind(&target)
                .fetch_one(replica)
                .await?;
        match done {
            Some(true) => return Ok(()),
            None => return Err(ReplicaError::NotAStandby),
            Some(false) if started.elapsed() > within => {
                return Err(ReplicaError::TimedOut(target))
            }
            Some(false) => {}
        }
        // A record of nothing: the insert position may sit past a page header that the
        // standby reaches only once something follows it.
        sqlx::query("SELECT pg_logical_emit_message(false, 'paydesk', '')")
            .execute(primary)
            .await?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// After a write this browser must see at once (a dashboard refund): sets a cookie on
/// the server function's response that keeps the browser's reads on the primary until
/// the replica has replayed everything committed so far. The position is the WAL insert
/// position, not the write position: with `synchronous_commit = off` the commit may not
/// be written yet, and the insert position is past it either way. Should reading it
/// fail, the write stands and only this guarantee is lost, so that is logged, not
/// returned.
pub async fn mark_written() {
    let state = crate::state::app_state();
    if matches!(state.reads.state(), ReplicaState::None) {
        return;
    }
    let at: Result<String, _> = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
        .fetch_one(&state.pool)
        .await;
    let at = match at {
        Ok(at) => at,
        Err(e) => {
            tracing::warn!(error = %e, "no write position: this browser may read the replica before it has its write");
            return;
        }
    };
    // Once the replica is further behind than the bound, reads use the primary anyway.
    let max_age = state.config.replica_max_lag.as_secs() + 10;
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{WRITTEN_COOKIE}={at}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    let response = leptos::prelude::use_context::<leptos_axum::ResponseOptions>();
    match (http::HeaderValue::try_from(cookie), response) {
        (Ok(value), Some(response)) => response.append_header(http::header::SET_COOKIE, value),
        _ => tracing::warn!("the write-position cookie could not be set"),
    }
}

/// The write position a request's cookies carry, if any (the latest, if several).
pub fn written(headers: &http::HeaderMap) -> Option<Lsn> {
    crate::cookies::values(headers, WRITTEN_COOKIE)
        .filter_map(Lsn::parse)
        .max()
}

/// The pool for a server function's reads, from the request's cookie.
pub async fn read_pool() -> Result<PgPool, crate::error::AppError> {
    let headers: http::HeaderMap = leptos_axum::extract().await?;
    Ok(crate::state::app_state()
        .reads
        .pool(written(&headers))
        .clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_read_as_postgresql_prints_them() {
        let lsn = Lsn::parse("16/B374D848").unwrap();
        assert_eq!(lsn.0, 0x16_B374_D848);
        assert_eq!(lsn.to_string(), "16/B374D848");
        assert_eq!(Lsn::parse("0/0"), Some(Lsn(0)));
        assert!(Lsn::parse("FFFFFFFF/FFFFFFFF").unwrap() > Lsn::parse("1/0").unwrap());
        for bad in [
            "",
            "16",
            "/1",
            "1/",
            "+1/2",
            "1/-2",
            "1/2/3",
            "123456789/0",
            "g/0",
            "1 /2",
        ] {
            assert_eq!(Lsn::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_cookie_gives_the_latest_position_and_ignores_the_rest() {
        let mut headers = http::HeaderMap::new();
        headers.append(
            http::header::COOKIE,
            "paydesk_session=abc; paydesk_written=0/10".parse().unwrap(),
        );
        headers.append(
            http::header::COOKIE,
            "paydesk_written=0/2A; x=1".parse().unwrap(),
        );
        assert_eq!(written(&headers), Some(Lsn(0x2A)));
        let mut forged = http::HeaderMap::new();
        forged.append(
            http::header::COOKIE,
            "paydesk_written=DROP TABLE".parse().unwrap(),
        );
        assert_eq!(written(&forged), None);
        assert_eq!(written(&http::HeaderMap::new()), None);
    }

    #[test]
    fn lag_is_zero_while_the_replica_keeps_up_and_grows_once_it_stops() {
        let mut clock = LagClock::default();
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        // Keeping up: each check finds the primary's position replayed.
        assert_eq!(clock.observe(Lsn(100), Lsn(100), at(0)), Duration::ZERO);
        assert_eq!(clock.observe(Lsn(200), Lsn(200), at(250)), Duration::ZERO);
        // A quiet primary is no lag, however old the last commit.
        assert_eq!(
            clock.observe(Lsn(200), Lsn(200), at(60_000)),
            Duration::ZERO
        );
        // Replay stops at 200 while the primary moves on.
        assert_eq!(
            clock.observe(Lsn(300), Lsn(200), at(61_000)),
            Duration::ZERO
        );
        assert_eq!(
            clock.observe(Lsn(400), Lsn(200), at(62_000)),
            Duration::from_secs(1)
        );
        assert_eq!(
            clock.observe(Lsn(400), Lsn(200), at(71_000)),
            Duration::from_secs(10)
        );
        // Replayed up to 300: the oldest missing position is now the one seen at 62 s.
        assert_eq!(
            clock.observe(Lsn(400), Lsn(300), at(72_000)),
            Duration::from_secs(10)
        );
        // Caught up.
        assert_eq!(
            clock.observe(Lsn(400), Lsn(400), at(73_000)),
            Duration::ZERO
        );
    }

    #[test]
    fn the_clock_stays_bounded_and_keeps_the_oldest_missing_position() {
        let mut clock = LagClock::default();
        let t0 = Instant::now();
        for i in 1..5000u64 {
            clock.observe(Lsn(i), Lsn(0), t0 + Duration::from_millis(i));
        }
        assert!(clock.unreplayed.len() <= 1025);
        let lag = clock.observe(Lsn(5000), Lsn(0), t0 + Duration::from_millis(5000));
        assert_eq!(lag, Duration::from_millis(4999));
    }
}
