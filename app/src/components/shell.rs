//! The frame around every signed-in page: left navigation and a top bar with the
//! merchant, the user, their role and sign-out.

use crate::auth::{CurrentUser, Role};
use crate::components::language_menu::LanguageMenu;
use crate::error::AppError;
use crate::locale::use_language;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

#[server(endpoint = "fetch_current_user")]
pub async fn fetch_current_user() -> Result<CurrentUser, AppError> {
    Ok(crate::auth::session::require_user().await?.view())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::audit::{record, AuditAction, Event};
    let session: tower_sessions::Session = leptos_axum::extract().await?;
    // Signing out of a session that has already ended is not an event.
    if let Some(user) = crate::auth::session::request_user() {
        let actor =
            crate::audit::Actor::user(&user, &crate::auth::session::client_address().await?);
        record(
            &crate::state::app_state().pool,
            &actor,
            Event::new(AuditAction::SignOut),
        )
        .await?;
    }
    crate::auth::session::end(&session)
        .await
        .map_err(AppError::internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The frame is built outside any `<Suspense>`. On the server a suspense builds its
/// children more than once (once to find the data they read, once to render them), and
/// every build of a page starts its data loading anew: inside one, each page read its
/// data two or three times. So the frame and the page are built once, with the user
/// known at once: on the server from the request, in the browser from the data the
/// server sent with the page. Only a browser arriving from a page outside the frame (the
/// sign-in page) waits for it.
#[component]
pub fn AppShell() -> impl IntoView {
    let language = use_language();
    let user = Resource::new_blocking(|| (), |_| fetch_current_user());
    match known_user(user) {
        Some(Ok(user)) => view! { <Frame user /> }.into_any(),
        Some(Err(_)) => view! { <SessionEnded /> }.into_any(),
        None => view! {
            <Suspense fallback=move || view! { <div class="app-loading" aria-busy="true">{tr!(language, shell.loading)}</div> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(user) => view! { <Frame user /> }.into_any(),
                        Err(_) => view! { <SessionEnded /> }.into_any(),
                    }
                })}
            </Suspense>
        }
        .into_any(),
    }
}

/// The user, when known without waiting: the request's on the server; in the browser,
/// what the server sent along with the page it rendered.
fn known_user(
    user: Resource<Result<CurrentUser, AppError>>,
) -> Option<Result<CurrentUser, AppError>> {
    #[cfg(feature = "ssr")]
    {
        let _ = user;
        let signed_in = crate::auth::session::request_user().map(|u| u.view());
        Some(signed_in.ok_or(AppError::SignedOut))
    }
    #[cfg(not(feature = "ssr"))]
    {
        user.get_untracked()
    }
}

#[component]
fn Frame(user: CurrentUser) -> impl IntoView {
    let language = use_language();
    let role = user.role;
    provide_context(user.clone());
    // On narrow screens the navigation folds behind a menu button. The button needs the
    // WASM, so until it has loaded (or without JavaScript) the links stay in view.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let open = RwSignal::new(false);
    // The router would take the skip link's `#content` for a navigation; once the WASM
    // runs, the link moves the focus itself (before, the browser follows the fragment).
    let content = NodeRef::<leptos::html::Main>::new();
    let skip = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if let Some(main) = content.get() {
            let _ = main.focus();
        }
    };
    view! {
        <div class="app">
            <a class="skip-link" href="#content" on:click=skip>{tr!(language, shell.skip_to_content)}</a>
            <aside class="sidebar" class:foldable=hydrated class:open=open>
                <a class="brand" href="/">"Paydesk"</a>
                <button
                    type="button"
                    class="btn menu-button"
                    hidden=move || !hydrated.get()
                    aria-expanded=move || open.get().to_string()
                    aria-controls="main-nav"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {tr!(language, shell.menu)}
                </button>
                // Following a link folds the menu again.
                <nav id="main-nav" aria-label=tr!(language, shell.main_navigation) on:click=move |_| open.set(false)>
                    <A href="/" exact=true>{tr!(language, shell.nav_overview)}</A>
                    <A href="/transactions">{tr!(language, shell.nav_transactions)}</A>
                    <Show when=move || role.can_download_reports()>
                        <A href="/reports">{tr!(language, shell.nav_reports)}</A>
                    </Show>
                    <Show when=move || role.can_refund()>
                        <A href="/refunds/batches">{tr!(language, shell.nav_batches)}</A>
                        <A href="/approvals">{tr!(language, shell.nav_approvals)}</A>
                    </Show>
                    <A href="/settings">{tr!(language, shell.nav_settings)}</A>
                </nav>
            </aside>
            <div class="main">
                <header class="topbar">
                    <div class="merchant">
                        <span class="merchant-name">{user.merchant_name.clone()}</span>
                        <span class="muted">{user.time_zone.clone()}</span>
                    </div>
                    <UserMenu user />
                </header>
                <main class="content" id="content" tabindex="-1" node_ref=content>
                    <Outlet />
                </main>
            </div>
        </div>
    }
}

#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    let language = use_language();
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <div class="user">
            <span class="user-name">{user.display_name}</span>
            <span class="muted">{user.email}</span>
            <span class="pill role">{user.role.label(user.language)}</span>
            <LanguageMenu current=user.language />
            <ActionForm action=sign_out>
                <button type="submit" class="btn">{tr!(language, shell.sign_out)}</button>
            </ActionForm>
        </div>
    }
}

#[component]
fn SessionEnded() -> impl IntoView {
    let language = use_language();
    view! {
        <main class="login">
            <div class="card login-card">
                <h1>{tr!(language, shell.session_ended)}</h1>
                <p><a href="/login">{tr!(language, shell.sign_in_again)}</a></p>
            </div>
        </main>
    }
}

/// The signed-in user, for pages inside the shell.
pub fn use_current_user() -> CurrentUser {
    expect_context::<CurrentUser>()
}

/// Shown instead of a page whose content the user's role may not see; the page answers
/// 403 Forbidden.
#[component]
pub fn Forbidden(role: Role) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    let language = use_language();
    let role = role.label(language);
    view! {
        <section class="empty-state" role="alert">
            <h2>{tr!(language, shell.forbidden_title)}</h2>
            <p>{tr!(language, shell.forbidden_text, role)}</p>
        </section>
    }
}
