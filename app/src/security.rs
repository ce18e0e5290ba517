//! The Content Security Policy of rendered pages. Leptos's hydration script is inline,
//! so each page gets a fresh nonce that the policy allows and nothing else.

use leptos::nonce::{provide_nonce, use_nonce};
use leptos::prelude::use_context;

/// The files of `public/` served at the site's root: icons and the web manifest. Like
/// everything under /pkg/, anyone may fetch them and browsers may cache them.
pub const PUBLIC_FILES: [&str; 6] = [
    "/favicon.ico",
    "/favicon.svg",
    "/apple-touch-icon.png",
    "/icon-192.png",
    "/icon-512.png",
    "/site.webmanifest",
];

/// Whether `path` is a static file (the WASM, script and style under /pkg/, the icons).
pub fn is_static_file(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/assets/") || PUBLIC_FILES.contains(&path)
}

/// The policy for a page whose inline scripts carry `nonce`.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Generates this response's nonce for Leptos's scripts and sends the matching policy.
pub fn provide_csp_nonce() {
    provide_nonce();
    let (Some(nonce), Some(response)) =
        (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&policy(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
