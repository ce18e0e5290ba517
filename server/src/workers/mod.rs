//! Background work of `server serve`: the simulated acquirer that decides asynchronous
//! refunds, the notifyRefund outbox, confirmed refund batches, and the expiry of requests
//! for refund approval. The first three take rows with `FOR UPDATE SKIP LOCKED` (batches
//! with a lease) and the expiry is one statement, so any number of server instances can
//! run them against one database.

pub mod acquirer;
pub mod approvals;
pub mod batches;
pub mod notify;

use std::time::Duration;

use app::notifications::target::TargetPolicy;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// How long an asynchronous refund stays PROCESSING before the simulated acquirer
    /// answers.
    pub async_refund_delay: Duration,
    /// How often idle workers look for due work.
    pub poll_interval: Duration,
    /// Delays before each notification attempt, each counted from the previous one. The
    /// first attempt is made as soon as the refund is final, so the first entry is 0.
    pub notify_schedule: Vec<Duration>,
    /// How long one delivery may take, answer included.
    pub notify_timeout: Duration,
    /// Deliveries in flight at once per instance: most of a delivery is waiting for the
    /// merchant's server, so many can share one instance.
    pub notify_concurrency: usize,
    /// Where notifications may be sent.
    pub notify_targets: TargetPolicy,
}

/// Antom's notifyRefund retry schedule: 0 s, 2 min, 10 min, 10 min, 1 h, 2 h, 6 h, 15 h.
pub const ANTOM_NOTIFY_SCHEDULE: [u64; 8] = [0, 120, 600, 600, 3600, 7200, 21600, 54000];

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            async_refund_delay: Duration::from_secs(10),
            poll_interval: Duration::from_millis(1000),
            notify_schedule: ANTOM_NOTIFY_SCHEDULE
                .iter()
                .map(|&s| Duration::from_secs(s))
                .collect(),
            notify_timeout: Duration::from_secs(10),
            notify_concurrency: 32,
            notify_targets: TargetPolicy::default(),
        }
    }
}

/// Delays between notification attempts, each from the previous one.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule(pub Vec<Duration>);

/// `"0,120,600"` → 0 s, 2 min, 10 min: seconds, the first 0 (the first attempt is made
/// as soon as the refund is final).
pub fn parse_schedule(s: &str) -> Result<Schedule, String> {
    let delays: Option<Vec<Duration>> = s
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .ok()
                .and_then(|x| Duration::try_from_secs_f64(x).ok())
        })
        .collect();
    match delays {
        Some(d) if d.first().is_some_and(Duration::is_zero) => Ok(Schedule(d)),
        _ => Err("a list of seconds separated by commas, starting with 0".to_owned()),
    }
}

/// Tells workers to stop: they take no new work, finish and record what they hold, and
/// return, so that a stopped instance leaves no claim for others to wait out.
#[derive(Clone, Debug)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// A stop and the switch that sets it off.
    pub fn new() -> (watch::Sender<bool>, Stop) {
        let (switch, stop) = watch::channel(false);
        (switch, Stop(stop))
    }

    /// Resolves once a stop is asked for; never, once the switch is gone without one.
    pub async fn requested(&mut self) {
        if self.0.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The running workers of an instance.
pub struct Workers(Vec<JoinHandle<()>>);

/// Starts the workers; they run until `stop` is set off.
pub fn spawn(pool: PgPool, config: WorkerConfig, stop: Stop) -> Workers {
    Workers(vec![
        tokio::spawn(acquirer::run(pool.clone(), config.clone(), stop.clone())),
        tokio::spawn(approvals::run(pool.clone(), stop.clone())),
        tokio::spawn(batches::run(pool.clone(), config.clone(), stop.clone())),
        tokio::spawn(notify::run(pool, config, stop)),
    ])
}

impl Workers {
    /// Waits, at most `within`, for the workers to finish after their stop.
    pub async fn finish(self, within: Duration) {
        let all = futures_util::future::join_all(self.0);
        if tokio::time::timeout(within, all).await.is_err() {
            tracing::warn!("workers still busy at shutdown; their claims will expire");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(
            parse_schedule("0, 1.5,2"),
            Ok(Schedule(vec![
                Duration::ZERO,
                Duration::from_millis(1500),
                Duration::from_secs(2)
            ]))
        );
        for bad in ["a", "-1", "5,10", "", "0,inf", "0,NaN", "0,1e30"] {
            assert!(parse_schedule(bad).is_err(), "{bad}");
        }
        assert_eq!(WorkerConfig::default().notify_schedule.len(), 8);
    }
}
