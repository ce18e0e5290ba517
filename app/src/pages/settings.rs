//! Settings: the signed-in user's account and merchant.

use crate::components::shell::use_current_user;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let user = use_current_user();
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <section class="card">
            <h2>"Your account"</h2>
            <dl class="fields">
                <dt>"Name"</dt><dd>{user.display_name}</dd>
                <dt>"Email"</dt><dd>{user.email}</dd>
                <dt>"Role"</dt><dd>{user.role.label()}</dd>
                <dt>"Merchant"</dt><dd>{user.merchant_name}</dd>
                <dt>"Time zone"</dt><dd>{user.time_zone}</dd>
            </dl>
        </section>
    }
}
