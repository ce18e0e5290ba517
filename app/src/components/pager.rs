//! Previous / next links of a paged list; a missing neighbour shows as a disabled button.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn PagerLinks(prev: Option<String>, next: Option<String>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {match prev {
                Some(h) => view! { <A href=h attr:class="btn" attr:rel="prev">"Previous"</A> }.into_any(),
                None => view! { <span class="btn" aria-disabled="true">"Previous"</span> }.into_any(),
            }}
            {match next {
                Some(h) => view! { <A href=h attr:class="btn" attr:rel="next">"Next"</A> }.into_any(),
                None => view! { <span class="btn" aria-disabled="true">"Next"</span> }.into_any(),
            }}
        </nav>
    }
}
