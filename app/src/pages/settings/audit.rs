//! Settings > Audit log (admins only): the merchant's events, newest first, filtered by
//! action, actor and date with the filters in the URL, one page at a time.

use super::AdminPage;
use crate::audit::{AuditAction, AuditPage, AuditParams, AuditRow};
use crate::components::pager::PagerLinks;
use crate::error::AppError;
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
    let user = crate::auth::session::require_role(crate::auth::Role::can_administer).await?;
    let zone = user.zone;
    let pool = crate::state::app_state().pool;
    Ok(match crate::audit::filter::parse(&params) {
        Ok(filter) => AuditResult {
            errors: FieldErrors::default(),
            page: Some(crate::audit::search(&pool, user.merchant_id, &filter, zone).await?),
        },
        Err(errors) => AuditResult { errors, page: None },
    })
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    view! { <AdminPage title="Audit log"><AuditLog /></AdminPage> }
}

#[component]
fn AuditLog() -> impl IntoView {
    let query = use_query();
    let params = Memo::new(move |_| {
        let q = query.read();
        AuditParams::from_lookup(|k| q.get(k))
    });
    let result = Resource::new_blocking(move || params.get(), admin_search_audit);
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                let params = params.get_untracked();
                match result.await {
                    Ok(AuditResult { errors, page }) => view! {
                        <Filters params=params.clone() errors />
                        {match page {
                            None => view! {
                                <p class="empty-state" role="alert">"Correct the highlighted filters to see events."</p>
                            }.into_any(),
                            Some(page) if page.rows.is_empty() => view! {
                                <p class="empty-state">"No events match these filters."</p>
                                <Pager params page />
                            }.into_any(),
                            Some(page) => view! {
                                <EventTable rows=page.rows.clone() />
                                <Pager params page />
                            }.into_any(),
                        }}
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A GET form, so the filters live in the URL and work before the WASM loads.
#[component]
fn Filters(params: AuditParams, errors: FieldErrors) -> impl IntoView {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let action = value(&params.action);
    let [action_error, from_error, to_error, page_error] =
        ["action", "from", "to", "page"].map(|f| errors.get(f));
    let [action_invalid, from_invalid, to_invalid] =
        [&action_error, &from_error, &to_error].map(Option::is_some);
    let shown =
        |e: Option<String>| e.map(|e| view! { <p class="field-error" role="alert">{e}</p> });
    view! {
        <Form method="GET" on_form_data=crate::url::drop_unnamed() action="/settings/audit" attr:class="filter-bar" attr:role="search" attr:aria-label="Filter the audit log">
            <div class="field" class:invalid=action_invalid>
                <label for="a-action">"Action"</label>
                <select id="a-action" name="action">
                    <option value="">"All actions"</option>
                    {AuditAction::ALL.into_iter().map(|a| view! {
                        <option value=a.as_str() selected=a.as_str() == action>{a.label()}</option>
                    }).collect_view()}
                </select>
                {shown(action_error)}
            </div>
            <div class="field grow">
                <label for="a-actor">"Actor email contains"</label>
                <input id="a-actor" name="actor" type="search" maxlength="254" value=value(&params.actor) />
            </div>
            <div class="field" class:invalid=from_invalid>
                <label for="a-from">"From"</label>
                <input id="a-from" name="from" type="date" value=value(&params.from) />
                {shown(from_error)}
            </div>
            <div class="field" class:invalid=to_invalid>
                <label for="a-to">"To"</label>
                <input id="a-to" name="to" type="date" value=value(&params.to) />
                {shown(to_error)}
            </div>
            <div class="actions">
                <button type="submit" class="btn primary">"Apply filters"</button>
                <a class="btn" href="/settings/audit">"Clear"</a>
            </div>
            {shown(page_error)}
        </Form>
    }
}

#[component]
fn EventTable(rows: Vec<AuditRow>) -> impl IntoView {
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    view! {
        <div class="table-wrap" role="region" aria-label="Audit log, scrollable" tabindex="0">
            <table class="data audit" aria-label="Audit log">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Actor"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Subject"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col">"Detail"</th>
                        <th scope="col">"Address"</th>
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
