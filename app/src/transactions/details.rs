//! One transaction with everything around it: its related transactions and whether it
//! can be refunded, and if not, why.

use super::query::{to_view, SELECT};
use super::view::{Details, RefundState};
use crate::money::{format_amount, Currency};
use crate::refunds::rules::{availability, MethodRules, PaymentFacts, RefundBlocked};
use crate::time::format_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{PgPool, Row};
use uuid::Uuid;

/// The details of `transaction_id` if it belongs to `merchant`; another merchant's
/// transaction is as absent as one that does not exist.
pub async fn load(
    pool: &PgPool,
    merchant: Uuid,
    transaction_id: &str,
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<Option<Details>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE t.merchant_id = $1 AND t.transaction_id = $2");
    let Some(row) = sqlx::query(&sql)
        .bind(merchant)
        .bind(transaction_id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.get("id");
    let kind: String = row.get("transaction_type");
    let transaction = to_view(&row, zone);
    let is_payment = matches!(kind.as_str(), "PAYMENT" | "AUTHORIZATION");
    let related_sql = if is_payment {
        format!(
            "{SELECT} WHERE t.merchant_id = $1 AND (t.original_id = $2
                 OR t.original_id IN (SELECT r.id FROM transactions r WHERE r.original_id = $2))
              ORDER BY t.created_at, t.id"
        )
    } else {
        format!("{SELECT} WHERE t.merchant_id = $1 AND t.id = (SELECT original_id FROM transactions WHERE id = $2)")
    };
    let related = sqlx::query(&related_sql)
        .bind(merchant)
        .bind(id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| to_view(r, zone))
        .collect();
    let refund = match kind.as_str() {
        "PAYMENT" | "AUTHORIZATION" => refund_state(pool, id, zone, now).await?,
        // A capture is refunded as its payment.
        "CAPTURE" => match original_of(pool, id).await? {
            Some(payment) => refund_state(pool, payment, zone, now).await?,
            None => RefundState::NotOffered,
        },
        _ => RefundState::NotOffered,
    };
    Ok(Some(Details {
        transaction,
        related,
        refund,
    }))
}

async fn original_of(pool: &PgPool, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT original_id FROM transactions WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
}

async fn refund_state(
    pool: &PgPool,
    payment: i64,
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<RefundState, sqlx::Error> {
    let (facts, rules) = payment_facts(pool, payment).await?;
    Ok(match availability(&facts, &rules, now) {
        Ok(left) => RefundState::Available {
            refundable_minor: left,
            refundable: Currency::parse(&facts.currency)
                .map_or(left.to_string(), |c| format_amount(left, c)),
            currency: facts.currency,
        },
        // The window's end is a date in the merchant's zone, not in UTC.
        Err(RefundBlocked::WindowEnded { ended_at }) => RefundState::Blocked {
            reason: format!(
                "The refund window ended on {}.",
                &format_local(ended_at, zone.name())[..10]
            ),
        },
        Err(blocked) => RefundState::Blocked {
            reason: blocked.message(),
        },
    })
}

/// What the refund rules need to know of a payment and its method.
pub async fn payment_facts(
    pool: &PgPool,
    payment: i64,
) -> Result<(PaymentFacts, MethodRules), sqlx::Error> {
    let row = sqlx::query(
        "SELECT p.transaction_type, p.status, p.amount_minor, p.currency, p.finished_at,
                m.refund_supported, m.partial_refund_supported, m.multiple_refunds_supported,
                m.refund_window_days, m.min_refund_minor, m.is_card,
                coalesce(bool_or(c.transaction_type = 'CAPTURE' AND c.status = 'SUCCESS'), false) AS captured,
                coalesce(bool_or(c.transaction_type = 'CHARGEBACK' AND c.status = 'PROCESSING'), false) AS chargeback_pending,
                coalesce(sum(c.amount_minor) FILTER (WHERE c.transaction_type = 'REFUND'
                         AND c.status IN ('SUCCESS', 'PROCESSING')), 0)::bigint AS refunded,
                count(c.id) FILTER (WHERE c.transaction_type = 'REFUND' AND c.status IN ('SUCCESS', 'PROCESSING')) AS refunds,
                coalesce(sum(c.amount_minor) FILTER (WHERE c.transaction_type = 'CHARGEBACK'
                         AND c.status = 'SUCCESS'), 0)::bigint AS charged_back
           FROM transactions p
           JOIN payment_methods m ON m.code = p.payment_method_type
           LEFT JOIN transactions c ON c.original_id = p.id
          WHERE p.id = $1
          GROUP BY p.id, m.code",
    )
    .bind(payment)
    .fetch_one(pool)
    .await?;
    let facts = PaymentFacts {
        transaction_type: row.get("transaction_type"),
        status: row.get("status"),
        amount_minor: row.get("amount_minor"),
        currency: row.get("currency"),
        succeeded_at: row.get("finished_at"),
        captured: row.get("captured"),
        chargeback_pending: row.get("chargeback_pending"),
        refunded_minor: row.get("refunded"),
        refund_count: row.get("refunds"),
        charged_back_minor: row.get("charged_back"),
    };
    let rules = MethodRules {
        refund_supported: row.get("refund_supported"),
        partial_refund_supported: row.get("partial_refund_supported"),
        multiple_refunds_supported: row.get("multiple_refunds_supported"),
        refund_window_days: row.get("refund_window_days"),
        min_refund_minor: row.get("min_refund_minor"),
        is_card: row.get("is_card"),
    };
    Ok((facts, rules))
}
