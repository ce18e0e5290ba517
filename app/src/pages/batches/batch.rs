//! One batch: the dry run's outcome per row and totals per currency, duplicates in the
//! file, then the confirmation with the payment password; once running, its progress
//! (asked again every second), pause, resume and cancel; and the results file.

use crate::components::password_field::PaymentPasswordField;
use crate::error::AppError;
use crate::locale::use_language;
use crate::refunds::batch::{BatchStatus, BatchView, RowView};
use crate::url::use_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[server(endpoint = "refund_batch")]
pub async fn refund_batch(id: i64, problem: BatchProblem) -> Result<Option<BatchView>, AppError> {
    use crate::i18n::td_string;
    use crate::payment_password::{store as payment_password, PaymentPasswordError};
    let (user, actor) = crate::auth::session::require_actor(crate::auth::Role::can_refund).await?;
    let pool = crate::state::app_state().pool;
    let mut view =
        crate::refunds::batch::store::view(&pool, user.merchant_id, id, user.zone, user.language)
            .await?;
    if let Some(v) = view.as_mut() {
        if problem.not_now {
            v.notice = Some(td_string!(user.language.locale(), batches.not_now).to_owned());
        }
        if !problem.password.is_empty() {
            let state = payment_password::state(&pool, &actor).await.ok();
            v.password_error = state
                .and_then(|state| PaymentPasswordError::from_key(&problem.password, &state))
                .map(|e| e.message(user.language));
        }
    }
    Ok(view)
}

/// What the page's URL says went wrong with the last form (the codes the server
/// functions redirect with); the page's texts for them are made on the server.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchProblem {
    pub not_now: bool,
    /// A payment password problem's key (`wrong`, `locked`, …).
    pub password: String,
}

#[server(endpoint = "confirm_refund_batch")]
pub async fn confirm_refund_batch(id: i64, payment_password: String) -> Result<(), AppError> {
    use crate::refunds::batch::store::{confirm, ControlProblem};
    let (_, actor) = crate::auth::session::require_actor(crate::auth::Role::can_refund).await?;
    let pool = crate::state::app_state().pool;
    let url = match confirm(&pool, &actor, id, &payment_password).await {
        Ok(()) => super::batch_href(id),
        Err(ControlProblem::Database(e)) => return Err(e.into()),
        Err(ControlProblem::Password(e)) => {
            crate::url::with_query(&super::batch_href(id), &[("password", e.key())])
        }
        Err(ControlProblem::NotNow) => {
            crate::url::with_query(&super::batch_href(id), &[("not_now", "1")])
        }
    };
    leptos_axum::redirect(&url);
    Ok(())
}

/// `what`: pause, resume or cancel.
#[server(endpoint = "control_refund_batch")]
pub async fn control_refund_batch(id: i64, what: String) -> Result<(), AppError> {
    use crate::refunds::batch::store::{control, Control, ControlProblem};
    let (_, actor) = crate::auth::session::require_actor(crate::auth::Role::can_refund).await?;
    let pool = crate::state::app_state().pool;
    let what = match what.as_str() {
        "pause" => Control::Pause,
        "resume" => Control::Resume,
        _ => Control::Cancel,
    };
    let url = match control(&pool, &actor, id, what).await {
        Ok(()) => super::batch_href(id),
        Err(ControlProblem::Database(e)) => return Err(e.into()),
        Err(_) => crate::url::with_query(&super::batch_href(id), &[("not_now", "1")]),
    };
    leptos_axum::redirect(&url);
    Ok(())
}

#[component]
pub fn BatchPage() -> impl IntoView {
    let language = use_language();
    let params = use_params_map();
    let query = use_query();
    let confirm = ServerAction::<ConfirmRefundBatch>::new();
    let control = ServerAction::<ControlRefundBatch>::new();
    let tick = RwSignal::new(0u32);
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let batch = Resource::new_blocking(
        move || {
            (
                id(),
                query.get(),
                confirm.version().get(),
                control.version().get(),
                tick.get(),
            )
        },
        |(id, q, ..)| {
            let problem = BatchProblem {
                not_now: q.get("not_now").is_some(),
                password: q.get("password").unwrap_or_default(),
            };
            refund_batch(id, problem)
        },
    );
    // While the job runs, the page asks again every second.
    Effect::new(move |_| {
        if let Some(Ok(Some(b))) = batch.get() {
            if b.status == BatchStatus::Running {
                set_timeout(
                    move || tick.update(|t| *t += 1),
                    std::time::Duration::from_secs(1),
                );
            }
        }
    });
    let title = tr!(language, batches.batch_title);
    view! {
        <Title text=title />
        <p class="breadcrumb"><A href="/refunds/batches">{tr!(language, batches.back)}</A></p>
        <Transition fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, batches.loading)}</p> }>
            {move || Suspend::new(async move {
                match batch.await {
                    Ok(Some(b)) => view! { <Batch b confirm control /> }.into_any(),
                    Ok(None) => view! { <h1>{title}</h1><p class="empty-state" role="alert">{tr!(language, batches.not_found)}</p> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Batch(
    b: BatchView,
    confirm: ServerAction<ConfirmRefundBatch>,
    control: ServerAction<ControlRefundBatch>,
) -> impl IntoView {
    let language = use_language();
    let password_error = b.password_error.clone();
    let pill = format!("pill status-{}", b.status.pill());
    let heading = tr_display!(language, batches.heading, file = &b.file_name).to_string();
    let id = b.id.to_string();
    let results = format!("/refunds/batches/{}/results.csv", b.id);
    let progress = (b.status != BatchStatus::Checked).then(|| {
        let text = tr_display!(
            language,
            batches.rows_done,
            done = language.integer(b.done_rows as u64),
            total = language.integer(b.total_rows as u64)
        )
        .to_string();
        view! {
            <div class="progress-line">
                <progress max=b.total_rows value=b.done_rows aria-label=tr!(language, batches.progress)>{text.clone()}</progress>
                <span role="status">{text}</span>
            </div>
        }
    });
    let controls = {
        let (id, status) = (id.clone(), b.status);
        let button = move |what: &'static str, label: &'static str, class: &'static str| {
            let id = id.clone();
            view! {
                <ActionForm action=control attr:class="inline">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="what" value=what />
                    <button type="submit" class=class>{label}</button>
                </ActionForm>
            }
        };
        let l = language.locale();
        view! {
            <div class="batch-controls">
                {(status == BatchStatus::Running).then(|| button("pause", crate::i18n::td_string!(l, batches.pause), "btn"))}
                {(status == BatchStatus::Paused).then(|| button("resume", crate::i18n::td_string!(l, batches.resume), "btn primary"))}
                {matches!(status, BatchStatus::Running | BatchStatus::Paused | BatchStatus::Checked)
                    .then(|| button("cancel", crate::i18n::td_string!(l, batches.cancel), "btn danger"))}
            </div>
        }
    };
    let totals = b.totals.join(" · ");
    let refunded = b.refunded.join(" · ");
    view! {
        <h1>{heading} " " <span class=pill>{b.status.label(language)}</span></h1>
        {b.notice.clone().map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
        <section class="card" aria-labelledby="batch-summary">
            <h2 id="batch-summary">{tr!(language, batches.summary)}</h2>
            <dl class="fields">
                <dt>{tr!(language, batches.uploaded_by)}</dt><dd>{b.uploaded_by.clone()} ", " {b.uploaded_at.clone()}</dd>
                <dt>{tr!(language, batches.rows)}</dt><dd class="num-inline">{language.integer(b.total_rows as u64)}</dd>
                <dt>{tr!(language, batches.good_rows)}</dt><dd class="num-inline">{language.integer(b.good_rows as u64)}</dd>
                <dt>{tr!(language, batches.bad_rows)}</dt><dd class="num-inline">{language.integer(b.bad_rows as u64)}</dd>
                <dt>{tr!(language, batches.totals)}</dt><dd class="num-inline">{if totals.is_empty() { "—".to_owned() } else { totals }}</dd>
                <dt>{tr!(language, batches.refunded)}</dt><dd class="num-inline">{if refunded.is_empty() { "—".to_owned() } else { refunded }}</dd>
            </dl>
            {progress}
            <p><a href=results download rel="external">{tr!(language, batches.download_results)}</a></p>
            {(b.status == BatchStatus::Checked && b.good_rows > 0).then(|| view! {
                <ActionForm action=confirm attr:class="inline-form">
                    <input type="hidden" name="id" value=id.clone() />
                    <PaymentPasswordField id="batch-password" label=tr!(language, batches.payment_password) error=password_error.clone() />
                    <button type="submit" class="btn primary" disabled=move || confirm.pending().get()>{tr!(language, batches.confirm)}</button>
                </ActionForm>
            })}
            {controls}
        </section>
        {(!b.duplicates.is_empty()).then(|| view! { <Duplicates duplicates=b.duplicates.clone() /> })}
        <Rows rows=b.rows shown_note=b.shown_note />
    }
}

#[component]
fn Duplicates(duplicates: Vec<(String, Vec<i32>)>) -> impl IntoView {
    let language = use_language();
    view! {
        <section class="card" aria-labelledby="batch-duplicates">
            <h2 id="batch-duplicates">{tr!(language, batches.duplicates)}</h2>
            <ul>
                {duplicates.into_iter().map(|(payment, lines)| {
                    let lines = lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ");
                    let text = tr_display!(language, batches.on_lines, lines = &lines).to_string();
                    view! { <li><span class="mono">{payment}</span> ": " {text}</li> }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Rows(rows: Vec<RowView>, shown_note: Option<String>) -> impl IntoView {
    let language = use_language();
    let shown = shown_note;
    view! {
        <section class="card" aria-labelledby="batch-rows">
            <h2 id="batch-rows">{tr!(language, batches.rows_title)}</h2>
            {shown.map(|s| view! { <p class="muted">{s}</p> })}
            <div class="table-wrap" role="region" aria-labelledby="batch-rows" tabindex="0">
                <table class="data" aria-labelledby="batch-rows">
                    <thead><tr>
                        <th scope="col" class="num">{tr!(language, batches.line)}</th>
                        <th scope="col">{tr!(language, batches.transaction)}</th>
                        <th scope="col">{tr!(language, batches.dry_run)}</th>
                        <th scope="col">{tr!(language, batches.result)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let planned = match r.planned {
                                Ok(text) => view! { <span>{text}</span> }.into_any(),
                                Err((code, why)) => view! { <span class="pill status-fail">{code}</span> " " <span>{why}</span> }.into_any(),
                            };
                            let result = r.result.map(|(code, detail)| view! { <span class="mono">{code}</span> " " <span class="mono">{detail}</span> });
                            view! {
                                <tr>
                                    <td class="num">{r.line}</td>
                                    <td class="mono">{r.payment_ref}</td>
                                    <td>{planned}</td>
                                    <td>{result}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
