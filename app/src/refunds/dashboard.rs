//! Refunds from the dashboard: the preview the dialog asks the user to confirm, and the
//! submit that checks the payment password and hands the refund to the engine, the
//! same one the open API uses.

use super::approvals::{needs_approval, store as approvals};
use super::engine::{self, refund_facts, RefundCommand, RefundError, RefundFacts, RefundSource};
use super::form::{parse_draft, PreviewProblem, RefundDraft, RefundOutcome, RefundPreview};
use super::rules::{availability, window_ended, RefundBlocked};
use super::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};
use crate::audit::Actor;
use crate::i18n::{td_display, td_string};
use crate::locale::Language;
use crate::money::{Currency, UnknownCurrency};
use crate::payment_password::{store as payment_password, PaymentPasswordError};
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
/// page and the refund dialog both ask here, so they always agree. The reason is in
/// `language`.
pub async fn refundable(
    pool: &PgPool,
    merchant_id: Uuid,
    transaction_id: &str,
    zone: Tz,
    language: Language,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<Refundable, PreviewProblem>> {
    let Some(facts) = refund_facts(pool, merchant_id, transaction_id).await? else {
        return Ok(Err(PreviewProblem::NotFound));
    };
    let left = match availability(&facts.facts, &facts.rules, now) {
        Ok(left) => left,
        // The window's end is a date in the merchant's zone, not in UTC.
        Err(RefundBlocked::WindowEnded { ended_at }) => {
            use chrono::Datelike;
            let end = ended_at.with_timezone(&zone);
            let day = language.date(end.year(), end.month(), end.day());
            let reason = window_ended(language, &day);
            return Ok(Err(PreviewProblem::Blocked(reason)));
        }
        Err(blocked) => return Ok(Err(PreviewProblem::Blocked(blocked.message(language)))),
    };
    Ok(match Currency::parse(&facts.facts.currency) {
        Ok(currency) => Ok(Refundable {
            facts,
            left,
            currency,
        }),
        Err(UnknownCurrency(code)) => Err(PreviewProblem::Blocked(
            td_display!(language.locale(), refund.unknown_currency, code).to_string(),
        )),
    })
}

/// The dialog's amount and reason, parsed against what can be refunded now; problems
/// in `language`.
async fn draft(
    pool: &PgPool,
    actor: &Actor,
    zone: Tz,
    language: Language,
    form: &RefundForm,
    now: DateTime<Utc>,
) -> Result<(Refundable, RefundDraft), Problem> {
    let refundable = refundable(
        pool,
        actor.merchant_id,
        &form.transaction_id,
        zone,
        language,
        now,
    )
    .await?
    .map_err(Problem::Preview)?;
    let draft = parse_draft(
        &form.amount,
        refundable.currency,
        refundable.left,
        &form.reason,
        language,
    )
    .map_err(|e| Problem::Preview(PreviewProblem::Field(e)))?;
    Ok((refundable, draft))
}

/// What the refund in `form` would be, for the confirmation step, amounts and times in
/// `language`; or why there can be none.
pub async fn preview(
    pool: &PgPool,
    actor: &Actor,
    zone: Tz,
    language: Language,
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
    ) = draft(pool, actor, zone, language, form, now).await?;
    let password = payment_password::state(pool, actor).await?;
    let code = currency.code();
    let limit = approvals::limit(pool, actor.merchant_id, &code).await?;
    let approval_above = needs_approval(limit, draft.amount_minor).then(|| {
        let limit = language.money(limit.unwrap_or_default(), &code);
        td_display!(language.locale(), refund.needs_approval, limit).to_string()
    });
    Ok(RefundPreview {
        approval_above,
        payment_id: facts.payment_id,
        payment_method: facts.payment_method,
        amount_minor: draft.amount_minor,
        amount: language.money(draft.amount_minor, &code),
        reason: draft.reason,
        refundable: language.money(left, &code),
        remaining_after: language.money(left - draft.amount_minor, &code),
        sync: facts.sync,
        locked_until: payment_password::locked_until_in(&password, zone, language),
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

impl Problem {
    /// The problem as a server function's error, in `language`.
    pub fn app_error(self, language: Language) -> crate::error::AppError {
        use crate::error::AppError;
        match self {
            Problem::Unavailable => AppError::Unavailable {
                reference: crate::error::request_id(),
            },
            Problem::Password(PaymentPasswordError::Busy) => AppError::Busy,
            Problem::Password(e) => AppError::refused(e.message(language)),
            Problem::Preview(p) => AppError::refused(p.message(language)),
            Problem::BadRequestId => {
                AppError::refused(td_string!(language.locale(), refund.form_expired))
            }
        }
    }
}

/// Decides a submitted refund form: checks the payment password and has the engine
/// make or refuse the refund, or, above the merchant's approval limit for the currency,
/// record a request for approval that reserves the amount. The decision is then read
/// with [`outcome`] under the form's refundRequestId. A form submitted again after its
/// decision gets that decision, without a second refund or request and without asking
/// for the password again.
pub async fn submit(
    pool: &PgPool,
    actor: &Actor,
    zone: Tz,
    language: Language,
    submission: Submission,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    let request_id =
        RefundRequestId::parse(&submission.refund_request_id).map_err(|_| Problem::BadRequestId)?;
    if engine::answer(pool, actor.merchant_id, &request_id)
        .await?
        .is_some()
        || approvals::state(pool, actor.merchant_id, request_id.as_str())
            .await?
            .is_some()
    {
        return Ok(());
    }
    let (refundable, draft) = draft(pool, actor, zone, language, &submission.form, now).await?;
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
    let limit = approvals::limit(pool, actor.merchant_id, command.currency.as_str()).await?;
    if needs_approval(limit, draft.amount_minor) {
        // Refused now by the rules, a request is never made: the form says why.
        return match engine::reserve(pool, actor.merchant_id, &command).await {
            Ok(()) => Ok(()),
            Err(e) => Err(engine_problem(e, language)),
        };
    }
    match engine::refund(pool, actor.merchant_id, command).await {
        Ok(_) | Err(RefundError::Refused { .. }) => Ok(()),
        Err(e) => Err(engine_problem(e, language)),
    }
}

/// What the form says when the engine made no decision it keeps.
fn engine_problem(e: RefundError, language: Language) -> Problem {
    match e {
        RefundError::Database(e) => e.into(),
        RefundError::NotFound => Problem::Preview(PreviewProblem::NotFound),
        other => Problem::Preview(PreviewProblem::Blocked(refusal_message(&other, language))),
    }
}

/// The decision on the form with `refund_request_id`: the refund (in its current
/// status) or the refusal, in `language`. None if the form was never decided on.
pub async fn outcome(
    pool: &PgPool,
    actor: &Actor,
    language: Language,
    refund_request_id: &str,
) -> Result<Option<RefundOutcome>, Problem> {
    let Ok(request_id) = RefundRequestId::parse(refund_request_id) else {
        return Ok(None);
    };
    let Some((_, answer)) = engine::answer(pool, actor.merchant_id, &request_id).await? else {
        let approval = approvals::state(pool, actor.merchant_id, request_id.as_str()).await?;
        return Ok(
            approval.map(|(status, rejection_reason)| RefundOutcome::Approval {
                status,
                label: status.label(language).to_owned(),
                text: status.outcome_text(language).to_owned(),
                rejection_reason,
            }),
        );
    };
    Ok(Some(match answer {
        Ok(record) => RefundOutcome::Made {
            amount: language.money(record.amount_minor, &record.currency),
            refund_id: record.refund_id,
            status: record.status,
        },
        Err(RefundError::Database(e)) => return Err(e.into()),
        Err(e) => RefundOutcome::Refused {
            code: e.result_code().to_owned(),
            message: refusal_message(&e, language),
        },
    }))
}

/// What the engine's refusal says, in `language`. Refusals are kept in English, the
/// open API's language, with their amounts; other languages explain the result code,
/// which the dialog shows beside the words.
fn refusal_message(refusal: &RefundError, language: Language) -> String {
    match explain_result_code(refusal.result_code(), language) {
        Some(explanation) if language != Language::En => explanation.to_owned(),
        _ => refusal.message(),
    }
}

/// The explanation of a result code the refund engine answers with, in `language`.
pub fn explain_result_code(code: &str, language: Language) -> Option<&'static str> {
    let l = language.locale();
    Some(match code {
        "ORDER_STATUS_INVALID" => td_string!(l, result_codes.order_status_invalid),
        "PAYMENT_METHOD_NOT_SUPPORTED" => td_string!(l, result_codes.payment_method_not_supported),
        "REFUND_AMOUNT_EXCEED" => td_string!(l, result_codes.refund_amount_exceed),
        "REFUND_WINDOW_EXCEED" => td_string!(l, result_codes.refund_window_exceed),
        "MULTIPLE_REFUNDS_NOT_SUPPORTED" => {
            td_string!(l, result_codes.multiple_refunds_not_supported)
        }
        "CURRENCY_NOT_SUPPORT" => td_string!(l, result_codes.currency_not_support),
        "PARTIAL_REFUND_NOT_SUPPORTED" => td_string!(l, result_codes.partial_refund_not_supported),
        "MERCHANT_BALANCE_NOT_ENOUGH" => td_string!(l, result_codes.merchant_balance_not_enough),
        "REPEAT_REQ_INCONSISTENT" => td_string!(l, result_codes.repeat_req_inconsistent),
        "ORDER_NOT_EXIST" => td_string!(l, result_codes.order_not_exist),
        "INVALID_MERCHANT_STATUS" => td_string!(l, result_codes.invalid_merchant_status),
        "UNKNOWN_EXCEPTION" => td_string!(l, result_codes.unknown_exception),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_in_english_as_the_api_words_them_and_else_by_their_code() {
        let balance = RefundError::Refused {
            code: "MERCHANT_BALANCE_NOT_ENOUGH".into(),
            message: "The merchant balance is insufficient.".into(),
        };
        assert_eq!(
            refusal_message(&balance, Language::En),
            "The merchant balance is insufficient."
        );
        assert_eq!(refusal_message(&balance, Language::ZhCn), "商户余额不足。");
        assert_eq!(
            refusal_message(&RefundError::NotFound, Language::PtBr),
            "O pedido não existe."
        );
        // The English explanations are the engine's own words for the same codes.
        for e in [
            RefundError::NotFound,
            RefundError::Inconsistent,
            RefundError::MerchantInactive,
        ] {
            assert_eq!(
                explain_result_code(e.result_code(), Language::En),
                Some(e.message().as_str())
            );
        }
        let unknown = RefundError::Refused {
            code: "SOMETHING_NEW".into(),
            message: "Something new.".into(),
        };
        assert_eq!(refusal_message(&unknown, Language::PtBr), "Something new.");
    }
}
