//! Asynchronous refunds waiting for the acquirer: the acquirer worker locks the ones
//! that are due and records each answer. Both take the time as `now`, so that what is
//! due is decided by the caller's clock (tests state the time instead of waiting).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::balance::{self, Entry, EntryKind};
use super::number::RefundNumber;
use super::record::{load_record, RefundRecord};
use super::settlement::settlement;

/// An asynchronous refund waiting for the acquirer, locked for deciding.
#[derive(Clone, Debug)]
pub struct PendingRefund {
    pub merchant_id: Uuid,
    pub refund_request_id: String,
    pub row_id: i64,
    pub amount_minor: i64,
    pub reason: Option<String>,
    pub client_id: Option<String>,
    pub notify_url: Option<String>,
}

/// Locks up to `limit` asynchronous refunds that, at `now`, have waited at least
/// `delay`, skipping rows another worker holds, so that several server instances share
/// the work; then the balances they belong to.
pub async fn lock_due_refunds(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    delay: std::time::Duration,
    limit: i64,
) -> sqlx::Result<Vec<PendingRefund>> {
    let due = sqlx::query_as!(
        PendingRefund,
        r#"SELECT q.merchant_id, q.refund_request_id, q.refund_id AS "row_id!",
                  q.amount_minor, q.client_id,
                  coalesce(q.notify_url, m.notify_url) AS notify_url, t.reason
           FROM refund_requests q
           JOIN merchants m ON m.id = q.merchant_id
           JOIN transactions t ON t.id = q.refund_id AND t.merchant_id = q.merchant_id
                AND t.created_at = q.refund_created_at
           WHERE q.acquirer_pending_since <= $1::timestamptz - make_interval(secs => $2)
           ORDER BY q.acquirer_pending_since
           LIMIT $3
           FOR UPDATE OF q SKIP LOCKED"#,
        now as DateTime<Utc>,
        delay.as_secs_f64(),
        limit
    )
    .fetch_all(&mut *conn)
    .await?;
    lock_balances(conn, &due).await?;
    Ok(due)
}

/// Locks the balance of each refund's merchant and currency, in one order. A new refund
/// takes its balance before its row adds to the daily totals; deciding a batch adds to
/// and takes from the totals of several refunds, and may give an amount back to a
/// balance afterwards. Holding the balances first keeps that one order, balance then
/// totals, for everyone, so a batch and a new refund cannot wait on each other
/// (docs/RULES.md, "Daily totals").
async fn lock_balances(conn: &mut PgConnection, due: &[PendingRefund]) -> sqlx::Result<()> {
    let rows: Vec<i64> = due.iter().map(|p| p.row_id).collect();
    sqlx::query!(
        "SELECT b.currency FROM merchant_balances b
          WHERE (b.merchant_id, b.currency) IN
                (SELECT t.merchant_id, t.currency FROM transactions t WHERE t.id = ANY($1))
          ORDER BY b.merchant_id, b.currency
          FOR UPDATE",
        &rows
    )
    .fetch_all(conn)
    .await?;
    Ok(())
}

/// Records the acquirer's answer at `now` to a pending refund (locked by
/// [`lock_due_refunds`] in the same transaction): SUCCESS settles it at the rate of the
/// day, FAIL gives the amount back to the balance and to the payment's refundable
/// amount.
pub async fn finish_pending(
    conn: &mut PgConnection,
    pending: &PendingRefund,
    succeeded: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<RefundRecord> {
    let currencies = sqlx::query!(
        r#"SELECT t.currency, m.settlement_currency,
                  nextval('refund_number_seq') AS "number!"
           FROM transactions t JOIN merchants m ON m.id = t.merchant_id
           WHERE t.id = $1 FOR UPDATE OF t"#,
        pending.row_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let number = RefundNumber::drawn(currencies.number);
    let answered = Answered {
        pending,
        acquirer_refund_id: number.acquirer_refund_id(),
        currency: currencies.currency.trim(),
        at: now,
    };
    if succeeded {
        settle(conn, &answered, currencies.settlement_currency.trim()).await?;
    } else {
        give_back(conn, &answered).await?;
    }
    sqlx::query!(
        "UPDATE refund_requests SET acquirer_pending_since = NULL
         WHERE merchant_id = $1 AND refund_request_id = $2",
        pending.merchant_id,
        pending.refund_request_id
    )
    .execute(&mut *conn)
    .await?;
    load_record(conn, pending.row_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// A pending refund the acquirer has answered.
struct Answered<'a> {
    pending: &'a PendingRefund,
    acquirer_refund_id: String,
    /// The refund's (the payment's) currency.
    currency: &'a str,
    at: DateTime<Utc>,
}

/// The refund succeeded: it settles into `settles_in` at the rate of the day.
async fn settle(
    conn: &mut PgConnection,
    answered: &Answered<'_>,
    settles_in: &str,
) -> sqlx::Result<()> {
    let pending = answered.pending;
    let settled = settlement(
        conn,
        pending.amount_minor,
        answered.currency,
        settles_in,
        answered.at.date_naive(),
    )
    .await?;
    sqlx::query!(
        "UPDATE transactions SET status = 'SUCCESS', finished_at = $2,
             acquirer_transaction_id = $3, settlement_amount_minor = $4,
             settlement_currency = $5, settlement_quote = $6::text::numeric
         WHERE id = $1",
        pending.row_id,
        answered.at as DateTime<Utc>,
        answered.acquirer_refund_id,
        settled.as_ref().map(|s| s.amount_minor),
        settles_in,
        settled.as_ref().map(|s| s.quote.as_str())
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The refund failed: its amount goes back to the merchant's balance, with a ledger
/// entry, and (the refund no longer counting) to what is refundable of the payment.
async fn give_back(conn: &mut PgConnection, answered: &Answered<'_>) -> sqlx::Result<()> {
    let pending = answered.pending;
    sqlx::query!(
        "UPDATE transactions SET status = 'FAIL', finished_at = $2,
             acquirer_transaction_id = $3, settlement_amount_minor = NULL,
             settlement_quote = NULL
         WHERE id = $1",
        pending.row_id,
        answered.at as DateTime<Utc>,
        answered.acquirer_refund_id
    )
    .execute(&mut *conn)
    .await?;
    let balance_after = balance::give_back(
        conn,
        pending.merchant_id,
        answered.currency,
        pending.amount_minor,
    )
    .await?;
    balance::record(
        conn,
        Entry {
            merchant_id: pending.merchant_id,
            currency: answered.currency,
            amount_minor: pending.amount_minor,
            balance_after_minor: balance_after,
            kind: EntryKind::RefundFailed,
            refund_row_id: pending.row_id,
            at: answered.at,
        },
    )
    .await
}
