//! A transaction as pages show it: every field already formatted on the server in the
//! user's language (money in its currency's decimals, times in the merchant's zone), so
//! the browser needs no time-zone database.

use super::columns::Column;
use super::kind::{TransactionStatus, TransactionType};
use crate::locale::Language;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransactionView {
    pub transaction_id: String,
    pub reference_transaction_id: Option<String>,
    pub transaction_request_id: Option<String>,
    pub acquirer_transaction_id: Option<String>,
    pub serial_no: String,
    pub transaction_type: TransactionType,
    pub status: TransactionStatus,
    pub amount_minor: i64,
    pub currency: String,
    /// `amount_minor` formatted with the currency's decimals, e.g. "1,234.56" (or
    /// "1.234,56" in Portuguese).
    pub amount: String,
    pub settlement_amount: Option<String>,
    pub settlement_currency: Option<String>,
    pub settlement_quote: Option<String>,
    pub payment_method: String,
    pub acquirer: String,
    pub original_transaction_id: Option<String>,
    pub reason: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl TransactionView {
    /// The text of one table cell, in `language` (the formatted fields already are).
    pub fn cell(&self, column: Column, language: Language) -> String {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        match column {
            Column::TransactionId => self.transaction_id.clone(),
            Column::ReferenceTransactionId => opt(&self.reference_transaction_id),
            Column::TransactionRequestId => opt(&self.transaction_request_id),
            Column::AcquirerTransactionId => opt(&self.acquirer_transaction_id),
            Column::SerialNo => self.serial_no.clone(),
            Column::TransactionType => self.transaction_type.label_in(language).to_owned(),
            Column::Status => self.status.label_in(language).to_owned(),
            Column::Amount => format!("{} {}", self.amount, self.currency),
            Column::Currency => self.currency.clone(),
            Column::SettlementAmount => {
                match (&self.settlement_amount, &self.settlement_currency) {
                    (Some(a), Some(c)) => format!("{a} {c}"),
                    _ => String::new(),
                }
            }
            Column::SettlementCurrency => opt(&self.settlement_currency),
            Column::SettlementQuote => opt(&self.settlement_quote),
            Column::PaymentMethod => self.payment_method.clone(),
            Column::Acquirer => self.acquirer.clone(),
            Column::OriginalTransactionId => opt(&self.original_transaction_id),
            Column::Reason => opt(&self.reason),
            Column::CreatedAt => self.created_at.clone(),
            Column::FinishedAt => opt(&self.finished_at),
        }
    }
}

/// Where the count of matching transactions stops: counting further would read every
/// row of a busy period, and past it a user needs a narrower filter, not a number.
pub const COUNT_BOUND: i64 = 10_000;

/// One page of the list in its order, with the cursors of its neighbours, how many
/// transactions match in all and the page's total in each currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub rows: Vec<TransactionView>,
    /// `after` cursor of the next page, if there is one.
    pub next: Option<String>,
    /// `before` cursor of the previous page, if there is one.
    pub prev: Option<String>,
    /// Transactions matching the filters, counted up to one past [`COUNT_BOUND`].
    pub matching: i64,
    /// The sum of this page's amounts in each currency, e.g. "1,234.56 USD", by code,
    /// written the user's way.
    pub totals: Vec<String>,
}

impl Page {
    pub fn new(
        rows: Vec<TransactionView>,
        next: Option<String>,
        prev: Option<String>,
        matching: i64,
        language: Language,
    ) -> Page {
        let totals = page_totals(&rows, language);
        Page {
            rows,
            next,
            prev,
            matching,
            totals,
        }
    }
}

/// The sum of `rows`' amounts per currency, formatted, in currency-code order. Summed
/// in i128: a hundred amounts near the limit of i64 cannot overflow it, and a sum that
/// no longer fits an amount is left out rather than shown wrong.
fn page_totals(rows: &[TransactionView], language: Language) -> Vec<String> {
    let mut sums = std::collections::BTreeMap::<&str, i128>::new();
    for row in rows {
        *sums.entry(row.currency.as_str()).or_default() += i128::from(row.amount_minor);
    }
    sums.into_iter()
        .filter_map(|(code, sum)| {
            let sum = i64::try_from(sum).ok()?;
            Some(language.money(sum, code))
        })
        .collect()
}

/// One transaction with its related transactions and refund state (details page).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Details {
    pub transaction: TransactionView,
    /// For a payment: its captures, refunds (whatever their status), chargebacks and
    /// cancels, and the reversals of its refunds. For anything else: its original.
    pub related: Vec<TransactionView>,
    pub refund: RefundState,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RefundState {
    /// Not a payment or capture: no Refund button.
    NotOffered,
    Available {
        refundable_minor: i64,
        refundable: String,
        currency: String,
    },
    Blocked {
        reason: String,
    },
}
