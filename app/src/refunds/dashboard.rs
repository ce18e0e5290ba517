//! Refunds from the dashboard: the preview the dialog asks the user to confirm, and the
//! submit that checks the payment password and hands the refund to the engine, the
//! same one the open API uses.

use super::engine::{self, refund_facts, RefundCommand, RefundError, RefundFacts, RefundSource};
use super::form::{parse_draft, PreviewProblem, RefundDraft, RefundOutcome, RefundPreview};
use super::rules::{availability, RefundBlocked};
use super::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};
use crate::audit::Actor;
use crate::money::{format_money, Currency};
use crate::payment_password::{store as payment_password, PaymentPasswordError};
use crate::time::format_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

/// A new refundRequestId for one refund form: the key that makes a double click, a
/// resubmitted form or a reload refund once.
pub fn new_request_id() -> String {
    format!("DASH-{}", uuid::Uuid::new_v4().simple())
}

/// A payment that can be refunded now: its facts and how much is left.
pub struct Refundable {
    pub facts: RefundFacts,
    pub left: i64,
    pub currency: Currency,
}

/// What can still be refunded of `transaction_id` (a payment, or a capture standing for
/// its payment), or why nothing can, with any date in the reason in `zone`. The details
/// page and the refund dialog both ask here, so they always agree.
pub async fn refundable(
    pool: &PgPool,
    merchant_id: Uuid,
    transaction_id: &str,
    zone: Tz,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<Refundable, PreviewProblem>> {
    let Some(facts) = refund_facts(pool, merchant_id, transaction_id).await? else {
        return Ok(Err(PreviewProblem::NotFound));
    };
    let left = match availability(&facts.facts, &facts.rules, now) {
        Ok(left) => left,
        // The window's end is a date in the merchant's zone, not in UTC.
        Err(RefundBlocked::WindowEnded { ended_at }) => {
            let day = format_local(ended_at, zone)[..10].to_owned();
            let reason = format!("The refund window ended on {day}.");
            return Ok(Err(PreviewProblem::Blocked(reason)));
        }
        Err(blocked) => return Ok(Err(PreviewProblem::Blocked(blocked.message()))),
    };
    Ok(match Currency::parse(&facts.facts.currency) {
        Ok(currency) => Ok(Refundable {
            facts,
            left,
            currency,
        }),
        Err(e) => Err(PreviewProblem::Blocked(e.to_string())),
    })
}

/// The dialog's amount and reason, parsed against what can be refunded now.
async fn draft(
    pool: &PgPool,
    actor: &Actor,
    zone: Tz,
    form: &RefundForm,
    now: DateTime<Utc>,
) -> Result<(Refundable, RefundDraft), Problem> {
    let refundable = refundable(pool, actor.merchant_id, &form.transaction_id, zone, now)
        .await?
        .map_err(Problem::Preview)?;
    let draft = parse_draft(
        &form.amount,
        refundable.currency,
        refundable.left,
        &form.reason,
    )
    .map_err(|e| Problem::Preview(PreviewProblem::Field(e)))?;
    Ok((refundable, draft))
}

/// What the refund in `form` would be, for the confirmation step; or why there can be
/// none.
pub async fn preview(
    pool: &PgPool,
    actor: &Actor,
    zone: Tz,
    form: &RefundForm,
    now: DateTime<Utc>,
) -> Result<RefundPreview, Problem> {
    let (
        Refundable {
            facts,
            left,
            currency,
        },
        draft,
    ) = draft(pool, actor, zone, form, now).await?;
    let password = payment_password::state(pool, actor).await?;
    let code = currency.code();
    Ok(RefundPreview {
        payment_id: facts.payment_id,
        payment_method: facts.payment_method,
        amount_minor: draft.amount_minor,
        amount: format_money(draft.amount_minor, &code),
        reason: draft.reason,
        refundable: format_money(left, &code),
        remaining_after: format_money(left - draft.amount_minor, &code),
        sync: facts.sync,
        locked_until: payment_password::locked_until(&password, zone),
        password,
        currency: code,
    })
}

/// The dialog's amount and reason for a payment, as typed.
#[derive(Clone, Debug)]
pub struct RefundForm {
    pub transaction_id: String,
    pub amount: String,
    pub reason: String,
}

/// The confirmed form, as submitted.
#[derive(Clone, Debug)]
pub struct Submission {
    pub form: RefundForm,
    pub refund_request_id: String,
    pub payment_password: String,
}

/// Why a submitted form made no decision; the form stays open with the message.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("{0:?}")]
    Preview(PreviewProblem),
    #[error(transparent)]
    Password(#[from] PaymentPasswordError),
    #[error("The refund form has expired. Open it again.")]
    BadRequestId,
    #[error("Paydesk is unavailable; try again shortly.")]
    Unavailable,
}

impl From<sqlx::Error> for Problem {
    fn from(e: sqlx::Error) -> Self {
        let request_id = crate::error::request_id();
        tracing::error!(%request_id, error = %e, "dashboard refund: database error");
        Problem::Unavailable
    }
}

impl From<Problem> for crate::error::AppError {
    fn from(p: Problem) -> Self {
        use crate::error::AppError;
        match p {
            Problem::Unavailable => AppError::Unavailable {
                reference: crate::error::request_id(),
            },
            Problem::Password(PaymentPasswordError::Busy) => AppError::Busy,
            other => AppError::refused(other.to_string()),
        }
    }
}

/// Decides a submitted refund form: checks the payment password and has the engine
/// make or refuse the refund. The decision is then read with [`outcome`] under the
/// form's refundRequestId. A form submitted again after its decision gets that
/// decision, without a second refund and without asking for the password again.
pub async fn submit(
    pool: &PgPool,
    actor: &Actor,
    zone: Tz,
    submission: Submission,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    let request_id =
        RefundRequestId::parse(&submission.refund_request_id).map_err(|_| Problem::BadRequestId)?;
    if engine::answer(pool, actor.merchant_id, &request_id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let (refundable, draft) = draft(pool, actor, zone, &submission.form, now).await?;
    payment_password::verify(pool, actor, &submission.payment_password).await?;
    let command = RefundCommand {
        refund_request_id: request_id,
        payment_id: TransactionRef::parse("paymentId", &refundable.facts.payment_id)
            .map_err(|_| Problem::Preview(PreviewProblem::NotFound))?,
        currency: CurrencyCode::parse(&refundable.currency.code())
            .map_err(|_| Problem::Unavailable)?,
        amount: MinorAmount::new(draft.amount_minor).map_err(|_| Problem::Unavailable)?,
        reason: draft.reason,
        notify_url: None,
        source: RefundSource::Dashboard(actor.clone()),
    };
    match engine::refund(pool, actor.merchant_id, command).await {
        Ok(_) | Err(RefundError::Refused { .. }) => Ok(()),
        Err(RefundError::Database(e)) => Err(e.into()),
        Err(RefundError::NotFound) => Err(Problem::Preview(PreviewProblem::NotFound)),
        Err(other) => Err(Problem::Preview(PreviewProblem::Blocked(other.message()))),
    }
}

/// The decision on the form with `refund_request_id`: the refund (in its current
/// status) or the refusal. None if the form was never decided on.
pub async fn outcome(
    pool: &PgPool,
    actor: &Actor,
    refund_request_id: &str,
) -> Result<Option<RefundOutcome>, Problem> {
    let Ok(request_id) = RefundRequestId::parse(refund_request_id) else {
        return Ok(None);
    };
    let Some((_, answer)) = engine::answer(pool, actor.merchant_id, &request_id).await? else {
        return Ok(None);
    };
    Ok(Some(match answer {
        Ok(record) => RefundOutcome::Made {
            amount: format_money(record.amount_minor, &record.currency),
            refund_id: record.refund_id,
            status: record.status,
        },
        Err(RefundError::Database(e)) => return Err(e.into()),
        Err(e) => RefundOutcome::Refused {
            code: e.result_code().to_owned(),
            message: e.message(),
        },
    }))
}
