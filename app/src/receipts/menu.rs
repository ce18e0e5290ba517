//! "Download refund receipt": a disclosure with one link per language. The links are
//! plain downloads, so they work before the WASM loads; once hydrated, a click fetches
//! the PDF itself so the page can say "Preparing your receipt…" and then that it is
//! done, or why not.

use super::{download_href, Language};
use leptos::prelude::*;

/// The menu for the successful refund `refund_id`; `label` tells several apart (on a
/// payment with more than one refund).
#[component]
pub fn ReceiptMenu(refund_id: String, label: Option<String>) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let summary = label.unwrap_or_else(|| "Download refund receipt".to_owned());
    let links = Language::ALL
        .into_iter()
        .map(|language| {
            let href = download_href(&refund_id, language);
            let filename = format!("refund-receipt-{refund_id}-{}.pdf", language.tag());
            let target = href.clone();
            let on_click = move |ev: leptos::ev::MouseEvent| {
                #[cfg(feature = "hydrate")]
                {
                    ev.prevent_default();
                    status.set("Preparing your receipt…".to_owned());
                    let (target, filename) = (target.clone(), filename.clone());
                    leptos::task::spawn_local(async move {
                        match fetch_and_save(&target, &filename).await {
                            Ok(()) => status.set("Your receipt has been downloaded.".to_owned()),
                            Err(message) => status.set(message),
                        }
                    });
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (&ev, &target, &filename, status);
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
/// for the user.
#[cfg(feature = "hydrate")]
async fn fetch_and_save(href: &str, filename: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let failed =
        || "The receipt could not be downloaded. Check your connection and try again.".to_owned();
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
        return Err("Your session has ended. Sign in again to download the receipt.".to_owned());
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
