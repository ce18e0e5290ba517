//! Every page as a lazy route. The release build (`cargo leptos build --split`) puts
//! each page's browser code in WebAssembly chunks of its own, loaded when the page is
//! first shown, so the first page downloads only itself
//! (docs/PERFORMANCE.md, "Browser download"). The server renders them as before.

use leptos::prelude::*;

/// `Route => Page in module`: a lazy route showing the component `module::Page`.
macro_rules! lazy_page {
    ($($route:ident => $page:ident in $($module:ident)::+;)*) => {$(
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                use $($module)::+::$page;
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_page! {
    // The frame of the signed-in pages too: the sign-in page, the first a browser loads,
    // needs none of it.
    ShellRoute => AppShell in crate::components::shell;
    LoginRoute => LoginPage in super::login;
    ReceiptVerifyRoute => ReceiptVerifyPage in super::receipt_verify;
    OverviewRoute => OverviewPage in super::overview;
    TransactionsRoute => TransactionsPage in super::transactions;
    TransactionDetailsRoute => TransactionDetailsPage in super::transactions;
    ReportsRoute => ReportsPage in super::reports;
    SettingsRoute => SettingsPage in super::settings;
    PaymentPasswordRoute => PaymentPasswordPage in super::settings::payment_password;
    UsersRoute => UsersPage in super::settings::users;
    ApiKeysRoute => ApiKeysPage in super::settings::api_keys;
    AuditLogRoute => AuditLogPage in super::settings::audit;
    // Approvals and batch refunds: one route for the refund operations pages, so that
    // they add one split point, not three (docs/PERFORMANCE.md, "Browser download").
    RefundOperationsRoute => RefundOperationsPage in super::batches;
}
