//! The overview: the merchant's balances and the last 30 days at a glance.

use crate::error::AppError;
use crate::locale::use_language;
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
    let language = use_language();
    let data = Resource::new(|| (), |_| load_overview());
    view! {
        <Title text=tr!(language, overview.title) />
        <h1>{tr!(language, overview.title)}</h1>
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, overview.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => view! { <OverviewTables overview=o /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewTables(overview: Overview) -> impl IntoView {
    let language = use_language();
    let no_volume = overview.volumes.is_empty();
    view! {
        <section class="card">
            <h2>{tr!(language, overview.available_balance)}</h2>
            <ul class="balances">
                {overview.balances.into_iter().map(|b| view! {
                    <li><span class="num">{language.money(b.available_minor, &b.currency)}</span></li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="last-30-days">
            <h2 id="last-30-days">{tr!(language, overview.last_30_days)}</h2>
            <Show when=move || !no_volume fallback=move || view! { <p class="empty-state">{tr!(language, overview.no_volume)}</p> }>
                <span></span>
            </Show>
            // Its own sideways scroll on a narrow screen, as every table.
            <div class="table-wrap" role="region" aria-label=tr!(language, overview.last_30_days_scrollable) tabindex="0">
            <table class="data" aria-labelledby="last-30-days">
                <thead>
                    <tr>
                        <th scope="col">{tr!(language, overview.currency)}</th>
                        <th scope="col" class="num">{tr!(language, overview.payments)}</th>
                        <th scope="col" class="num">{tr!(language, overview.payment_volume)}</th>
                        <th scope="col" class="num">{tr!(language, overview.refunds)}</th>
                        <th scope="col" class="num">{tr!(language, overview.refund_volume)}</th>
                    </tr>
                </thead>
                <tbody>
                    {overview.volumes.into_iter().map(|v| view! {
                        <tr>
                            <td>{v.currency.clone()}</td>
                            // Counts are never negative.
                            <td class="num">{language.integer(v.payments.unsigned_abs())}</td>
                            <td class="num">{language.money(v.payment_minor, &v.currency)}</td>
                            <td class="num">{language.integer(v.refunds.unsigned_abs())}</td>
                            <td class="num">{language.money(v.refund_minor, &v.currency)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}
