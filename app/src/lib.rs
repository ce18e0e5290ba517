//! Paydesk's pages, components and server functions. The server-side domain (database
//! access, sessions, password hashing) is compiled only with the `ssr` feature.

// Leptos view types nest deeply (the signed-in frame alone is ~130 levels); the
// release build of the browser half computes their layouts and needs more than 128.
#![recursion_limit = "256"]

/// The text of a catalogue key in a language, as a plain string (a `String` when it has
/// values): `tr!(language, shell.sign_out)`, `tr!(language, details.refundable, amount =
/// a)`. Pages take the language from `locale::use_language()`, server code from the
/// user or the request. Never the crate's reactive `t!`: a page never changes language
/// in place (choosing one reloads it), and each reactive text would add view and signal
/// code of its own to the WASM (docs/LANGUAGES.md).
macro_rules! tr {
    ($language:expr, $($key:tt)+) => {
        $crate::i18n::td_string!($crate::locale::Language::locale($language), $($key)+)
    };
}

/// [`tr!`] for texts with values where something implementing `Display` will do.
macro_rules! tr_display {
    ($language:expr, $($key:tt)+) => {
        $crate::i18n::td_display!($crate::locale::Language::locale($language), $($key)+)
    };
}

pub mod analytics;
pub mod api_keys;
pub mod audit;
pub mod auth;
#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod client_address;
pub mod components;
#[cfg(feature = "ssr")]
pub mod cookies;
pub mod error;
pub mod locale;
pub mod money;
pub mod notifications;
pub mod pages;
pub mod payment_password;
pub mod receipts;
pub mod refunds;
#[cfg(feature = "ssr")]
pub mod replica;
pub mod reports;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;
pub mod text;
#[cfg(feature = "ssr")]
pub mod time;
pub mod transactions;
pub mod url;
pub mod users;

// The catalogues of locales/, compiled by build.rs into the `i18n` module.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, Lazy, SsrMode,
};

/// The HTML document around every page, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::provide_csp_nonce();
    // The server picks the language (locale/request.rs); the browser's copy of the app
    // reads it from here when it hydrates.
    #[cfg(feature = "ssr")]
    let lang = locale::page_language().tag();
    #[cfg(not(feature = "ssr"))]
    let lang = "en";
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#111a2b" />
                <link rel="icon" href="/favicon.ico" sizes="48x48" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/apple-touch-icon.png" />
                <link rel="manifest" href="/site.webmanifest" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every route of the dashboard, in one place. Pages render whole on the server
/// (`SsrMode::Async`) so that they are complete before, or without, the WASM.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    locale::provide_language();
    view! {
        <Title formatter=|page: String| format!("{page} · Paydesk") />
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/login") view={Lazy::<pages::lazy::LoginRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/receipts/verify") view={Lazy::<pages::lazy::ReceiptVerifyRoute>::new()} ssr=SsrMode::Async />
                <ParentRoute path=path!("") view={Lazy::<pages::lazy::ShellRoute>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<pages::lazy::OverviewRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/transactions") view={Lazy::<pages::lazy::TransactionsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/transactions/:id") view={Lazy::<pages::lazy::TransactionDetailsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reports") view={Lazy::<pages::lazy::ReportsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings") view={Lazy::<pages::lazy::SettingsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings/payment-password") view={Lazy::<pages::lazy::PaymentPasswordRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings/users") view={Lazy::<pages::lazy::UsersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings/api-keys") view={Lazy::<pages::lazy::ApiKeysRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/settings/audit") view={Lazy::<pages::lazy::AuditLogRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/approvals") view={Lazy::<pages::lazy::RefundOperationsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/refunds/batches") view={Lazy::<pages::lazy::RefundOperationsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/refunds/batches/:id") view={Lazy::<pages::lazy::RefundOperationsRoute>::new()} ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
