//! The language of a request on the server: the signed-in user's setting, else the
//! language the browser was given in the language menu (a cookie), else its
//! `Accept-Language`, else English.

use super::Language;
use crate::auth::session::SessionUser;
use leptos::prelude::use_context;

/// The language of a request, from its parts.
pub fn of_request(parts: &http::request::Parts) -> Language {
    if let Some(user) = parts.extensions.get::<SessionUser>() {
        return user.language;
    }
    from_headers(&parts.headers)
}

/// The cookie that keeps the language chosen in the menu, for the pages before signing in.
const COOKIE: &str = "paydesk_language";

/// The browser's language: the one chosen in the menu, else its preferred language that
/// Paydesk speaks, else English.
pub fn from_headers(headers: &http::HeaderMap) -> Language {
    chosen(headers)
        .or_else(|| {
            headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or_default()
}

/// The language of the cookie, if it names one Paydesk speaks.
fn chosen(headers: &http::HeaderMap) -> Option<Language> {
    crate::cookies::values(headers, COOKIE)
        .next()
        .and_then(Language::parse)
}

/// Has the browser keep `language` for a year (in the response of a server function).
pub fn remember(language: Language) {
    let secure = if crate::state::app_state().config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}",
        language.tag()
    );
    let response = use_context::<leptos_axum::ResponseOptions>();
    if let (Ok(value), Some(response)) = (http::HeaderValue::try_from(cookie), response) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// The language of the page being rendered (English outside a request).
pub fn page_language() -> Language {
    use_context::<http::request::Parts>().map_or(Language::En, |parts| of_request(&parts))
}
