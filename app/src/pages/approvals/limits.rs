//! The approval limits on the approvals page (admins only): per currency, the amount
//! above which a dashboard refund waits for a second person, and how long a request
//! waits before it expires (docs/RULES.md, "Refund approvals"). The forms post to
//! server functions that redirect back with the outcome or the field's problem in the
//! URL.

use crate::error::AppError;
use crate::locale::use_language;
use crate::refunds::approvals::LimitView;
use crate::url::use_query;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
const PAGE: &str = "/approvals";

/// The settings with the section's texts and what the last form did, in the user's
/// language. The texts come with the data, made on the server, so that they are not in
/// the browser code every page downloads (docs/PERFORMANCE.md, "Browser download"); the
/// forms redirect with codes, never with text, so a link cannot put words on the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApprovalSettingsView {
    pub limits: Vec<LimitView>,
    pub hours: i32,
    pub intro: String,
    pub help: String,
    pub no_limits: String,
    pub limit_notice: Option<String>,
    pub hours_notice: Option<String>,
    pub currency_error: Option<String>,
    pub limit_error: Option<String>,
    pub hours_error: Option<String>,
}

/// `saved`: a currency code or "hours"; `problem`: "currency", "limit" or "hours";
/// `currency`: the code typed with it.
#[server(endpoint = "approval_settings")]
pub async fn approval_settings(
    saved: String,
    problem: String,
    currency: String,
) -> Result<ApprovalSettingsView, AppError> {
    use crate::i18n::{td_display, td_string};
    use crate::money::Currency;
    use crate::refunds::approvals::{hours_problem, limit_problem};
    let user = crate::auth::session::require_role(crate::auth::Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    let language = user.language;
    let (limits, hours) =
        crate::refunds::approvals::store::settings(&pool, user.merchant_id, language).await?;
    let l = language.locale();
    let code = currency.trim().to_ascii_uppercase();
    // The problems are those the forms found; said again from their codes.
    let currency_error = (problem == "currency").then(|| {
        let code: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(3)
            .collect();
        td_display!(l, approvals.unknown_currency, code).to_string()
    });
    let limit_error = (problem == "limit").then(|| {
        let currency =
            Currency::parse(&code).unwrap_or_else(|_| Currency::parse("USD").expect("USD"));
        limit_problem(currency, language)
    });
    let hours_error = (problem == "hours").then(|| hours_problem(language));
    let limit_notice = (saved.len() == 3 && Currency::parse(&saved).is_ok())
        .then(|| td_display!(l, approvals.limit_saved, currency = &saved).to_string());
    let hours_notice = (saved == "hours").then(|| td_string!(l, approvals.hours_saved).to_owned());
    Ok(ApprovalSettingsView {
        limits,
        hours,
        intro: td_string!(l, approvals.limits_intro).to_owned(),
        help: td_string!(l, approvals.limit_help).to_owned(),
        no_limits: td_string!(l, approvals.no_limits).to_owned(),
        limit_notice,
        hours_notice,
        currency_error,
        limit_error,
        hours_error,
    })
}

/// Sets the limit for `currency`; a blank `limit` removes it.
#[server(endpoint = "set_approval_limit")]
pub async fn set_approval_limit(currency: String, limit: String) -> Result<(), AppError> {
    use crate::money::Currency;
    use crate::refunds::approvals::{parse_limit, store};
    use crate::url::with_query;
    let (user, actor) =
        crate::auth::session::require_actor(crate::auth::Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    let code = currency.trim().to_ascii_uppercase();
    // Back to the form with what was typed and which field is wrong.
    let back = |problem: &str| {
        with_query(
            PAGE,
            &[
                ("problem", problem),
                ("currency", &currency),
                ("limit", &limit),
            ],
        )
    };
    let url = match Currency::parse(&code) {
        Err(_) => back("currency"),
        Ok(parsed) => match parse_limit(&limit, parsed, user.language) {
            Ok(minor) => {
                store::set_limit(&pool, &actor, parsed, minor).await?;
                with_query(PAGE, &[("saved", &code)])
            }
            Err(_) => back("limit"),
        },
    };
    leptos_axum::redirect(&url);
    Ok(())
}

#[server(endpoint = "set_approval_hours")]
pub async fn set_approval_hours(hours: String) -> Result<(), AppError> {
    use crate::refunds::approvals::{parse_hours, store};
    use crate::url::with_query;
    let (user, actor) =
        crate::auth::session::require_actor(crate::auth::Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    let url = match parse_hours(&hours, user.language) {
        Ok(h) => {
            store::set_hours(&pool, &actor, h).await?;
            with_query(PAGE, &[("saved", "hours")])
        }
        Err(_) => with_query(PAGE, &[("problem", "hours"), ("hours", &hours)]),
    };
    leptos_axum::redirect(&url);
    Ok(())
}

/// The limits and the time to decide, for admins.
#[component]
pub fn Limits() -> impl IntoView {
    let language = use_language();
    let set_limit = ServerAction::<SetApprovalLimit>::new();
    let set_hours = ServerAction::<SetApprovalHours>::new();
    let query = use_query();
    let settings = Resource::new_blocking(
        move || {
            (
                query.get(),
                set_limit.version().get(),
                set_hours.version().get(),
            )
        },
        |(q, ..)| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            approval_settings(get("saved"), get("problem"), get("currency"))
        },
    );
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, approvals.loading)}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => view! {
                        <LimitsCard s=s.clone() set_limit />
                        <HoursCard s set_hours />
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LimitsCard(s: ApprovalSettingsView, set_limit: ServerAction<SetApprovalLimit>) -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let q = query.get_untracked();
    let ApprovalSettingsView {
        limits,
        currency_error,
        limit_error,
        limit_notice,
        ..
    } = s.clone();
    let (typed_currency, typed_limit) = (
        q.get("currency")
            .unwrap_or_default()
            .chars()
            .take(3)
            .collect::<String>(),
        q.get("limit").unwrap_or_default(),
    );
    view! {
        <section class="card" aria-labelledby="limits-title">
            <h2 id="limits-title">{tr!(language, approvals.limits_title)}</h2>
            <p class="muted">{s.intro}</p>
            {limit_notice.map(|text| view! { <p class="notice ok" role="status">{text}</p> })}
            {if limits.is_empty() {
                view! { <p class="empty-state">{s.no_limits}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" role="region" aria-labelledby="limits-title" tabindex="0">
                        <table class="data" aria-labelledby="limits-title">
                            <thead><tr>
                                <th scope="col">{tr!(language, approvals.currency)}</th>
                                <th scope="col" class="num">{tr!(language, approvals.limit)}</th>
                            </tr></thead>
                            <tbody>
                                {limits.into_iter().map(|l| view! {
                                    <tr><td class="mono">{l.currency}</td><td class="num">{l.limit}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <ActionForm action=set_limit attr:class="inline-form">
                <div class="field" class:invalid=currency_error.is_some()>
                    <label for="limit-currency">{tr!(language, approvals.currency)}</label>
                    <input id="limit-currency" name="currency" type="text" maxlength="3" size="4" required
                        autocomplete="off" value=typed_currency
                        aria-invalid=currency_error.is_some().then_some("true")
                        aria-describedby=currency_error.is_some().then_some("limit-currency-error") />
                    {currency_error.clone().map(|e| view! { <p id="limit-currency-error" class="field-error" role="alert">{e}</p> })}
                </div>
                <div class="field" class:invalid=limit_error.is_some()>
                    <label for="limit-amount">{tr!(language, approvals.limit_label)}</label>
                    <input id="limit-amount" name="limit" type="text" inputmode="decimal" autocomplete="off"
                        value=typed_limit
                        aria-invalid=limit_error.is_some().then_some("true")
                        aria-describedby=if limit_error.is_some() { "limit-amount-error" } else { "limit-amount-help" } />
                    <p id="limit-amount-help" class="field-help">{s.help}</p>
                    {limit_error.clone().map(|e| view! { <p id="limit-amount-error" class="field-error" role="alert">{e}</p> })}
                </div>
                <button type="submit" class="btn primary" disabled=move || set_limit.pending().get()>{tr!(language, approvals.save_limit)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn HoursCard(s: ApprovalSettingsView, set_hours: ServerAction<SetApprovalHours>) -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let error = s.hours_error;
    let typed = query
        .get_untracked()
        .get("hours")
        .unwrap_or_else(|| s.hours.to_string());
    view! {
        <section class="card" aria-labelledby="hours-title">
            <h2 id="hours-title">{tr!(language, approvals.hours_title)}</h2>
            {s.hours_notice.map(|text| view! { <p class="notice ok" role="status">{text}</p> })}
            <ActionForm action=set_hours attr:class="inline-form">
                <div class="field" class:invalid=error.is_some()>
                    <label for="approval-hours">{tr!(language, approvals.hours_label)}</label>
                    <input id="approval-hours" name="hours" type="text" inputmode="numeric" size="5" required value=typed
                        aria-invalid=error.is_some().then_some("true")
                        aria-describedby=error.is_some().then_some("approval-hours-error") />
                    {error.clone().map(|e| view! { <p id="approval-hours-error" class="field-error" role="alert">{e}</p> })}
                </div>
                <button type="submit" class="btn primary" disabled=move || set_hours.pending().get()>{tr!(language, approvals.save_hours)}</button>
            </ActionForm>
        </section>
    }
}
