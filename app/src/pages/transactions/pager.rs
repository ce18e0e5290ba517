//! Previous / next links: keyset cursors in the URL, the other filters kept.

use crate::components::pager::PagerLinks;
use crate::transactions::filter::QueryParams;
use crate::transactions::view::Page;
use crate::url::with_query;
use leptos::prelude::*;

/// The query page's URL for `params`, empty values left out.
pub fn href(params: &QueryParams) -> String {
    let pairs: Vec<(&str, &str)> = params
        .pairs()
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_deref()?)))
        .collect();
    with_query("/transactions", &pairs)
}

#[component]
pub fn Pager(params: QueryParams, page: Page) -> impl IntoView {
    let prev = page.prev.map(|c| {
        href(&QueryParams {
            after: None,
            before: Some(c),
            ..params.clone()
        })
    });
    let next = page.next.map(|c| {
        href(&QueryParams {
            after: Some(c),
            before: None,
            ..params.clone()
        })
    });
    view! { <PagerLinks prev next /> }
}
