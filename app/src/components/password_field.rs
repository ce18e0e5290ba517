//! The payment password field of a form that decides on money (approving a refund,
//! confirming a batch): labelled, with its problem beside it.

use leptos::prelude::*;

#[component]
pub fn PaymentPasswordField(
    /// The input's id; the error's id is made from it.
    id: &'static str,
    label: &'static str,
    error: Option<String>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let invalid = error.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id>{label}</label>
            <input id=id name="payment_password" type="password" autocomplete="off" required
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then_some(error_id.clone()) />
            {error.map(|e| view! { <p id=error_id class="field-error" role="alert">{e}</p> })}
        </div>
    }
}
