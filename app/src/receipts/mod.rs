//! Refund receipts: an official proof, as a PDF in English, Simplified Chinese or
//! Brazilian Portuguese, that a refund succeeded, with a verification code anyone
//! holding it can check on Paydesk's public verification page.
//!
//! The languages, download links and the verification page's answer are shared with
//! the browser; the content, the code, the PDF and the SQL are server-only.

pub mod lang;
pub mod menu;
pub mod verification;

#[cfg(feature = "ssr")]
pub mod content;
#[cfg(feature = "ssr")]
pub mod load;
#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod verify;

pub use lang::Language;

/// Where the receipt of refund `refund_id` in `language` downloads from.
pub fn download_href(refund_id: &str, language: Language) -> String {
    format!(
        "/receipts/{}.pdf?lang={}",
        crate::url::encode_component(refund_id),
        language.tag()
    )
}

/// The public page that checks a receipt's code, relative to Paydesk's address.
pub fn verify_path(refund_id: &str, code: &str) -> String {
    format!(
        "/receipts/verify?refund={}&code={}",
        crate::url::encode_component(refund_id),
        crate::url::encode_component(code)
    )
}

/// The PDF of `facts` in `language` and its verification code. `base_url` is Paydesk's
/// public address (no trailing slash), printed with the verification link. Runs on the
/// blocking pool: font subsetting and compression would stall the reactor.
#[cfg(feature = "ssr")]
pub async fn generate(
    facts: content::RefundFacts,
    language: Language,
    key: std::sync::Arc<[u8]>,
    base_url: String,
) -> Result<Vec<u8>, tokio::task::JoinError> {
    tokio::task::spawn_blocking(move || generate_blocking(&facts, language, &key, &base_url)).await
}

/// [`generate`] on the calling thread (benchmarks and tests).
#[cfg(feature = "ssr")]
pub fn generate_blocking(
    facts: &content::RefundFacts,
    language: Language,
    key: &[u8],
    base_url: &str,
) -> Vec<u8> {
    let code = verify::code(key, facts);
    let url = format!("{base_url}{}", verify_path(&facts.refund_id, &code));
    pdf::render(&content::build(facts, language, &code, url))
}
