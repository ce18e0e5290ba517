//! One transaction as [`SELECT`](super::query::SELECT) reads it, before formatting: the
//! query and details pages format it for the browser, exports write it to files.

use super::kind::{TransactionStatus, TransactionType};
use super::query::Keyed;
use super::view::TransactionView;
use crate::locale::{format::local, Language};
use crate::money::{trim_decimal, Money};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::{Decode, Postgres, Type};
use std::ops::Deref;

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
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
    #[sqlx(rename = "quote")]
    pub settlement_quote: Option<Quote>,
    #[sqlx(rename = "payment_method_type")]
    pub payment_method: String,
    #[sqlx(rename = "acquirer_code")]
    pub acquirer: String,
    pub original_transaction_id: Option<String>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A [`TransactionRow`] with its database id, which breaks ties between transactions
/// created in the same microsecond when the query pages through them.
#[derive(Debug, sqlx::FromRow)]
pub struct KeyedRow {
    pub id: i64,
    #[sqlx(flatten)]
    pub row: TransactionRow,
}

impl Keyed for KeyedRow {
    fn key(&self) -> (DateTime<Utc>, i64) {
        (self.row.created_at, self.id)
    }

    fn amount_minor(&self) -> Option<i64> {
        Some(self.row.amount_minor)
    }
}

/// A settlement quote (settlement currency per one unit of the transaction's) without
/// the trailing zeros that `numeric(20,10)` pads it with: "7.1234", not "7.1234000000".
/// Read from the column cast to text, so that no digit is lost to a float.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote(String);

impl Deref for Quote {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<Quote> for String {
    fn from(quote: Quote) -> String {
        quote.0
    }
}

impl Type<Postgres> for Quote {
    fn type_info() -> PgTypeInfo {
        <String as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <String as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for Quote {
    fn decode(value: PgValueRef<'r>) -> Result<Quote, BoxDynError> {
        let text = <&str as Decode<Postgres>>::decode(value)?;
        Ok(Quote(trim_decimal(text)))
    }
}

impl TransactionRow {
    /// As pages show it to a user of `language`: money in its currency's decimals,
    /// times in `zone`, numbers and dates written the language's way.
    pub fn into_view(self, zone: Tz, language: Language) -> TransactionView {
        let money = |minor: i64, code: &str| {
            Money::of(minor, code).map_or_else(|_| minor.to_string(), |m| language.amount(m))
        };
        let local = |at: DateTime<Utc>| local(language, at, zone);
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
            settlement_quote: self.settlement_quote.map(|q| language.decimal(&q)),
            payment_method: self.payment_method,
            acquirer: self.acquirer,
            original_transaction_id: self.original_transaction_id,
            reason: self.reason,
            created_at: local(self.created_at),
            finished_at: self.finished_at.map(local),
        }
    }
}
