//! Deciding and recording a refund, in one database transaction of three statements.
//!
//! Concurrency: the payment row is locked `FOR UPDATE` first, so refunds of one payment
//! run one after another and each sees the amounts the previous ones took; the
//! idempotency row `(merchant_id, refund_request_id)` is claimed with `ON CONFLICT DO
//! NOTHING`, which waits for a concurrent claim of the same key to commit, so duplicates
//! find the first request's row instead of making a second refund; the balance is
//! debited with a conditional `UPDATE`, which cannot go below zero.
//!
//! Round trips: besides `BEGIN` and `COMMIT`, a new refund is the lock, the claim (which
//! also reads the payment's refunds so far, the transaction's time and a refund number)
//! and one write statement (balance, refund, ledger, answer and audit event, each a step
//! of one `WITH`), plus the exchange rate when a synchronous refund settles in another
//! currency. The rules themselves run in Rust between the claim and the write
//! (`refunds::rules`). The claim must be its own statement after the lock: a statement
//! reads with the snapshot it started with, and only one that starts after the lock is
//! granted sees the refund whose commit it waited for.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::balance::EntryKind;
use super::command::RefundCommand;
use super::error::RefundError;
use super::number::RefundNumber;
use super::payment::{Payment, Related};
use super::record::RefundRecord;
use super::replay::replay;
use super::settlement::{settlement, Settlement};
use super::timing::Timing;
use crate::audit::{self, AuditAction, Detail, Event};
use crate::refunds::rules::{self, PaymentFacts};
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
    let Some(payment) = Payment::lock(&mut tx, merchant_id, cmd.payment_id.as_str()).await? else {
        return Err(without_payment(&mut tx, merchant_id).await?);
    };
    if !payment.merchant_active {
        return Err(RefundError::MerchantInactive);
    }
    let Some(claim) = claim(&mut tx, merchant_id, &cmd, &payment).await? else {
        tx.rollback().await?;
        return replay_after_losing_the_claim(pool, merchant_id, &cmd).await;
    };
    let request = Request {
        merchant_id,
        cmd: &cmd,
        now: claim.now,
    };
    let decision = match rules::decide(
        &claim.facts,
        &payment.rules,
        cmd.currency.as_str(),
        request.amount_minor(),
        request.now,
    ) {
        Ok(()) => record_refund(&mut tx, &request, &payment, claim.number).await?,
        Err(refusal) => Err(RefundError::refused(&refusal)),
    };
    if let Err(refusal) = &decision {
        record_refusal(&mut tx, &request, refusal).await?;
    }
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

/// Why there is no refund when the merchant has no such payment: an inactive merchant
/// refunds nothing at all, so that comes first.
async fn without_payment(
    conn: &mut PgConnection,
    merchant_id: Uuid,
) -> Result<RefundError, RefundError> {
    let active = sqlx::query_scalar!(
        r#"SELECT status = 'ACTIVE' AS "active!" FROM merchants WHERE id = $1"#,
        merchant_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(match active {
        Some(true) => RefundError::NotFound,
        _ => RefundError::MerchantInactive,
    })
}

/// A request ID claimed for this request, with what the rules decide on.
struct Claim {
    /// When the transaction started, by PostgreSQL's clock: the same for all it records.
    now: DateTime<Utc>,
    number: RefundNumber,
    facts: PaymentFacts,
}

/// Claims the request ID for this request; None when another request has it. A
/// concurrent claim of the same ID makes this wait for it to commit; then the row is
/// there and the answer is the first request's.
async fn claim(
    conn: &mut PgConnection,
    merchant_id: Uuid,
    cmd: &RefundCommand,
    payment: &Payment,
) -> sqlx::Result<Option<Claim>> {
    let row = sqlx::query!(
        r#"WITH claimed AS (
               INSERT INTO refund_requests (merchant_id, refund_request_id, payment_ref,
                   payment_id, payment_created_at, amount_minor, currency, result_code,
                   result_message, source, client_id, notify_url)
               VALUES ($1, $2, $3, $4, $10, $5, $6, 'PENDING', '', $7, $8, $9)
               ON CONFLICT (merchant_id, refund_request_id) DO NOTHING
               RETURNING 1)
           SELECT EXISTS (SELECT 1 FROM claimed) AS "claimed!",
                  now() AS "now!: DateTime<Utc>",
                  nextval('refund_number_seq') AS "number!",
                  f.refunded_minor AS "refunded_minor!", f.refund_count AS "refund_count!",
                  f.captured AS "captured!", f.chargeback_pending AS "chargeback_pending!",
                  f.charged_back_minor AS "charged_back_minor!"
           FROM payment_refund_facts($4, $2) f"#,
        merchant_id,
        cmd.refund_request_id.as_str(),
        cmd.payment_id.as_str(),
        payment.row_id,
        cmd.amount.get(),
        cmd.currency.as_str(),
        cmd.source.as_str(),
        cmd.source.client_id(),
        cmd.notify_url.as_deref(),
        payment.created_at as DateTime<Utc>
    )
    .fetch_one(conn)
    .await?;
    if !row.claimed {
        return Ok(None);
    }
    Ok(Some(Claim {
        now: row.now,
        number: RefundNumber::drawn(row.number),
        facts: payment.facts_with(Related {
            refunded_minor: row.refunded_minor,
            refund_count: row.refund_count,
            captured: row.captured,
            chargeback_pending: row.chargeback_pending,
            charged_back_minor: row.charged_back_minor,
        }),
    }))
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

/// Takes the amount from the merchant's balance in the payment currency and records the
/// refund the rules allowed: its transaction (final at once, or waiting for the
/// acquirer), the ledger entry, the answer under the request ID and the audit event, in
/// one statement. The refusal when the balance does not cover the amount: then the
/// statement wrote nothing.
async fn record_refund(
    conn: &mut PgConnection,
    request: &Request<'_>,
    payment: &Payment,
    number: RefundNumber,
) -> sqlx::Result<Result<RefundRecord, RefundError>> {
    let refund_id = number.transaction_id(request.now);
    let settlement = settle_if_synchronous(conn, request, payment).await?;
    let timing = payment.timing;
    let sync = timing.is_sync();
    let (code, message) = timing.result();
    let actor = request.cmd.source.actor(request.merchant_id);
    let event = refund_event(request, payment, &refund_id);
    let (event_amount, event_currency) = event.amount.unzip();
    // The audit step writes the columns `audit::record` writes, from the same `Event`.
    let row_id = sqlx::query_scalar!(
        r#"WITH taken AS (
               UPDATE merchant_balances
               SET available_minor = available_minor - $8, updated_at = now()
               WHERE merchant_id = $1 AND currency = $9 AND available_minor >= $8
               RETURNING available_minor),
           refund AS (
               INSERT INTO transactions (merchant_id, transaction_id,
                   reference_transaction_id, transaction_request_id, acquirer_transaction_id,
                   serial_no, transaction_type, status, amount_minor, currency,
                   settlement_amount_minor, settlement_currency, settlement_quote,
                   payment_method_type, acquirer_code, original_id, original_created_at,
                   original_transaction_id, reason, created_at, finished_at)
               SELECT $1, $2::text, $3::text, $4::text, $5::text, $6::text, 'REFUND',
                      $7::text, $8::bigint, $9::text, $10::bigint, $11::text,
                      $12::text::numeric, $13::text, $14::text, $15::bigint,
                      $32::timestamptz, $33::text, $16::text, $17::timestamptz,
                      $18::timestamptz
               FROM taken
               RETURNING id),
           ledger AS (
               INSERT INTO balance_entries (merchant_id, currency, amount_minor,
                   balance_after_minor, kind, transaction_id, transaction_created_at,
                   created_at)
               SELECT $1, $9::text, -$8::bigint, taken.available_minor, $19::text,
                      refund.id, $17::timestamptz, $17::timestamptz
               FROM taken, refund),
           answered AS (
               UPDATE refund_requests
               SET result_code = $20, result_message = $21, refund_id = refund.id,
                   refund_created_at = $17, acquirer_pending_since = $22
               FROM refund
               WHERE merchant_id = $1 AND refund_request_id = $4),
           audited AS (
               INSERT INTO audit_events (merchant_id, actor_user_id, actor, action, subject,
                   amount_minor, currency, detail, address)
               SELECT $23::uuid, $24::uuid, $25::text, $26::text, $27::text, $28::bigint,
                      $29::text, $30::text, $31::text
               FROM refund)
           SELECT id AS "id!" FROM refund"#,
        request.merchant_id,
        refund_id,
        payment.reference_transaction_id.as_deref(),
        request.cmd.refund_request_id.as_str(),
        sync.then(|| number.acquirer_refund_id()),
        number.serial_no(),
        timing.transaction_status() as TransactionStatus,
        request.amount_minor(),
        payment.currency.as_str(),
        settlement.as_ref().map(|s| s.amount_minor),
        payment.settles_in.as_str(),
        settlement.as_ref().map(|s| s.quote.as_str()),
        payment.payment_method_type.as_str(),
        payment.acquirer_code.as_str(),
        payment.row_id,
        request.cmd.reason.as_deref(),
        request.now as DateTime<Utc>,
        sync.then_some(request.now) as Option<DateTime<Utc>>,
        EntryKind::Refund as EntryKind,
        code,
        message,
        (!sync).then_some(request.now) as Option<DateTime<Utc>>,
        actor.merchant_id,
        actor.user_id,
        actor.name,
        event.action as AuditAction,
        event.subject,
        event_amount,
        event_currency,
        event.detail,
        actor.address,
        payment.created_at as DateTime<Utc>,
        payment.transaction_id.as_str()
    )
    .fetch_optional(conn)
    .await?;
    let Some(row_id) = row_id else {
        return Ok(Err(RefundError::balance_not_enough()));
    };
    Ok(Ok(RefundRecord {
        row_id,
        refund_id,
        refund_request_id: request.cmd.refund_request_id.to_string(),
        payment_id: payment.transaction_id.clone(),
        amount_minor: request.amount_minor(),
        currency: payment.currency.clone(),
        status: timing.refund_status(),
        created_at: request.now,
        finished_at: sync.then_some(request.now),
        settlement,
        reason: request.cmd.reason.clone(),
    }))
}

/// A synchronous refund settles now, at the rate of the day; an asynchronous one when
/// the acquirer says it succeeded.
async fn settle_if_synchronous(
    conn: &mut PgConnection,
    request: &Request<'_>,
    payment: &Payment,
) -> sqlx::Result<Option<Settlement>> {
    match payment.timing {
        Timing::Synchronous => {
            let day = request.now.date_naive();
            settlement(
                conn,
                request.amount_minor(),
                &payment.currency,
                &payment.settles_in,
                day,
            )
            .await
        }
        Timing::Asynchronous => Ok(None),
    }
}

/// The new refund as the audit log shows it.
fn refund_event(request: &Request<'_>, payment: &Payment, refund_id: &str) -> Event {
    Event::new(AuditAction::Refund)
        .subject(refund_id)
        .amount(request.amount_minor(), payment.currency.as_str())
        .detail(Detail::Refund {
            payment: payment.transaction_id.clone(),
            processing: payment.timing == Timing::Asynchronous,
        })
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
            .detail(Detail::Refused {
                code: refusal.result_code().to_owned(),
                message: refusal.message(),
            }),
    )
    .await
}
