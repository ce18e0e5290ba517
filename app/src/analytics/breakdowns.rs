//! A range's successful transactions by payment method, acquirer and type, from the
//! daily totals (docs/RULES.md, "Analytics").

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
    let rows = sqlx::query!(
        r#"SELECT transaction_type AS "kind!", payment_method_type AS "method?",
                  acquirer_code AS "acquirer?",
                  sum(transactions)::bigint AS "count!",
                  sum(amount_minor)::bigint AS "amount_minor!"
             FROM daily_totals
            WHERE merchant_id = $1 AND currency = $2 AND day BETWEEN $3 AND $4
              AND status = 'SUCCESS'
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
        range.to()
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
