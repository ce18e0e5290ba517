//! The refund dialog of the details page: amount and reason, then a confirmation with
//! the payment password, then the result, which updates itself until the refund
//! settles. Each step is a URL (`?refund=form|confirm|result` with the form's values),
//! so the dialog works before the WASM loads, and a reload shows the same step.

use super::details_href;
use crate::components::coded_error::CodedError;
use crate::payment_password::{PasswordState, PaymentPasswordError};
use crate::refunds::form::{
    AmountLimits, Field, FieldError, PreviewProblem, RefundOutcome, RefundPreview,
};
use crate::refunds::types::RefundStatus;
use crate::url::with_query;
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

/// What the first step needs: the form's refundRequestId and the most that can be
/// refunded, to start the amount with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundStart {
    pub refund_request_id: String,
    pub limits: AmountLimits,
}

#[server(endpoint = "open_refund_form")]
pub async fn open_refund_form(
    transaction_id: String,
) -> Result<Result<RefundStart, PreviewProblem>, ServerFnError> {
    use crate::refunds::dashboard::{new_request_id, refundable};
    let user = crate::auth::session::require_role(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    let now = chrono::Utc::now();
    let found = refundable(
        &pool,
        user.merchant_id.parse()?,
        &transaction_id,
        &user.time_zone,
        now,
    )
    .await?;
    Ok(found.map(|r| RefundStart {
        refund_request_id: new_request_id(),
        limits: AmountLimits::new(r.left, r.currency),
    }))
}

#[server(endpoint = "check_refund")]
pub async fn check_refund(
    transaction_id: String,
    amount: String,
    reason: String,
) -> Result<Result<RefundPreview, PreviewProblem>, ServerFnError> {
    use crate::refunds::dashboard::{preview, Problem, RefundForm};
    let (user, actor) = crate::auth::session::require_actor(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    let form = RefundForm {
        transaction_id,
        amount,
        reason,
    };
    match preview(&pool, &actor, &user.time_zone, &form, chrono::Utc::now()).await {
        Ok(preview) => Ok(Ok(preview)),
        Err(Problem::Preview(p)) => Ok(Err(p)),
        Err(other) => Err(ServerFnError::new(other.to_string())),
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
) -> Result<(), ServerFnError> {
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
    let next = match submit(
        &pool,
        &actor,
        &user.time_zone,
        submission,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(()) => dialog_href(
            &transaction_id,
            &[("refund", "result"), ("rid", &refund_request_id)],
        ),
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

#[server(endpoint = "refund_result")]
pub async fn refund_result(
    refund_request_id: String,
) -> Result<Option<RefundOutcome>, ServerFnError> {
    let (_, actor) = crate::auth::session::require_actor(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    crate::refunds::dashboard::outcome(&pool, &actor, &refund_request_id)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))
}

/// The details page of `transaction_id` with the dialog's query `params`.
pub fn dialog_href(transaction_id: &str, params: &[(&str, &str)]) -> String {
    with_query(&details_href(transaction_id), params)
}

/// The dialog's state, read from the URL.
#[derive(Clone, Debug, PartialEq)]
struct DialogQuery {
    step: String,
    rid: String,
    amount: Option<String>,
    reason: String,
    error: Option<String>,
    /// Payment password attempts left, after a wrong one.
    left: Option<String>,
}

fn dialog_query() -> Memo<DialogQuery> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        DialogQuery {
            step: q.get("refund").unwrap_or_default(),
            rid: q.get("rid").unwrap_or_default(),
            amount: q.get("amount"),
            reason: q.get("reason").unwrap_or_default(),
            error: q.get("error"),
            left: q.get("left"),
        }
    })
}

/// Bumped while a refund is processing, so that the page around the dialog reloads its
/// transaction and related transactions too.
#[derive(Clone, Copy)]
pub struct RefundSettled(pub RwSignal<u32>);

/// The refund dialog, open while the URL names a step.
#[component]
pub fn RefundDialog(transaction_id: String) -> impl IntoView {
    let query = dialog_query();
    let close = dialog_href(&transaction_id, &[]);
    let navigate = use_navigate();
    let on_keydown = {
        let close = close.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Escape" {
                navigate(&close, Default::default());
            }
        }
    };
    let tid = transaction_id.clone();
    view! {
        <Show when=move || matches!(query.read().step.as_str(), "form" | "confirm" | "result")>
            <div class="dialog-backdrop">
                <section class="dialog" role="dialog" aria-modal="true" aria-labelledby="refund-title" on:keydown=on_keydown.clone()>
                    <header class="dialog-head">
                        <h2 id="refund-title">"Refund"</h2>
                        <A href=close.clone() attr:class="btn small" attr:aria-label="Close">"✕"</A>
                    </header>
                    <Steps />
                    {
                        let tid = tid.clone();
                        move || match query.read().step.as_str() {
                            "form" => view! { <AmountStep transaction_id=tid.clone() /> }.into_any(),
                            "confirm" => view! { <ConfirmStep transaction_id=tid.clone() /> }.into_any(),
                            _ => view! { <ResultStep transaction_id=tid.clone() /> }.into_any(),
                        }
                    }
                </section>
            </div>
        </Show>
    }
}

/// Where the user is among the three steps.
#[component]
fn Steps() -> impl IntoView {
    let query = dialog_query();
    let current = move |step: &'static str| {
        if query.read().step == step {
            Some("step")
        } else {
            None
        }
    };
    view! {
        <ol class="steps">
            <li aria-current=move || current("form")>"Amount"</li>
            <li aria-current=move || current("confirm")>"Confirm"</li>
            <li aria-current=move || current("result")>"Result"</li>
        </ol>
    }
}

/// Step 1: the amount (the refundable amount unless the user typed one) and the reason.
#[component]
fn AmountStep(transaction_id: String) -> impl IntoView {
    let tid = transaction_id.clone();
    let start = Resource::new_blocking(move || tid.clone(), open_refund_form);
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
            {
                let transaction_id = transaction_id.clone();
                move || {
                    let transaction_id = transaction_id.clone();
                    Suspend::new(async move {
                        match start.await {
                            Ok(Ok(start)) => view! {
                                <AmountForm transaction_id limits=start.limits new_rid=start.refund_request_id error=None />
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

/// The form of step 1, with `error` next to its field. The form keeps the
/// refundRequestId in the URL, if there is one, else takes `new_rid`.
#[component]
fn AmountForm(
    transaction_id: String,
    limits: AmountLimits,
    new_rid: String,
    error: Option<FieldError>,
) -> impl IntoView {
    let amount_ref = NodeRef::<leptos::html::Input>::new();
    // Autofocus only works on page load; a dialog opened by the router focuses here.
    Effect::new(move |_| {
        if let Some(input) = amount_ref.get() {
            let _ = input.focus();
        }
    });
    let q = dialog_query().get_untracked();
    let rid = if q.rid.is_empty() {
        new_rid
    } else {
        q.rid.clone()
    };
    let amount = q.amount.clone().unwrap_or(limits.refundable_plain);
    let amount_error = error.clone().filter(|e| e.field == Field::Amount);
    let reason_error = error.filter(|e| e.field == Field::Reason);
    let described = if amount_error.is_some() {
        "refund-max refund-amount-error"
    } else {
        "refund-max"
    };
    view! {
        <Form method="GET" action=dialog_href(&transaction_id, &[]) attr:class="dialog-body">
            <input type="hidden" name="refund" value="confirm" />
            <input type="hidden" name="rid" value=rid />
            <div class="field">
                <label for="refund-amount">{format!("Refund amount ({})", limits.currency)}</label>
                <input id="refund-amount" name="amount" inputmode="decimal" autocomplete="off" required
                    value=amount node_ref=amount_ref autofocus=true
                    aria-invalid=amount_error.is_some().then_some("true") aria-describedby=described />
                <p id="refund-max" class="muted">{format!("Maximum: {}", limits.refundable)}</p>
                {amount_error.map(|e| view! { <CodedError id="refund-amount-error" message=e.message code=e.code /> })}
            </div>
            <div class="field">
                <label for="refund-reason">"Reason (optional)"</label>
                <input id="refund-reason" name="reason" maxlength="256" value=q.reason.clone()
                    aria-invalid=reason_error.is_some().then_some("true") />
                {reason_error.map(|e| view! { <CodedError id="refund-reason-error" message=e.message code=e.code /> })}
            </div>
            <div class="dialog-actions">
                <button type="submit" class="btn primary">"Continue"</button>
            </div>
        </Form>
    }
}

/// Why the dialog cannot go on: the payment is gone or cannot be refunded now.
#[component]
fn Problem(problem: PreviewProblem) -> impl IntoView {
    let message = match problem {
        PreviewProblem::NotFound => "No payment of your merchant has this ID.".to_owned(),
        PreviewProblem::Blocked(reason) => reason,
        PreviewProblem::Field(e) => e.message,
    };
    view! { <p class="form-error dialog-body" role="alert">{message}</p> }
}

/// Step 2: the summary to confirm, and the payment password.
#[component]
fn ConfirmStep(transaction_id: String) -> impl IntoView {
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
            let _ = input.focus();
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
    let error = query.error.as_deref().and_then(|key| {
        if key == "unavailable" {
            return Some((
                "UNKNOWN_EXCEPTION",
                "Paydesk is unavailable; try again shortly.".to_owned(),
            ));
        }
        PaymentPasswordError::from_key(key, &preview.password)
            .map(|e| (e.result_code(), e.to_string()))
    });
    let hint = match &preview.password {
        PasswordState::NotSet => Some("You have not set a payment password yet. Use Change password below to set one.".to_owned()),
        PasswordState::Locked { .. } => Some(format!(
            "Too many wrong payment passwords: your refunds are locked until {}. Ask an admin to unlock them.",
            preview.locked_until.clone().unwrap_or_default()
        )),
        PasswordState::Ready { .. } => None,
    };
    let speed = if preview.sync {
        "Synchronous: the refund is final at once."
    } else {
        "Asynchronous: the acquirer confirms the refund later; this page updates when it does."
    };
    view! {
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

/// Step 3: what became of the refund. While it is processing, the dialog and the page
/// behind it ask again every two seconds.
#[component]
fn ResultStep(transaction_id: String) -> impl IntoView {
    let query = dialog_query();
    let settled = use_context::<RefundSettled>().map(|s| s.0);
    let tick = RwSignal::new(0u32);
    let outcome = Resource::new_blocking(
        move || (query.read().rid.clone(), tick.get()),
        |(rid, _)| refund_result(rid),
    );
    Effect::new(move |_| {
        if let Some(Ok(Some(RefundOutcome::Made {
            status: RefundStatus::Processing,
            ..
        }))) = outcome.get()
        {
            set_timeout(
                move || {
                    tick.update(|t| *t += 1);
                    if let Some(settled) = settled {
                        settled.update(|t| *t += 1);
                    }
                },
                std::time::Duration::from_secs(2),
            );
        }
    });
    let close = dialog_href(&transaction_id, &[]);
    let again = dialog_href(&transaction_id, &[("refund", "form")]);
    view! {
        <div class="dialog-body" role="status" aria-live="polite">
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the result…"</p> }>
                {move || {
                    let close = close.clone();
                    let again = again.clone();
                    Suspend::new(async move {
                        match outcome.await {
                            Ok(Some(outcome)) => view! { <Outcome outcome close again /> }.into_any(),
                            Ok(None) => view! {
                                <p>"No refund was submitted with this form."</p>
                                <div class="dialog-actions"><A href=close attr:class="btn">"Close"</A></div>
                            }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </div>
    }
}

#[component]
fn Outcome(outcome: RefundOutcome, close: String, again: String) -> impl IntoView {
    match outcome {
        RefundOutcome::Made {
            refund_id,
            amount,
            status,
        } => {
            let (title, pill, text) = match status {
                RefundStatus::Success => ("Refund successful", "success", format!("{amount} has been refunded.")),
                RefundStatus::Processing => (
                    "Refund processing",
                    "processing",
                    format!("{amount} is being refunded. The acquirer has not answered yet; this updates by itself."),
                ),
                RefundStatus::Fail => (
                    "Refund failed",
                    "fail",
                    format!("The acquirer declined the refund of {amount}. The amount is back in your balance."),
                ),
            };
            let href = details_href(&refund_id);
            view! {
                <h3 class="outcome"><span class=format!("pill status-{pill}")>{title}</span></h3>
                <p>{text}</p>
                <dl class="fields">
                    <dt>"Refund ID"</dt><dd class="mono"><A href=href>{refund_id}</A></dd>
                </dl>
                <div class="dialog-actions"><A href=close attr:class="btn primary">"Close"</A></div>
            }
            .into_any()
        }
        RefundOutcome::Refused { code, message } => view! {
            <h3 class="outcome"><span class="pill status-fail">"Refund refused"</span></h3>
            <CodedError message code />
            <div class="dialog-actions">
                <A href=close attr:class="btn">"Close"</A>
                <A href=again attr:class="btn primary">"Start again"</A>
            </div>
        }
        .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialog_links_encode_their_values_and_drop_empty_ones() {
        assert_eq!(
            dialog_href(
                "PAY 1",
                &[("refund", "confirm"), ("amount", "10.50"), ("reason", "")]
            ),
            "/transactions/PAY%201?refund=confirm&amount=10.50"
        );
        assert_eq!(dialog_href("PAY-1", &[]), "/transactions/PAY-1");
    }
}
