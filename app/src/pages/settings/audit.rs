//! Settings > Audit log (admins only): the merchant's events, newest first, filtered by
//! action, actor and date with the filters in the URL, one page at a time.

use super::AdminPage;
use crate::audit::{AuditAction, AuditPage, AuditParams, AuditRow};
use crate::components::pager::PagerLinks;
use crate::error::AppError;
use crate::locale::use_language;
use crate::transactions::filter::FieldErrors;
use crate::url::use_query;
use leptos::prelude::*;
use leptos_router::components::Form;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditResult {
    /// Messages for filters that were not understood; no page is searched then.
    pub errors: FieldErrors,
    pub page: Option<AuditPage>,
}

// JSON in: a log without filters must still arrive as one (empty) argument.
#[server(endpoint = "admin_search_audit", input = leptos::server_fn::codec::Json)]
pub async fn admin_search_audit(params: AuditParams) -> Result<AuditResult, AppError> {
    use crate::audit::{filter, search};
    let user = crate::auth::session::require_role(crate::auth::Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    Ok(match filter::parse(&params, user.language) {
        Ok(filter) => AuditResult {
            errors: FieldErrors::default(),
            page: Some(search(&pool, user.merchant_id, &filter, user.zone, user.language).await?),
        },
        Err(errors) => AuditResult { errors, page: None },
    })
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let title = tr!(use_language(), settings.audit_log);
    view! { <AdminPage title><AuditLog /></AdminPage> }
}

#[component]
fn AuditLog() -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let params = Memo::new(move |_| {
        let q = query.read();
        AuditParams::from_lookup(|k| q.get(k))
    });
    let result = Resource::new_blocking(move || params.get(), admin_search_audit);
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, audit.loading)}</p> }>
            {move || Suspend::new(async move {
                let params = params.get_untracked();
                match result.await {
                    Ok(AuditResult { errors, page }) => view! {
                        <Filters params=params.clone() errors />
                        {match page {
                            None => view! {
                                <p class="empty-state" role="alert">{tr!(language, audit.fix_filters)}</p>
                            }.into_any(),
                            Some(page) if page.rows.is_empty() => view! {
                                <p class="empty-state">{tr!(language, audit.no_events)}</p>
                                <Pager params page />
                            }.into_any(),
                            Some(page) => view! {
                                <EventTable rows=page.rows.clone() />
                                <Pager params page />
                            }.into_any(),
                        }}
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A GET form, so the filters live in the URL and work before the WASM loads.
#[component]
fn Filters(params: AuditParams, errors: FieldErrors) -> impl IntoView {
    let language = use_language();
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let action = value(&params.action);
    let [action_error, from_error, to_error, page_error] =
        ["action", "from", "to", "page"].map(|f| errors.get(f));
    let [action_invalid, from_invalid, to_invalid] =
        [&action_error, &from_error, &to_error].map(Option::is_some);
    let shown =
        |e: Option<String>| e.map(|e| view! { <p class="field-error" role="alert">{e}</p> });
    view! {
        <Form method="GET" on_form_data=crate::url::drop_unnamed() action="/settings/audit" attr:class="filter-bar" attr:role="search" attr:aria-label=tr!(language, audit.filter_label)>
            <div class="field" class:invalid=action_invalid>
                <label for="a-action">{tr!(language, audit.action)}</label>
                <select id="a-action" name="action">
                    <option value="">{tr!(language, audit.all_actions)}</option>
                    {AuditAction::ALL.into_iter().map(|a| view! {
                        <option value=a.as_str() selected=a.as_str() == action>{a.label(language)}</option>
                    }).collect_view()}
                </select>
                {shown(action_error)}
            </div>
            <div class="field grow">
                <label for="a-actor">{tr!(language, audit.actor_contains)}</label>
                <input id="a-actor" name="actor" type="search" maxlength="254" value=value(&params.actor) />
            </div>
            <div class="field" class:invalid=from_invalid>
                <label for="a-from">{tr!(language, audit.from)}</label>
                <input id="a-from" name="from" type="date" value=value(&params.from) />
                {shown(from_error)}
            </div>
            <div class="field" class:invalid=to_invalid>
                <label for="a-to">{tr!(language, audit.to)}</label>
                <input id="a-to" name="to" type="date" value=value(&params.to) />
                {shown(to_error)}
            </div>
            <div class="actions">
                <button type="submit" class="btn primary">{tr!(language, audit.apply)}</button>
                <a class="btn" href="/settings/audit">{tr!(language, audit.clear)}</a>
            </div>
            {shown(page_error)}
        </Form>
    }
}

#[component]
fn EventTable(rows: Vec<AuditRow>) -> impl IntoView {
    let language = use_language();
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    view! {
        <div class="table-wrap" role="region" aria-label=tr!(language, audit.table_region) tabindex="0">
            <table class="data audit" aria-label=tr!(language, settings.audit_log)>
                <thead>
                    <tr>
                        <th scope="col">{tr!(language, audit.time)}</th>
                        <th scope="col">{tr!(language, audit.actor)}</th>
                        <th scope="col">{tr!(language, audit.action)}</th>
                        <th scope="col">{tr!(language, audit.subject)}</th>
                        <th scope="col" class="num">{tr!(language, audit.amount)}</th>
                        <th scope="col">{tr!(language, audit.detail)}</th>
                        <th scope="col">{tr!(language, audit.address)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td class="num-inline">{r.time}</td>
                            <td>{r.actor}</td>
                            <td>{r.action}</td>
                            <td>{dash(r.subject)}</td>
                            <td class="num">{dash(r.amount)}</td>
                            <td class="detail">{dash(r.detail)}</td>
                            <td class="mono">{dash(r.address)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Pager(params: AuditParams, page: AuditPage) -> impl IntoView {
    let link = |after: Option<String>, before: Option<String>| {
        AuditParams {
            after,
            before,
            ..params.clone()
        }
        .href()
    };
    let prev = page.prev.map(|c| link(None, Some(c)));
    let next = page.next.map(|c| link(Some(c), None));
    view! { <PagerLinks prev next /> }
}
