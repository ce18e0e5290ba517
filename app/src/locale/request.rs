//! The language of a request on the server: the signed-in user's setting, else the
//! browser's `Accept-Language`, else English.

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

/// The browser's preferred language that Paydesk speaks, else English.
pub fn from_headers(headers: &http::HeaderMap) -> Language {
    headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Language::from_accept_language)
        .unwrap_or_default()
}

/// The language of the page being rendered (English outside a request).
pub fn page_language() -> Language {
    use_context::<http::request::Parts>().map_or(Language::En, |parts| of_request(&parts))
}
