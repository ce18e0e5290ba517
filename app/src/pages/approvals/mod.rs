//! Approvals (admins and operators): refunds above the merchant's limit waiting for a
//! second person, and the recent decisions. A pending request opens a review panel
//! (`?review=<id>`) where someone other than its requester approves it with their own
//! payment password or rejects it with a reason. Both forms post to server functions
//! that redirect back with the outcome in the URL, so they work before the WASM loads.
//! Admins set the limits here too (`limits`).

mod limits;

use crate::components::password_field::PaymentPasswordField;
use crate::components::shell::{use_current_user, Forbidden};
use crate::error::AppError;
use crate::locale::use_language;
use crate::pages::transactions::details_href;
#[cfg(feature = "ssr")]
use crate::refunds::approvals::DecisionRefused;
use crate::refunds::approvals::{ApprovalStatus, ApprovalView};
use crate::url::{use_query, with_query};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use serde::{Deserialize, Serialize};

/// The most requests the page lists: every pending one comes first.
#[cfg(feature = "ssr")]
const LISTED: i64 = 200;

/// The page's requests, with its explanation and what the last decision did (`done`
/// and `refused`, the codes the decisions redirect with) in the user's language. The
/// texts come with the data, made on the server, so that they are not in the browser
/// code every page downloads (docs/PERFORMANCE.md, "Browser download").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Requests {
    pub list: Vec<ApprovalView>,
    pub intro: String,
    /// (a success, the text).
    pub notice: Option<(bool, String)>,
    pub empty: String,
    /// The review's problems, said again from the codes the decisions redirect with.
    pub password_error: Option<String>,
    pub reason_error: Option<String>,
    pub engine_error: Option<String>,
}

/// What the page's URL says of the last decision (the codes it redirects with).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub done: String,
    pub refused: String,
    /// A payment password problem's key (`wrong`, `locked`, …).
    pub password: String,
    /// The rejection reason as typed, when it was refused.
    pub bad_reason: Option<String>,
    /// A result code of the refund engine.
    pub engine: String,
}

#[server(endpoint = "refund_approvals")]
pub async fn refund_approvals(outcome: Outcome) -> Result<Requests, AppError> {
    use crate::i18n::td_string;
    use crate::payment_password::{store as payment_password, PaymentPasswordError};
    use crate::refunds::approvals::parse_rejection_reason;
    use crate::refunds::dashboard::explain_result_code;
    let (user, actor) = crate::auth::session::require_actor(crate::auth::Role::can_refund).await?;
    let pool = crate::state::app_state().pool;
    let Outcome {
        done,
        refused,
        password,
        bad_reason,
        engine,
    } = outcome;
    let list = crate::refunds::approvals::store::list(
        &pool,
        user.merchant_id,
        user.id,
        None,
        user.zone,
        user.language,
        LISTED,
    )
    .await?;
    let l = user.language.locale();
    let notice = match (done.as_str(), DecisionRefused::from_code(&refused)) {
        (_, Some(refused)) => Some((false, refused.message(user.language).to_owned())),
        (APPROVED, None) => Some((true, td_string!(l, approvals.done_approved).to_owned())),
        (REJECTED, None) => Some((true, td_string!(l, approvals.done_rejected).to_owned())),
        _ => None,
    };
    let password_error = match password.as_str() {
        "" => None,
        key => {
            let state = payment_password::state(&pool, &actor).await.ok();
            state
                .and_then(|state| PaymentPasswordError::from_key(key, &state))
                .map(|e| e.message(user.language))
        }
    };
    let reason_error =
        bad_reason.and_then(|typed| parse_rejection_reason(&typed, user.language).err());
    let engine_error = (!engine.is_empty()).then(|| {
        let why = explain_result_code(&engine, user.language).unwrap_or_default();
        format!("{engine}: {why}")
    });
    Ok(Requests {
        list,
        intro: td_string!(l, approvals.intro).to_owned(),
        notice,
        empty: td_string!(l, approvals.empty).to_owned(),
        password_error,
        reason_error,
        engine_error,
    })
}

/// The outcome codes a decision redirects with (`?done=` or `?refused=`).
#[cfg(feature = "ssr")]
const APPROVED: &str = "approved";
#[cfg(feature = "ssr")]
const REJECTED: &str = "rejected";

#[server(endpoint = "approve_refund")]
pub async fn approve_refund(id: i64, payment_password: String) -> Result<(), AppError> {
    use crate::refunds::approvals::store;
    let (_, actor) = crate::auth::session::require_actor(crate::auth::Role::can_refund).await?;
    let pool = crate::state::app_state().pool;
    let decided = store::approve(&pool, &actor, id, &payment_password).await;
    redirect_after(id, decided, APPROVED)
}

#[server(endpoint = "reject_refund")]
pub async fn reject_refund(id: i64, reason: String) -> Result<(), AppError> {
    use crate::refunds::approvals::{parse_rejection_reason, store};
    let (user, actor) = crate::auth::session::require_actor(crate::auth::Role::can_refund).await?;
    let pool = crate::state::app_state().pool;
    let reason = match parse_rejection_reason(&reason, user.language) {
        Ok(reason) => reason,
        Err(_) => {
            // Back to the review with what was typed; the page says what is wrong.
            let url = review_href(id, &[("bad_reason", "1"), ("reason", &reason)]);
            leptos_axum::redirect(&url);
            return Ok(());
        }
    };
    let decided = store::reject(&pool, &actor, id, &reason).await;
    redirect_after(id, decided, REJECTED)
}

/// Back to the list with what happened, or to the review with why not. A database
/// fault is the page's error, as everywhere.
#[cfg(feature = "ssr")]
fn redirect_after(
    id: i64,
    decided: Result<(), crate::refunds::approvals::store::DecisionProblem>,
    done: &str,
) -> Result<(), AppError> {
    use crate::refunds::approvals::store::DecisionProblem;
    let url = match decided {
        Ok(()) => with_query("/approvals", &[("done", done), ("id", &id.to_string())]),
        Err(DecisionProblem::Database(e)) => return Err(e.into()),
        Err(DecisionProblem::Refused(refused)) => {
            with_query("/approvals", &[("refused", refused.code())])
        }
        Err(DecisionProblem::Password(e)) => review_href(id, &[("password", e.key())]),
        Err(DecisionProblem::Engine(e)) => review_href(id, &[("engine", e.result_code())]),
    };
    leptos_axum::redirect(&url);
    Ok(())
}

fn review_href(id: i64, extra: &[(&str, &str)]) -> String {
    let id = id.to_string();
    let mut pairs = vec![("review", id.as_str())];
    pairs.extend_from_slice(extra);
    with_query("/approvals", &pairs)
}

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let language = use_language();
    let role = use_current_user().role;
    let title = tr!(language, approvals.title);
    view! {
        <Title text=title />
        <h1>{title}</h1>
        {if role.can_refund() {
            view! {
                <Requests />
                {role.can_administer().then(|| view! { <limits::Limits /> })}
            }.into_any()
        } else {
            view! { <Forbidden role /> }.into_any()
        }}
    }
}

#[component]
fn Requests() -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let approve = ServerAction::<ApproveRefund>::new();
    let reject = ServerAction::<RejectRefund>::new();
    let requests = Resource::new_blocking(
        move || (query.get(), approve.version().get(), reject.version().get()),
        |(q, ..)| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            refund_approvals(Outcome {
                done: get("done"),
                refused: get("refused"),
                password: get("password"),
                bad_reason: q.get("bad_reason").map(|_| get("reason")),
                engine: get("engine"),
            })
        },
    );
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, approvals.loading)}</p> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(Requests { list, intro, notice, empty, password_error, reason_error, engine_error }) => {
                        let review = query.read().get("review").and_then(|id| id.parse::<i64>().ok());
                        let reviewed = review.and_then(|id| list.iter().find(|r| r.id == id).cloned());
                        view! {
                            <p class="muted">{intro}</p>
                            {notice.map(|(ok, text)| if ok {
                                view! { <p class="notice ok" role="status">{text}</p> }.into_any()
                            } else {
                                view! { <p class="form-error" role="alert">{text}</p> }.into_any()
                            })}
                            {reviewed.map(|r| view! { <Review request=r approve reject password_error reason_error engine_error /> })}
                            <RequestTable list empty />
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RequestTable(list: Vec<ApprovalView>, empty: String) -> impl IntoView {
    let language = use_language();
    if list.is_empty() {
        return view! { <p class="empty-state">{empty}</p> }.into_any();
    }
    view! {
        <div class="table-wrap" role="region" aria-labelledby="approvals-caption" tabindex="0">
            <table class="data">
                <caption id="approvals-caption" class="visually-hidden">{tr!(language, approvals.table)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr!(language, approvals.payment)}</th>
                        <th scope="col" class="num">{tr!(language, approvals.amount)}</th>
                        <th scope="col">{tr!(language, approvals.status)}</th>
                        <th scope="col">{tr!(language, approvals.requested_by)}</th>
                        <th scope="col">{tr!(language, approvals.requested_at)}</th>
                        <th scope="col">{tr!(language, approvals.expires_at)}</th>
                        <th scope="col">{tr!(language, approvals.reason)}</th>
                        <th scope="col">{tr!(language, approvals.decision)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|r| view! { <RequestRow r /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn RequestRow(r: ApprovalView) -> impl IntoView {
    let language = use_language();
    let pill = format!("pill status-{}", r.status.pill());
    let decision = match r.status {
        ApprovalStatus::Pending if r.own => {
            view! { <span class="muted">{tr!(language, approvals.yours)}</span> }.into_any()
        }
        ApprovalStatus::Pending => {
            let href = review_href(r.id, &[]);
            let label =
                tr_display!(language, approvals.review_label, payment = &r.payment_id).to_string();
            view! { <A href=href attr:class="btn small" attr:aria-label=label>{tr!(language, approvals.review)}</A> }.into_any()
        }
        _ => view! { <Decided r=r.clone() /> }.into_any(),
    };
    view! {
        <tr>
            <td class="mono"><A href=details_href(&r.payment_id)>{r.payment_id.clone()}</A></td>
            <td class="num">{r.amount.clone()}</td>
            <td><span class=pill>{r.status.label(language)}</span></td>
            <td>{r.requested_by.clone()}</td>
            <td class="num-inline">{r.requested_at.clone()}</td>
            <td class="num-inline">{r.expires_at.clone()}</td>
            <td>{r.reason.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{decision}</td>
        </tr>
    }
}

/// Who decided and when; a rejection's reason.
#[component]
pub fn Decided(r: ApprovalView) -> impl IntoView {
    let language = use_language();
    let by = match (r.decided_by, r.decided_at) {
        (Some(by), Some(at)) => {
            tr_display!(language, approvals.decided_by, who = &by, at = &at).to_string()
        }
        (None, Some(at)) => at,
        _ => String::new(),
    };
    view! {
        <span>{by}</span>
        {r.rejection_reason.map(|why| view! { <br /><span class="muted">{why}</span> })}
    }
}

/// The review of one pending request: approve with one's own payment password, or
/// reject with a reason.
#[component]
fn Review(
    request: ApprovalView,
    approve: ServerAction<ApproveRefund>,
    reject: ServerAction<RejectRefund>,
    password_error: Option<String>,
    reason_error: Option<String>,
    engine_error: Option<String>,
) -> impl IntoView {
    let language = use_language();
    let typed_reason = use_query()
        .get_untracked()
        .get("reason")
        .unwrap_or_default();
    let id = request.id.to_string();
    let reject_id = id.clone();
    let heading = tr_display!(
        language,
        approvals.review_title,
        payment = &request.payment_id
    )
    .to_string();
    view! {
        <section class="card review" aria-labelledby="review-title">
            <h2 id="review-title">{heading}</h2>
            <dl class="fields summary">
                <dt>{tr!(language, approvals.amount)}</dt><dd class="num-inline strong">{request.amount.clone()}</dd>
                <dt>{tr!(language, approvals.requested_by)}</dt><dd>{request.requested_by.clone()}</dd>
                <dt>{tr!(language, approvals.requested_at)}</dt><dd class="num-inline">{request.requested_at.clone()}</dd>
                <dt>{tr!(language, approvals.expires_at)}</dt><dd class="num-inline">{request.expires_at.clone()}</dd>
                <dt>{tr!(language, approvals.reason)}</dt><dd>{request.reason.clone().unwrap_or_else(|| "—".into())}</dd>
            </dl>
            {engine_error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="review-forms">
                <ActionForm action=approve>
                    <input type="hidden" name="id" value=id.clone() />
                    <PaymentPasswordField id="approve-password" label=tr!(language, approvals.your_payment_password) error=password_error />
                    <button type="submit" class="btn primary" disabled=move || approve.pending().get()>{tr!(language, approvals.approve)}</button>
                </ActionForm>
                <ActionForm action=reject>
                    <input type="hidden" name="id" value=reject_id />
                    <div class="field" class:invalid=reason_error.is_some()>
                        <label for="reject-reason">{tr!(language, approvals.rejection_reason)}</label>
                        <input id="reject-reason" name="reason" type="text" maxlength="256" required value=typed_reason
                            aria-invalid=reason_error.is_some().then_some("true")
                            aria-describedby=reason_error.is_some().then_some("reject-reason-error") />
                        {reason_error.clone().map(|e| view! { <p id="reject-reason-error" class="field-error" role="alert">{e}</p> })}
                    </div>
                    <button type="submit" class="btn danger" disabled=move || reject.pending().get()>{tr!(language, approvals.reject)}</button>
                </ActionForm>
            </div>
            <p><A href="/approvals">{tr!(language, approvals.cancel_review)}</A></p>
        </section>
    }
}
