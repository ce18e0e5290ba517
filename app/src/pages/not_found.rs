use crate::locale::use_language;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    let language = use_language();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=tr!(language, not_found.title) />
        <main class="login">
            <div class="card login-card">
                <h1>{tr!(language, not_found.heading)}</h1>
                <p class="muted">{tr!(language, not_found.text)}</p>
                <p><a href="/">{tr!(language, not_found.back)}</a></p>
            </div>
        </main>
    }
}
