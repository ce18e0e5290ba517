//! Batch refunds (admins and operators): the upload of a CSV or XLSX file of refunds,
//! its template, and the merchant's latest batches. The upload is a plain multipart
//! form posted to `/refunds/batches/upload` (server/src/batches.rs), which checks the
//! file (the dry run) and opens the batch's page; so it works before the WASM loads.

mod batch;

use crate::components::shell::{use_current_user, Forbidden};
use crate::error::AppError;
use crate::locale::use_language;
use crate::refunds::batch::BatchLine;
#[cfg(feature = "ssr")]
use crate::refunds::batch::{COLUMNS, MAX_ROWS};
use crate::url::use_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use serde::{Deserialize, Serialize};

/// The latest batches, with the page's explanations and the last upload's problem
/// (`problem`, as the upload redirects with it) in the user's language. The texts come
/// with the data, made on the server, so that they are not in the browser code every
/// page downloads (docs/PERFORMANCE.md, "Browser download").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Batches {
    pub list: Vec<BatchLine>,
    pub intro: String,
    pub limits: String,
    pub none_yet: String,
    pub problem: Option<String>,
}

#[server(endpoint = "refund_batches")]
pub async fn refund_batches(problem: String) -> Result<Batches, AppError> {
    use crate::i18n::{td_display, td_string};
    use crate::refunds::batch::FileProblem;
    let user = crate::auth::session::require_role(crate::auth::Role::can_refund).await?;
    let pool = crate::state::app_state().pool;
    let language = user.language;
    let l = language.locale();
    let list =
        crate::refunds::batch::store::list(&pool, user.merchant_id, user.zone, language).await?;
    let columns = COLUMNS.join(", ");
    Ok(Batches {
        list,
        intro: td_display!(l, batches.upload_intro, columns).to_string(),
        limits: td_display!(l, batches.limits, rows = language.integer(MAX_ROWS as u64))
            .to_string(),
        none_yet: td_string!(l, batches.none_yet).to_owned(),
        problem: serde_json::from_str::<FileProblem>(&problem)
            .ok()
            .map(|p| p.message(language)),
    })
}

/// The page of batch `id`.
pub fn batch_href(id: i64) -> String {
    format!("/refunds/batches/{id}")
}

/// The refund operations pages, one lazy route (docs/PERFORMANCE.md, "Browser
/// download"): `/approvals`, `/refunds/batches` and `/refunds/batches/:id`.
#[component]
pub fn RefundOperationsPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let location = leptos_router::hooks::use_location();
    move || {
        if location.pathname.read().starts_with("/approvals") {
            view! { <crate::pages::approvals::ApprovalsPage /> }.into_any()
        } else if params.read().get("id").is_some() {
            view! { <batch::BatchPage /> }.into_any()
        } else {
            view! { <BatchList /> }.into_any()
        }
    }
}

#[component]
fn BatchList() -> impl IntoView {
    let language = use_language();
    let role = use_current_user().role;
    let title = tr!(language, batches.title);
    let query = use_query();
    let batches = Resource::new_blocking(
        move || query.read().get("problem").unwrap_or_default(),
        refund_batches,
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        {if role.can_refund() {
            view! {
                <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, batches.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match batches.await {
                            Ok(b) => view! { <Upload intro=b.intro limits=b.limits problem=b.problem /><Recent list=b.list none_yet=b.none_yet /> }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            }.into_any()
        } else {
            view! { <Forbidden role /> }.into_any()
        }}
    }
}

#[component]
fn Upload(intro: String, limits: String, problem: Option<String>) -> impl IntoView {
    let language = use_language();
    view! {
        <section class="card" aria-labelledby="upload-title">
            <h2 id="upload-title">{tr!(language, batches.upload_title)}</h2>
            <p class="muted">{intro}</p>
            <p class="muted">{limits}</p>
            <p><a href="/refunds/batches/template.csv" download="refund-batch-template.csv" rel="external">{tr!(language, batches.template)}</a></p>
            <form method="post" action="/refunds/batches/upload" enctype="multipart/form-data" class="inline-form">
                <div class="field" class:invalid=problem.is_some()>
                    <label for="batch-file">{tr!(language, batches.file_label)}</label>
                    <input id="batch-file" name="file" type="file" accept=".csv,.xlsx,text/csv" required
                        aria-invalid=problem.is_some().then_some("true")
                        aria-describedby=problem.is_some().then_some("batch-file-error") />
                    {problem.clone().map(|e| view! { <p id="batch-file-error" class="field-error" role="alert">{e}</p> })}
                </div>
                <button type="submit" class="btn primary">{tr!(language, batches.check_file)}</button>
            </form>
        </section>
    }
}

#[component]
fn Recent(list: Vec<BatchLine>, none_yet: String) -> impl IntoView {
    let language = use_language();
    view! {
        <section class="card" aria-labelledby="batches-title">
            <h2 id="batches-title">{tr!(language, batches.recent)}</h2>
            {if list.is_empty() {
                view! { <p class="empty-state">{none_yet}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" role="region" aria-labelledby="batches-title" tabindex="0">
                        <table class="data" aria-labelledby="batches-title">
                            <thead><tr>
                                <th scope="col">{tr!(language, batches.file)}</th>
                                <th scope="col">{tr!(language, batches.uploaded_at)}</th>
                                <th scope="col">{tr!(language, batches.status)}</th>
                                <th scope="col" class="num">{tr!(language, batches.progress)}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|b| {
                                    let pill = format!("pill status-{}", b.status.pill());
                                    let progress = format!("{} / {}", language.integer(b.done_rows as u64), language.integer(b.total_rows as u64));
                                    view! {
                                        <tr>
                                            <td><A href=batch_href(b.id)>{b.file_name}</A></td>
                                            <td class="num-inline">{b.uploaded_at}</td>
                                            <td><span class=pill>{b.status.label(language)}</span></td>
                                            <td class="num">{progress}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
