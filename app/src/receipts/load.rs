//! Reading a refund's facts: scoped to the signed-in merchant for a download, by refund
//! ID alone for the public verification page (which shows nothing without a valid code).

use super::content::RefundFacts;
use crate::transactions::kind::{TransactionStatus, TransactionType};
use sqlx::{PgPool, Row};
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

const SELECT: &str = "SELECT t.merchant_id, m.name AS merchant_name, m.time_zone,
        t.transaction_id, t.transaction_request_id, t.transaction_type, t.status,
        t.amount_minor, t.currency, t.payment_method_type, coalesce(pm.name, t.payment_method_type) AS method_name,
        t.reason, coalesce(t.finished_at, t.created_at) AS refunded_at,
        t.settlement_amount_minor, t.settlement_currency, t.settlement_quote::text AS quote,
        o.transaction_id AS payment_id, o.amount_minor AS payment_amount, o.currency AS payment_currency
   FROM transactions t
   JOIN merchants m ON m.id = t.merchant_id
   LEFT JOIN payment_methods pm ON pm.code = t.payment_method_type
   LEFT JOIN transactions o ON o.id = t.original_id";

fn facts(row: &sqlx::postgres::PgRow) -> RefundFacts {
    RefundFacts {
        merchant_id: row.get("merchant_id"),
        merchant_name: row.get("merchant_name"),
        time_zone: row.get("time_zone"),
        refund_id: row.get("transaction_id"),
        refund_request_id: row.get("transaction_request_id"),
        payment_id: row
            .get::<Option<String>, _>("payment_id")
            .unwrap_or_default(),
        payment_amount_minor: row
            .get::<Option<i64>, _>("payment_amount")
            .unwrap_or_default(),
        payment_currency: row
            .get::<Option<String>, _>("payment_currency")
            .unwrap_or_default(),
        refund_amount_minor: row.get("amount_minor"),
        refund_currency: row.get("currency"),
        payment_method_code: row.get("payment_method_type"),
        payment_method_name: row.get("method_name"),
        status: row.get("status"),
        reason: row.get("reason"),
        refunded_at: row.get("refunded_at"),
        settlement_amount_minor: row.get("settlement_amount_minor"),
        settlement_currency: row.get("settlement_currency"),
        settlement_quote: row
            .get::<Option<String>, _>("quote")
            .map(|q| crate::money::trim_decimal(&q)),
    }
}

/// The refund `refund_id` of `merchant`, if it is a successful refund.
pub async fn for_merchant(
    pool: &PgPool,
    merchant: Uuid,
    refund_id: &str,
) -> Result<Lookup, sqlx::Error> {
    let sql = format!("{SELECT} WHERE t.merchant_id = $1 AND t.transaction_id = $2");
    let Some(row) = sqlx::query(&sql)
        .bind(merchant)
        .bind(refund_id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(Lookup::NotFound);
    };
    let kind: TransactionType = row.get("transaction_type");
    let status: TransactionStatus = row.get("status");
    Ok(if kind != TransactionType::Refund {
        Lookup::NotARefund
    } else if status != TransactionStatus::Success {
        Lookup::NotSuccessful { status }
    } else {
        Lookup::Found(Box::new(facts(&row)))
    })
}

/// The successful refund `refund_id`, whoever's it is (for checking a code).
pub async fn for_verification(
    pool: &PgPool,
    refund_id: &str,
) -> Result<Option<RefundFacts>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE t.transaction_id = $1 AND t.transaction_type = 'REFUND' AND t.status = 'SUCCESS'"
    );
    Ok(sqlx::query(&sql)
        .bind(refund_id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(facts))
}

/// The IDs of `payment`'s successful refunds, for the payment's details page.
pub async fn successful_refunds_of(
    pool: &PgPool,
    merchant: Uuid,
    payment_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT r.transaction_id FROM transactions r JOIN transactions p ON p.id = r.original_id
          WHERE p.merchant_id = $1 AND p.transaction_id = $2 AND r.merchant_id = $1
            AND r.transaction_type = 'REFUND' AND r.status = 'SUCCESS'
          ORDER BY r.created_at, r.id",
    )
    .bind(merchant)
    .bind(payment_id)
    .fetch_all(pool)
    .await
}
