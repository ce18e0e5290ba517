//! The refund dialog of the details page: amount and reason, then a confirmation with
//! the payment password, then the result, which updates itself until the refund
//! settles. Each step is a URL (`?refund=form|confirm|result` with the form's values),
//! so the dialog works before the WASM loads, and a reload shows the same step. Each
//! step's module has the server functions it calls.

mod amount;
mod confirm;
mod result;

use super::details_href;
use crate::refunds::form::PreviewProblem;
use crate::url::with_query;
use amount::AmountStep;
use confirm::ConfirmStep;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use result::ResultStep;

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
