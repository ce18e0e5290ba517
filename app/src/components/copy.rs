//! A button that copies a text to the clipboard (once the WASM has loaded).

use crate::locale::use_language;
use leptos::prelude::*;

/// Shows `text` (e.g. "Copy", `copy.copy` in the catalogues), then "Copied" once done;
/// `label` (e.g. `copy.copy_named`) names it for assistive technology when the visible
/// text alone is ambiguous.
#[component]
pub fn CopyButton(
    value: String,
    text: &'static str,
    #[prop(optional, into)] label: Option<String>,
) -> impl IntoView {
    let language = use_language();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&value);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &value;
    };
    view! {
        <button type="button" class="btn small" on:click=copy aria-label=label>
            {move || if copied.get() { tr!(language, copy.copied) } else { text }}
        </button>
    }
}
