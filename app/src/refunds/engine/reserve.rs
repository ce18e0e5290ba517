//! A dashboard refund above the merchant's approval limit: decided by the same rules as
//! a refund, under the same payment lock, but instead of a refund it records a request
//! for approval whose amount is reserved (docs/RULES.md, "Refund approvals").
//!
//! The payment row is locked first, as `decide` locks it, so a reservation and a refund
//! (or two reservations) of one payment are decided one after the other, and each sees
//! the amounts the others took: `payment_refund_facts` counts pending reservations as
//! refunded. Nothing is written to the balance, the ledger or `refund_requests` until the
//! request is approved.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::command::RefundCommand;
use super::error::RefundError;
use super::payment::Payment;
use crate::audit::{self, AuditAction, Event};
use crate::refunds::rules;

/// Records `cmd` as a request for approval, or answers why the rules refuse it now. A
/// form submitted again with the same request ID finds its request and reserves nothing
/// more.
pub async fn reserve(
    pool: &PgPool,
    merchant_id: Uuid,
    cmd: &RefundCommand,
) -> Result<(), RefundError> {
    let super::RefundSource::Dashboard(actor) = &cmd.source else {
        // The open API is never held for approval.
        return Err(RefundError::Inconsistent);
    };
    let Some(requested_by) = actor.user_id else {
        return Err(RefundError::Inconsistent);
    };
    let mut tx = pool.begin().await?;
    let Some(payment) = Payment::lock(&mut tx, merchant_id, cmd.payment_id.as_str()).await? else {
        return Err(RefundError::NotFound);
    };
    if !payment.merchant_active {
        return Err(RefundError::MerchantInactive);
    }
    let seen = sqlx::query!(
        r#"SELECT now() AS "now!: DateTime<Utc>",
                  EXISTS (SELECT 1 FROM refund_approvals
                          WHERE merchant_id = $1 AND refund_request_id = $2) AS "seen!""#,
        merchant_id,
        cmd.refund_request_id.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    if seen.seen {
        return Ok(());
    }
    let facts = payment.facts(&mut tx).await?;
    rules::decide(
        &facts,
        &payment.rules,
        cmd.currency.as_str(),
        cmd.amount.get(),
        seen.now,
    )
    .map_err(|refusal| RefundError::refused(&refusal))?;
    sqlx::query!(
        "INSERT INTO refund_approvals (merchant_id, refund_request_id, payment_row_id,
             payment_id, amount_minor, currency, reason, requested_by, expires_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8,
                now() + make_interval(hours => m.refund_approval_hours)
         FROM merchants m WHERE m.id = $1",
        merchant_id,
        cmd.refund_request_id.as_str(),
        payment.row_id,
        payment.transaction_id.as_str(),
        cmd.amount.get(),
        payment.currency.as_str(),
        cmd.reason.as_deref(),
        requested_by
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Event::new(AuditAction::RefundApprovalRequested)
            .subject(payment.transaction_id.as_str())
            .amount(cmd.amount.get(), payment.currency.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
