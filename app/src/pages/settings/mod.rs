//! Settings: the signed-in user's account and payment password and, for admins, the
//! merchant's users, API keys and audit log. Every page here shares [`SettingsNav`].

pub mod api_keys;
pub mod audit;
pub mod payment_password;
pub mod users;

use crate::components::shell::{use_current_user, Forbidden};
use crate::i18n::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The tabs across the settings pages; the admin ones show for admins only (their
/// server functions refuse everyone else anyway).
#[component]
pub fn SettingsNav() -> impl IntoView {
    let i18n = use_i18n();
    let role = use_current_user().role;
    view! {
        <nav class="tabs" aria-label=t_string!(i18n, settings.title)>
            <A href="/settings" exact=true>{t!(i18n, settings.your_account)}</A>
            <Show when=move || role.can_refund()>
                <A href="/settings/payment-password">{t!(i18n, settings.payment_password)}</A>
            </Show>
            <Show when=move || role.can_administer()>
                <A href="/settings/users">{t!(i18n, settings.users)}</A>
                <A href="/settings/api-keys">{t!(i18n, settings.api_keys)}</A>
                <A href="/settings/audit">{t!(i18n, settings.audit_log)}</A>
            </Show>
        </nav>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_current_user();
    view! {
        <Title text=t_string!(i18n, settings.title) />
        <h1>{t!(i18n, settings.title)}</h1>
        <SettingsNav />
        <section class="card">
            <h2>{t!(i18n, settings.your_account)}</h2>
            <dl class="fields">
                <dt>{t!(i18n, settings.name)}</dt><dd>{user.display_name}</dd>
                <dt>{t!(i18n, settings.email)}</dt><dd>{user.email}</dd>
                <dt>{t!(i18n, settings.role)}</dt><dd>{user.role.label(user.language)}</dd>
                <dt>{t!(i18n, settings.merchant)}</dt><dd>{user.merchant_name}</dd>
                <dt>{t!(i18n, settings.time_zone)}</dt><dd>{user.time_zone}</dd>
            </dl>
        </section>
    }
}

/// The frame of an admin-only settings page: its title and the tabs, then `children`
/// for admins and [`Forbidden`] for everyone else (whose server calls fail anyway).
#[component]
pub fn AdminPage(title: &'static str, children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let role = use_current_user().role;
    view! {
        <Title text=title />
        <h1>{t!(i18n, settings.title)}</h1>
        <SettingsNav />
        {if role.can_administer() {
            children().into_any()
        } else {
            view! { <Forbidden role /> }.into_any()
        }}
    }
}
