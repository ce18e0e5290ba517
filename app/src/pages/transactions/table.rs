//! The dense results table: the user's columns in their order, a sticky header that
//! sorts by creation time or amount, right-aligned numbers and status pills. A click
//! anywhere on a row opens its details; from the keyboard, its ID link does.

use crate::locale::use_language;
use crate::transactions::columns::Column;
use crate::transactions::filter::{present, QueryParams, Sort};
use crate::transactions::kind::TransactionStatus;
use crate::transactions::view::TransactionView;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TransactionTable(
    rows: Vec<TransactionView>,
    columns: Vec<Column>,
    params: QueryParams,
) -> impl IntoView {
    let language = use_language();
    let head = columns.clone();
    let sort = present(&params.sort)
        .and_then(Sort::parse)
        .unwrap_or_default();
    let navigate = leptos_router::hooks::use_navigate();
    view! {
        <div class="table-wrap" role="region" aria-label=tr!(language, transactions.table_scrollable) tabindex="0">
            <table class="data" aria-label=tr!(language, transactions.table)>
                <thead>
                    <tr>
                        {head.into_iter().map(|c| view! { <Header column=c sort params=params.clone() /> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let columns = columns.clone();
                        let href = super::details_href(&row.transaction_id);
                        let navigate = navigate.clone();
                        let open = move |ev: leptos::ev::MouseEvent| {
                            if opens_row(&ev) {
                                navigate(&href, Default::default());
                            }
                        };
                        view! {
                            <tr class="opens" on:click=open>
                                {columns.into_iter().map(|c| view! { <Cell row=row.clone() column=c /> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The two orders a column header switches between, the first one being where a click
/// from another order starts.
fn orders(column: Column) -> Option<(Sort, Sort)> {
    match column {
        Column::CreatedAt => Some((Sort::Newest, Sort::Oldest)),
        Column::Amount => Some((Sort::LargestAmount, Sort::SmallestAmount)),
        _ => None,
    }
}

/// A column header; creation time and amount are links that sort the list by them
/// (again: the other way round), from the first page.
#[component]
fn Header(column: Column, sort: Sort, params: QueryParams) -> impl IntoView {
    let language = use_language();
    // Amounts sort within one currency only (docs/RULES.md).
    let sortable = orders(column)
        .filter(|(first, _)| !first.by_amount() || present(&params.currency).is_some());
    let Some((first, second)) = sortable else {
        return view! { <th scope="col" class:num=column.is_numeric()>{column.label_in(language)}</th> }
            .into_any();
    };
    let (aria_sort, next) = match sort {
        s if s == first => (Some(direction_word(s)), second),
        s if s == second => (Some(direction_word(s)), first),
        _ => (None, first),
    };
    let link = super::pager::href(&QueryParams {
        sort: (next != Sort::default()).then(|| next.as_str().to_owned()),
        after: None,
        before: None,
        ..params
    });
    view! {
        <th scope="col" class:num=column.is_numeric() aria-sort=aria_sort>
            // The arrow is drawn by the style sheet from aria-sort.
            <a class="sort" href=link title=next.label(language)>{column.label_in(language)}</a>
        </th>
    }
    .into_any()
}

fn direction_word(sort: Sort) -> &'static str {
    if sort.descending() {
        "descending"
    } else {
        "ascending"
    }
}

/// Whether a click on a row opens its details: not when it was a link's (which
/// navigates itself) or ended a text selection (a user copying an ID).
fn opens_row(ev: &leptos::ev::MouseEvent) -> bool {
    if ev.default_prevented() || ev.button() != 0 {
        return false;
    }
    #[cfg(feature = "hydrate")]
    {
        let selecting = window()
            .get_selection()
            .ok()
            .flatten()
            .is_some_and(|s| !String::from(s.to_string()).is_empty());
        if selecting {
            return false;
        }
    }
    true
}

#[component]
pub fn Cell(row: TransactionView, column: Column) -> impl IntoView {
    let text = row.cell(column, use_language());
    match column {
        Column::TransactionId => view! {
            <td class="mono"><A href=super::details_href(&row.transaction_id)>{text}</A></td>
        }
        .into_any(),
        Column::Status => view! {
            <td><StatusPill status=row.status /></td>
        }
        .into_any(),
        c if c.is_numeric() => view! { <td class="num">{text}</td> }.into_any(),
        Column::ReferenceTransactionId
        | Column::TransactionRequestId
        | Column::AcquirerTransactionId
        | Column::OriginalTransactionId => view! { <td class="mono">{text}</td> }.into_any(),
        _ => view! { <td>{text}</td> }.into_any(),
    }
}

#[component]
pub fn StatusPill(status: TransactionStatus) -> impl IntoView {
    let class = format!("pill status-{}", status.as_str().to_lowercase());
    view! { <span class=class>{status.label_in(use_language())}</span> }
}
