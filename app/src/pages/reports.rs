//! Transactions > Transaction reports, for finance and admins only.

use crate::components::shell::{use_current_user, Forbidden};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let user = use_current_user();
    #[cfg(feature = "ssr")]
    if !user.role.can_download_reports() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
    }
    view! {
        <Title text="Reports" />
        <h1>"Transaction reports"</h1>
        {if user.role.can_download_reports() {
            view! {
                <p class="muted">
                    {format!("Daily and monthly transaction reports of {}, in {}.", user.merchant_name, user.time_zone)}
                </p>
            }.into_any()
        } else {
            view! { <Forbidden role=user.role /> }.into_any()
        }}
    }
}
