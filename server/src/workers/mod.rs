//! Background work of `server serve`: the simulated acquirer that decides asynchronous
//! refunds, and the notifyRefund outbox. Both take rows with `FOR UPDATE SKIP LOCKED`,
//! so any number of server instances can run them against one database.

pub mod acquirer;
pub mod notify;

use std::time::Duration;

use app::notifications::target::TargetPolicy;
use sqlx::PgPool;

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

impl WorkerConfig {
    pub fn from_env() -> Result<WorkerConfig, String> {
        fn var<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
            match std::env::var(name) {
                Ok(v) => v.parse().map_err(|_| format!("{name}={v:?} is not valid")),
                Err(_) => Ok(default),
            }
        }
        let d = WorkerConfig::default();
        let schedule = match std::env::var("PAYDESK_NOTIFY_RETRY_SCHEDULE") {
            Ok(v) => parse_schedule(&v)
                .filter(|s| s[0].is_zero())
                .ok_or_else(|| {
                    format!("PAYDESK_NOTIFY_RETRY_SCHEDULE={v:?} is not a list of seconds starting with 0")
                })?,
            Err(_) => d.notify_schedule,
        };
        Ok(WorkerConfig {
            async_refund_delay: Duration::from_secs_f64(var(
                "PAYDESK_ASYNC_REFUND_DELAY_SECONDS",
                d.async_refund_delay.as_secs_f64(),
            )?),
            poll_interval: Duration::from_millis(var("PAYDESK_WORKER_POLL_MS", 1000u64)?),
            notify_schedule: schedule,
            notify_timeout: Duration::from_secs(var("PAYDESK_NOTIFY_TIMEOUT_SECONDS", 10u64)?),
            notify_concurrency: var("PAYDESK_NOTIFY_CONCURRENCY", d.notify_concurrency)?.max(1),
            notify_targets: TargetPolicy::from_env()?,
        })
    }
}

/// `"0,120,600"` → 0 s, 2 min, 10 min.
pub fn parse_schedule(s: &str) -> Option<Vec<Duration>> {
    let v: Option<Vec<Duration>> = s
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| *x >= 0.0)
                .map(Duration::from_secs_f64)
        })
        .collect();
    v.filter(|v| !v.is_empty())
}

/// Starts the workers; they run until the process ends.
pub fn spawn(pool: PgPool, config: WorkerConfig) {
    tokio::spawn(acquirer::run(pool.clone(), config.clone()));
    tokio::spawn(notify::run(pool, config));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(
            parse_schedule("0, 1.5,2"),
            Some(vec![
                Duration::ZERO,
                Duration::from_millis(1500),
                Duration::from_secs(2)
            ])
        );
        assert_eq!(parse_schedule("a"), None);
        assert_eq!(parse_schedule("-1"), None);
        assert_eq!(WorkerConfig::default().notify_schedule.len(), 8);
    }
}
