//! A range's refund requests by source and result code, and its refunds by reason,
//! from the refund totals (migration 20261206000001; docs/RULES.md, "Analytics").

use super::range::Range;
use super::types::{RefundReason, RefundRequests, Share};
use crate::money::Currency;
use sqlx::PgPool;
use uuid::Uuid;

/// Requests in `currency`, refusals included, by source and by result code in one read
/// (a grouping set each); each list most requests first, then largest amount.
pub async fn refund_requests(
    pool: &PgPool,
    merchant: Uuid,
    range: Range,
    currency: Currency,
) -> sqlx::Result<RefundRequests> {
    let rows = sqlx::query!(
        r#"SELECT source AS "source?", result_code AS "result_code?",
                  sum(requests)::bigint AS "count!",
                  sum(amount_minor)::bigint AS "amount_minor!"
             FROM refund_request_totals
            WHERE merchant_id = $1 AND currency = $2 AND day BETWEEN $3 AND $4
            GROUP BY GROUPING SETS ((source), (result_code))
           HAVING sum(requests) > 0
            ORDER BY 3 DESC, 4 DESC, 1, 2"#,
        merchant,
        currency.code(),
        range.from(),
        range.to()
    )
    .fetch_all(pool)
    .await?;
    let mut out = RefundRequests::default();
    for r in rows {
        let (list, key) = match (r.source, r.result_code) {
            (Some(source), _) => (&mut out.by_source, source),
            (None, Some(code)) => (&mut out.by_result, code),
            (None, None) => continue,
        };
        list.push(Share {
            key,
            count: r.count,
            amount_minor: r.amount_minor,
        });
    }
    Ok(out)
}

/// The `limit` reasons of the most refunds made in `currency` (then largest amount);
/// refunds without a reason are one entry among them.
pub async fn refund_reasons(
    pool: &PgPool,
    merchant: Uuid,
    range: Range,
    currency: Currency,
    limit: i64,
) -> sqlx::Result<Vec<RefundReason>> {
    sqlx::query_as!(
        RefundReason,
        r#"SELECT reason, sum(refunds)::bigint AS "count!",
                  sum(amount_minor)::bigint AS "amount_minor!"
             FROM refund_reason_totals
            WHERE merchant_id = $1 AND currency = $2 AND day BETWEEN $3 AND $4
            GROUP BY reason
           HAVING sum(refunds) > 0
            ORDER BY 2 DESC, 3 DESC, reason NULLS LAST
            LIMIT $5"#,
        merchant,
        currency.code(),
        range.from(),
        range.to(),
        limit
    )
    .fetch_all(pool)
    .await
}
