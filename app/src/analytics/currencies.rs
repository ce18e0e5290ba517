//! The currencies the analytics overview can be switched to for a range.

use super::range::Range;
use sqlx::PgPool;
use uuid::Uuid;

/// Every currency with transactions or refund requests in `range` (its whole months
/// from the monthly totals, the days around them from the daily activity), the one
/// with the most transactions first (amounts of different currencies do not compare),
/// then by code.
pub async fn currencies(pool: &PgPool, merchant: Uuid, range: Range) -> sqlx::Result<Vec<String>> {
    let (months_start, months_end) = range.whole_months();
    sqlx::query_scalar!(
        r#"SELECT currency::text AS "currency!"
             FROM (SELECT currency, transactions, 0 AS requests
                     FROM daily_activity
                    WHERE merchant_id = $1
                      AND ((day >= $2 AND day < $4) OR (day >= $5 AND day <= $3))
                   UNION ALL
                   SELECT currency, transactions, 0
                     FROM monthly_totals
                    WHERE merchant_id = $1 AND month >= $4 AND month < $5
                   UNION ALL
                   SELECT currency, 0, requests
                     FROM refund_request_totals
                    WHERE merchant_id = $1 AND day BETWEEN $2 AND $3) c
            GROUP BY currency
           HAVING sum(transactions) > 0 OR sum(requests) > 0
            ORDER BY sum(transactions) DESC, currency"#,
        merchant,
        range.from(),
        range.to(),
        months_start,
        months_end
    )
    .fetch_all(pool)
    .await
}
