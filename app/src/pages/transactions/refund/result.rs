//! Step 3: what became of the refund, followed until it settles.

use super::{dialog_href, dialog_query, RefundSettled, Steps};
use crate::components::coded_error::CodedError;
use crate::error::AppError;
use crate::i18n::{td_display, td_string};
use crate::locale::use_language;
use crate::pages::transactions::details_href;
use crate::refunds::form::RefundOutcome;
use crate::refunds::types::RefundStatus;
use leptos::prelude::*;
use leptos_router::components::A;

#[server(endpoint = "refund_result")]
pub async fn refund_result(refund_request_id: String) -> Result<Option<RefundOutcome>, AppError> {
    let (user, actor) = crate::auth::session::require_actor(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    crate::refunds::dashboard::outcome(&pool, &actor, user.language, &refund_request_id)
        .await
        .map_err(|p| p.app_error(user.language))
}

/// Step 3: what became of the refund. While it is processing, the dialog and the page
/// behind it ask again every two seconds.
#[component]
pub(super) fn ResultStep(transaction_id: String) -> impl IntoView {
    let language = use_language();
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
        <Steps current="result" />
        <div class="dialog-body" role="status" aria-live="polite">
            <Transition fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, refund.loading_result)}</p> }>
                {move || {
                    let close = close.clone();
                    let again = again.clone();
                    Suspend::new(async move {
                        match outcome.await {
                            Ok(Some(outcome)) => view! { <Outcome outcome close again /> }.into_any(),
                            Ok(None) => view! {
                                <p>{tr!(language, refund.no_submission)}</p>
                                <div class="dialog-actions"><A href=close attr:class="btn">{tr!(language, refund.close)}</A></div>
                            }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </div>
    }
}

#[component]
fn Outcome(outcome: RefundOutcome, close: String, again: String) -> impl IntoView {
    let language = use_language();
    let l = use_language().locale();
    match outcome {
        RefundOutcome::Made {
            refund_id,
            amount,
            status,
        } => {
            let (title, pill, text) = match status {
                RefundStatus::Success => (
                    td_string!(l, refund.success_title),
                    "success",
                    td_display!(l, refund.success_text, amount).to_string(),
                ),
                RefundStatus::Processing => (
                    td_string!(l, refund.processing_title),
                    "processing",
                    td_display!(l, refund.processing_text, amount).to_string(),
                ),
                RefundStatus::Fail => (
                    td_string!(l, refund.failed_title),
                    "fail",
                    td_display!(l, refund.failed_text, amount).to_string(),
                ),
            };
            let href = details_href(&refund_id);
            view! {
                <h3 class="outcome"><span class=format!("pill status-{pill}")>{title}</span></h3>
                <p>{text}</p>
                <dl class="fields">
                    <dt>{tr!(language, refund.refund_id)}</dt><dd class="mono"><A href=href>{refund_id}</A></dd>
                </dl>
                <div class="dialog-actions" node_ref=focus_main_action()><A href=close attr:class="btn primary">{tr!(language, refund.close)}</A></div>
            }
            .into_any()
        }
        RefundOutcome::Approval {
            status,
            label,
            text,
            rejection_reason,
        } => {
            view! {
                <h3 class="outcome"><span class=format!("pill status-{}", status.pill())>{label}</span></h3>
                <p>{text}</p>
                {rejection_reason.map(|why| view! {
                    <dl class="fields"><dt>{tr!(language, approvals.rejection_reason)}</dt><dd>{why}</dd></dl>
                })}
                <div class="dialog-actions" node_ref=focus_main_action()><A href=close attr:class="btn primary">{tr!(language, refund.close)}</A></div>
            }
            .into_any()
        }
        RefundOutcome::Refused { code, message } => view! {
            <h3 class="outcome"><span class="pill status-fail">{tr!(language, refund.refused_title)}</span></h3>
            <CodedError message code />
            <div class="dialog-actions" node_ref=focus_main_action()>
                <A href=close attr:class="btn">{tr!(language, refund.close)}</A>
                <A href=again attr:class="btn primary">{tr!(language, refund.start_again)}</A>
            </div>
        }
        .into_any(),
    }
}

/// A node for the outcome's actions that, once shown, gives the focus to the last one
/// (the main action): the page changed under the dialog, and the keyboard should carry
/// on from inside it rather than from the top of the page.
fn focus_main_action() -> NodeRef<leptos::html::Div> {
    let actions = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let Some(actions) = actions.get() else {
            return;
        };
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            if let Some(main) = actions
                .last_element_child()
                .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
            {
                super::focus_when_shown(main);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = actions;
    });
    actions
}
