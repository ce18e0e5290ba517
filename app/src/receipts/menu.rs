//! "Download refund receipt": a disclosure with one link per language, the user's own
//! first. The links are plain downloads, so they work before the WASM loads; once
//! hydrated, a click fetches the PDF itself so the page can say "Preparing your
//! receipt…" and then that it is done, or why not.

use super::{download_href, Language};
use crate::i18n::{td_display, td_string};
use crate::locale::use_language;
use leptos::prelude::*;

/// Why the server refuses a download (server/src/receipts.rs); the menu shows its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownloadRefusal<'a> {
    SignedOut,
    NotFound,
    NotARefund,
    /// A refund that has not succeeded, with its status code (PROCESSING, FAIL…).
    NotSuccessful(&'a str),
    /// A `lang` that is no receipt language, as given.
    UnknownLanguage(&'a str),
    GenerationFailed,
}

impl DownloadRefusal<'_> {
    /// The refusal in `language`, the user's (not the receipt's).
    pub fn message(self, language: Language) -> String {
        let l = language.locale();
        match self {
            DownloadRefusal::SignedOut => td_string!(l, errors.signed_out).into(),
            DownloadRefusal::NotFound => td_string!(l, receipts.not_found).into(),
            DownloadRefusal::NotARefund => td_string!(l, receipts.not_a_refund).into(),
            DownloadRefusal::NotSuccessful(status) => {
                td_display!(l, receipts.not_successful, status).to_string()
            }
            DownloadRefusal::UnknownLanguage(tag) => {
                let tag = format!("{tag:?}");
                td_display!(l, receipts.unknown_language, tag).to_string()
            }
            DownloadRefusal::GenerationFailed => td_string!(l, receipts.generation_failed).into(),
        }
    }
}

/// The receipt languages in the order the menu lists them: `first`, then the others.
fn menu_order(first: Language) -> impl Iterator<Item = Language> {
    std::iter::once(first).chain(Language::ALL.into_iter().filter(move |l| *l != first))
}

/// The menu for the successful refund `refund_id`; `label` tells several apart (on a
/// payment with more than one refund).
#[component]
pub fn ReceiptMenu(refund_id: String, label: Option<String>) -> impl IntoView {
    let user_language = use_language();
    let l = user_language.locale();
    let status = RwSignal::new(String::new());
    let summary = label.unwrap_or_else(|| td_string!(l, receipts.download).to_owned());
    let links = menu_order(user_language)
        .map(|language| {
            let href = download_href(&refund_id, language);
            let filename = format!("refund-receipt-{refund_id}-{}.pdf", language.tag());
            let target = href.clone();
            let on_click = move |ev: leptos::ev::MouseEvent| {
                #[cfg(feature = "hydrate")]
                {
                    ev.prevent_default();
                    status.set(td_string!(l, receipts.preparing).to_owned());
                    let (target, filename) = (target.clone(), filename.clone());
                    leptos::task::spawn_local(async move {
                        match fetch_and_save(&target, &filename, user_language).await {
                            Ok(()) => status.set(td_string!(l, receipts.downloaded).to_owned()),
                            Err(message) => status.set(message),
                        }
                    });
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (&ev, &target, &filename, status, l);
            };
            view! {
                <li>
                    <a href=href download="" hreflang=language.tag() lang=language.tag() on:click=on_click>
                        {language.native_name()}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <details class="receipt-menu">
            <summary class="btn">{summary}</summary>
            <ul class="receipt-languages">{links}</ul>
            <p class="receipt-status muted" role="status" aria-live="polite">{move || status.get()}</p>
        </details>
    }
}

/// Downloads `href` and hands it to the browser as `filename`; the error is a sentence
/// for the user, in `language` (the server words its refusals in it too).
#[cfg(feature = "hydrate")]
async fn fetch_and_save(href: &str, filename: &str, language: Language) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let l = language.locale();
    let failed = || td_string!(l, receipts.download_failed).to_owned();
    let window = web_sys::window().ok_or_else(failed)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(href))
        .await
        .map_err(|_| failed())?
        .dyn_into()
        .map_err(|_| failed())?;
    let content_type = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    if !response.ok() {
        // The server explains refusals in plain text (not a successful refund, not found).
        let text = match response.text() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_string()),
            Err(_) => None,
        };
        return Err(text
            .filter(|t| !t.is_empty() && t.len() < 300)
            .unwrap_or_else(failed));
    }
    if !content_type.starts_with("application/pdf") {
        // A session that ended is answered with the login page.
        return Err(td_string!(l, receipts.session_ended).to_owned());
    }
    let blob: web_sys::Blob = JsFuture::from(response.blob().map_err(|_| failed())?)
        .await
        .map_err(|_| failed())?
        .dyn_into()
        .map_err(|_| failed())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| failed())?;
    let document = window.document().ok_or_else(failed)?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| failed())?
        .dyn_into()
        .map_err(|_| failed())?;
    anchor.set_href(&url);
    anchor.set_download(filename);
    let body = document.body().ok_or_else(failed)?;
    body.append_child(&anchor).map_err(|_| failed())?;
    anchor.click();
    anchor.remove();
    // Revoked a little later: the browser reads the blob after the click returns.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_language_comes_first_and_every_language_once() {
        let order = |l| menu_order(l).collect::<Vec<_>>();
        assert_eq!(order(Language::En), Language::ALL);
        assert_eq!(
            order(Language::PtBr),
            [Language::PtBr, Language::En, Language::ZhCn]
        );
        assert_eq!(
            order(Language::ZhCn),
            [Language::ZhCn, Language::En, Language::PtBr]
        );
    }

    #[test]
    fn refused_downloads_are_explained_in_the_users_language() {
        assert_eq!(
            DownloadRefusal::UnknownLanguage("fr").message(Language::En),
            "Receipts are available in English (en), Chinese (zh-CN) and Portuguese (pt-BR), not \"fr\"."
        );
        assert_eq!(
            DownloadRefusal::NotSuccessful("PROCESSING").message(Language::En),
            "This refund is PROCESSING: only successful refunds have receipts."
        );
        assert_eq!(
            DownloadRefusal::NotFound.message(Language::PtBr),
            "Nenhum reembolso do seu estabelecimento tem este ID."
        );
        assert_eq!(
            DownloadRefusal::SignedOut.message(Language::ZhCn),
            "您的登录已失效，请重新登录。"
        );
    }
}
