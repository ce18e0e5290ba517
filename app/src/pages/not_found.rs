use crate::i18n::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t_string!(i18n, not_found.title) />
        <main class="login">
            <div class="card login-card">
                <h1>{t!(i18n, not_found.heading)}</h1>
                <p class="muted">{t!(i18n, not_found.text)}</p>
                <p><a href="/">{t!(i18n, not_found.back)}</a></p>
            </div>
        </main>
    }
}
