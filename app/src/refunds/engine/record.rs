//! A refund as the API and the dashboard show it, read from its REFUND row.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::settlement::Settlement;
use crate::money::trim_decimal;
use crate::refunds::types::RefundStatus;
use crate::transactions::kind::TransactionStatus;

/// A refund as the API and the dashboard show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecord {
    /// `transactions.id` of the REFUND row.
    pub row_id: i64,
    /// Paydesk's refundId.
    pub refund_id: String,
    pub refund_request_id: String,
    /// The payment's transaction ID.
    pub payment_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: RefundStatus,
    pub created_at: DateTime<Utc>,
    /// When the refund reached SUCCESS or FAIL.
    pub finished_at: Option<DateTime<Utc>>,
    pub settlement: Option<Settlement>,
    pub reason: Option<String>,
}

/// A REFUND row with its payment's ID.
pub async fn load_record(
    conn: &mut PgConnection,
    row_id: i64,
) -> sqlx::Result<Option<RefundRecord>> {
    let row = sqlx::query!(
        r#"SELECT r.id, r.transaction_id, r.transaction_request_id,
                  p.transaction_id AS "payment_id?", r.amount_minor, r.currency,
                  r.status AS "status: TransactionStatus",
                  r.created_at AS "created_at: DateTime<Utc>",
                  r.finished_at AS "finished_at: DateTime<Utc>",
                  r.settlement_amount_minor, r.settlement_currency,
                  r.settlement_quote::text AS settlement_quote, r.reason
           FROM transactions r LEFT JOIN transactions p ON p.id = r.original_id
                AND p.merchant_id = r.merchant_id AND p.created_at = r.original_created_at
           WHERE r.id = $1 AND r.transaction_type = 'REFUND'"#,
        row_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let settlement = match (
            r.settlement_amount_minor,
            r.settlement_currency,
            r.settlement_quote,
        ) {
            (Some(amount_minor), Some(currency), Some(quote)) => Some(Settlement {
                amount_minor,
                currency: currency.trim().to_string(),
                quote: trim_decimal(&quote),
                rate_date: None,
            }),
            _ => None,
        };
        RefundRecord {
            row_id: r.id,
            refund_id: r.transaction_id,
            refund_request_id: r.transaction_request_id.unwrap_or_default(),
            payment_id: r.payment_id.unwrap_or_default(),
            amount_minor: r.amount_minor,
            currency: r.currency.trim().to_string(),
            status: RefundStatus::from_transaction_status(r.status),
            created_at: r.created_at,
            finished_at: r.finished_at,
            settlement,
            reason: r.reason,
        }
    }))
}
