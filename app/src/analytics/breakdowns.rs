//! A range's successful transactions by payment method, acquirer and type, from the
//! monthly totals for its whole months and the daily totals for the days around them
//! (docs/RULES.md, "Analytics").

use super::range::Range;
use super::types::{Breakdowns, Share};
use crate::money::Currency;
use sqlx::PgPool;
use uuid::Uuid;

/// The three breakdowns in one read: a grouping set each, methods and acquirers of
/// payments only. Each list comes largest amount first (then most transactions).
pub async fn breakdowns(
    pool: &PgPool,
    merchant: Uuid,
    range: Range,
    currency: Currency,
) -> sqlx::Result<Breakdowns> {
    let (months_start, months_end) = range.whole_months();
    let rows = sqlx::query!(
        r#"SELECT transaction_type AS "kind!", payment_method_type AS "method?",
                  acquirer_code AS "acquirer?",
                  sum(transactions)::bigint AS "count!",
                  sum(amount_minor)::bigint AS "amount_minor!"
             FROM (SELECT transaction_type, payment_method_type, acquirer_code,
                          transactions, amount_minor
                     FROM daily_totals
                    WHERE merchant_id = $1 AND currency = $2 AND status = 'SUCCESS'
                      AND ((day >= $3 AND day < $5) OR (day >= $6 AND day <= $4))
                   UNION ALL
                   SELECT transaction_type, payment_method_type, acquirer_code,
                          transactions, amount_minor
                     FROM monthly_totals
                    WHERE merchant_id = $1 AND currency = $2 AND status = 'SUCCESS'
                      AND month >= $5 AND month < $6) t
            GROUP BY GROUPING SETS ((transaction_type),
                                    (transaction_type, payment_method_type),
                                    (transaction_type, acquirer_code))
           HAVING sum(transactions) > 0
              AND (transaction_type = 'PAYMENT'
                   OR GROUPING(payment_method_type, acquirer_code) = 3)
            ORDER BY 5 DESC, 4 DESC, 1, 2, 3"#,
        merchant,
        currency.code(),
        range.from(),
        range.to(),
        months_start,
        months_end
    )
    .fetch_all(pool)
    .await?;
    let mut out = Breakdowns::default();
    for r in rows {
        let (list, key) = match (r.method, r.acquirer) {
            (Some(method), None) => (&mut out.by_method, method),
            (None, Some(acquirer)) => (&mut out.by_acquirer, acquirer),
            _ => (&mut out.by_type, r.kind),
        };
        list.push(Share {
            key,
            count: r.count,
            amount_minor: r.amount_minor,
        });
    }
    Ok(out)
}
