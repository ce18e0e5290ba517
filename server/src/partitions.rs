//! The monthly partitions of transactions and the ledger (docs/SCALING.md, "Partitions"):
//! made ahead of the month that needs them, by every instance every hour (the database
//! function makes each month once, one maker at a time), and by the demo-data loader
//! for its history.

use chrono::{DateTime, Months, Utc};
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// The tables partitioned by month of `created_at`.
const MONTHLY: [&str; 2] = ["transactions", "balance_entries"];

/// Months made after the current one: a quarter, so that a maker that fails for weeks
/// (a lock it could not get, an outage) still leaves time to notice.
pub const AHEAD: u32 = 3;

/// How long making a month may wait for its table lock. Creating a partition briefly
/// locks the parent against readers, and waiting behind a long export would make every
/// query queue behind the maker; the next hour tries again.
const LOCK_TIMEOUT: &str = "2s";

/// Makes the partitions of every monthly table for the months from the one holding
/// `from` to the one holding `to`, in one transaction; returns how many were made.
pub async fn make(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let mut made = 0;
    for table in MONTHLY {
        made += sqlx::query_scalar!(
            r#"SELECT sum(make_month_partitions($1::text::regclass, month AT TIME ZONE 'UTC', 1))::bigint
                      AS "made!"
               FROM generate_series(date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC'),
                                    $3::timestamptz AT TIME ZONE 'UTC', interval '1 month') month"#,
            table,
            from,
            to
        )
        .fetch_one(&mut *conn)
        .await?;
    }
    Ok(made)
}

/// The current month and the [`AHEAD`] months after it, made at `now`.
pub async fn make_ahead(pool: &PgPool, now: DateTime<Utc>) -> sqlx::Result<i64> {
    let mut tx = pool.begin().await?;
    sqlx::query_scalar!("SELECT set_config('lock_timeout', $1, true)", LOCK_TIMEOUT)
        .fetch_one(&mut *tx)
        .await?;
    let last = now.checked_add_months(Months::new(AHEAD)).unwrap_or(now);
    let made = make(&mut tx, now, last).await?;
    tx.commit().await?;
    Ok(made)
}

/// Months after the current one that `table` has a partition for, counted up to a year:
/// what the `paydesk_partition_months_ahead` gauge shows.
async fn months_ahead(pool: &PgPool, table: &str, now: DateTime<Utc>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM generate_series(1, 12) i
           WHERE to_regclass(format('%s_%s', $1::text,
                 to_char(date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC')
                         + make_interval(months => i), 'YYYY_MM'))) IS NOT NULL"#,
        table,
        now
    )
    .fetch_one(pool)
    .await
}

/// Runs [`make_ahead`] now and then every `interval`, and keeps the gauge current.
pub fn spawn(pool: PgPool, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let now = Utc::now();
            match make_ahead(&pool, now).await {
                Ok(0) => {}
                Ok(made) => tracing::info!(made, "monthly partitions made"),
                Err(e) => {
                    tracing::warn!(error = %e, "making monthly partitions failed; retrying later")
                }
            }
            for table in MONTHLY {
                if let Ok(n) = months_ahead(&pool, table, now).await {
                    metrics::gauge!("paydesk_partition_months_ahead", "table" => table)
                        .set(n as f64);
                }
            }
            tokio::time::sleep(interval).await;
        }
    })
}
