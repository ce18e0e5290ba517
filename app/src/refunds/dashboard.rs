//! Refunds from the dashboard: the preview the dialog asks the user to confirm, and the
//! submit that checks the payment password and hands the refund to the engine, the
//! same one the open API uses.

use super::engine::{self, refund_facts, RefundCommand, RefundError, RefundFacts, RefundSource};
use super::form::{parse_draft, PreviewProblem, RefundOutcome, RefundPreview};
use super::rules::availability;
use super::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};
use crate::audit::Actor;
use crate::money::{format_money, Currency};
use crate::payment_password::{store as payment_password, PaymentPasswordError};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// A new refundRequestId for one refund form: the key that makes a double click, a
/// resubmitted form or a reload refund once.
pub fn new_request_id() -> String {
    format!("DASH-{}", uuid::Uuid::new_v4().simple())
}

/// The most that can be refunded of `transaction_id` now, with its currency.
pub async fn refundable(
    pool: &PgPool,
    actor: &Actor,
    transaction_id: &str,
    now: DateTime<Utc>,
) -> Result<(i64, Currency), Problem> {
    let facts = load_facts(pool, actor, transaction_id).await?;
    refundable_of(&facts, now)
}

async fn load_facts(
    pool: &PgPool,
    actor: &Actor,
    transaction_id: &str,
) -> Result<RefundFacts, Problem> {
    refund_facts(pool, actor.merchant_id, transaction_id)
        .await?
        .ok_or(Problem::Preview(PreviewProblem::NotFound))
}

fn refundable_of(facts: &RefundFacts, now: DateTime<Utc>) -> Result<(i64, Currency), Problem> {
    let left = availability(&facts.facts, &facts.rules, now)
        .map_err(|b| Problem::Preview(PreviewProblem::Blocked(b.message())))?;
    let currency = Currency::parse(&facts.facts.currency)
        .map_err(|e| Problem::Preview(PreviewProblem::Blocked(e.to_string())))?;
    Ok((left, currency))
}

/// What a refund of `amount` (major units) of `transaction_id` would be, for the
/// confirmation step; or why there can be none.
pub async fn preview(
    pool: &PgPool,
    actor: &Actor,
    transaction_id: &str,
    amount: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<RefundPreview, Problem> {
    let facts = load_facts(pool, actor, transaction_id).await?;
    let (left, currency) = refundable_of(&facts, now)?;
    let draft = parse_draft(amount, currency, left, reason)
        .map_err(|e| Problem::Preview(PreviewProblem::Field(e)))?;
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
        password: payment_password::state(pool, actor).await?,
        locked_until: None,
        currency: code,
    })
}

/// The refund form as submitted.
#[derive(Clone, Debug)]
pub struct Submission {
    pub transaction_id: String,
    pub refund_request_id: String,
    pub amount: String,
    pub reason: String,
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
        tracing::error!(error = %e, "dashboard refund: database error");
        Problem::Unavailable
    }
}

/// Decides a submitted refund form: checks the payment password and has the engine
/// make or refuse the refund. The decision is then read with [`outcome`] under the
/// form's refundRequestId. A form submitted again after its decision gets that
/// decision, without a second refund and without asking for the password again.
pub async fn submit(
    pool: &PgPool,
    actor: &Actor,
    form: Submission,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    let request_id =
        RefundRequestId::parse(&form.refund_request_id).map_err(|_| Problem::BadRequestId)?;
    if engine::answer(pool, actor.merchant_id, &request_id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let preview = preview(
        pool,
        actor,
        &form.transaction_id,
        &form.amount,
        &form.reason,
        now,
    )
    .await?;
    payment_password::verify(pool, actor, &form.payment_password).await?;
    let command = RefundCommand {
        refund_request_id: request_id,
        payment_id: TransactionRef::parse("paymentId", &preview.payment_id)
            .map_err(|_| Problem::Preview(PreviewProblem::NotFound))?,
        currency: CurrencyCode::parse(&preview.currency).map_err(|_| Problem::Unavailable)?,
        amount: MinorAmount::new(preview.amount_minor).map_err(|_| Problem::Unavailable)?,
        reason: preview.reason,
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
