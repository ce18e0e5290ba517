//! The overview: the merchant's business over a range of local days, one currency at a
//! time: balances, headline figures against the previous period, charts of payments
//! and refunds over time, and breakdowns that open the transaction query. The range and
//! currency live in the URL; the server formats and draws everything (charts are SVG),
//! so the page reads the same before the WASM loads (docs/RULES.md, "Analytics").

#[cfg(feature = "ssr")]
pub mod build;

use crate::error::AppError;
use crate::locale::use_language;
use crate::url::use_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use serde::{Deserialize, Serialize};

/// The range and currency asked for, as the URL has them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewParams {
    /// A preset (`today`, `7d`, `30d`, `this_month`, `last_month`); `30d` when neither
    /// it nor both dates are given.
    pub range: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub currency: Option<String>,
}

/// The page as the server wrote it, in the user's language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OverviewView {
    /// Why the range was refused; nothing else is shown then.
    pub range_error: Option<String>,
    /// The preset in force, if the range is one.
    pub preset: Option<String>,
    pub from: String,
    pub to: String,
    /// "2026-11-04 – 2026-12-03, compared with 2026-10-05 – 2026-11-03".
    pub period: String,
    pub currencies: Vec<String>,
    pub currency: Option<String>,
    pub balances: Vec<BalanceRow>,
    pub tiles: Vec<Tile>,
    pub over_time: Vec<Chart>,
    pub breakdowns: Vec<Chart>,
    pub refunds: Vec<Chart>,
    /// Said when the bars cannot link to the query (the range is longer than it allows).
    pub links_note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BalanceRow {
    pub currency: String,
    pub available: String,
    pub change_today: String,
}

/// A headline figure of the range, with the previous period's beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tile {
    pub label: String,
    pub value: String,
    pub previous: String,
}

/// One chart: its SVG, the same numbers as a table, and the link to them as a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub svg: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Which columns are numbers (right-aligned).
    pub numeric: Vec<bool>,
    pub download: String,
}

#[server(endpoint = "load_overview")]
pub async fn load_overview(
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
    currency: Option<String>,
) -> Result<OverviewView, AppError> {
    // Taken before the first await: the page's context is not read again later.
    let state = crate::state::app_state();
    let user = crate::auth::session::require_user().await?;
    let pool = crate::replica::read_pool().await?;
    let params = OverviewParams {
        range,
        from,
        to,
        currency,
    };
    Ok(build::overview(&state, &pool, &user, &params, chrono::Utc::now()).await?)
}

/// The presets offered above the page, with the names of their texts.
pub const PRESETS: [&str; 5] = ["today", "7d", "30d", "this_month", "last_month"];

#[component]
pub fn OverviewPage() -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let params = Memo::new(move |_| {
        let q = query.read();
        OverviewParams {
            range: q.get("range"),
            from: q.get("from"),
            to: q.get("to"),
            currency: q.get("currency"),
        }
    });
    // Blocking, so that the page arrives whole: it reads the same without JavaScript.
    let data = Resource::new_blocking(
        move || params.get(),
        |p| load_overview(p.range, p.from, p.to, p.currency),
    );
    view! {
        <Title text=tr!(language, overview.title) />
        <h1>{tr!(language, overview.title)}</h1>
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, overview.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Overview view /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(view: OverviewView) -> impl IntoView {
    let language = use_language();
    let OverviewView {
        range_error,
        preset,
        from,
        to,
        period,
        currencies,
        currency,
        balances,
        tiles,
        over_time,
        breakdowns,
        refunds,
        links_note,
    } = view;
    let nothing = currencies.is_empty();
    view! {
        <RangeBar preset from to currency=currency.clone() currencies range_error=range_error.clone() />
        {(range_error.is_none()).then(|| view! {
            <p class="muted period">{period}</p>
            <Balances balances />
            {if nothing {
                view! { <p class="empty-state">{tr!(language, overview.no_activity)}</p> }.into_any()
            } else {
                view! {
                    <ul class="tiles" role="list" aria-label=tr!(language, overview.headline)>
                        {tiles.into_iter().map(|t| view! {
                            <li class="card tile">
                                <span class="tile-label">{t.label}</span>
                                <span class="tile-value num">{t.value}</span>
                                <span class="tile-previous muted">{t.previous}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    <h2 class="section-title">{tr!(language, overview.over_time)}</h2>
                    <div class="chart-grid">{over_time.into_iter().map(|chart| view! { <ChartCard chart /> }).collect_view()}</div>
                    <h2 class="section-title">{tr!(language, overview.breakdowns)}</h2>
                    {links_note.map(|note| view! { <p class="muted">{note}</p> })}
                    <div class="chart-grid">{breakdowns.into_iter().map(|chart| view! { <ChartCard chart /> }).collect_view()}</div>
                    <h2 class="section-title">{tr!(language, overview.refunds)}</h2>
                    <div class="chart-grid">{refunds.into_iter().map(|chart| view! { <ChartCard chart /> }).collect_view()}</div>
                }.into_any()
            }}
        })}
    }
}

/// The range presets as links, and a GET form for custom dates and the currency, so
/// that the choice lives in the URL and works before the WASM loads.
#[component]
fn RangeBar(
    preset: Option<String>,
    from: String,
    to: String,
    currency: Option<String>,
    currencies: Vec<String>,
    range_error: Option<String>,
) -> impl IntoView {
    let language = use_language();
    let l = language.locale();
    let keep = currency.clone().unwrap_or_default();
    let invalid = range_error.is_some();
    view! {
        <nav class="presets" aria-label=tr!(language, overview.presets)>
            {PRESETS.into_iter().map(|p| {
                let current = preset.as_deref() == Some(p);
                let href = crate::url::with_query("/", &[("range", p), ("currency", &keep)]);
                view! {
                    <a href=href class="preset" class:current=current aria-current=current.then_some("true")>
                        {preset_label(l, p)}
                    </a>
                }
            }).collect_view()}
        </nav>
        <Form method="GET" on_form_data=crate::url::drop_unnamed() action="/" attr:class="filter-bar" attr:aria-label=tr!(language, overview.choose)>
            <div class="field" class:invalid=invalid>
                <label for="o-from">{tr!(language, overview.from)}</label>
                <input id="o-from" name="from" type="date" value=from aria-describedby=invalid.then_some("o-range-error") />
            </div>
            <div class="field" class:invalid=invalid>
                <label for="o-to">{tr!(language, overview.to)}</label>
                <input id="o-to" name="to" type="date" value=to aria-describedby=invalid.then_some("o-range-error") />
            </div>
            <div class="field">
                <label for="o-currency">{tr!(language, overview.currency)}</label>
                <select id="o-currency" name="currency">
                    {currencies.into_iter().map(|c| {
                        let selected = Some(&c) == currency.as_ref();
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="actions">
                <button type="submit" class="btn primary">{tr!(language, overview.show)}</button>
            </div>
            {range_error.map(|e| view! { <p id="o-range-error" class="field-error" role="alert">{e}</p> })}
        </Form>
    }
}

/// A preset's name in the language of `l`.
fn preset_label(l: crate::i18n::Locale, preset: &str) -> &'static str {
    use crate::i18n::td_string;
    match preset {
        "today" => td_string!(l, filters.today),
        "7d" => td_string!(l, filters.last_7_days),
        "30d" => td_string!(l, overview.last_30_days),
        "this_month" => td_string!(l, filters.this_month),
        _ => td_string!(l, filters.last_month),
    }
}

#[component]
fn Balances(balances: Vec<BalanceRow>) -> impl IntoView {
    let language = use_language();
    (!balances.is_empty()).then(|| view! {
        <section class="card" aria-labelledby="o-balances">
            <h2 id="o-balances">{tr!(language, overview.balances)}</h2>
            <div class="table-wrap" role="region" aria-label=tr!(language, overview.balances_scrollable) tabindex="0">
                <table class="data" aria-labelledby="o-balances">
                    <thead>
                        <tr>
                            <th scope="col">{tr!(language, overview.currency)}</th>
                            <th scope="col" class="num">{tr!(language, overview.available_balance)}</th>
                            <th scope="col" class="num">{tr!(language, overview.change_today)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {balances.into_iter().map(|b| view! {
                            <tr>
                                <td>{b.currency}</td>
                                <td class="num">{b.available}</td>
                                <td class="num">{b.change_today}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    })
}

/// A chart, its download, and its numbers as a table behind a toggle for screen
/// readers and anyone who wants the exact figures.
#[component]
fn ChartCard(chart: Chart) -> impl IntoView {
    let language = use_language();
    let heading = format!("{}-heading", chart.id);
    let numeric = chart.numeric.clone();
    view! {
        <section class="card chart-card" aria-labelledby=heading.clone()>
            <div class="chart-head">
                // The chart draws its title; the heading gives the page its outline.
                <h3 id=heading.clone() class="visually-hidden">{chart.title.clone()}</h3>
                // Named with its chart, since every card has one; the visible words
                // start the name.
                <a class="btn small" href=chart.download download rel="external"
                    aria-label=format!("{}: {}", tr!(language, overview.download), chart.title)>
                    {tr!(language, overview.download)}
                </a>
            </div>
            <div class="chart-svg" inner_html=chart.svg></div>
            <details class="chart-table">
                <summary>{tr!(language, overview.show_table)}</summary>
                <div class="table-wrap" role="region" aria-label=chart.title.clone() tabindex="0">
                    <table class="data" aria-labelledby=heading.clone()>
                        <thead>
                            <tr>
                                {chart.headers.into_iter().zip(numeric.clone()).map(|(h, n)| view! {
                                    <th scope="col" class:num=n>{h}</th>
                                }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {chart.rows.into_iter().map(|row| view! {
                                <tr>
                                    {row.into_iter().zip(numeric.clone()).map(|(cell, n)| view! {
                                        <td class:num=n>{cell}</td>
                                    }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}
