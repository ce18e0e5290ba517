//! The login page. The form posts to `sign_in` and works before the WASM loads; the
//! outcome comes back as a redirect, to the requested page or to this one with an error.

use crate::components::language_menu::LanguageMenu;
use crate::error::AppError;
use crate::i18n::{td_display, td_string};
use crate::locale::{use_language, Language};
use crate::url::use_query;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::{
        session,
        sign_in::{attempt, Outcome},
    };
    let state = crate::state::app_state();
    let session: tower_sessions::Session = leptos_axum::extract().await?;
    let address = session::client_address().await?;
    let outcome = attempt(&state.pool, &email, &password, &address).await?;
    let next = session::safe_next(next.as_deref()).to_owned();
    match outcome {
        Outcome::SignedIn(user_id) => {
            session::start(&session, user_id)
                .await
                .map_err(AppError::internal)?;
            tracing::info!(%user_id, "signed in");
            leptos_axum::redirect(&next);
        }
        Outcome::Invalid => {
            tracing::info!(%address, "sign-in refused");
            leptos_axum::redirect(&login_url("invalid", None, &next));
        }
        Outcome::Throttled {
            retry_after_minutes,
        } => {
            leptos_axum::redirect(&login_url("throttled", Some(retry_after_minutes), &next));
        }
        Outcome::Busy => leptos_axum::redirect(&login_url("busy", None, &next)),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn login_url(error: &str, retry: Option<i64>, next: &str) -> String {
    let mut url = format!("/login?error={error}");
    if let Some(minutes) = retry {
        url.push_str(&format!("&retry={minutes}"));
    }
    if next != "/" {
        url.push_str("&next=");
        url.push_str(&crate::url::encode_component(next));
    }
    url
}

/// The message, in `language`, for the `error` query parameter the sign-in redirect
/// sets.
fn error_message(language: Language, error: &str, retry: Option<&str>) -> Option<String> {
    let l = language.locale();
    match error {
        "invalid" => Some(td_string!(l, login.invalid).to_owned()),
        "throttled" => {
            let count = retry.and_then(|r| r.parse::<u32>().ok()).unwrap_or(15);
            Some(td_display!(l, login.throttled, count).to_string())
        }
        // The same words as a busy server function's error.
        "busy" => Some(td_string!(l, errors.busy).to_owned()),
        _ => None,
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let language = use_language();
    // Signed out: the language chosen in the menu, else the browser's, as the server
    // chose it for this page.
    let action = ServerAction::<SignIn>::new();
    let query = use_query();
    let error = move || {
        let q = query.read();
        q.get("error")
            .and_then(|e| error_message(language, &e, q.get("retry").as_deref()))
    };
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text=tr!(language, login.sign_in) />
        <main class="login">
            <div class="card login-card">
                <div class="login-head">
                    <p class="brand">"Paydesk"</p>
                    <LanguageMenu current=language />
                </div>
                <h1>{tr!(language, login.sign_in)}</h1>
                <p class="muted">{tr!(language, login.tagline)}</p>
                <ActionForm action>
                    <input type="hidden" name="next" prop:value=next />
                    <div class="field">
                        <label for="email">{tr!(language, login.email)}</label>
                        <input id="email" name="email" type="email" autocomplete="username" required />
                    </div>
                    <div class="field">
                        <label for="password">{tr!(language, login.password)}</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required />
                    </div>
                    <Show when=move || error().is_some()>
                        <p class="form-error" role="alert">{error}</p>
                    </Show>
                    <button type="submit" class="btn primary wide" disabled=move || action.pending().get()>
                        {tr!(language, login.sign_in)}
                    </button>
                </ActionForm>
            </div>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_errors_have_one_message_for_email_and_password() {
        let en = Language::En;
        assert_eq!(
            error_message(en, "invalid", None).unwrap(),
            "Incorrect email or password."
        );
        assert_eq!(
            error_message(en, "throttled", Some("7")).unwrap(),
            "Too many failed sign-ins. Try again in 7 minutes."
        );
        assert_eq!(
            error_message(en, "busy", None).unwrap(),
            "Paydesk is busy; try again in a moment."
        );
        assert_eq!(error_message(en, "<script>", None), None);
    }

    #[test]
    fn sign_in_errors_speak_the_pages_language() {
        assert_eq!(
            error_message(Language::ZhCn, "throttled", Some("3")).unwrap(),
            "登录失败次数过多，请在 3 分钟后重试。"
        );
        assert_eq!(
            error_message(Language::PtBr, "throttled", Some("1")).unwrap(),
            "Muitas tentativas de acesso sem sucesso. Tente novamente em 1 minuto."
        );
        // A missing or unreadable wait is the whole window.
        assert_eq!(
            error_message(Language::PtBr, "throttled", Some("x")).unwrap(),
            "Muitas tentativas de acesso sem sucesso. Tente novamente em 15 minutos."
        );
        assert_eq!(
            error_message(Language::PtBr, "invalid", None).unwrap(),
            "E-mail ou senha incorretos."
        );
    }
}
