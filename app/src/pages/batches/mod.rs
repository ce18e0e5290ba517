//! Batch refunds (admins and operators): the upload of a CSV or XLSX file of refunds,
//! its template, and the merchant's latest batches. The upload is a plain multipart
//! form posted to `/refunds/batches/upload` (server/src/batches.rs), which checks the
//! file (the dry run) and opens the batch's page; so it works before the WASM loads.

mod batch;

pub use batch::BatchPage;

use crate::components::shell::{use_current_user, Forbidden};
use crate::error::AppError;
use crate::locale::use_language;
use crate::refunds::batch::{BatchLine, COLUMNS, MAX_ROWS};
use crate::url::use_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[server(endpoint = "refund_batches")]
pub async fn refund_batches() -> Result<Vec<BatchLine>, AppError> {
    let user = crate::auth::session::require_role(crate::auth::Role::can_refund).await?;
    let pool = crate::state::app_state().pool;
    Ok(
        crate::refunds::batch::store::list(&pool, user.merchant_id, user.zone, user.language)
            .await?,
    )
}

/// The page of batch `id`.
pub fn batch_href(id: i64) -> String {
    format!("/refunds/batches/{id}")
}

#[component]
pub fn BatchesPage() -> impl IntoView {
    let language = use_language();
    let role = use_current_user().role;
    let title = tr!(language, batches.title);
    view! {
        <Title text=title />
        <h1>{title}</h1>
        {if role.can_refund() {
            view! { <Upload /><Batches /> }.into_any()
        } else {
            view! { <Forbidden role /> }.into_any()
        }}
    }
}

#[component]
fn Upload() -> impl IntoView {
    let language = use_language();
    let error = use_query().get_untracked().get("error");
    let columns = COLUMNS.join(", ");
    let intro = tr_display!(language, batches.upload_intro, columns = &columns).to_string();
    let limits = tr_display!(
        language,
        batches.limits,
        rows = language.integer(MAX_ROWS as u64)
    )
    .to_string();
    view! {
        <section class="card" aria-labelledby="upload-title">
            <h2 id="upload-title">{tr!(language, batches.upload_title)}</h2>
            <p class="muted">{intro}</p>
            <p class="muted">{limits}</p>
            <p><a href="/refunds/batches/template.csv" download="refund-batch-template.csv" rel="external">{tr!(language, batches.template)}</a></p>
            <form method="post" action="/refunds/batches/upload" enctype="multipart/form-data" class="inline-form">
                <div class="field" class:invalid=error.is_some()>
                    <label for="batch-file">{tr!(language, batches.file_label)}</label>
                    <input id="batch-file" name="file" type="file" accept=".csv,.xlsx,text/csv" required
                        aria-invalid=error.is_some().then_some("true")
                        aria-describedby=error.is_some().then_some("batch-file-error") />
                    {error.clone().map(|e| view! { <p id="batch-file-error" class="field-error" role="alert">{e}</p> })}
                </div>
                <button type="submit" class="btn primary">{tr!(language, batches.check_file)}</button>
            </form>
        </section>
    }
}

#[component]
fn Batches() -> impl IntoView {
    let language = use_language();
    let batches = Resource::new_blocking(|| (), |_| refund_batches());
    view! {
        <section class="card" aria-labelledby="batches-title">
            <h2 id="batches-title">{tr!(language, batches.recent)}</h2>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, batches.loading)}</p> }>
                {move || Suspend::new(async move {
                    match batches.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty-state">{tr!(language, batches.none_yet)}</p> }.into_any(),
                        Ok(list) => view! {
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
                        }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
