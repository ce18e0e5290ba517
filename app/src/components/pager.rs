//! Previous / next links of a paged list; a missing neighbour shows as a disabled button.

use crate::locale::use_language;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn PagerLinks(prev: Option<String>, next: Option<String>) -> impl IntoView {
    let language = use_language();
    view! {
        <nav class="pager" aria-label=tr!(language, pager.pages)>
            {match prev {
                Some(h) => view! { <A href=h attr:class="btn" attr:rel="prev">{tr!(language, pager.previous)}</A> }.into_any(),
                None => view! { <span class="btn" aria-disabled="true">{tr!(language, pager.previous)}</span> }.into_any(),
            }}
            {match next {
                Some(h) => view! { <A href=h attr:class="btn" attr:rel="next">{tr!(language, pager.next)}</A> }.into_any(),
                None => view! { <span class="btn" aria-disabled="true">{tr!(language, pager.next)}</span> }.into_any(),
            }}
        </nav>
    }
}
