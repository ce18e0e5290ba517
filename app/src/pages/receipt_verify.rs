//! The public page where anyone holding a refund receipt checks that it is genuine. A GET
//! form, so it works without the WASM, with the query the receipt's printed link carries
//! (`/receipts/verify?refund=…&code=…`). Public: no session is needed (docs/SECURITY.md).

use crate::error::AppError;
use crate::receipts::verification::{Asked, GenuineReceipt, Verification};
use crate::url::use_query;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use leptos_meta::Title;

/// Checks a receipt's code. Also answers JSON at `/api/verify_receipt?refund=…&code=…`.
#[server(input = GetUrl, endpoint = "verify_receipt")]
pub async fn verify_receipt(refund: String, code: String) -> Result<Verification, AppError> {
    use crate::receipts::verify::{genuine, ReceiptKey};
    let pool = crate::state::app_state().pool;
    let key = use_context::<ReceiptKey>()
        .ok_or_else(|| AppError::internal("no receipt key in the context"))?;
    let facts = genuine(&pool, &key, &refund, &code)
        .await
        .map_err(AppError::internal)?;
    Ok(match facts {
        Some(facts) => Verification::genuine(GenuineReceipt::of(&facts)),
        None => Verification::not_genuine(),
    })
}

#[component]
pub fn ReceiptVerifyPage() -> impl IntoView {
    let query = use_query();
    let asked = Memo::new(move |_| {
        let q = query.read();
        Asked::from_query(q.get("refund"), q.get("code"))
    });
    let answer = Resource::new_blocking(
        move || asked.get(),
        |asked| async move {
            match asked {
                Asked::Both(q) => Some(verify_receipt(q.refund, q.code).await),
                _ => None,
            }
        },
    );
    let missing = move |field: &str| match asked.get() {
        Asked::Incomplete { refund, code } => {
            (field == "refund" && refund) || (field == "code" && code)
        }
        _ => false,
    };
    let value = move |field: &'static str| move || query.read().get(field).unwrap_or_default();
    view! {
        <Title text="Verify a refund receipt" />
        <main class="verify-page">
            <h1>"Verify a refund receipt"</h1>
            <p>"Enter the refund ID and the verification code printed on a Paydesk refund receipt."</p>
            <form method="get" action="/receipts/verify" class="verify-form">
                <div class="field">
                    <label for="refund">"Refund ID"</label>
                    <input id="refund" name="refund" value=value("refund") required
                        aria-invalid=move || missing("refund").then_some("true") />
                    <Show when=move || missing("refund")>
                        <p class="field-error" role="alert">"Enter the refund ID printed on the receipt."</p>
                    </Show>
                </div>
                <div class="field">
                    <label for="code">"Verification code"</label>
                    <input id="code" name="code" value=value("code") required autocomplete="off"
                        aria-invalid=move || missing("code").then_some("true") />
                    <Show when=move || missing("code")>
                        <p class="field-error" role="alert">"Enter the verification code printed on the receipt."</p>
                    </Show>
                </div>
                <button type="submit" class="btn primary">"Verify"</button>
            </form>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Checking the receipt…"</p> }>
                {move || Suspend::new(async move {
                    match answer.await {
                        None => ().into_any(),
                        Some(Ok(answer)) => match answer.receipt() {
                            Some(receipt) => view! { <Genuine receipt=receipt.clone() /> }.into_any(),
                            None => view! { <NotGenuine /> }.into_any(),
                        },
                        Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Genuine(receipt: GenuineReceipt) -> impl IntoView {
    let rows = [
        ("Merchant", receipt.merchant.clone()),
        ("Refund ID", receipt.refund_id.clone()),
        ("Original payment ID", receipt.payment_id.clone()),
        ("Refund amount", receipt.amount_text()),
        (
            "Refund time (UTC)",
            receipt
                .refund_time
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
        ),
        ("Status", receipt.status.label().to_owned()),
    ];
    view! {
        <section class="verify-result genuine" role="status">
            <h2>"Genuine"</h2>
            <p>"This receipt was issued by Paydesk and its facts are unaltered. Compare them with your copy:"</p>
            <dl class="fields">
                {rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        </section>
    }
}

#[component]
fn NotGenuine() -> impl IntoView {
    view! {
        <section class="verify-result not-genuine" role="alert">
            <h2>"Not genuine"</h2>
            <p>"No receipt issued by Paydesk has this refund ID and verification code. Check both against the receipt; if they match, the receipt was not issued by Paydesk or has been altered."</p>
        </section>
    }
}
