//! Settings > Refund approvals (admins only): per currency, the amount above which a
//! dashboard refund waits for a second person, and how long a request waits before it
//! expires (docs/RULES.md, "Refund approvals"). The forms post to server functions that
//! redirect back with the outcome or the field's problem in the URL.

use super::AdminPage;
use crate::error::AppError;
use crate::locale::use_language;
use crate::refunds::approvals::LimitView;
use crate::url::use_query;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
const PAGE: &str = "/settings/approvals";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApprovalSettingsView {
    pub limits: Vec<LimitView>,
    pub hours: i32,
}

#[server(endpoint = "approval_settings")]
pub async fn approval_settings() -> Result<ApprovalSettingsView, AppError> {
    let user = crate::auth::session::require_role(crate::auth::Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    let (limits, hours) =
        crate::refunds::approvals::store::settings(&pool, user.merchant_id, user.language).await?;
    Ok(ApprovalSettingsView { limits, hours })
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
    let l = user.language.locale();
    let code = currency.trim().to_ascii_uppercase();
    let back = |field: &str, message: String| {
        with_query(
            PAGE,
            &[
                (field, &message),
                ("currency", &currency),
                ("limit", &limit),
            ],
        )
    };
    let Ok(parsed) = Currency::parse(&code) else {
        let message =
            crate::i18n::td_display!(l, approvals.unknown_currency, code = &code).to_string();
        leptos_axum::redirect(&back("currency_error", message));
        return Ok(());
    };
    let url = match parse_limit(&limit, parsed, user.language) {
        Ok(minor) => {
            store::set_limit(&pool, &actor, parsed, minor).await?;
            with_query(PAGE, &[("saved", &code)])
        }
        Err(message) => back("limit_error", message),
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
        Err(message) => with_query(PAGE, &[("hours_error", &message), ("hours", &hours)]),
    };
    leptos_axum::redirect(&url);
    Ok(())
}

#[component]
pub fn ApprovalLimitsPage() -> impl IntoView {
    let title = tr!(use_language(), settings.approvals);
    view! { <AdminPage title><Limits /></AdminPage> }
}

#[component]
fn Limits() -> impl IntoView {
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
        |_| approval_settings(),
    );
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, approvals.loading)}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => view! {
                        <LimitsCard limits=s.limits set_limit />
                        <HoursCard hours=s.hours set_hours />
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LimitsCard(limits: Vec<LimitView>, set_limit: ServerAction<SetApprovalLimit>) -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let q = query.get_untracked();
    let currency_error = q.get("currency_error");
    let limit_error = q.get("limit_error");
    let saved = q.get("saved").filter(|s| s != "hours");
    let (typed_currency, typed_limit) = (
        q.get("currency").unwrap_or_default(),
        q.get("limit").unwrap_or_default(),
    );
    view! {
        <section class="card" aria-labelledby="limits-title">
            <h2 id="limits-title">{tr!(language, approvals.limits_title)}</h2>
            <p class="muted">{tr!(language, approvals.limits_intro)}</p>
            {saved.map(|code| view! { <p class="notice ok" role="status">{tr_display!(language, approvals.limit_saved, currency = &code).to_string()}</p> })}
            {if limits.is_empty() {
                view! { <p class="empty-state">{tr!(language, approvals.no_limits)}</p> }.into_any()
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
                    <p id="limit-amount-help" class="field-help">{tr!(language, approvals.limit_help)}</p>
                    {limit_error.clone().map(|e| view! { <p id="limit-amount-error" class="field-error" role="alert">{e}</p> })}
                </div>
                <button type="submit" class="btn primary" disabled=move || set_limit.pending().get()>{tr!(language, approvals.save_limit)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn HoursCard(hours: i32, set_hours: ServerAction<SetApprovalHours>) -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let q = query.get_untracked();
    let error = q.get("hours_error");
    let saved = q.get("saved").is_some_and(|s| s == "hours");
    let typed = q.get("hours").unwrap_or_else(|| hours.to_string());
    view! {
        <section class="card" aria-labelledby="hours-title">
            <h2 id="hours-title">{tr!(language, approvals.hours_title)}</h2>
            {saved.then(|| view! { <p class="notice ok" role="status">{tr!(language, approvals.hours_saved)}</p> })}
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
