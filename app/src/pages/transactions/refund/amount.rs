//! Step 1: the amount and the reason.

use super::{dialog_href, dialog_query, Problem, Steps};
use crate::components::coded_error::CodedError;
use crate::error::AppError;
use crate::locale::use_language;
use crate::refunds::form::{AmountLimits, Field, FieldError, PreviewProblem};
use leptos::prelude::*;
use leptos_router::components::Form;
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
) -> Result<Result<RefundStart, PreviewProblem>, AppError> {
    use crate::refunds::dashboard::{new_request_id, refundable};
    let user = crate::auth::session::require_role(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    let now = chrono::Utc::now();
    let found = refundable(
        &pool,
        user.merchant_id,
        &transaction_id,
        user.zone,
        user.language,
        now,
    )
    .await?;
    Ok(found.map(|r| RefundStart {
        refund_request_id: new_request_id(),
        limits: AmountLimits::new(r.left, r.currency, user.language),
    }))
}

/// Step 1: the amount (the refundable amount unless the user typed one) and the reason.
#[component]
pub(super) fn AmountStep(transaction_id: String) -> impl IntoView {
    let language = use_language();
    let tid = transaction_id.clone();
    let start = Resource::new_blocking(move || tid.clone(), open_refund_form);
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, refund.loading)}</p> }>
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
                            Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
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
pub(super) fn AmountForm(
    transaction_id: String,
    limits: AmountLimits,
    new_rid: String,
    error: Option<FieldError>,
) -> impl IntoView {
    let language = use_language();
    let amount_ref = NodeRef::<leptos::html::Input>::new();
    // Autofocus only works on page load; a dialog opened by the router focuses here.
    Effect::new(move |_| {
        if let Some(input) = amount_ref.get() {
            super::focus_when_shown(input.into());
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
        <Steps current="form" />
        <Form method="GET" on_form_data=crate::url::drop_unnamed() action=dialog_href(&transaction_id, &[]) attr:class="dialog-body">
            <input type="hidden" name="refund" value="confirm" />
            <input type="hidden" name="rid" value=rid />
            <div class="field">
                <label for="refund-amount">{tr!(language, refund.amount_label, currency = limits.currency.clone())}</label>
                <input id="refund-amount" name="amount" inputmode="decimal" autocomplete="off" required
                    value=amount node_ref=amount_ref autofocus=true
                    aria-invalid=amount_error.is_some().then_some("true") aria-describedby=described />
                <p id="refund-max" class="muted">{tr_display!(language, refund.maximum, amount = limits.refundable).to_string()}</p>
                {amount_error.map(|e| view! { <CodedError id="refund-amount-error" message=e.message code=e.code /> })}
            </div>
            <div class="field">
                <label for="refund-reason">{tr!(language, refund.reason_label)}</label>
                <input id="refund-reason" name="reason" maxlength="256" value=q.reason.clone()
                    aria-invalid=reason_error.is_some().then_some("true") />
                {reason_error.map(|e| view! { <CodedError id="refund-reason-error" message=e.message code=e.code /> })}
            </div>
            <div class="dialog-actions">
                <button type="submit" class="btn primary">{tr!(language, refund.continue_button)}</button>
            </div>
        </Form>
    }
}
