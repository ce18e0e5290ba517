//! Reading a refund's facts: scoped to the signed-in merchant for a download, by refund
//! ID alone for the public verification page (which shows nothing without a valid code).

use super::content::RefundFacts;
use crate::transactions::kind::{TransactionStatus, TransactionType};
use crate::transactions::row::Quote;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// What a merchant's request for a receipt finds.
#[derive(Debug)]
pub enum Lookup {
    /// No transaction of this merchant has the ID (another merchant's is as absent).
    NotFound,
    /// The transaction is not a refund.
    NotARefund,
    /// A refund that has not succeeded (yet): no receipt.
    NotSuccessful {
        status: TransactionStatus,
    },
    Found(Box<RefundFacts>),
}

/// The refund `refund_id` of `merchant`, if it is a successful refund.
pub async fn for_merchant(
    pool: &PgPool,
    merchant: Uuid,
    refund_id: &str,
) -> Result<Lookup, sqlx::Error> {
    Ok(match find(pool, refund_id).await? {
        Some(found) if found.facts.merchant_id == merchant => found.lookup(),
        _ => Lookup::NotFound,
    })
}

/// The successful refund `refund_id`, whoever's it is (for checking a code).
pub async fn for_verification(
    pool: &PgPool,
    refund_id: &str,
) -> Result<Option<RefundFacts>, sqlx::Error> {
    Ok(find(pool, refund_id)
        .await?
        .and_then(|found| match found.lookup() {
            Lookup::Found(facts) => Some(*facts),
            _ => None,
        }))
}

/// A transaction with the facts a receipt of it would show.
struct Found {
    kind: TransactionType,
    facts: RefundFacts,
}

impl Found {
    fn lookup(self) -> Lookup {
        if self.kind != TransactionType::Refund {
            Lookup::NotARefund
        } else if self.facts.status != TransactionStatus::Success {
            Lookup::NotSuccessful {
                status: self.facts.status,
            }
        } else {
            Lookup::Found(Box::new(self.facts))
        }
    }
}

/// The transaction `transaction_id` (unique across merchants), whatever its kind.
async fn find(pool: &PgPool, transaction_id: &str) -> Result<Option<Found>, sqlx::Error> {
    let found = sqlx::query!(
        r#"SELECT t.merchant_id, m.name AS merchant_name, m.time_zone,
                  t.transaction_id, t.transaction_request_id,
                  t.transaction_type AS "transaction_type: TransactionType",
                  t.status AS "status: TransactionStatus",
                  t.amount_minor, t.currency, t.payment_method_type,
                  coalesce(pm.name, t.payment_method_type) AS "method_name!",
                  t.reason, coalesce(t.finished_at, t.created_at) AS "refunded_at!: DateTime<Utc>",
                  t.settlement_amount_minor, t.settlement_currency,
                  t.settlement_quote::text AS "quote?: Quote",
                  o.transaction_id AS "payment_id?", o.amount_minor AS "payment_amount?",
                  o.currency AS "payment_currency?"
             FROM transactions t
             JOIN merchants m ON m.id = t.merchant_id
             LEFT JOIN payment_methods pm ON pm.code = t.payment_method_type
             LEFT JOIN transactions o ON o.id = t.original_id
                  AND o.merchant_id = t.merchant_id AND o.created_at = t.original_created_at
            WHERE t.transaction_id = $1"#,
        transaction_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|r| Found {
        kind: r.transaction_type,
        facts: RefundFacts {
            merchant_id: r.merchant_id,
            merchant_name: r.merchant_name,
            time_zone: r.time_zone,
            refund_id: r.transaction_id,
            refund_request_id: r.transaction_request_id,
            payment_id: r.payment_id.unwrap_or_default(),
            payment_amount_minor: r.payment_amount.unwrap_or_default(),
            payment_currency: r.payment_currency.unwrap_or_default(),
            refund_amount_minor: r.amount_minor,
            refund_currency: r.currency,
            payment_method_code: r.payment_method_type,
            payment_method_name: r.method_name,
            status: r.status,
            reason: r.reason,
            refunded_at: r.refunded_at,
            settlement_amount_minor: r.settlement_amount_minor,
            settlement_currency: r.settlement_currency,
            settlement_quote: r.quote.map(String::from),
        },
    }))
}

/// The IDs of `payment`'s successful refunds, for the payment's details page.
pub async fn successful_refunds_of(
    pool: &PgPool,
    merchant: Uuid,
    payment_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT r.transaction_id FROM transactions r JOIN transactions p ON p.id = r.original_id
              AND p.merchant_id = r.merchant_id AND p.created_at = r.original_created_at
          WHERE p.merchant_id = $1 AND p.transaction_id = $2 AND r.merchant_id = $1
            AND r.transaction_type = 'REFUND' AND r.status = 'SUCCESS'
          ORDER BY r.created_at, r.id",
        merchant,
        payment_id
    )
    .fetch_all(pool)
    .await
}
