//! Step 2: the summary to confirm, and the payment password; the submit.

use super::amount::AmountForm;
use super::{dialog_href, dialog_query, Problem, Steps};
use crate::components::coded_error::CodedError;
use crate::error::AppError;
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
    match preview(&pool, &actor, user.zone, &form, chrono::Utc::now()).await {
        Ok(preview) => Ok(Ok(preview)),
        Err(Problem::Preview(p)) => Ok(Err(p)),
        Err(other) => Err(other.into()),
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
    let next = match submit(&pool, &actor, user.zone, submission, chrono::Utc::now()).await {
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
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Checking the refund…"</p> }>
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
                            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
fn Confirm(transaction_id: String, preview: RefundPreview) -> impl IntoView {
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
    let from_query = query.error.as_deref().and_then(|key| {
        if key == "unavailable" {
            return Some((
                "UNKNOWN_EXCEPTION",
                "Paydesk is unavailable; try again shortly.".to_owned(),
            ));
        }
        PaymentPasswordError::from_key(key, &preview.password)
            .map(|e| (e.result_code(), e.to_string()))
    });
    // A lock is said once, with when it ends, whatever the last attempt's error was.
    let (hint, error) = match &preview.password {
        PasswordState::NotSet => (
            Some("You have not set a payment password yet. Use Change password below to set one."),
            from_query,
        ),
        PasswordState::Locked { .. } => (
            None,
            Some((
                "REFUNDS_LOCKED",
                format!(
                    "Too many wrong payment passwords: your refunds are locked until {}. Ask an admin to unlock them.",
                    preview.locked_until.clone().unwrap_or_default()
                ),
            )),
        ),
        PasswordState::Ready { .. } => (None, from_query),
    };
    let speed = if preview.sync {
        "Synchronous: the refund is final at once."
    } else {
        "Asynchronous: the acquirer confirms the refund later; this page updates when it does."
    };
    view! {
        <Steps current="confirm" />
        <div class="dialog-body">
            <dl class="fields summary">
                <dt>"Payment"</dt><dd class="mono">{preview.payment_id.clone()}</dd>
                <dt>"Refund amount"</dt><dd class="num-inline strong">{preview.amount.clone()}</dd>
                <dt>"Payment method"</dt><dd>{preview.payment_method.clone()}</dd>
                <dt>"Refundable now"</dt><dd class="num-inline">{preview.refundable.clone()}</dd>
                <dt>"Refundable after this refund"</dt><dd class="num-inline">{preview.remaining_after.clone()}</dd>
                <dt>"Refund speed"</dt><dd>{speed}</dd>
                <dt>"Reason"</dt><dd>{preview.reason.clone().unwrap_or_else(|| "—".into())}</dd>
            </dl>
            <ActionForm action=submit>
                <input type="hidden" name="transaction_id" value=transaction_id.clone() />
                <input type="hidden" name="refund_request_id" value=query.rid.clone() />
                <input type="hidden" name="amount" value=query.amount.clone().unwrap_or_default() />
                <input type="hidden" name="reason" value=query.reason.clone() />
                <div class="field">
                    <label for="payment-password">"Payment password"</label>
                    <input id="payment-password" name="payment_password" type="password" autocomplete="off" required
                        node_ref=password_ref autofocus=true disabled=locked
                        aria-invalid=error.is_some().then_some("true")
                        aria-describedby="payment-password-help" />
                    <p id="payment-password-help" class="field-help">
                        <A href=change_password>"Change password"</A>
                    </p>
                    {hint.map(|h| view! { <p class="notice" role="status">{h}</p> })}
                    {error.map(|(code, message)| view! { <CodedError message code=code.to_owned() /> })}
                </div>
                <div class="dialog-actions">
                    <A href=back attr:class="btn">"Back"</A>
                    <button type="submit" class="btn primary" disabled=move || locked || submit.pending().get()>
                        {move || if submit.pending().get() { "Submitting…" } else { "Submit refund" }}
                    </button>
                </div>
            </ActionForm>
        </div>
    }
}
