//! Step 2: the summary to confirm, and the payment password; the submit.

use super::amount::AmountForm;
use super::{dialog_href, dialog_query, Problem, Steps};
use crate::components::coded_error::CodedError;
use crate::error::AppError;
use crate::i18n::{td_display, td_string};
use crate::locale::use_language;
use crate::payment_password::{PasswordState, PaymentPasswordError};
use crate::refunds::form::{PreviewProblem, RefundPreview};
use crate::url::with_query;
use leptos::prelude::*;
use leptos_router::components::A;

#[server(endpoint = "check_refund")]
pub async fn check_refund(
    transaction_id: String,
    amount: String,
    reason: String,
) -> Result<Result<RefundPreview, PreviewProblem>, AppError> {
    use crate::refunds::dashboard::{preview, Problem, RefundForm};
    let (user, actor) = crate::auth::session::require_actor(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    let form = RefundForm {
        transaction_id,
        amount,
        reason,
    };
    let now = chrono::Utc::now();
    match preview(&pool, &actor, user.zone, user.language, &form, now).await {
        Ok(preview) => Ok(Ok(preview)),
        Err(Problem::Preview(p)) => Ok(Err(p)),
        Err(other) => Err(other.app_error(user.language)),
    }
}

/// Submits the confirmed form and sends the browser to the step that follows: the
/// result, or the confirmation again with the problem named.
#[server(endpoint = "submit_refund")]
pub async fn submit_refund(
    transaction_id: String,
    refund_request_id: String,
    amount: String,
    reason: String,
    payment_password: String,
) -> Result<(), AppError> {
    use crate::refunds::dashboard::{submit, Problem, RefundForm, Submission};
    let (user, actor) = crate::auth::session::require_actor(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    let submission = Submission {
        form: RefundForm {
            transaction_id: transaction_id.clone(),
            amount: amount.clone(),
            reason: reason.clone(),
        },
        refund_request_id: refund_request_id.clone(),
        payment_password,
    };
    let confirm = |extra: &[(&str, &str)]| {
        let mut params = vec![
            ("refund", "confirm"),
            ("rid", refund_request_id.as_str()),
            ("amount", amount.as_str()),
            ("reason", reason.as_str()),
        ];
        params.extend_from_slice(extra);
        dialog_href(&transaction_id, &params)
    };
    let now = chrono::Utc::now();
    let next = match submit(&pool, &actor, user.zone, user.language, submission, now).await {
        Ok(()) => {
            // The details page and the list must show this refund at once, even when
            // they read from a replica.
            crate::replica::mark_written().await;
            dialog_href(
                &transaction_id,
                &[("refund", "result"), ("rid", &refund_request_id)],
            )
        }
        // The attempts left make each wrong password's URL new, so the page reloads
        // the confirmation and its count even when the error is the same as before.
        Err(Problem::Password(e @ PaymentPasswordError::Wrong { attempts_left })) => {
            confirm(&[("error", e.key()), ("left", &attempts_left.to_string())])
        }
        Err(Problem::Password(e)) => confirm(&[("error", e.key())]),
        // The confirmation step shows what changed (an amount no longer refundable…).
        Err(Problem::Preview(_)) => confirm(&[]),
        Err(Problem::BadRequestId) => dialog_href(&transaction_id, &[("refund", "form")]),
        Err(Problem::Unavailable) => confirm(&[("error", "unavailable")]),
    };
    leptos_axum::redirect(&next);
    Ok(())
}

/// Step 2: the summary to confirm, and the payment password.
#[component]
pub(super) fn ConfirmStep(transaction_id: String) -> impl IntoView {
    let language = use_language();
    let query = dialog_query();
    let tid = transaction_id.clone();
    let preview = Resource::new_blocking(
        // The error and attempts left are part of the key: after a wrong password the
        // state (attempts left, a lock) is read again.
        move || {
            let q = query.get();
            (
                tid.clone(),
                q.amount.unwrap_or_default(),
                q.reason,
                q.error,
                q.left,
            )
        },
        |(tid, amount, reason, _, _)| check_refund(tid, amount, reason),
    );
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, refund.checking)}</p> }>
            {
                let transaction_id = transaction_id.clone();
                move || {
                    let transaction_id = transaction_id.clone();
                    Suspend::new(async move {
                        match preview.await {
                            Ok(Ok(preview)) => view! { <Confirm transaction_id preview /> }.into_any(),
                            // A problem with the amount or reason: back to step 1, with it
                            // next to its field.
                            Ok(Err(PreviewProblem::Field(error))) => view! {
                                <AmountForm transaction_id limits=error.limits.clone() new_rid=String::new() error=Some(error) />
                            }
                            .into_any(),
                            Ok(Err(problem)) => view! { <Problem problem /> }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
fn Confirm(transaction_id: String, preview: RefundPreview) -> impl IntoView {
    let language = use_language();
    let l = language.locale();
    let query = dialog_query().get_untracked();
    let submit = ServerAction::<SubmitRefund>::new();
    let password_ref = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = password_ref.get() {
            super::focus_when_shown(input.into());
        }
    });
    let step = |step: &str| {
        dialog_href(
            &transaction_id,
            &[
                ("refund", step),
                ("rid", &query.rid),
                ("amount", query.amount.as_deref().unwrap_or_default()),
                ("reason", &query.reason),
            ],
        )
    };
    let back = step("form");
    let change_password = with_query("/settings/payment-password", &[("next", &step("confirm"))]);
    let locked = matches!(preview.password, PasswordState::Locked { .. });
    // "unavailable" (Paydesk failed during the check) is one of the keys too.
    let from_query = query.error.as_deref().and_then(|key| {
        PaymentPasswordError::from_key(key, &preview.password)
            .map(|e| (e.result_code(), e.message(language)))
    });
    // A lock is said once, with when it ends, whatever the last attempt's error was.
    let (hint, error) = match &preview.password {
        PasswordState::NotSet => (
            Some(td_string!(l, payment_password_check.not_set_hint)),
            from_query,
        ),
        PasswordState::Locked { .. } => (
            None,
            Some((
                "REFUNDS_LOCKED",
                td_display!(
                    l,
                    payment_password_check.locked_until,
                    until = preview.locked_until.clone().unwrap_or_default()
                )
                .to_string(),
            )),
        ),
        PasswordState::Ready { .. } => (None, from_query),
    };
    let needs_approval = preview.approval_above.is_some();
    let speed = if preview.sync {
        td_string!(l, refund.speed_sync)
    } else {
        td_string!(l, refund.speed_async)
    };
    view! {
        <Steps current="confirm" />
        <div class="dialog-body">
            <dl class="fields summary">
                <dt>{tr!(language, refund.payment)}</dt><dd class="mono">{preview.payment_id.clone()}</dd>
                <dt>{tr!(language, refund.refund_amount)}</dt><dd class="num-inline strong">{preview.amount.clone()}</dd>
                <dt>{tr!(language, refund.payment_method)}</dt><dd>{preview.payment_method.clone()}</dd>
                <dt>{tr!(language, refund.refundable_now)}</dt><dd class="num-inline">{preview.refundable.clone()}</dd>
                <dt>{tr!(language, refund.refundable_after)}</dt><dd class="num-inline">{preview.remaining_after.clone()}</dd>
                <dt>{tr!(language, refund.speed)}</dt><dd>{speed}</dd>
                <dt>{tr!(language, refund.reason)}</dt><dd>{preview.reason.clone().unwrap_or_else(|| "—".into())}</dd>
            </dl>
            {preview.approval_above.clone().map(|notice| view! {
                <p class="notice" role="note">{notice}</p>
            })}
            <ActionForm action=submit>
                <input type="hidden" name="transaction_id" value=transaction_id.clone() />
                <input type="hidden" name="refund_request_id" value=query.rid.clone() />
                <input type="hidden" name="amount" value=query.amount.clone().unwrap_or_default() />
                <input type="hidden" name="reason" value=query.reason.clone() />
                <div class="field">
                    <label for="payment-password">{tr!(language, refund.payment_password)}</label>
                    <input id="payment-password" name="payment_password" type="password" autocomplete="off" required
                        node_ref=password_ref autofocus=true disabled=locked
                        aria-invalid=error.is_some().then_some("true")
                        aria-describedby="payment-password-help" />
                    <p id="payment-password-help" class="field-help">
                        <A href=change_password>{tr!(language, refund.change_password)}</A>
                    </p>
                    {hint.map(|h| view! { <p class="notice" role="status">{h}</p> })}
                    {error.map(|(code, message)| view! { <CodedError message code=code.to_owned() /> })}
                </div>
                <div class="dialog-actions">
                    <A href=back attr:class="btn">{tr!(language, refund.back)}</A>
                    <button type="submit" class="btn primary" disabled=move || locked || submit.pending().get()>
                        {move || if submit.pending().get() {
                            tr!(language, refund.submitting)
                        } else if needs_approval {
                            tr!(language, refund.request_approval)
                        } else {
                            tr!(language, refund.submit)
                        }}
                    </button>
                </div>
            </ActionForm>
        </div>
    }
}
