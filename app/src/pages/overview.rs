//! The overview: the merchant's balances and the last 30 days at a glance.

use crate::error::AppError;
use crate::money::format_money;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub balances: Vec<Balance>,
    pub volumes: Vec<Volume>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub currency: String,
    pub available_minor: i64,
}

/// Successful payments and refunds of the last 30 days in one currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    pub currency: String,
    pub payments: i64,
    pub payment_minor: i64,
    pub refunds: i64,
    pub refund_minor: i64,
}

#[server(endpoint = "load_overview")]
pub async fn load_overview() -> Result<Overview, AppError> {
    let user = crate::auth::session::require_user().await?;
    let pool = crate::replica::read_pool().await?;
    let merchant_id: uuid::Uuid = user.merchant_id;
    let balances = sqlx::query_as!(
        Balance,
        "SELECT currency, available_minor FROM merchant_balances WHERE merchant_id = $1 ORDER BY currency",
        merchant_id
    )
    .fetch_all(&pool)
    .await?;
    // The last 30 days are the merchant's local today and the 29 days before it, read
    // from the daily totals (docs/RULES.md, "Daily totals").
    let today = chrono::Utc::now().with_timezone(&user.zone).date_naive();
    let since = today - chrono::Days::new(29);
    let volumes = sqlx::query_as!(
        Volume,
        r#"SELECT currency::text AS "currency!",
                  coalesce(sum(transactions) FILTER (WHERE transaction_type = 'PAYMENT'), 0)::bigint
                    AS "payments!",
                  coalesce(sum(amount_minor) FILTER (WHERE transaction_type = 'PAYMENT'), 0)::bigint
                    AS "payment_minor!",
                  coalesce(sum(transactions) FILTER (WHERE transaction_type = 'REFUND'), 0)::bigint
                    AS "refunds!",
                  coalesce(sum(amount_minor) FILTER (WHERE transaction_type = 'REFUND'), 0)::bigint
                    AS "refund_minor!"
             FROM daily_totals
            WHERE merchant_id = $1 AND status = 'SUCCESS' AND day >= $2
              AND transaction_type IN ('PAYMENT', 'REFUND')
            GROUP BY currency
           HAVING sum(transactions) > 0
            ORDER BY currency"#,
        merchant_id,
        since as chrono::NaiveDate
    )
    .fetch_all(&pool)
    .await?;
    Ok(Overview { balances, volumes })
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_overview());
    view! {
        <Title text="Overview" />
        <h1>"Overview"</h1>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the overview…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => view! { <OverviewTables overview=o /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewTables(overview: Overview) -> impl IntoView {
    let no_volume = overview.volumes.is_empty();
    view! {
        <section class="card">
            <h2>"Available balance"</h2>
            <ul class="balances">
                {overview.balances.into_iter().map(|b| view! {
                    <li><span class="num">{format_money(b.available_minor, &b.currency)}</span></li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="last-30-days">
            <h2 id="last-30-days">"Last 30 days"</h2>
            <Show when=move || !no_volume fallback=|| view! { <p class="empty-state">"No successful transactions in the last 30 days."</p> }>
                <span></span>
            </Show>
            // Its own sideways scroll on a narrow screen, as every table.
            <div class="table-wrap" role="region" aria-label="Last 30 days, scrollable" tabindex="0">
            <table class="data" aria-labelledby="last-30-days">
                <thead>
                    <tr>
                        <th scope="col">"Currency"</th>
                        <th scope="col" class="num">"Payments"</th>
                        <th scope="col" class="num">"Payment volume"</th>
                        <th scope="col" class="num">"Refunds"</th>
                        <th scope="col" class="num">"Refund volume"</th>
                    </tr>
                </thead>
                <tbody>
                    {overview.volumes.into_iter().map(|v| view! {
                        <tr>
                            <td>{v.currency.clone()}</td>
                            <td class="num">{v.payments}</td>
                            <td class="num">{format_money(v.payment_minor, &v.currency)}</td>
                            <td class="num">{v.refunds}</td>
                            <td class="num">{format_money(v.refund_minor, &v.currency)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}
