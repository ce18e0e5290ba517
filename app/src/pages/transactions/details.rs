//! The details page of one transaction: every field in groups, the related
//! transactions, and the Refund button (greyed out with the reason when refused).

use super::notifications::NotificationLog;
use super::refund::{dialog_href, RefundDialog, RefundSettled};
use super::table::StatusPill;
use crate::components::copy::CopyButton;
use crate::components::shell::use_current_user;
use crate::error::AppError;
use crate::receipts::menu::ReceiptMenu;
use crate::transactions::kind::{TransactionStatus, TransactionType};
use crate::transactions::view::TransactionView;
use crate::transactions::view::{Details, RefundState};
use crate::url::use_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_params_map;

#[server(endpoint = "transaction_details")]
pub async fn transaction_details(transaction_id: String) -> Result<Option<Details>, AppError> {
    let user = crate::auth::session::require_user().await?;
    let pool = crate::replica::read_pool().await?;
    let zone = user.zone;
    let (details, options) = tokio::join!(
        crate::transactions::details::load(
            &pool,
            user.merchant_id,
            &transaction_id,
            zone,
            chrono::Utc::now(),
        ),
        super::cached_options(&pool, user.merchant_id)
    );
    let (mut details, options) = (details?, options?);
    if let Some(d) = details.as_mut() {
        options.show_names(&mut d.transaction);
        d.related.iter_mut().for_each(|r| options.show_names(r));
    }
    if details.is_none() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    Ok(details)
}

#[component]
pub fn TransactionDetailsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query();
    let id = move || params.read().get("id").unwrap_or_default();
    // Reloaded when a refund's result shows and while it settles, so that the new
    // refund appears in Related transactions at once and its status follows.
    let settled = RwSignal::new(0u32);
    provide_context(RefundSettled(settled));
    let result_of = move || {
        let q = query.read();
        (q.get("refund").as_deref() == Some("result")).then(|| q.get("rid"))
    };
    // Blocking, so that a missing transaction answers 404 rather than a streamed 200.
    let details = Resource::new_blocking(
        move || (id(), result_of(), settled.get()),
        |(id, _, _)| transaction_details(id),
    );
    view! {
        <Title text="Transaction details" />
        <p class="breadcrumb"><A href="/transactions">"← Transaction query"</A></p>
        {move || view! { <RefundDialog transaction_id=id() /> }}
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the transaction…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(Some(d)) => view! { <DetailsView details=d /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        // Beside the details rather than inside them: a resource inside another
        // resource's view does not hydrate.
        {move || use_current_user().role.can_refund().then(|| view! { <NotificationLog transaction_id=id() /> })}
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="empty-state" role="alert">
            <h1>"Transaction not found"</h1>
            <p>"No transaction of your merchant has this ID."</p>
        </section>
    }
}

#[component]
fn DetailsView(details: Details) -> impl IntoView {
    let Details {
        transaction: t,
        related,
        refund,
    } = details;
    let is_payment = t.transaction_type.is_payment();
    let kind = t.transaction_type.label();
    // Receipts exist for successful refunds only: on the refund itself, and on its
    // payment one menu per successful refund.
    let successful_refund = |r: &TransactionView| {
        r.transaction_type == TransactionType::Refund && r.status == TransactionStatus::Success
    };
    let receipts: Vec<String> = if successful_refund(&t) {
        vec![t.transaction_id.clone()]
    } else if is_payment {
        related
            .iter()
            .filter(|r| successful_refund(r))
            .map(|r| r.transaction_id.clone())
            .collect()
    } else {
        Vec::new()
    };
    let several = receipts.len() > 1;
    view! {
        <div class="page-head">
            <h1>{format!("{kind} {}", t.transaction_id)}</h1>
            <StatusPill status=t.status />
            <RefundButton transaction_id=t.transaction_id.clone() refund />
            {receipts.into_iter().map(|id| {
                let label = several.then(|| format!("Download refund receipt ({id})"));
                view! { <ReceiptMenu refund_id=id label=label /> }
            }).collect_view()}
        </div>
        <div class="details-grid">
            <section class="card" aria-labelledby="g-summary">
                <h2 id="g-summary">"Summary"</h2>
                <dl class="fields">
                    <dt>"Transaction type"</dt><dd>{kind}</dd>
                    <dt>"Status"</dt><dd>{t.status.label()}</dd>
                    <dt>"Amount"</dt><dd class="num-inline">{format!("{} {}", t.amount, t.currency)}</dd>
                    <dt>"Serial no."</dt><dd>{t.serial_no.clone()}</dd>
                    <dt>"Reason"</dt><dd>{t.reason.clone().unwrap_or_else(|| "—".into())}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="g-settlement">
                <h2 id="g-settlement">"Amounts and settlement"</h2>
                <dl class="fields">
                    <dt>"Transaction amount"</dt><dd class="num-inline">{format!("{} {}", t.amount, t.currency)}</dd>
                    <dt>"Settlement amount"</dt>
                    <dd class="num-inline">{t.settlement_amount.clone().map_or("—".into(), |a| format!("{a} {}", t.settlement_currency.clone().unwrap_or_default()))}</dd>
                    <dt>"Settlement quote"</dt>
                    <dd>{t.settlement_quote.clone().map_or("—".into(), |q| format!("1 {} = {q} {}", t.currency, t.settlement_currency.clone().unwrap_or_default()))}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="g-method">
                <h2 id="g-method">"Payment method and acquirer"</h2>
                <dl class="fields">
                    <dt>"Payment method type"</dt><dd>{t.payment_method.clone()}</dd>
                    <dt>"Acquirer"</dt><dd>{t.acquirer.clone()}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="g-ids">
                <h2 id="g-ids">"IDs"</h2>
                <dl class="fields">
                    <IdField label="Transaction ID" value=Some(t.transaction_id.clone()) />
                    <IdField label="Reference transaction ID" value=t.reference_transaction_id.clone() />
                    <IdField label="Transaction request ID" value=t.transaction_request_id.clone() />
                    <IdField label="Acquirer transaction ID" value=t.acquirer_transaction_id.clone() />
                    <IdField label="Original transaction ID" value=t.original_transaction_id.clone() />
                </dl>
            </section>
            <section class="card" aria-labelledby="g-times">
                <h2 id="g-times">"Times"</h2>
                <dl class="fields">
                    <dt>"Creation time"</dt><dd>{t.created_at.clone()}</dd>
                    <dt>"Finish time"</dt><dd>{t.finished_at.clone().unwrap_or_else(|| "—".into())}</dd>
                </dl>
            </section>
        </div>
        <RelatedTransactions related is_payment />
    }
}

/// An ID with a button that copies it.
#[component]
fn IdField(label: &'static str, value: Option<String>) -> impl IntoView {
    let Some(value) = value else {
        return view! { <dt>{label}</dt><dd>"—"</dd> }.into_any();
    };
    let copy =
        view! { <CopyButton value=value.clone() text="Copy" label=format!("Copy {label}") /> };
    // Shortened to fit with an ellipsis; the title and a copy hold the whole ID.
    let whole = value.clone();
    view! {
        <dt>{label}</dt>
        <dd class="id-value">
            <span class="mono" title=whole>{value}</span>
            {copy}
        </dd>
    }
    .into_any()
}

/// The Refund button opens the refund dialog (a GET form, so it works without the
/// WASM). Greyed out with the reason when the payment cannot be refunded or the user's
/// role may not refund.
#[component]
fn RefundButton(transaction_id: String, refund: RefundState) -> impl IntoView {
    let role = use_current_user().role;
    let refund = match refund {
        RefundState::Available { .. } if !role.can_refund() => RefundState::Blocked {
            reason: format!("Your role ({role}) cannot refund."),
        },
        other => other,
    };
    match refund {
        RefundState::NotOffered => ().into_any(),
        RefundState::Available { refundable, currency, .. } => view! {
            <Form method="GET" on_form_data=crate::url::drop_unnamed() action=dialog_href(&transaction_id, &[]) attr:class="refund-action">
                <input type="hidden" name="refund" value="form" />
                <button type="submit" id=super::refund::REFUND_BUTTON_ID class="btn primary" aria-describedby="refundable-now">"Refund"</button>
                <span id="refundable-now" class="muted">{format!("Refundable: {refundable} {currency}")}</span>
            </Form>
        }
        .into_any(),
        RefundState::Blocked { reason } => view! {
            <div class="refund-action">
                <button type="button" class="btn" disabled=true aria-describedby="refund-blocked">"Refund"</button>
                <span id="refund-blocked" class="muted">{reason}</span>
            </div>
        }
        .into_any(),
    }
}

#[component]
fn RelatedTransactions(related: Vec<TransactionView>, is_payment: bool) -> impl IntoView {
    let title = if is_payment {
        "Related transactions"
    } else {
        "Original payment"
    };
    view! {
        <section class="card" aria-labelledby="g-related">
            <h2 id="g-related">{title}</h2>
            {if related.is_empty() {
                view! { <p class="empty-state">"No related transactions."</p> }.into_any()
            } else {
                // Its own sideways scroll on a narrow screen, as the query's table.
                view! {
                    <div class="table-wrap" role="region" aria-label=format!("{title}, scrollable") tabindex="0">
                    <table class="data" aria-labelledby="g-related">
                        <thead>
                            <tr>
                                <th scope="col">"Transaction ID"</th>
                                <th scope="col">"Transaction type"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"Amount"</th>
                                <th scope="col">"Creation time"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {related.into_iter().map(|r| view! {
                                <tr>
                                    <td class="mono"><A href=super::details_href(&r.transaction_id)>{r.transaction_id.clone()}</A></td>
                                    <td>{r.transaction_type.label()}</td>
                                    <td><StatusPill status=r.status /></td>
                                    <td class="num">{format!("{} {}", r.amount, r.currency)}</td>
                                    <td>{r.created_at.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
