//! The details page of one transaction: every field in groups, the related
//! transactions, and the Refund button (greyed out with the reason when refused).

use super::approvals::PaymentApprovals;
use super::notifications::NotificationLog;
use super::refund::{dialog_href, RefundDialog, RefundSettled};
use super::table::StatusPill;
use crate::components::copy::CopyButton;
use crate::components::shell::use_current_user;
use crate::error::AppError;
use crate::i18n::{td_display, td_string};
use crate::locale::use_language;
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
    let state = crate::state::app_state();
    let user = crate::auth::session::require_user().await?;
    let pool = crate::replica::read_pool().await?;
    let zone = user.zone;
    let (details, options) = tokio::join!(
        crate::transactions::details::load(
            &pool,
            user.merchant_id,
            &transaction_id,
            zone,
            user.language,
            chrono::Utc::now(),
        ),
        super::cached_options(&state, &pool, user.merchant_id)
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
    let language = use_language();
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
        <Title text=tr!(language, details.title) />
        <p class="breadcrumb"><A href="/transactions">{tr!(language, details.back_to_query)}</A></p>
        {move || view! { <RefundDialog transaction_id=id() /> }}
        <Transition fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, details.loading)}</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(Some(d)) => view! { <DetailsView details=d /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Transition>
        // Beside the details rather than inside them: a resource inside another
        // resource's view does not hydrate.
        {move || use_current_user().role.can_refund().then(|| view! {
            <PaymentApprovals transaction_id=id() />
            <NotificationLog transaction_id=id() />
        })}
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let language = use_language();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="empty-state" role="alert">
            <h1>{tr!(language, details.not_found_title)}</h1>
            <p>{tr!(language, details.not_found_text)}</p>
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
    let language = use_language();
    let l = language.locale();
    let is_payment = t.transaction_type.is_payment();
    let kind = t.transaction_type.label_in(language);
    let amount = language.money(t.amount_minor, &t.currency);
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
            <h1>{td_display!(l, details.heading, kind, id = t.transaction_id.clone()).to_string()}</h1>
            <StatusPill status=t.status />
            <RefundButton transaction_id=t.transaction_id.clone() refund />
            {receipts.into_iter().map(|id| {
                let label = several.then(|| td_display!(l, receipts.download_for, id = id.clone()).to_string());
                view! { <ReceiptMenu refund_id=id label=label /> }
            }).collect_view()}
        </div>
        <div class="details-grid">
            <section class="card" aria-labelledby="g-summary">
                <h2 id="g-summary">{tr!(language, details.summary)}</h2>
                <dl class="fields">
                    <dt>{tr!(language, details.transaction_type)}</dt><dd>{kind}</dd>
                    <dt>{tr!(language, details.status)}</dt><dd>{t.status.label_in(language)}</dd>
                    <dt>{tr!(language, details.amount)}</dt><dd class="num-inline">{amount.clone()}</dd>
                    <dt>{tr!(language, details.serial_no)}</dt><dd>{t.serial_no.clone()}</dd>
                    <dt>{tr!(language, details.reason)}</dt><dd>{t.reason.clone().unwrap_or_else(|| "—".into())}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="g-settlement">
                <h2 id="g-settlement">{tr!(language, details.amounts_and_settlement)}</h2>
                <dl class="fields">
                    <dt>{tr!(language, details.transaction_amount)}</dt><dd class="num-inline">{amount}</dd>
                    <dt>{tr!(language, details.settlement_amount)}</dt>
                    <dd class="num-inline">{t.settlement_amount.clone().map_or("—".into(), |a| format!("{a} {}", t.settlement_currency.clone().unwrap_or_default()))}</dd>
                    <dt>{tr!(language, details.settlement_quote)}</dt>
                    <dd>{t.settlement_quote.clone().map_or("—".into(), |q| format!("1 {} = {q} {}", t.currency, t.settlement_currency.clone().unwrap_or_default()))}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="g-method">
                <h2 id="g-method">{tr!(language, details.method_and_acquirer)}</h2>
                <dl class="fields">
                    <dt>{tr!(language, details.payment_method_type)}</dt><dd>{t.payment_method.clone()}</dd>
                    <dt>{tr!(language, details.acquirer)}</dt><dd>{t.acquirer.clone()}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="g-ids">
                <h2 id="g-ids">{tr!(language, details.ids)}</h2>
                <dl class="fields">
                    <IdField label=td_string!(l, details.transaction_id) value=Some(t.transaction_id.clone()) />
                    <IdField label=td_string!(l, details.reference_transaction_id) value=t.reference_transaction_id.clone() />
                    <IdField label=td_string!(l, details.transaction_request_id) value=t.transaction_request_id.clone() />
                    <IdField label=td_string!(l, details.acquirer_transaction_id) value=t.acquirer_transaction_id.clone() />
                    <IdField label=td_string!(l, details.original_transaction_id) value=t.original_transaction_id.clone() />
                </dl>
            </section>
            <section class="card" aria-labelledby="g-times">
                <h2 id="g-times">{tr!(language, details.times)}</h2>
                <dl class="fields">
                    <dt>{tr!(language, details.creation_time)}</dt><dd>{t.created_at.clone()}</dd>
                    <dt>{tr!(language, details.finish_time)}</dt><dd>{t.finished_at.clone().unwrap_or_else(|| "—".into())}</dd>
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
    let l = use_language().locale();
    let copy = view! {
        <CopyButton value=value.clone() text=td_string!(l, details.copy)
            label=td_display!(l, details.copy_label, label).to_string() />
    };
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
    let language = use_language();
    let role = use_current_user().role;
    let refund = match refund {
        RefundState::Available { .. } if !role.can_refund() => RefundState::Blocked {
            reason: td_display!(
                language.locale(),
                details.role_cannot_refund,
                role = role.label(language)
            )
            .to_string(),
        },
        other => other,
    };
    match refund {
        RefundState::NotOffered => ().into_any(),
        RefundState::Available { refundable_minor, currency, .. } => view! {
            <Form method="GET" on_form_data=crate::url::drop_unnamed() action=dialog_href(&transaction_id, &[]) attr:class="refund-action">
                <input type="hidden" name="refund" value="form" />
                <button type="submit" id=super::refund::REFUND_BUTTON_ID class="btn primary" aria-describedby="refundable-now">{tr!(language, details.refund)}</button>
                <span id="refundable-now" class="muted">{tr!(language, details.refundable, amount = language.money(refundable_minor, &currency))}</span>
            </Form>
        }
        .into_any(),
        RefundState::Blocked { reason } => view! {
            <div class="refund-action">
                <button type="button" class="btn" disabled=true aria-describedby="refund-blocked">{tr!(language, details.refund)}</button>
                <span id="refund-blocked" class="muted">{reason}</span>
            </div>
        }
        .into_any(),
    }
}

#[component]
fn RelatedTransactions(related: Vec<TransactionView>, is_payment: bool) -> impl IntoView {
    let language = use_language();
    let l = language.locale();
    let title = if is_payment {
        td_string!(l, details.related_transactions)
    } else {
        td_string!(l, details.original_payment)
    };
    view! {
        <section class="card" aria-labelledby="g-related">
            <h2 id="g-related">{title}</h2>
            {if related.is_empty() {
                view! { <p class="empty-state">{tr!(language, details.no_related)}</p> }.into_any()
            } else {
                // Its own sideways scroll on a narrow screen, as the query's table.
                view! {
                    <div class="table-wrap" role="region" aria-label=td_display!(l, details.scrollable, title).to_string() tabindex="0">
                    <table class="data" aria-labelledby="g-related">
                        <thead>
                            <tr>
                                <th scope="col">{tr!(language, details.transaction_id)}</th>
                                <th scope="col">{tr!(language, details.transaction_type)}</th>
                                <th scope="col">{tr!(language, details.status)}</th>
                                <th scope="col" class="num">{tr!(language, details.amount)}</th>
                                <th scope="col">{tr!(language, details.creation_time)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {related.into_iter().map(|r| view! {
                                <tr>
                                    <td class="mono"><A href=super::details_href(&r.transaction_id)>{r.transaction_id.clone()}</A></td>
                                    <td>{r.transaction_type.label_in(language)}</td>
                                    <td><StatusPill status=r.status /></td>
                                    <td class="num">{language.money(r.amount_minor, &r.currency)}</td>
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
