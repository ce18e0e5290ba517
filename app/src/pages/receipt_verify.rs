//! The public page where anyone holding a refund receipt checks that it is genuine. A GET
//! form, so it works without the WASM, with the query the receipt's printed link carries
//! (`/receipts/verify?refund=…&code=…`). Public: no session is needed (docs/SECURITY.md).

use crate::error::AppError;
use crate::i18n::td_string;
use crate::locale::{use_language, Language};
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
    // Signed out: the language is the browser's, as the server chose it for the page.
    let language = use_language();
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
        <Title text=tr!(language, receipt_verify.title) />
        <main class="verify-page">
            <h1>{tr!(language, receipt_verify.title)}</h1>
            <p>{tr!(language, receipt_verify.intro)}</p>
            <form method="get" action="/receipts/verify" class="verify-form">
                <div class="field">
                    <label for="refund">{tr!(language, receipt_verify.refund_id)}</label>
                    <input id="refund" name="refund" value=value("refund") required
                        aria-invalid=move || missing("refund").then_some("true") />
                    <Show when=move || missing("refund")>
                        <p class="field-error" role="alert">{tr!(language, receipt_verify.missing_refund)}</p>
                    </Show>
                </div>
                <div class="field">
                    <label for="code">{tr!(language, receipt_verify.code)}</label>
                    <input id="code" name="code" value=value("code") required autocomplete="off"
                        aria-invalid=move || missing("code").then_some("true") />
                    <Show when=move || missing("code")>
                        <p class="field-error" role="alert">{tr!(language, receipt_verify.missing_code)}</p>
                    </Show>
                </div>
                <button type="submit" class="btn primary">{tr!(language, receipt_verify.verify)}</button>
            </form>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, receipt_verify.checking)}</p> }>
                {move || Suspend::new(async move {
                    match answer.await {
                        None => ().into_any(),
                        Some(Ok(answer)) => match answer.receipt() {
                            Some(receipt) => view! { <Genuine receipt=receipt.clone() /> }.into_any(),
                            None => view! { <NotGenuine /> }.into_any(),
                        },
                        Some(Err(e)) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Genuine(receipt: GenuineReceipt) -> impl IntoView {
    let language = use_language();
    let l = language.locale();
    let rows = [
        (
            td_string!(l, receipt_verify.merchant),
            receipt.merchant.clone(),
        ),
        (
            td_string!(l, receipt_verify.refund_id),
            receipt.refund_id.clone(),
        ),
        (
            td_string!(l, receipt_verify.original_payment_id),
            receipt.payment_id.clone(),
        ),
        (
            td_string!(l, receipt_verify.refund_amount),
            receipt.amount_text(language),
        ),
        (
            td_string!(l, receipt_verify.refund_time_utc),
            utc_time(language, receipt.refund_time),
        ),
        (
            td_string!(l, receipt_verify.status),
            receipt.status.label_in(language).to_owned(),
        ),
    ];
    view! {
        <section class="verify-result genuine" role="status">
            <h2>{tr!(language, receipt_verify.genuine)}</h2>
            <p>{tr!(language, receipt_verify.genuine_text)}</p>
            <dl class="fields">
                {rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        </section>
    }
}

#[component]
fn NotGenuine() -> impl IntoView {
    let language = use_language();
    view! {
        <section class="verify-result not-genuine" role="alert">
            <h2>{tr!(language, receipt_verify.not_genuine)}</h2>
            <p>{tr!(language, receipt_verify.not_genuine_text)}</p>
        </section>
    }
}

/// The refund's time in UTC as `language` writes it: "2026-11-29 18:05:11 UTC".
fn utc_time(language: Language, at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let hms = (at.hour(), at.minute(), at.second());
    format!(
        "{} UTC",
        language.date_time(at.year(), at.month(), at.day(), hms)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refund_time_is_written_in_the_language_and_says_utc() {
        let at = "2026-11-29T18:05:11Z".parse().unwrap();
        assert_eq!(utc_time(Language::En, at), "2026-11-29 18:05:11 UTC");
        assert_eq!(utc_time(Language::ZhCn, at), "2026年11月29日 18:05:11 UTC");
        assert_eq!(utc_time(Language::PtBr, at), "29/11/2026 18:05:11 UTC");
    }
}
