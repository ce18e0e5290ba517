//! Reading a refund's facts: scoped to the signed-in merchant for a download, by refund
//! ID alone for the public verification page (which shows nothing without a valid code).

use super::content::RefundFacts;
use crate::transactions::kind::{TransactionStatus, TransactionType};
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

/// A refund's row with what its receipt shows, as `by_id` reads it.
struct FactsRow {
    merchant_id: Uuid,
    merchant_name: String,
    time_zone: String,
    transaction_id: String,
    transaction_request_id: Option<String>,
    transaction_type: TransactionType,
    status: TransactionStatus,
    amount_minor: i64,
    currency: String,
    payment_method_type: String,
    method_name: String,
    reason: Option<String>,
    refunded_at: DateTime<Utc>,
    settlement_amount_minor: Option<i64>,
    settlement_currency: Option<String>,
    quote: Option<String>,
    payment_id: Option<String>,
    payment_amount: Option<i64>,
    payment_currency: Option<String>,
}

impl From<FactsRow> for RefundFacts {
    fn from(row: FactsRow) -> RefundFacts {
        RefundFacts {
            merchant_id: row.merchant_id,
            merchant_name: row.merchant_name,
            time_zone: row.time_zone,
            refund_id: row.transaction_id,
            refund_request_id: row.transaction_request_id,
            payment_id: row.payment_id.unwrap_or_default(),
            payment_amount_minor: row.payment_amount.unwrap_or_default(),
            payment_currency: row.payment_currency.unwrap_or_default(),
            refund_amount_minor: row.amount_minor,
            refund_currency: row.currency,
            payment_method_code: row.payment_method_type,
            payment_method_name: row.method_name,
            status: row.status,
            reason: row.reason,
            refunded_at: row.refunded_at,
            settlement_amount_minor: row.settlement_amount_minor,
            settlement_currency: row.settlement_currency,
            settlement_quote: row.quote.map(|q| crate::money::trim_decimal(&q)),
        }
    }
}

/// The transaction `transaction_id` (IDs are unique across merchants), of `merchant`
/// only when one is given.
async fn by_id(
    pool: &PgPool,
    merchant: Option<Uuid>,
    transaction_id: &str,
) -> Result<Option<FactsRow>, sqlx::Error> {
    sqlx::query_as!(
        FactsRow,
        r#"SELECT t.merchant_id, m.name AS merchant_name, m.time_zone,
                  t.transaction_id, t.transaction_request_id,
                  t.transaction_type AS "transaction_type: TransactionType",
                  t.status AS "status: TransactionStatus",
                  t.amount_minor, t.currency, t.payment_method_type,
                  coalesce(pm.name, t.payment_method_type) AS "method_name!",
                  t.reason, coalesce(t.finished_at, t.created_at) AS "refunded_at!: DateTime<Utc>",
                  t.settlement_amount_minor, t.settlement_currency,
                  t.settlement_quote::text AS quote,
                  o.transaction_id AS "payment_id?", o.amount_minor AS "payment_amount?",
                  o.currency AS "payment_currency?"
             FROM transactions t
             JOIN merchants m ON m.id = t.merchant_id
             LEFT JOIN payment_methods pm ON pm.code = t.payment_method_type
             LEFT JOIN transactions o ON o.id = t.original_id
            WHERE t.transaction_id = $2 AND ($1::uuid IS NULL OR t.merchant_id = $1)"#,
        merchant,
        transaction_id
    )
    .fetch_optional(pool)
    .await
}

/// The refund `refund_id` of `merchant`, if it is a successful refund.
pub async fn for_merchant(
    pool: &PgPool,
    merchant: Uuid,
    refund_id: &str,
) -> Result<Lookup, sqlx::Error> {
    let Some(row) = by_id(pool, Some(merchant), refund_id).await? else {
        return Ok(Lookup::NotFound);
    };
    Ok(if row.transaction_type != TransactionType::Refund {
        Lookup::NotARefund
    } else if row.status != TransactionStatus::Success {
        Lookup::NotSuccessful { status: row.status }
    } else {
        Lookup::Found(Box::new(row.into()))
    })
}

/// The successful refund `refund_id`, whoever's it is (for checking a code).
pub async fn for_verification(
    pool: &PgPool,
    refund_id: &str,
) -> Result<Option<RefundFacts>, sqlx::Error> {
    let row = by_id(pool, None, refund_id).await?;
    Ok(row
        .filter(|r| {
            r.transaction_type == TransactionType::Refund && r.status == TransactionStatus::Success
        })
        .map(RefundFacts::from))
}

/// The IDs of `payment`'s successful refunds, for the payment's details page.
pub async fn successful_refunds_of(
    pool: &PgPool,
    merchant: Uuid,
    payment_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT r.transaction_id FROM transactions r JOIN transactions p ON p.id = r.original_id
          WHERE p.merchant_id = $1 AND p.transaction_id = $2 AND r.merchant_id = $1
            AND r.transaction_type = 'REFUND' AND r.status = 'SUCCESS'
          ORDER BY r.created_at, r.id",
        merchant,
        payment_id
    )
    .fetch_all(pool)
    .await
}
