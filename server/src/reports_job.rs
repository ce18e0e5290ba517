//! The scheduled job of the reports calendar: after each day (and month) closes in a
//! merchant's time zone, make its report. Every instance runs the job; a transaction
//! advisory lock per report lets one of them make it, and the table's primary key
//! would refuse a second copy anyway.

use app::reports::calendar::Period;
use app::reports::store::{create, first_day, stored, ReportError};
use chrono::{DateTime, Datelike, Days, Months, Utc};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct JobConfig {
    /// Pause between runs.
    pub interval: Duration,
    /// Closed days looked at in each run (yesterday and before); older missing reports
    /// are made on demand when someone downloads them.
    pub days_back: u64,
}

impl Default for JobConfig {
    fn default() -> JobConfig {
        JobConfig {
            interval: Duration::from_secs(300),
            days_back: 3,
        }
    }
}

pub fn spawn(pool: PgPool, config: JobConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run_once(&pool, Utc::now(), config.days_back).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reports = n, "reports made"),
                Err(err) => tracing::error!(error = %err, "reports job failed"),
            }
            tokio::time::sleep(config.interval).await;
        }
    })
}

/// The reports due at `now` for every open merchant: the last `days_back` closed days
/// and, from the 2nd, last month. Returns how many this call made.
pub async fn run_once(
    pool: &PgPool,
    now: DateTime<Utc>,
    days_back: u64,
) -> Result<u32, ReportError> {
    let merchants =
        sqlx::query!("SELECT id, time_zone FROM merchants WHERE status = 'ACTIVE' ORDER BY id")
            .fetch_all(pool)
            .await?;
    let mut made = 0;
    for m in merchants {
        let (merchant, zone) = (m.id, app::time::zone_named(&m.time_zone));
        let today = now.with_timezone(&zone).date_naive();
        let mut due: Vec<Period> = (1..=days_back)
            .filter_map(|n| today.checked_sub_days(Days::new(n)))
            .map(Period::Day)
            .collect();
        if let Some(last_month) = today.checked_sub_months(Months::new(1)) {
            due.push(Period::Month {
                year: last_month.year(),
                month: last_month.month(),
            });
        }
        let first_day = first_day(pool, merchant, zone).await?;
        for period in due.into_iter().filter(|p| p.available(first_day, today)) {
            if make_once(pool, merchant, period).await? {
                made += 1;
            }
        }
    }
    Ok(made)
}

/// Makes one report unless it exists or another instance is making it right now.
pub async fn make_once(pool: &PgPool, merchant: Uuid, period: Period) -> Result<bool, ReportError> {
    if stored(pool, merchant, period).await?.is_some() {
        return Ok(false);
    }
    let mut lock = pool.begin().await?;
    let key = format!("report:{merchant}:{}:{}", period.kind(), period.key());
    let got = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock(hashtext($1)) AS "got!""#,
        key
    )
    .fetch_one(&mut *lock)
    .await?;
    if !got {
        return Ok(false);
    }
    // Checked again under the lock: another instance may have finished meanwhile.
    let made = if stored(pool, merchant, period).await?.is_some() {
        false
    } else {
        create(pool, merchant, period).await?
    };
    lock.commit().await?;
    Ok(made)
}
