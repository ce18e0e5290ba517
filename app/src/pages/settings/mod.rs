//! Settings: the signed-in user's account and payment password and, for admins, the
//! merchant's users, API keys and audit log. Every page here shares [`SettingsNav`].

pub mod api_keys;
pub mod audit;
pub mod payment_password;
pub mod users;

use crate::components::shell::{use_current_user, Forbidden};
use crate::locale::use_language;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The tabs across the settings pages; the admin ones show for admins only (their
/// server functions refuse everyone else anyway).
#[component]
pub fn SettingsNav() -> impl IntoView {
    let language = use_language();
    let role = use_current_user().role;
    view! {
        <nav class="tabs" aria-label=tr!(language, settings.title)>
            <A href="/settings" exact=true>{tr!(language, settings.your_account)}</A>
            <Show when=move || role.can_refund()>
                <A href="/settings/payment-password">{tr!(language, settings.payment_password)}</A>
            </Show>
            <Show when=move || role.can_administer()>
                <A href="/settings/users">{tr!(language, settings.users)}</A>
                <A href="/settings/api-keys">{tr!(language, settings.api_keys)}</A>
                <A href="/settings/audit">{tr!(language, settings.audit_log)}</A>
            </Show>
        </nav>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let language = use_language();
    let user = use_current_user();
    view! {
        <Title text=tr!(language, settings.title) />
        <h1>{tr!(language, settings.title)}</h1>
        <SettingsNav />
        <section class="card">
            <h2>{tr!(language, settings.your_account)}</h2>
            <dl class="fields">
                <dt>{tr!(language, settings.name)}</dt><dd>{user.display_name}</dd>
                <dt>{tr!(language, settings.email)}</dt><dd>{user.email}</dd>
                <dt>{tr!(language, settings.role)}</dt><dd>{user.role.label(user.language)}</dd>
                <dt>{tr!(language, settings.merchant)}</dt><dd>{user.merchant_name}</dd>
                <dt>{tr!(language, settings.time_zone)}</dt><dd>{user.time_zone}</dd>
            </dl>
        </section>
    }
}

/// The frame of an admin-only settings page: its title and the tabs, then `children`
/// for admins and [`Forbidden`] for everyone else (whose server calls fail anyway).
#[component]
pub fn AdminPage(title: &'static str, children: ChildrenFn) -> impl IntoView {
    let language = use_language();
    let role = use_current_user().role;
    view! {
        <Title text=title />
        <h1>{tr!(language, settings.title)}</h1>
        <SettingsNav />
        {if role.can_administer() {
            children().into_any()
        } else {
            view! { <Forbidden role /> }.into_any()
        }}
    }
}
