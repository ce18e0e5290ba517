//! One transaction as [`SELECT`](super::query::SELECT) reads it, before formatting: the
//! query and details pages format it for the browser, exports write it to files.

use super::kind::{TransactionStatus, TransactionType};
use super::view::TransactionView;
use crate::money::{trim_decimal, Money};
use crate::time::format_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::postgres::PgRow;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct TransactionRow {
    pub transaction_id: String,
    pub reference_transaction_id: Option<String>,
    pub transaction_request_id: Option<String>,
    pub acquirer_transaction_id: Option<String>,
    pub serial_no: String,
    pub transaction_type: TransactionType,
    pub status: TransactionStatus,
    pub amount_minor: i64,
    pub currency: String,
    pub settlement_amount_minor: Option<i64>,
    pub settlement_currency: Option<String>,
    /// Without numeric(20,10)'s trailing zeros, e.g. "7.1234".
    pub settlement_quote: Option<String>,
    pub payment_method: String,
    pub acquirer: String,
    pub original_transaction_id: Option<String>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl TransactionRow {
    pub fn from_row(row: &PgRow) -> Result<TransactionRow, sqlx::Error> {
        Ok(TransactionRow {
            transaction_id: row.try_get("transaction_id")?,
            reference_transaction_id: row.try_get("reference_transaction_id")?,
            transaction_request_id: row.try_get("transaction_request_id")?,
            acquirer_transaction_id: row.try_get("acquirer_transaction_id")?,
            serial_no: row.try_get("serial_no")?,
            transaction_type: row.try_get("transaction_type")?,
            status: row.try_get("status")?,
            amount_minor: row.try_get("amount_minor")?,
            currency: row.try_get("currency")?,
            settlement_amount_minor: row.try_get("settlement_amount_minor")?,
            settlement_currency: row.try_get("settlement_currency")?,
            settlement_quote: row
                .try_get::<Option<String>, _>("quote")?
                .map(|q| trim_decimal(&q)),
            payment_method: row.try_get("payment_method_type")?,
            acquirer: row.try_get("acquirer_code")?,
            original_transaction_id: row.try_get("original_transaction_id")?,
            reason: row.try_get("reason")?,
            created_at: row.try_get("created_at")?,
            finished_at: row.try_get("finished_at")?,
        })
    }

    /// As pages show it: money in its currency's decimals, times in `zone`.
    pub fn into_view(self, zone: Tz) -> TransactionView {
        let money = |minor: i64, code: &str| {
            Money::of(minor, code).map_or_else(|_| minor.to_string(), Money::amount)
        };
        let local = |at: DateTime<Utc>| format_local(at, zone);
        TransactionView {
            amount: money(self.amount_minor, &self.currency),
            settlement_amount: self
                .settlement_amount_minor
                .zip(self.settlement_currency.as_deref())
                .map(|(minor, code)| money(minor, code)),
            transaction_id: self.transaction_id,
            reference_transaction_id: self.reference_transaction_id,
            transaction_request_id: self.transaction_request_id,
            acquirer_transaction_id: self.acquirer_transaction_id,
            serial_no: self.serial_no,
            transaction_type: self.transaction_type,
            status: self.status,
            amount_minor: self.amount_minor,
            currency: self.currency,
            settlement_currency: self.settlement_currency,
            settlement_quote: self.settlement_quote,
            payment_method: self.payment_method,
            acquirer: self.acquirer,
            original_transaction_id: self.original_transaction_id,
            reason: self.reason,
            created_at: local(self.created_at),
            finished_at: self.finished_at.map(local),
        }
    }
}
