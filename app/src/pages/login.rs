//! The login page. The form posts to `sign_in` and works before the WASM loads; the
//! outcome comes back as a redirect, to the requested page or to this one with an error.

use crate::error::AppError;
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

/// The message for the `error` query parameter the sign-in redirect sets.
fn error_message(error: &str, retry: Option<&str>) -> Option<String> {
    match error {
        "invalid" => Some("Incorrect email or password.".to_owned()),
        "throttled" => Some(format!(
            "Too many failed sign-ins. Try again in {} minutes.",
            retry.and_then(|r| r.parse::<u32>().ok()).unwrap_or(15)
        )),
        "busy" => Some("Paydesk is busy; try again in a moment.".to_owned()),
        _ => None,
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query();
    let error = move || {
        let q = query.read();
        q.get("error")
            .and_then(|e| error_message(&e, q.get("retry").as_deref()))
    };
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in" />
        <main class="login">
            <div class="card login-card">
                <p class="brand">"Paydesk"</p>
                <h1>"Sign in"</h1>
                <p class="muted">"Merchant dashboard and refunds"</p>
                <ActionForm action>
                    <input type="hidden" name="next" prop:value=next />
                    <div class="field">
                        <label for="email">"Email"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required />
                    </div>
                    <Show when=move || error().is_some()>
                        <p class="form-error" role="alert">{error}</p>
                    </Show>
                    <button type="submit" class="btn primary wide" disabled=move || action.pending().get()>
                        "Sign in"
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
        assert_eq!(
            error_message("invalid", None).unwrap(),
            "Incorrect email or password."
        );
        assert_eq!(
            error_message("throttled", Some("7")).unwrap(),
            "Too many failed sign-ins. Try again in 7 minutes."
        );
        assert_eq!(error_message("<script>", None), None);
    }
}
