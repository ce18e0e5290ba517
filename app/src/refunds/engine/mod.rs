//! The refund engine: every refund, from the open API or the dashboard, is decided and
//! recorded here in one database transaction ([`refund`]), by the rules of
//! docs/RULES.md.
//!
//! - `command`, `error`, `record`: what is asked ([`RefundCommand`]), why no refund is
//!   made ([`RefundError`]) and a refund as the API and the dashboard show it
//!   ([`RefundRecord`]).
//! - `decide`: the one transaction that decides and records a refund; its module
//!   comment explains how concurrent refunds of one payment and repeated request IDs
//!   stay correct.
//! - `replay`: the answer to a refundRequestId seen before.
//! - `payment`, `timing`, `facts`: the payment a refund belongs to, whether its refunds
//!   are final at once or wait for the acquirer, and what the dashboard shows of it.
//! - `number`, `balance`: the IDs a new refund is given; the merchant's balance it is paid
//!   out of, and the ledger of that balance.
//! - `inquiry`, `settlement`: inquiryRefund, and a refund's amount in the merchant's
//!   settlement currency.
//! - `pending`: asynchronous refunds the acquirer answers later, for the acquirer worker.
//! - `reserve`: a dashboard refund above the approval limit, recorded as a request for
//!   approval that reserves its amount under the same lock and rules.

mod balance;
mod command;
mod decide;
mod error;
mod facts;
mod inquiry;
mod number;
mod payment;
mod pending;
mod record;
mod replay;
mod reserve;
mod settlement;
mod timing;

pub use command::{RefundCommand, RefundSource};
pub use error::RefundError;
pub use facts::{refund_facts, RefundFacts};
pub use inquiry::{inquire, RefundLookup};
pub use pending::{finish_pending, lock_due_refunds, PendingRefund};
pub use record::{load_record, RefundRecord};
pub use replay::{answer, RequestedRefund};
pub use reserve::reserve;
pub use settlement::{settlement, Settlement};

use sqlx::PgPool;
use uuid::Uuid;

/// Decides and records a refund ([`decide::refund`]), and counts the answer for the
/// operators' metrics by source and result: the refund's status, or the result code
/// of the refusal.
pub async fn refund(
    pool: &PgPool,
    merchant_id: Uuid,
    cmd: RefundCommand,
) -> Result<RefundRecord, RefundError> {
    let source = cmd.source.as_str();
    let answer = decide::refund(pool, merchant_id, cmd).await;
    let result = match &answer {
        Ok(record) => record.status.as_str().to_owned(),
        Err(e) => e.result_code().to_owned(),
    };
    metrics::counter!("paydesk_refunds_total", "source" => source, "result" => result).increment(1);
    answer
}
