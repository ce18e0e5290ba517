//! Settings > Users (admins only): the merchant's users, adding one, changing roles,
//! disabling and enabling, and the admin's payment password actions. Every form posts
//! to a server function that redirects back here with `done=` or `error=` (and `user=`)
//! in the URL, so that the page shows the outcome next to the form, with or without
//! the WASM.

use super::AdminPage;
use crate::auth::Role;
use crate::components::shell::use_current_user;
use crate::error::AppError;
use crate::i18n::{td_display, td_string};
use crate::locale::{use_language, Language};
use crate::url::use_query;
use crate::users::{UserError, UserView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
const PAGE: &str = "/settings/users";

#[server(endpoint = "admin_list_users")]
pub async fn admin_list_users() -> Result<Vec<UserView>, AppError> {
    let user = crate::auth::session::require_role(Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    Ok(crate::users::list(&pool, user.merchant_id, user.zone, user.language).await?)
}

#[server(endpoint = "admin_create_user")]
pub async fn admin_create_user(
    email: String,
    name: String,
    role: String,
    password: String,
) -> Result<(), AppError> {
    use crate::users::NewUser;
    let (_, actor) = crate::auth::session::require_actor(Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    let created = match NewUser::parse(&email, &name, &role, &password) {
        Ok(new) => crate::users::create(&pool, &actor, &new).await,
        Err(e) => Err(e),
    };
    // A refused form comes back filled in, except for the password.
    let url = match created {
        Ok(id) => back(&id.to_string(), Ok("created")),
        Err(e) => crate::url::with_query(
            PAGE,
            &[
                ("error", e.code()),
                ("email", &email),
                ("name", &name),
                ("role", &role),
            ],
        ),
    };
    leptos_axum::redirect(&url);
    Ok(())
}

#[server(endpoint = "admin_change_role")]
pub async fn admin_change_role(user_id: String, role: String) -> Result<(), AppError> {
    let (_, actor) = crate::auth::session::require_actor(Role::can_administer).await?;
    let state = crate::state::app_state();
    let changed = async {
        let role = Role::parse(&role).map_err(|_| UserError::UnknownRole)?;
        let id = parse_id(&user_id)?;
        crate::users::change_role(&state.pool, &actor, id, role).await?;
        state.cache.changed(&crate::cache::notice::Notice::User(id));
        Ok(())
    }
    .await;
    leptos_axum::redirect(&back(
        &user_id,
        changed.map(|_| "role_changed").map_err(UserError::code),
    ));
    Ok(())
}

#[server(endpoint = "admin_set_user_disabled")]
pub async fn admin_set_user_disabled(user_id: String, disabled: bool) -> Result<(), AppError> {
    let (_, actor) = crate::auth::session::require_actor(Role::can_administer).await?;
    let state = crate::state::app_state();
    let changed = async {
        let id = parse_id(&user_id)?;
        crate::users::set_disabled(&state.pool, &actor, id, disabled).await?;
        state.cache.changed(&crate::cache::notice::Notice::User(id));
        Ok(())
    }
    .await;
    let done = if disabled { "disabled" } else { "enabled" };
    leptos_axum::redirect(&back(
        &user_id,
        changed.map(|_| done).map_err(UserError::code),
    ));
    Ok(())
}

/// `action` is `unlock` (lift the lock on the user's refunds) or `reset` (the user sets
/// a new payment password before their next refund).
#[server(endpoint = "admin_payment_password_action")]
pub async fn admin_payment_password_action(
    user_id: String,
    action: String,
) -> Result<(), AppError> {
    use crate::payment_password::store;
    let (user, actor) = crate::auth::session::require_actor(Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    let done = match (parse_id(&user_id), action.as_str()) {
        (Err(e), _) => Err(e.code()),
        (Ok(id), "unlock") => store::unlock(&pool, &actor, id)
            .await
            .map(|_| "unlocked")
            .map_err(|e| payment_code(&e)),
        (Ok(id), "reset") => store::reset_by_admin(&pool, &actor, id)
            .await
            .map(|_| "payment_password_reset")
            .map_err(|e| payment_code(&e)),
        (Ok(_), _) => {
            let message = td_string!(
                user.language.locale(),
                users.unknown_payment_password_action
            );
            return Err(AppError::refused(message));
        }
    };
    leptos_axum::redirect(&back(&user_id, done));
    Ok(())
}

#[server(endpoint = "admin_set_payment_password")]
pub async fn admin_set_payment_password(
    user_id: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::payment_password::{parse_new, store};
    let (_, actor) = crate::auth::session::require_actor(Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    let done = match (
        parse_id(&user_id),
        parse_new(&new_password, &confirm_password),
    ) {
        (Err(e), _) => Err(e.code()),
        (_, Err(e)) => Err(payment_code(&e)),
        (Ok(id), Ok(new)) => store::set_by_admin(&pool, &actor, id, &new)
            .await
            .map_err(|e| payment_code(&e)),
    };
    leptos_axum::redirect(&back(&user_id, done.map(|_| "payment_password_set")));
    Ok(())
}

/// A user id from a form; one that is not even a UUID is as unknown as another
/// merchant's.
#[cfg(feature = "ssr")]
fn parse_id(user_id: &str) -> Result<uuid::Uuid, UserError> {
    user_id.parse().map_err(|_| UserError::UnknownUser)
}

/// This page with the outcome of an action on `user_id`.
#[cfg(feature = "ssr")]
fn back(user_id: &str, outcome: Result<&str, &str>) -> String {
    let (key, code) = match outcome {
        Ok(done) => ("done", done),
        Err(error) => ("error", error),
    };
    crate::url::with_query(PAGE, &[(key, code), ("user", user_id)])
}

#[cfg(feature = "ssr")]
fn payment_code(e: &crate::payment_password::PaymentPasswordError) -> &'static str {
    use crate::payment_password::PaymentPasswordError as E;
    match e {
        E::UnknownUser => UserError::UnknownUser.code(),
        E::Mismatch => "payment_password_mismatch",
        E::Invalid(_) => "payment_password_invalid",
        _ => UserError::Unavailable.code(),
    }
}

/// The message for an `error=` code of this page, in `language`.
fn error_message(code: &str, language: Language) -> Option<String> {
    use crate::payment_password::PaymentPasswordError;
    match code {
        "payment_password_mismatch" => Some(PaymentPasswordError::Mismatch.message(language)),
        "payment_password_invalid" => {
            Some(td_string!(language.locale(), users.payment_password_invalid).to_owned())
        }
        _ => UserError::from_code(code).map(|e| e.message(language).to_owned()),
    }
}

/// What a `done=` code of this page says happened to the user `email`, in `language`.
fn done_message(code: &str, email: &str, language: Language) -> Option<String> {
    let l = language.locale();
    Some(match code {
        "created" => td_display!(l, users.done_created, email).to_string(),
        "role_changed" => td_display!(l, users.done_role_changed, email).to_string(),
        "disabled" => td_display!(l, users.done_disabled, email).to_string(),
        "enabled" => td_display!(l, users.done_enabled, email).to_string(),
        "unlocked" => td_display!(l, users.done_unlocked, email).to_string(),
        "payment_password_reset" => {
            td_display!(l, users.done_payment_password_reset, email).to_string()
        }
        "payment_password_set" => {
            td_display!(l, users.done_payment_password_set, email).to_string()
        }
        _ => return None,
    })
}

/// What the last redirect said, read from the URL.
#[derive(Clone, Debug, Default, PartialEq)]
struct Outcome {
    /// The `done=` code, for [`done_message`].
    done: String,
    error: Option<String>,
    error_code: String,
    user: String,
    email: String,
    name: String,
    role: String,
}

impl Outcome {
    fn for_user(&self, id: &str) -> Option<String> {
        (self.user == id).then(|| self.error.clone()).flatten()
    }

    /// The create form's message for `field`.
    fn field_error(&self, field: &str) -> Option<String> {
        let on_form = self.user.is_empty()
            && UserError::from_code(&self.error_code).is_some_and(|e| e.field() == Some(field));
        on_form.then(|| self.error.clone()).flatten()
    }
}

/// The server actions of the page; the user list reloads after any of them.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<AdminCreateUser>,
    role: ServerAction<AdminChangeRole>,
    disabled: ServerAction<AdminSetUserDisabled>,
    payment_password: ServerAction<AdminPaymentPasswordAction>,
    set_password: ServerAction<AdminSetPaymentPassword>,
}

impl Actions {
    fn new() -> Actions {
        Actions {
            create: ServerAction::new(),
            role: ServerAction::new(),
            disabled: ServerAction::new(),
            payment_password: ServerAction::new(),
            set_password: ServerAction::new(),
        }
    }

    fn versions(&self) -> [usize; 5] {
        [
            self.create.version().get(),
            self.role.version().get(),
            self.disabled.version().get(),
            self.payment_password.version().get(),
            self.set_password.version().get(),
        ]
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = use_current_user().user_id;
    let title = tr!(use_language(), settings.users);
    view! { <AdminPage title><Users me=me.clone() /></AdminPage> }
}

#[component]
fn Users(me: String) -> impl IntoView {
    let language = use_language();
    let actions = Actions::new();
    let users = Resource::new_blocking(move || actions.versions(), |_| admin_list_users());
    let query = use_query();
    let outcome = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        let error_code = get("error");
        Outcome {
            done: get("done"),
            error: error_message(&error_code, language),
            error_code,
            user: get("user"),
            email: get("email"),
            name: get("name"),
            role: get("role"),
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, users.loading)}</p> }>
            {move || {
                let me = me.clone();
                Suspend::new(async move {
                    match users.await {
                        Ok(list) => view! { <UserList list me outcome=outcome.get() actions /> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
        {move || view! { <CreateUser outcome=outcome.get() action=actions.create /> }}
    }
}

#[component]
fn UserList(list: Vec<UserView>, me: String, outcome: Outcome, actions: Actions) -> impl IntoView {
    let language = use_language();
    let status = list
        .iter()
        .find(|u| u.id == outcome.user)
        .and_then(|u| done_message(&outcome.done, &u.email, language));
    // A row action's error on a user no longer listed (or never) shows above the table.
    let orphan = outcome
        .error
        .clone()
        .filter(|_| !outcome.user.is_empty() && !list.iter().any(|u| u.id == outcome.user));
    view! {
        <section class="card" aria-labelledby="users-title">
            <h2 id="users-title">{tr!(language, settings.users)}</h2>
            {status.map(|s| view! { <p class="notice ok" role="status">{s}</p> })}
            {orphan.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="table-wrap" role="region" aria-labelledby="users-title" tabindex="0">
                <table class="data users" aria-labelledby="users-title">
                    <thead>
                        <tr>
                            <th scope="col">{tr!(language, settings.name)}</th>
                            <th scope="col">{tr!(language, settings.email)}</th>
                            <th scope="col">{tr!(language, settings.role)}</th>
                            <th scope="col">{tr!(language, users.status)}</th>
                            <th scope="col">{tr!(language, settings.payment_password)}</th>
                            <th scope="col">{tr!(language, users.last_sign_in)}</th>
                            <th scope="col">{tr!(language, users.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|user| {
                            let error = outcome.for_user(&user.id);
                            let is_me = user.id == me;
                            view! { <UserRow user error is_me actions /> }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn UserRow(user: UserView, error: Option<String>, is_me: bool, actions: Actions) -> impl IntoView {
    let UserView {
        id,
        email,
        display_name,
        role,
        disabled,
        payment_password_set,
        refunds_locked_until,
        last_sign_in,
    } = user;
    let language = use_language();
    let role_id = format!("role-{id}");
    let payment = match (&refunds_locked_until, payment_password_set) {
        (Some(until), _) => {
            tr_display!(language, users.refunds_locked_until, time = until).to_string()
        }
        (None, true) => tr!(language, users.payment_password_set).to_owned(),
        (None, false) => tr!(language, users.payment_password_not_set).to_owned(),
    };
    let payment_button = |action: &'static str, label: String, text: &'static str| {
        let button = row_button(&id, label, text);
        view! {
            <ActionForm action=actions.payment_password attr:class="inline-form">
                <input type="hidden" name="action" value=action />
                {button}
            </ActionForm>
        }
    };
    let unlock = refunds_locked_until.is_some().then(|| {
        payment_button(
            "unlock",
            tr_display!(language, users.unlock_refunds_of, email = &email).to_string(),
            tr!(language, users.unlock_refunds),
        )
    });
    let reset = payment_password_set.then(|| {
        payment_button(
            "reset",
            tr_display!(language, users.reset_payment_password_of, email = &email).to_string(),
            tr!(language, users.reset_payment_password),
        )
    });
    // Admins cannot disable themselves; the server refuses it too.
    let toggle = (!is_me).then(|| {
        let (text, label) = if disabled {
            (
                tr!(language, users.enable),
                tr_display!(language, users.enable_user, email = &email).to_string(),
            )
        } else {
            (
                tr!(language, users.disable),
                tr_display!(language, users.disable_user, email = &email).to_string(),
            )
        };
        let button = row_button(&id, label, text);
        let value = (!disabled).to_string();
        view! {
            <ActionForm action=actions.disabled attr:class="inline-form">
                <input type="hidden" name="disabled" value=value />
                {button}
            </ActionForm>
        }
    });
    let role_user_id = id.clone();
    let role_label = tr_display!(language, users.role_of, email = &email).to_string();
    let change_label = tr_display!(language, users.change_role_of, email = &email).to_string();
    view! {
        <tr class:disabled=disabled>
            <td>{display_name}</td>
            <td>{email.clone()}</td>
            <td>
                <ActionForm action=actions.role attr:class="inline-form">
                    <input type="hidden" name="user_id" value=role_user_id />
                    <label for=role_id.clone() class="visually-hidden">{role_label}</label>
                    <select id=role_id name="role">
                        {Role::ALL.into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == role>{r.label(language)}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="btn small" aria-label=change_label>{tr!(language, users.change)}</button>
                </ActionForm>
            </td>
            <td>
                <span class="pill" class:status-success=!disabled class:status-fail=disabled>
                    {if disabled { tr!(language, users.disabled) } else { tr!(language, users.active) }}
                </span>
            </td>
            <td>
                <span class:locked=refunds_locked_until.is_some()>{payment}</span>
                {unlock}
            </td>
            <td>{last_sign_in.unwrap_or_else(|| tr!(language, users.never).to_owned())}</td>
            <td class="row-actions">
                {toggle}
                {reset}
                <SetPaymentPassword id=id email action=actions.set_password open=error.is_some() />
                {error.map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </td>
        </tr>
    }
    // Erased: a row of forms nested in a table nested in a section makes a view type
    // deep enough to overflow the compiler's limits in the release build.
    .into_any()
}

/// The user id and submit button of a one-button form about the user `id`, named
/// `label` for assistive technology.
fn row_button(id: &str, label: String, text: &'static str) -> impl IntoView {
    let id = id.to_owned();
    view! {
        <input type="hidden" name="user_id" value=id />
        <button type="submit" class="btn small" aria-label=label>{text}</button>
    }
}

/// The admin types a new payment password for the user, twice.
#[component]
fn SetPaymentPassword(
    id: String,
    email: String,
    action: ServerAction<AdminSetPaymentPassword>,
    open: bool,
) -> impl IntoView {
    let language = use_language();
    let new_id = format!("pp-new-{id}");
    let confirm_id = format!("pp-confirm-{id}");
    view! {
        <details class="set-payment-password" open=open>
            <summary aria-label=tr_display!(language, users.set_payment_password_of, email).to_string()>{tr!(language, payment_password.set)}</summary>
            <ActionForm action>
                <input type="hidden" name="user_id" value=id />
                <div class="field">
                    <label for=new_id.clone()>{tr!(language, payment_password.new)}</label>
                    <input id=new_id name="new_password" type="password" autocomplete="new-password" minlength="8" required />
                </div>
                <div class="field">
                    <label for=confirm_id.clone()>{tr!(language, users.confirm_payment_password)}</label>
                    <input id=confirm_id name="confirm_password" type="password" autocomplete="new-password" minlength="8" required />
                </div>
                <button type="submit" class="btn small primary">{tr!(language, payment_password.set)}</button>
            </ActionForm>
        </details>
    }
    .into_any()
}

#[component]
fn CreateUser(outcome: Outcome, action: ServerAction<AdminCreateUser>) -> impl IntoView {
    let language = use_language();
    let role = Role::parse(&outcome.role).unwrap_or(Role::Viewer);
    let [email, name, role_error, password] =
        ["email", "name", "role", "password"].map(|f| outcome.field_error(f));
    // Errors without a field of their own (e.g. the database) show under the form.
    let other = outcome.error.clone().filter(|_| {
        outcome.user.is_empty()
            && [&email, &name, &role_error, &password]
                .iter()
                .all(|e| e.is_none())
    });
    view! {
        <section class="card" aria-labelledby="new-user-title">
            <h2 id="new-user-title">{tr!(language, users.add_title)}</h2>
            <ActionForm action attr:class="fields-form">
                <Field name="email" label=tr!(language, settings.email) error=email>
                    <input id="new-email" name="email" type="email" autocomplete="off" required value=outcome.email />
                </Field>
                <Field name="name" label=tr!(language, settings.name) error=name>
                    <input id="new-name" name="name" type="text" required maxlength="100" value=outcome.name />
                </Field>
                <Field name="role" label=tr!(language, settings.role) error=role_error>
                    <select id="new-role" name="role">
                        {Role::ALL.into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == role>{r.label(language)}</option>
                        }).collect_view()}
                    </select>
                </Field>
                <Field name="password" label=tr!(language, users.initial_password) error=password>
                    <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="12" />
                </Field>
                {other.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <button type="submit" class="btn primary">{tr!(language, users.add)}</button>
            </ActionForm>
        </section>
    }
}

/// A labelled field of the create form (its input's id is `new-<name>`), with its
/// error beside it; the error is announced and marks the field invalid.
#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    let invalid = error.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=format!("new-{name}")>{label}</label>
            {children()}
            {error.map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_name_the_user_in_their_language() {
        let done = |code, language| done_message(code, "ada@lotus.example", language);
        assert_eq!(
            done("disabled", Language::En).as_deref(),
            Some("ada@lotus.example: disabled; their sessions have ended.")
        );
        assert_eq!(
            done("created", Language::ZhCn).as_deref(),
            Some("ada@lotus.example：用户已创建。")
        );
        assert_eq!(done("<b>", Language::PtBr), None);
        assert_eq!(
            error_message("payment_password_mismatch", Language::PtBr).as_deref(),
            Some("As novas senhas não coincidem.")
        );
        assert_eq!(
            error_message("last_admin", Language::En).as_deref(),
            Some("Your merchant needs at least one active admin.")
        );
        assert_eq!(error_message("", Language::En), None);
    }
}
