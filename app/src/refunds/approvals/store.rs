//! Requests for approval and the merchant's limits, in PostgreSQL.
//!
//! Deciding on a request: the request's row is locked `FOR UPDATE` for the whole
//! decision, so two people approving (or one approving while another rejects) decide one
//! after the other and the second finds it decided. An approval has the refund engine
//! make the refund under the request's own refund request ID, then marks the request
//! approved. Should the server stop between the two, the request still says pending but
//! no longer reserves anything (the engine's claim ended the reservation); approving it
//! again replays the engine's answer instead of refunding twice, and the expiry job
//! leaves it alone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

use super::{ApprovalStatus, ApprovalView, DecisionRefused, LimitView};
use crate::audit::{self, Actor, AuditAction, Detail, Event};
use crate::locale::{format::local, Language};
use crate::money::{Currency, Money};
use crate::payment_password::{store as payment_password, PaymentPasswordError};
use crate::refunds::engine::{self, RefundCommand, RefundError, RefundSource};
use crate::refunds::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};

/// The merchant's limit for `currency`, if it has one.
pub async fn limit(pool: &PgPool, merchant_id: Uuid, currency: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "SELECT limit_minor FROM refund_approval_limits WHERE merchant_id = $1 AND currency = $2",
        merchant_id,
        currency
    )
    .fetch_optional(pool)
    .await
}

/// The merchant's limits, by currency, and how many hours a request waits.
pub async fn settings(
    pool: &PgPool,
    merchant_id: Uuid,
    language: Language,
) -> sqlx::Result<(Vec<LimitView>, i32)> {
    let limits = sqlx::query!(
        r#"SELECT currency AS "currency!", limit_minor FROM refund_approval_limits
           WHERE merchant_id = $1 ORDER BY currency"#,
        merchant_id
    )
    .fetch_all(pool)
    .await?;
    let hours = sqlx::query_scalar!(
        "SELECT refund_approval_hours FROM merchants WHERE id = $1",
        merchant_id
    )
    .fetch_one(pool)
    .await?;
    let limits = limits
        .into_iter()
        .map(|l| LimitView {
            limit: language.money(l.limit_minor, &l.currency),
            typed: Money::of(l.limit_minor, &l.currency)
                .map(|m| language.decimal(&m.plain()))
                .unwrap_or_else(|_| l.limit_minor.to_string()),
            currency: l.currency,
        })
        .collect();
    Ok((limits, hours))
}

/// Sets (or, with None, removes) the merchant's limit for `currency`, audited.
pub async fn set_limit(
    pool: &PgPool,
    actor: &Actor,
    currency: Currency,
    limit_minor: Option<i64>,
) -> sqlx::Result<()> {
    let code = currency.code();
    let mut tx = pool.begin().await?;
    let event = Event::new(AuditAction::ApprovalSettingsChanged).subject(code.as_str());
    let event = match limit_minor {
        Some(limit) => {
            sqlx::query!(
                "INSERT INTO refund_approval_limits (merchant_id, currency, limit_minor)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (merchant_id, currency)
                 DO UPDATE SET limit_minor = EXCLUDED.limit_minor, updated_at = now()",
                actor.merchant_id,
                code,
                limit
            )
            .execute(&mut *tx)
            .await?;
            event.amount(limit, code.as_str())
        }
        None => {
            sqlx::query!(
                "DELETE FROM refund_approval_limits WHERE merchant_id = $1 AND currency = $2",
                actor.merchant_id,
                code
            )
            .execute(&mut *tx)
            .await?;
            event.detail(Detail::LimitRemoved)
        }
    };
    audit::record(&mut *tx, actor, event).await?;
    tx.commit().await
}

/// Sets how many hours new requests wait before they expire, audited.
pub async fn set_hours(pool: &PgPool, actor: &Actor, hours: i32) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE merchants SET refund_approval_hours = $2 WHERE id = $1",
        actor.merchant_id,
        hours
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Event::new(AuditAction::ApprovalSettingsChanged).detail(Detail::ApprovalHours(hours)),
    )
    .await?;
    tx.commit().await
}

/// Why a decision was not taken.
#[derive(Debug, thiserror::Error)]
pub enum DecisionProblem {
    #[error("{0:?}")]
    Refused(DecisionRefused),
    #[error(transparent)]
    Password(#[from] PaymentPasswordError),
    /// The refund engine could not even consider the refund (the merchant is no longer
    /// active); the request stays pending.
    #[error(transparent)]
    Engine(RefundError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A request as a decision needs it, read under its lock.
struct Locked {
    refund_request_id: String,
    payment_id: String,
    amount_minor: i64,
    currency: String,
    reason: Option<String>,
    requested_by: Uuid,
    /// Pending and not yet expired.
    open: bool,
    /// The engine has already answered under its request ID (a decision interrupted
    /// after the refund).
    answered: bool,
}

async fn lock(
    conn: &mut sqlx::PgConnection,
    merchant_id: Uuid,
    id: i64,
) -> sqlx::Result<Option<Locked>> {
    sqlx::query_as!(
        Locked,
        r#"SELECT a.refund_request_id, a.payment_id, a.amount_minor,
                  a.currency AS "currency!", a.reason, a.requested_by,
                  (a.status = 'PENDING' AND a.expires_at > now()) AS "open!",
                  EXISTS (SELECT 1 FROM refund_requests r
                          WHERE r.merchant_id = a.merchant_id
                            AND r.refund_request_id = a.refund_request_id) AS "answered!"
           FROM refund_approvals a
           WHERE a.merchant_id = $1 AND a.id = $2
           FOR UPDATE OF a"#,
        merchant_id,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Whether `decider` may decide on `request`; the requester never may.
fn check(request: Option<&Locked>, decider: Uuid) -> Result<(), DecisionRefused> {
    let Some(request) = request else {
        return Err(DecisionRefused::NotFound);
    };
    if request.requested_by == decider {
        return Err(DecisionRefused::OwnRequest);
    }
    if !request.open {
        return Err(DecisionRefused::AlreadyDecided);
    }
    Ok(())
}

fn user_of(actor: &Actor) -> Result<Uuid, DecisionProblem> {
    actor
        .user_id
        .ok_or(DecisionProblem::Refused(DecisionRefused::NotFound))
}

/// Approves request `id` as `approver`, who gives their own payment password: the
/// refund engine makes the refund (or refuses it, by the rules at this moment) under the
/// request's refund request ID, and the request is marked approved.
pub async fn approve(
    pool: &PgPool,
    approver: &Actor,
    id: i64,
    payment_password: &str,
) -> Result<(), DecisionProblem> {
    let decider = user_of(approver)?;
    // Checked before the password, so a wrong request never costs an attempt.
    {
        let mut conn = pool.acquire().await?;
        let request = lock(&mut conn, approver.merchant_id, id).await?;
        check(request.as_ref(), decider).map_err(DecisionProblem::Refused)?;
    }
    payment_password::verify(pool, approver, payment_password).await?;
    let mut tx = pool.begin().await?;
    let request = lock(&mut tx, approver.merchant_id, id).await?;
    check(request.as_ref(), decider).map_err(DecisionProblem::Refused)?;
    let request = request.expect("checked");
    let command = command(&request, approver)?;
    match engine::refund(pool, approver.merchant_id, command).await {
        Ok(_) | Err(RefundError::Refused { .. }) => {}
        Err(RefundError::Database(e)) => return Err(e.into()),
        Err(e) => return Err(DecisionProblem::Engine(e)),
    }
    decide(
        &mut tx,
        approver.merchant_id,
        id,
        decider,
        ApprovalStatus::Approved,
        None,
    )
    .await?;
    audit::record(
        &mut *tx,
        approver,
        Event::new(AuditAction::RefundApproved)
            .subject(request.payment_id.as_str())
            .amount(request.amount_minor, request.currency.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The refund an approved request asks for, made by the approver.
fn command(request: &Locked, approver: &Actor) -> Result<RefundCommand, DecisionProblem> {
    // Every value was checked when the request was made; a stored one that no longer
    // parses is a fault, not the user's.
    let fault = |_| DecisionProblem::Database(sqlx::Error::RowNotFound);
    Ok(RefundCommand {
        refund_request_id: RefundRequestId::parse(&request.refund_request_id).map_err(fault)?,
        payment_id: TransactionRef::parse("paymentId", &request.payment_id).map_err(fault)?,
        currency: CurrencyCode::parse(request.currency.trim()).map_err(fault)?,
        amount: MinorAmount::new(request.amount_minor).map_err(fault)?,
        reason: request.reason.clone(),
        notify_url: None,
        source: RefundSource::Dashboard(approver.clone()),
    })
}

/// Rejects request `id` as `actor`, with `reason` (already checked): its reservation ends.
pub async fn reject(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> Result<(), DecisionProblem> {
    let decider = user_of(actor)?;
    let mut tx = pool.begin().await?;
    let request = lock(&mut tx, actor.merchant_id, id).await?;
    check(request.as_ref(), decider).map_err(DecisionProblem::Refused)?;
    let request = request.expect("checked");
    if request.answered {
        // Approved already, though the approval did not get to say so.
        return Err(DecisionProblem::Refused(DecisionRefused::AlreadyDecided));
    }
    decide(
        &mut tx,
        actor.merchant_id,
        id,
        decider,
        ApprovalStatus::Rejected,
        Some(reason),
    )
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Event::new(AuditAction::RefundRejected)
            .subject(request.payment_id.as_str())
            .amount(request.amount_minor, request.currency.as_str())
            .detail(Detail::Rejection(reason.to_owned())),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn decide(
    conn: &mut sqlx::PgConnection,
    merchant_id: Uuid,
    id: i64,
    decider: Uuid,
    status: ApprovalStatus,
    reason: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE refund_approvals
         SET status = $2, decided_by = $3, decided_at = now(), rejection_reason = $4
         WHERE merchant_id = $5 AND id = $1",
        id,
        status as ApprovalStatus,
        decider,
        reason,
        merchant_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks every request past its time as expired, each with an audit event by Paydesk;
/// how many. Their reservations ended at their expiry already (the facts compare with
/// the clock); this makes the state visible. A request whose refund the engine already
/// made is left for its approval to finish.
pub async fn expire_due(pool: &PgPool) -> sqlx::Result<u64> {
    let expired = sqlx::query_scalar!(
        r#"WITH expired AS (
               UPDATE refund_approvals a SET status = 'EXPIRED', decided_at = now()
               WHERE a.status = 'PENDING' AND a.expires_at <= now()
                 AND NOT EXISTS (SELECT 1 FROM refund_requests r
                                 WHERE r.merchant_id = a.merchant_id
                                   AND r.refund_request_id = a.refund_request_id)
               RETURNING a.merchant_id, a.payment_id, a.amount_minor, a.currency),
           audited AS (
               INSERT INTO audit_events (merchant_id, actor, action, subject, amount_minor,
                                         currency)
               SELECT merchant_id, $1, $2, payment_id, amount_minor, currency FROM expired)
           SELECT count(*) AS "n!" FROM expired"#,
        Actor::system(Uuid::nil()).name,
        AuditAction::RefundApprovalExpired as AuditAction
    )
    .fetch_one(pool)
    .await?;
    Ok(expired as u64)
}

/// The requests of the merchant (or of one payment), newest first, at most `limit`:
/// those awaiting a decision before the rest. A pending request past its time shows as
/// expired even before the expiry job has marked it.
pub async fn list(
    pool: &PgPool,
    merchant_id: Uuid,
    reader: Uuid,
    payment_id: Option<&str>,
    zone: Tz,
    language: Language,
    limit: i64,
) -> sqlx::Result<Vec<ApprovalView>> {
    let rows = sqlx::query!(
        r#"SELECT a.id, a.payment_id, a.amount_minor, a.currency AS "currency!", a.reason,
                  a.requested_by, r.email AS requester, a.requested_at, a.expires_at,
                  CASE WHEN a.status = 'PENDING' AND a.expires_at <= now() THEN 'EXPIRED'
                       ELSE a.status END AS "status!: ApprovalStatus",
                  d.email AS "decider?", a.decided_at, a.rejection_reason
           FROM refund_approvals a
           JOIN users r ON r.id = a.requested_by
           LEFT JOIN users d ON d.id = a.decided_by
           WHERE a.merchant_id = $1 AND ($2::text IS NULL OR a.payment_id = $2)
           ORDER BY (a.status = 'PENDING' AND a.expires_at > now()) DESC,
                    a.requested_at DESC, a.id DESC
           LIMIT $3"#,
        merchant_id,
        payment_id,
        limit
    )
    .fetch_all(pool)
    .await?;
    let at = |t: DateTime<Utc>| local(language, t, zone);
    Ok(rows
        .into_iter()
        .map(|r| ApprovalView {
            id: r.id,
            payment_id: r.payment_id,
            amount: language.money(r.amount_minor, &r.currency),
            reason: r.reason,
            own: r.requested_by == reader,
            requested_by: r.requester,
            requested_at: at(r.requested_at),
            expires_at: at(r.expires_at),
            status: r.status,
            decided_by: r.decider,
            decided_at: r.decided_at.map(at),
            rejection_reason: r.rejection_reason,
        })
        .collect())
}

/// How the request made with `refund_request_id` stands, if one was made and the engine
/// has not answered under that ID yet: its status (expired once past its time) and, if
/// rejected, why.
pub async fn state(
    pool: &PgPool,
    merchant_id: Uuid,
    refund_request_id: &str,
) -> sqlx::Result<Option<(ApprovalStatus, Option<String>)>> {
    let row = sqlx::query!(
        r#"SELECT CASE WHEN status = 'PENDING' AND expires_at <= now() THEN 'EXPIRED'
                       ELSE status END AS "status!: ApprovalStatus",
                  rejection_reason
           FROM refund_approvals WHERE merchant_id = $1 AND refund_request_id = $2"#,
        merchant_id,
        refund_request_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.status, r.rejection_reason)))
}
