//! Transactions > Transaction query: the merchant's latest successful transactions.

use crate::money::format_money;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransactionRow {
    pub transaction_id: String,
    pub transaction_type: String,
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
    pub payment_method_type: String,
    /// Creation time in the merchant's time zone.
    pub created: String,
}

#[server(endpoint = "latest_transactions")]
pub async fn latest_transactions() -> Result<Vec<TransactionRow>, ServerFnError> {
    let user = crate::auth::session::require_user().await?;
    let pool = crate::state::app_state().pool;
    let merchant_id: uuid::Uuid = user.merchant_id.parse()?;
    let rows = sqlx::query_as::<
        _,
        (
            String,
            String,
            String,
            i64,
            String,
            String,
            chrono::DateTime<chrono::Utc>,
        ),
    >(
        "SELECT transaction_id, transaction_type, status, amount_minor, currency,
                payment_method_type, created_at
           FROM transactions
          WHERE merchant_id = $1 AND status = 'SUCCESS'
          ORDER BY created_at DESC, id DESC
          LIMIT 20",
    )
    .bind(merchant_id)
    .fetch_all(&pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                transaction_id,
                transaction_type,
                status,
                amount_minor,
                currency,
                payment_method_type,
                created_at,
            )| {
                TransactionRow {
                    transaction_id,
                    transaction_type,
                    status,
                    amount_minor,
                    currency,
                    payment_method_type,
                    created: crate::time::format_local(created_at, &user.time_zone),
                }
            },
        )
        .collect())
}

#[component]
pub fn TransactionsPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| latest_transactions());
    view! {
        <Title text="Transactions" />
        <h1>"Transaction query"</h1>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading transactions…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <p class="empty-state">"No successful transactions yet."</p>
                    }.into_any(),
                    Ok(rows) => view! { <TransactionTable rows /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TransactionTable(rows: Vec<TransactionRow>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Transaction ID"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col">"Payment method"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td class="mono">{r.transaction_id}</td>
                            <td>{r.transaction_type}</td>
                            <td><span class=format!("pill status-{}", r.status.to_lowercase())>{r.status.clone()}</span></td>
                            <td class="num">{format_money(r.amount_minor, &r.currency)}</td>
                            <td>{r.payment_method_type}</td>
                            <td class="num">{r.created}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
