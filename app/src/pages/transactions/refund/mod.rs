//! The refund dialog of the details page: amount and reason, then a confirmation with
//! the payment password, then the result, which updates itself until the refund
//! settles. Each step is a URL (`?refund=form|confirm|result` with the form's values),
//! so the dialog works before the WASM loads, and a reload shows the same step. Each
//! step's module has the server functions it calls.

mod amount;
mod confirm;
mod result;

use super::details_href;
use crate::locale::use_language;
use crate::refunds::form::PreviewProblem;
use crate::url::use_query;
use crate::url::with_query;
use amount::AmountStep;
use confirm::ConfirmStep;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
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
    let query = use_query();
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

/// The id of the details page's Refund button, where focus returns when the dialog
/// closes.
pub const REFUND_BUTTON_ID: &str = "refund-open";

/// The refund dialog, open while the URL names a step.
#[component]
pub fn RefundDialog(transaction_id: String) -> impl IntoView {
    let query = dialog_query();
    view! {
        <Show when=move || matches!(query.read().step.as_str(), "form" | "confirm" | "result")>
            <Dialog transaction_id=transaction_id.clone() />
        </Show>
    }
}

/// The dialog itself. Rendered on the server as an open `<dialog>` (so every step works
/// before the WASM loads); once the WASM runs it is shown as a modal dialog: the page
/// behind is inert, Tab stays inside, the first field takes focus, and Escape closes
/// it. When it closes, focus goes back to the Refund button.
#[component]
fn Dialog(transaction_id: String) -> impl IntoView {
    let language = use_language();
    let query = dialog_query();
    let close = dialog_href(&transaction_id, &[]);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            if d.open() {
                d.close();
            }
            let _ = d.show_modal();
            // Showing it focused its first control (Close); the step's own field is the
            // one to start on. A step still loading focuses its field when it appears.
            focus_autofocus_field(&d);
        }
    });
    on_cleanup(return_focus);
    let navigate = use_navigate();
    let on_cancel = {
        let close = close.clone();
        move |ev: leptos::ev::Event| {
            // Escape: leave the dialog by its URL, like the Close link.
            ev.prevent_default();
            navigate(&close, Default::default());
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if let Some(d) = dialog.get() {
            keep_tab_inside(&d, &ev);
        }
    };
    let tid = transaction_id.clone();
    view! {
        <div class="dialog-backdrop">
            <dialog class="dialog" open=true aria-labelledby="refund-title" node_ref=dialog
                on:cancel=on_cancel on:keydown=on_keydown>
                <header class="dialog-head">
                    <h2 id="refund-title">{tr!(language, refund.title)}</h2>
                    <A href=close.clone() attr:class="btn small" attr:aria-label=tr!(language, refund.close)>"✕"</A>
                </header>
                {move || match query.read().step.as_str() {
                    "form" => view! { <AmountStep transaction_id=tid.clone() /> }.into_any(),
                    "confirm" => view! { <ConfirmStep transaction_id=tid.clone() /> }.into_any(),
                    _ => view! { <ResultStep transaction_id=tid.clone() /> }.into_any(),
                }}
            </dialog>
        </div>
    }
}

/// Focuses the element marked `autofocus` inside `dialog`, if there is one yet.
fn focus_autofocus_field(dialog: &leptos::web_sys::HtmlDialogElement) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(field) = dialog
            .query_selector("[autofocus]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            focus_when_shown(field);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = dialog;
}

/// Focuses `field` on the next frame: an element that was just rendered is not in the
/// document yet, and focusing it now would do nothing.
pub(super) fn focus_when_shown(field: leptos::web_sys::HtmlElement) {
    request_animation_frame(move || {
        let _ = field.focus();
    });
}

/// Tab from the dialog's last control goes to its first, Shift+Tab from the first to the
/// last: a modal dialog alone would let focus leave for the browser's own controls.
fn keep_tab_inside(dialog: &leptos::web_sys::HtmlDialogElement, ev: &leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::HtmlElement;
        if ev.key() != "Tab" {
            return;
        }
        let Ok(found) = dialog.query_selector_all(
            "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
             select:not([disabled]), textarea:not([disabled])",
        ) else {
            return;
        };
        let controls: Vec<HtmlElement> = (0..found.length())
            .filter_map(|i| found.item(i)?.dyn_into::<HtmlElement>().ok())
            .collect();
        let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
            return;
        };
        let active = document().active_element();
        let at = |e: &HtmlElement| active.as_ref() == Some(e.unchecked_ref());
        let to = if ev.shift_key() && at(first) {
            last
        } else if !ev.shift_key() && at(last) {
            first
        } else {
            return;
        };
        ev.prevent_default();
        let _ = to.focus();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (dialog, ev);
}

/// Puts focus back on the Refund button once the dialog has gone: on the next frame,
/// since until the modal dialog leaves the page everything behind it is inert and
/// cannot take focus.
fn return_focus() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(button) = leptos::prelude::document()
            .get_element_by_id(REFUND_BUTTON_ID)
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            focus_when_shown(button);
        }
    }
}

/// Where the user is among the three steps: each step shows this above what it shows,
/// so the highlighted step is always the one on screen (an amount refused at the
/// confirmation is the amount step again).
#[component]
fn Steps(current: &'static str) -> impl IntoView {
    let language = use_language();
    let at = move |step: &'static str| (step == current).then_some("step");
    view! {
        <ol class="steps">
            <li aria-current=at("form")>{tr!(language, refund.step_amount)}</li>
            <li aria-current=at("confirm")>{tr!(language, refund.step_confirm)}</li>
            <li aria-current=at("result")>{tr!(language, refund.step_result)}</li>
        </ol>
    }
}

/// Why the dialog cannot go on: the payment is gone or cannot be refunded now.
#[component]
fn Problem(problem: PreviewProblem) -> impl IntoView {
    view! { <p class="form-error dialog-body" role="alert">{problem.message(use_language())}</p> }
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
