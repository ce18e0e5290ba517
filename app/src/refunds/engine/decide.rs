//! Deciding and recording a refund, in one database transaction.
//!
//! Concurrency: the payment row is locked `FOR UPDATE` first, so refunds of one payment
//! run one after another and each sees the amounts the previous ones took; the
//! idempotency row `(merchant_id, refund_request_id)` is claimed with `ON CONFLICT DO
//! NOTHING`, which waits for a concurrent claim of the same key to commit, so duplicates
//! find the first request's row instead of making a second refund; the balance is
//! debited with a conditional `UPDATE`, which cannot go below zero.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::balance::{self, Entry, EntryKind};
use super::command::RefundCommand;
use super::error::RefundError;
use super::number::RefundNumber;
use super::payment::Payment;
use super::record::RefundRecord;
use super::replay::replay;
use super::settlement::{settlement, Settlement};
use super::timing::Timing;
use crate::audit::{self, AuditAction, Event};
use crate::refunds::rules;
use crate::transactions::kind::TransactionStatus;

/// Makes a refund, or answers why not. A repeated `refund_request_id` answers with the
/// refund made the first time (in its current status) or the first refusal.
pub async fn refund(
    pool: &PgPool,
    merchant_id: Uuid,
    cmd: RefundCommand,
) -> Result<RefundRecord, RefundError> {
    // Replays are common (merchants retry on timeouts); answer them without a lock.
    if let Some(answer) = replay(pool, merchant_id, &cmd).await? {
        return answer;
    }
    let mut tx = pool.begin().await?;
    let settles_in = active_merchant(&mut tx, merchant_id).await?;
    let payment = Payment::lock(&mut tx, merchant_id, cmd.payment_id.as_str())
        .await?
        .ok_or(RefundError::NotFound)?;
    if !claim(&mut tx, merchant_id, &cmd, payment.row_id).await? {
        tx.rollback().await?;
        return replay_after_losing_the_claim(pool, merchant_id, &cmd).await;
    }
    let request = Request {
        merchant_id,
        cmd: &cmd,
        now: transaction_time(&mut tx).await?,
    };
    let decision = match take_amount(&mut tx, &request, &payment).await? {
        Ok(balance_after) => {
            Ok(record_refund(&mut tx, &request, &payment, &settles_in, balance_after).await?)
        }
        Err(refusal) => {
            record_refusal(&mut tx, &request, &refusal).await?;
            Err(refusal)
        }
    };
    tx.commit().await?;
    decision
}

/// The refund request being decided, at the time of its transaction.
struct Request<'a> {
    merchant_id: Uuid,
    cmd: &'a RefundCommand,
    /// The transaction's time: the rules' "now" and the refund's creation time.
    now: DateTime<Utc>,
}

impl Request<'_> {
    fn amount_minor(&self) -> i64 {
        self.cmd.amount.get()
    }
}

/// The merchant's settlement currency, if the merchant may refund at all.
async fn active_merchant(
    conn: &mut PgConnection,
    merchant_id: Uuid,
) -> Result<String, RefundError> {
    let merchant = sqlx::query!(
        r#"SELECT status = 'ACTIVE' AS "active!", settlement_currency
           FROM merchants WHERE id = $1"#,
        merchant_id
    )
    .fetch_optional(conn)
    .await?;
    match merchant {
        Some(m) if m.active => Ok(m.settlement_currency),
        _ => Err(RefundError::MerchantInactive),
    }
}

/// Claims the request ID for this request; false when another request has it. A
/// concurrent claim of the same ID makes this wait for it to commit; then the row is
/// there and the answer is the first request's.
async fn claim(
    conn: &mut PgConnection,
    merchant_id: Uuid,
    cmd: &RefundCommand,
    payment_row_id: i64,
) -> sqlx::Result<bool> {
    let claimed = sqlx::query_scalar!(
        r#"INSERT INTO refund_requests (merchant_id, refund_request_id, payment_ref, payment_id,
               amount_minor, currency, result_code, result_message, source, client_id, notify_url)
           VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', '', $7, $8, $9)
           ON CONFLICT (merchant_id, refund_request_id) DO NOTHING
           RETURNING 1 AS "claimed!""#,
        merchant_id,
        cmd.refund_request_id.as_str(),
        cmd.payment_id.as_str(),
        payment_row_id,
        cmd.amount.get(),
        cmd.currency.as_str(),
        cmd.source.as_str(),
        cmd.source.client_id(),
        cmd.notify_url.as_deref()
    )
    .fetch_optional(conn)
    .await?;
    Ok(claimed.is_some())
}

/// The answer of the request that claimed the ID first.
async fn replay_after_losing_the_claim(
    pool: &PgPool,
    merchant_id: Uuid,
    cmd: &RefundCommand,
) -> Result<RefundRecord, RefundError> {
    match replay(pool, merchant_id, cmd).await? {
        Some(answer) => answer,
        // Only possible if the row vanished again (a demo-data reset): say unknown.
        None => Err(RefundError::Database(sqlx::Error::RowNotFound)),
    }
}

/// When the transaction started, by PostgreSQL's clock: the same for all it records.
async fn transaction_time(conn: &mut PgConnection) -> sqlx::Result<DateTime<Utc>> {
    sqlx::query_scalar!(r#"SELECT now() AS "now!: DateTime<Utc>""#)
        .fetch_one(conn)
        .await
}

/// Checks the request against the refund rules, then takes the amount from the
/// merchant's balance in the payment currency: the balance after, or the refusal.
async fn take_amount(
    conn: &mut PgConnection,
    request: &Request<'_>,
    payment: &Payment,
) -> sqlx::Result<Result<i64, RefundError>> {
    let facts = payment.facts(conn).await?;
    if let Err(refusal) = rules::decide(
        &facts,
        &payment.rules,
        request.cmd.currency.as_str(),
        request.amount_minor(),
        request.now,
    ) {
        return Ok(Err(RefundError::refused(&refusal)));
    }
    let balance_after = balance::take(
        conn,
        request.merchant_id,
        &payment.currency,
        request.amount_minor(),
    )
    .await?;
    Ok(balance_after.ok_or_else(RefundError::balance_not_enough))
}

/// Records the refund the request makes: its transaction (final at once, or waiting for
/// the acquirer), the ledger entry, the answer under the request ID and the audit event.
async fn record_refund(
    conn: &mut PgConnection,
    request: &Request<'_>,
    payment: &Payment,
    settles_in: &str,
    balance_after: i64,
) -> sqlx::Result<RefundRecord> {
    let number = RefundNumber::next(conn).await?;
    let refund_id = number.transaction_id(request.now);
    let settlement = settle_if_synchronous(conn, request, payment, settles_in).await?;
    let new_refund = NewRefund {
        refund_id: &refund_id,
        number,
        settlement: settlement.as_ref(),
        settles_in,
    };
    let row_id = insert_refund(conn, request, payment, &new_refund).await?;
    balance::record(
        conn,
        Entry {
            merchant_id: request.merchant_id,
            currency: &payment.currency,
            amount_minor: -request.amount_minor(),
            balance_after_minor: balance_after,
            kind: EntryKind::Refund,
            refund_row_id: row_id,
            at: request.now,
        },
    )
    .await?;
    answer_request(conn, request, payment.timing, row_id).await?;
    audit_refund(conn, request, payment, &refund_id).await?;
    let timing = payment.timing;
    Ok(RefundRecord {
        row_id,
        refund_id,
        refund_request_id: request.cmd.refund_request_id.to_string(),
        payment_id: payment.transaction_id.clone(),
        amount_minor: request.amount_minor(),
        currency: payment.currency.clone(),
        status: timing.refund_status(),
        created_at: request.now,
        finished_at: timing.is_sync().then_some(request.now),
        settlement,
        reason: request.cmd.reason.clone(),
    })
}

/// A synchronous refund settles now, at the rate of the day; an asynchronous one when
/// the acquirer says it succeeded.
async fn settle_if_synchronous(
    conn: &mut PgConnection,
    request: &Request<'_>,
    payment: &Payment,
    settles_in: &str,
) -> sqlx::Result<Option<Settlement>> {
    match payment.timing {
        Timing::Synchronous => {
            let day = request.now.date_naive();
            settlement(
                conn,
                request.amount_minor(),
                &payment.currency,
                settles_in,
                day,
            )
            .await
        }
        Timing::Asynchronous => Ok(None),
    }
}

/// The new refund in the audit log, under whoever asked for it.
async fn audit_refund(
    conn: &mut PgConnection,
    request: &Request<'_>,
    payment: &Payment,
    refund_id: &str,
) -> sqlx::Result<()> {
    audit::record(
        conn,
        &request.cmd.source.actor(request.merchant_id),
        Event::new(AuditAction::Refund)
            .subject(refund_id)
            .amount(request.amount_minor(), payment.currency.as_str())
            .detail(format!(
                "Refund of payment {} ({})",
                payment.transaction_id,
                payment.timing.label()
            )),
    )
    .await
}

/// The identifiers and settlement of a refund about to be inserted.
struct NewRefund<'a> {
    refund_id: &'a str,
    number: RefundNumber,
    /// Known only for a synchronous refund; an asynchronous one settles when it succeeds.
    settlement: Option<&'a Settlement>,
    /// The merchant's settlement currency.
    settles_in: &'a str,
}

/// Inserts the REFUND transaction of `payment`; its `transactions.id`.
async fn insert_refund(
    conn: &mut PgConnection,
    request: &Request<'_>,
    payment: &Payment,
    new: &NewRefund<'_>,
) -> sqlx::Result<i64> {
    let sync = payment.timing.is_sync();
    sqlx::query_scalar!(
        "INSERT INTO transactions (merchant_id, transaction_id, reference_transaction_id,
             transaction_request_id, acquirer_transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, settlement_amount_minor, settlement_currency,
             settlement_quote, payment_method_type, acquirer_code, original_id, reason,
             created_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'REFUND', $7, $8, $9, $10, $11, $12::text::numeric,
                 $13, $14, $15, $16, $17, $18)
         RETURNING id",
        request.merchant_id,
        new.refund_id,
        payment.reference_transaction_id.as_deref(),
        request.cmd.refund_request_id.as_str(),
        sync.then(|| new.number.acquirer_refund_id()),
        new.number.serial_no(),
        payment.timing.transaction_status() as TransactionStatus,
        request.amount_minor(),
        payment.currency.as_str(),
        new.settlement.map(|s| s.amount_minor),
        new.settles_in,
        new.settlement.map(|s| s.quote.as_str()),
        payment.payment_method_type.as_str(),
        payment.acquirer_code.as_str(),
        payment.row_id,
        request.cmd.reason.as_deref(),
        request.now as DateTime<Utc>,
        sync.then_some(request.now) as Option<DateTime<Utc>>
    )
    .fetch_one(conn)
    .await
}

/// Keeps the answer under the request ID; an asynchronous refund also starts waiting
/// for the acquirer.
async fn answer_request(
    conn: &mut PgConnection,
    request: &Request<'_>,
    timing: Timing,
    refund_row_id: i64,
) -> sqlx::Result<()> {
    let (code, message) = timing.result();
    sqlx::query!(
        "UPDATE refund_requests
         SET result_code = $3, result_message = $4, refund_id = $5, acquirer_pending_since = $6
         WHERE merchant_id = $1 AND refund_request_id = $2",
        request.merchant_id,
        request.cmd.refund_request_id.as_str(),
        code,
        message,
        refund_row_id,
        (!timing.is_sync()).then_some(request.now) as Option<DateTime<Utc>>
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps the refusal under the request ID, so that a repeat gets it again, and puts it
/// in the audit log.
async fn record_refusal(
    conn: &mut PgConnection,
    request: &Request<'_>,
    refusal: &RefundError,
) -> sqlx::Result<()> {
    let cmd = request.cmd;
    sqlx::query!(
        "UPDATE refund_requests SET result_code = $3, result_message = $4
         WHERE merchant_id = $1 AND refund_request_id = $2",
        request.merchant_id,
        cmd.refund_request_id.as_str(),
        refusal.result_code(),
        refusal.message()
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        &cmd.source.actor(request.merchant_id),
        Event::new(AuditAction::RefundRefused)
            .subject(cmd.payment_id.as_str())
            .amount(cmd.amount.get(), cmd.currency.as_str())
            .detail(format!("{}: {}", refusal.result_code(), refusal.message())),
    )
    .await
}
