//! An error in words with its result code, as forms show it next to a field.

use leptos::prelude::*;

#[component]
pub fn CodedError(
    /// For the field's `aria-describedby`.
    #[prop(optional, into)]
    id: Option<String>,
    message: String,
    code: String,
) -> impl IntoView {
    view! {
        <p id=id class="form-error" role="alert">
            {message} " " <span class="code">{format!("({code})")}</span>
        </p>
    }
}
