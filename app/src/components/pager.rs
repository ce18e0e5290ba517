//! Previous / next links of a paged list; a missing neighbour shows as a disabled button.

use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn PagerLinks(prev: Option<String>, next: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="pager" aria-label=t_string!(i18n, pager.pages)>
            {match prev {
                Some(h) => view! { <A href=h attr:class="btn" attr:rel="prev">{t_string!(i18n, pager.previous)}</A> }.into_any(),
                None => view! { <span class="btn" aria-disabled="true">{t_string!(i18n, pager.previous)}</span> }.into_any(),
            }}
            {match next {
                Some(h) => view! { <A href=h attr:class="btn" attr:rel="next">{t_string!(i18n, pager.next)}</A> }.into_any(),
                None => view! { <span class="btn" aria-disabled="true">{t_string!(i18n, pager.next)}</span> }.into_any(),
            }}
        </nav>
    }
}
