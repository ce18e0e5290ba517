//! The merchant's balance per currency, out of which refunds are paid, and its ledger:
//! every change of a balance has an entry with the balance after it. A new refund takes
//! its amount and writes its entry in the engine's one write statement
//! (`decide::record_refund`); a failed asynchronous refund gives it back here.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// `balance_entries.kind`: why a balance changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum EntryKind {
    /// A refund took the amount.
    Refund,
    /// An asynchronous refund failed and gave the amount back.
    RefundFailed,
}

/// Gives `amount_minor` back to the merchant's balance in `currency`; the balance after.
pub(super) async fn give_back(
    conn: &mut PgConnection,
    merchant_id: Uuid,
    currency: &str,
    amount_minor: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "UPDATE merchant_balances SET available_minor = available_minor + $3, updated_at = now()
         WHERE merchant_id = $1 AND currency = $2
         RETURNING available_minor",
        merchant_id,
        currency,
        amount_minor
    )
    .fetch_one(conn)
    .await
}

/// One change of a balance, for the ledger.
pub(super) struct Entry<'a> {
    pub merchant_id: Uuid,
    pub currency: &'a str,
    /// Negative when money left the balance.
    pub amount_minor: i64,
    pub balance_after_minor: i64,
    pub kind: EntryKind,
    /// `transactions.id` of the refund that made the change.
    pub refund_row_id: i64,
    pub at: DateTime<Utc>,
}

/// Writes `entry` to the ledger.
pub(super) async fn record(conn: &mut PgConnection, entry: Entry<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO balance_entries (merchant_id, currency, amount_minor, balance_after_minor,
             kind, transaction_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        entry.merchant_id,
        entry.currency,
        entry.amount_minor,
        entry.balance_after_minor,
        entry.kind as EntryKind,
        entry.refund_row_id,
        entry.at as DateTime<Utc>
    )
    .execute(conn)
    .await?;
    Ok(())
}
