//! The requests for approval of a payment, on its details page: the requester (and
//! everyone who refunds) sees whether a refund above the limit is pending, approved,
//! rejected (and why) or expired.

use super::refund::RefundSettled;
use crate::error::AppError;
use crate::locale::use_language;
use crate::pages::approvals::Decided;
use crate::refunds::approvals::{ApprovalStatus, ApprovalView};
use crate::url::use_query;
use leptos::prelude::*;
use leptos_router::components::A;

/// At most this many of one payment's requests are shown, newest first.
#[cfg(feature = "ssr")]
const SHOWN: i64 = 50;

#[server(endpoint = "payment_approvals")]
pub async fn payment_approvals(payment_id: String) -> Result<Vec<ApprovalView>, AppError> {
    let user = crate::auth::session::require_role(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    Ok(crate::refunds::approvals::store::list(
        &pool,
        user.merchant_id,
        user.id,
        Some(&payment_id),
        user.zone,
        user.language,
        SHOWN,
    )
    .await?)
}

/// The requests for approval of the payment `transaction_id`; nothing when it has none.
#[component]
pub fn PaymentApprovals(transaction_id: String) -> impl IntoView {
    let language = use_language();
    let settled = use_context::<RefundSettled>().map(|s| s.0);
    // Read again when the refund dialog opens or closes a result, or while it settles.
    let query = use_query();
    let requests = Resource::new_blocking(
        move || {
            (
                transaction_id.clone(),
                settled.map(|s| s.get()),
                query.read().get("rid"),
            )
        },
        |(id, _, _)| payment_approvals(id),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = requests.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="g-approvals">
                        <h2 id="g-approvals">{tr!(language, approvals.on_payment)}</h2>
                        <div class="table-wrap" role="region" aria-labelledby="g-approvals" tabindex="0">
                            <table class="data" aria-labelledby="g-approvals">
                                <thead><tr>
                                    <th scope="col" class="num">{tr!(language, approvals.amount)}</th>
                                    <th scope="col">{tr!(language, approvals.status)}</th>
                                    <th scope="col">{tr!(language, approvals.requested_by)}</th>
                                    <th scope="col">{tr!(language, approvals.requested_at)}</th>
                                    <th scope="col">{tr!(language, approvals.decision)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|r| view! { <Row r /> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                })
            })}
        </Suspense>
    }
}

#[component]
fn Row(r: ApprovalView) -> impl IntoView {
    let language = use_language();
    let pill = format!("pill status-{}", r.status.pill());
    let decision = match r.status {
        ApprovalStatus::Pending => view! {
            <A href="/approvals">{tr!(language, approvals.waiting)}</A>
        }
        .into_any(),
        _ => view! { <Decided r=r.clone() /> }.into_any(),
    };
    view! {
        <tr>
            <td class="num">{r.amount.clone()}</td>
            <td><span class=pill>{r.status.label(language)}</span></td>
            <td>{r.requested_by.clone()}</td>
            <td class="num-inline">{r.requested_at.clone()}</td>
            <td>{decision}</td>
        </tr>
    }
}
