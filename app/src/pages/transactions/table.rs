//! The dense results table: the user's columns in their order, a sticky header,
//! right-aligned numbers and status pills.

use crate::transactions::columns::Column;
use crate::transactions::kind::TransactionStatus;
use crate::transactions::view::TransactionView;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TransactionTable(rows: Vec<TransactionView>, columns: Vec<Column>) -> impl IntoView {
    let head = columns.clone();
    view! {
        <div class="table-wrap" role="region" aria-label="Transactions, scrollable" tabindex="0">
            <table class="data" aria-label="Transactions">
                <thead>
                    <tr>
                        {head.into_iter().map(|c| view! {
                            <th scope="col" class:num=c.is_numeric()>{c.label()}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let columns = columns.clone();
                        view! { <tr>{columns.into_iter().map(|c| view! { <Cell row=row.clone() column=c /> }).collect_view()}</tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn Cell(row: TransactionView, column: Column) -> impl IntoView {
    let text = row.cell(column);
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
    view! { <span class=class>{status.label()}</span> }
}
