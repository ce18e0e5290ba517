//! The merchant's balances and what changed them today (docs/RULES.md, "Analytics").

use super::local_day::local_day;
use super::types::Balance;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

/// Every balance of the merchant, by currency code, with the sum of its ledger entries
/// of `today`, the merchant's local date (refunds take, failed refunds give back).
pub async fn balances(
    pool: &PgPool,
    merchant: Uuid,
    zone: Tz,
    today: NaiveDate,
) -> sqlx::Result<Vec<Balance>> {
    let instants = local_day(today, zone);
    sqlx::query_as!(
        Balance,
        r#"SELECT b.currency::text AS "currency!", b.available_minor,
                  coalesce((SELECT sum(e.amount_minor) FROM balance_entries e
                             WHERE e.merchant_id = b.merchant_id AND e.currency = b.currency
                               AND e.created_at >= $2 AND e.created_at < $3), 0)::bigint
                    AS "change_today_minor!"
             FROM merchant_balances b
            WHERE b.merchant_id = $1
            ORDER BY b.currency"#,
        merchant,
        instants.start as DateTime<Utc>,
        instants.end as DateTime<Utc>
    )
    .fetch_all(pool)
    .await
}
