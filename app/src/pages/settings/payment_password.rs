//! Settings > Payment password: set it the first time (or after an admin's reset) with
//! the sign-in password, or change it with the current one. The refund dialog's
//! "Change password" link comes here and is sent back when done.

use super::SettingsNav;
use crate::components::coded_error::CodedError;
use crate::components::shell::{use_current_user, Forbidden};
use crate::error::AppError;
use crate::locale::use_language;
use crate::payment_password::{PasswordState, PaymentPasswordError};
use crate::url::use_query;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The user's payment password state, with the end of a lock in their merchant's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnPaymentPassword {
    pub state: PasswordState,
    pub locked_until: Option<String>,
}

#[server(endpoint = "payment_password_status")]
pub async fn payment_password_status() -> Result<OwnPaymentPassword, AppError> {
    use crate::payment_password::store;
    let (user, actor) = crate::auth::session::require_actor(|r| r.can_refund()).await?;
    let state = store::state(&crate::state::app_state().pool, &actor).await?;
    Ok(OwnPaymentPassword {
        locked_until: store::locked_until_in(&state, user.zone, user.language),
        state,
    })
}

#[server(endpoint = "set_payment_password")]
pub async fn set_payment_password(
    login_password: String,
    new_password: String,
    confirm_password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let save = async |pool: &sqlx::PgPool, actor: &_, new: &_| {
        crate::payment_password::store::set_first(pool, actor, &login_password, new).await
    };
    save_new(&new_password, &confirm_password, next, "set", save).await
}

#[server(endpoint = "change_payment_password")]
pub async fn change_payment_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let save = async |pool: &sqlx::PgPool, actor: &_, new: &_| {
        crate::payment_password::store::change(pool, actor, &current_password, new).await
    };
    save_new(&new_password, &confirm_password, next, "changed", save).await
}

/// Parses the new password typed twice, saves it with `save` as the signed-in user,
/// and sends the browser on: back to `next` (the refund) when done, else to this page
/// with what happened.
#[cfg(feature = "ssr")]
async fn save_new(
    new_password: &str,
    confirm_password: &str,
    next: Option<String>,
    done: &str,
    save: impl AsyncFnOnce(
        &sqlx::PgPool,
        &crate::audit::Actor,
        &crate::payment_password::PaymentPassword,
    ) -> Result<(), PaymentPasswordError>,
) -> Result<(), AppError> {
    use crate::auth::session::{require_actor, safe_next};
    use crate::url::with_query;
    let (_, actor) = require_actor(|r| r.can_refund()).await?;
    let result = match crate::payment_password::parse_new(new_password, confirm_password) {
        Ok(new) => save(&crate::state::app_state().pool, &actor, &new).await,
        Err(e) => Err(e),
    };
    let next = next
        .as_deref()
        .filter(|n| !n.is_empty())
        .map(|n| safe_next(Some(n)));
    let to = match (result, next) {
        (Ok(()), Some(next)) => next.to_owned(),
        (Ok(()), None) => with_query(PAGE, &[("done", done)]),
        (Err(e), next) => with_query(
            PAGE,
            &[("error", e.key()), ("next", next.unwrap_or_default())],
        ),
    };
    leptos_axum::redirect(&to);
    Ok(())
}

#[cfg(feature = "ssr")]
const PAGE: &str = "/settings/payment-password";

#[component]
pub fn PaymentPasswordPage() -> impl IntoView {
    let language = use_language();
    let role = use_current_user().role;
    view! {
        <Title text=tr!(language, settings.payment_password) />
        <h1>{tr!(language, settings.title)}</h1>
        <SettingsNav />
        {if role.can_refund() {
            view! { <PaymentPasswordCard /> }.into_any()
        } else {
            view! { <Forbidden role /> }.into_any()
        }}
    }
}

#[component]
fn PaymentPasswordCard() -> impl IntoView {
    let language = use_language();
    let query = use_query();
    // Keyed on the outcome in the URL: a refused form comes back here by a redirect
    // (a client-side navigation when the WASM runs), and the form below must show the
    // new outcome and the state after it (attempts left, a lock).
    let own = Resource::new_blocking(
        move || query.read().get("error"),
        |_| payment_password_status(),
    );
    view! {
        <section class="card narrow" aria-labelledby="pp-title">
            <h2 id="pp-title">{tr!(language, settings.payment_password)}</h2>
            <p class="muted">{tr!(language, payment_password.intro)}</p>
            {move || query.read().get("done").map(|done| {
                let text = if done == "set" {
                    tr!(language, payment_password.done_set)
                } else {
                    tr!(language, payment_password.done_changed)
                };
                view! { <p class="notice ok" role="status">{text}</p> }
            })}
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, payment_password.loading)}</p> }>
                {move || Suspend::new(async move {
                    match own.await {
                        Ok(own) => view! { <PasswordForm own /> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PasswordForm(own: OwnPaymentPassword) -> impl IntoView {
    let language = use_language();
    let query = use_query().get_untracked();
    let next = query.get("next").unwrap_or_default();
    let error = query
        .get("error")
        .and_then(|key| PaymentPasswordError::from_key(&key, &own.state));
    // Problems with the new password show under it; the others under the first field.
    let (new_error, old_error) = match error {
        Some(e) if e.concerns_new_password() => (Some(e), None),
        other => (None, other),
    };
    let returning = (!next.is_empty()).then(|| {
        view! { <p class="muted">{tr!(language, payment_password.returning)}</p> }
    });
    match own.state {
        PasswordState::Locked { .. } => view! {
            <p class="form-error" role="alert">
                {tr_display!(
                    language,
                    payment_password.locked_until,
                    until = own.locked_until.unwrap_or_default()
                )
                .to_string()}
            </p>
        }
        .into_any(),
        PasswordState::NotSet => {
            let action = ServerAction::<SetPaymentPassword>::new();
            view! {
                <p>{tr!(language, payment_password.not_set_intro)}</p>
                {returning}
                <ActionForm action>
                    <input type="hidden" name="next" value=next />
                    <PasswordField id="login-password" name="login_password" label=tr!(language, payment_password.sign_in_password) autocomplete="current-password" error=old_error />
                    <NewPasswordFields error=new_error />
                    <button type="submit" class="btn primary" disabled=move || action.pending().get()>{tr!(language, payment_password.set)}</button>
                </ActionForm>
            }
            .into_any()
        }
        PasswordState::Ready { .. } => {
            let action = ServerAction::<ChangePaymentPassword>::new();
            view! {
                {returning}
                <ActionForm action>
                    <input type="hidden" name="next" value=next />
                    <PasswordField id="current-password" name="current_password" label=tr!(language, payment_password.current) autocomplete="off" error=old_error />
                    <NewPasswordFields error=new_error />
                    <button type="submit" class="btn primary" disabled=move || action.pending().get()>{tr!(language, payment_password.change)}</button>
                </ActionForm>
            }
            .into_any()
        }
    }
}

#[component]
fn NewPasswordFields(error: Option<PaymentPasswordError>) -> impl IntoView {
    let language = use_language();
    view! {
        <PasswordField id="new-password" name="new_password" label=tr!(language, payment_password.new) autocomplete="new-password" error=error />
        <p class="field-help">{tr!(language, payment_password.length_help)}</p>
        <PasswordField id="confirm-password" name="confirm_password" label=tr!(language, payment_password.confirm_new) autocomplete="new-password" error=None />
    }
}

#[component]
fn PasswordField(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    error: Option<PaymentPasswordError>,
) -> impl IntoView {
    let language = use_language();
    let error_id = format!("{id}-error");
    let described = error.is_some().then(|| error_id.clone());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name type="password" autocomplete=autocomplete required
                aria-invalid=error.is_some().then_some("true") aria-describedby=described />
            {error.map(|e| view! { <CodedError id=error_id message=e.message(language) code=e.result_code().to_owned() /> })}
        </div>
    }
}
