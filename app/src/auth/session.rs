//! Sessions: what is stored at sign-in, how each request finds its user, and the
//! redirect to the login page for pages that need one.

use super::session_store::{UserRow, USER};
use super::{CurrentUser, Role};
use crate::error::AppError;
use crate::locale::Language;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tower_sessions::Session;
use uuid::Uuid;

const SIGNED_IN: &str = "signed_in";
/// When the session was last saved for activity: see [`keep_alive`].
const SEEN: &str = "seen_at";

/// What the session remembers of a sign-in. The user's role and status are read from
/// the database with the session on each request (`session_store`), so a change takes
/// effect at once.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SignedIn {
    user_id: Uuid,
    signed_in_at: DateTime<Utc>,
}

/// Starts a session for `user_id` under a new session id (no fixation).
pub async fn start(session: &Session, user_id: Uuid) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session
        .insert(
            SIGNED_IN,
            SignedIn {
                user_id,
                signed_in_at: Utc::now(),
            },
        )
        .await
}

/// Ends the session and deletes it from the store.
pub async fn end(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}

/// The user of this session, unless it has passed its absolute lifetime or the user has
/// been disabled since.
/// `browser_language` is the language of the request's `Accept-Language`, for a user who
/// has not chosen one.
async fn resolve(
    state: &AppState,
    session: &Session,
    browser_language: Language,
) -> Result<Option<SessionUser>, ResolveError> {
    let signed_in: Option<SignedIn> = session.get(SIGNED_IN).await?;
    let Some(signed_in) = signed_in else {
        return Ok(None);
    };
    let age = Utc::now().signed_duration_since(signed_in.signed_in_at);
    if age
        .to_std()
        .map_or(false, |age| age > state.config.session_max_age)
    {
        end(session).await?;
        return Ok(None);
    }
    // Read with the session by the store: absent when the user has been disabled or
    // their merchant closed.
    let user: Option<UserRow> = session.get(USER).await?;
    match user {
        Some(user) if user.id == signed_in.user_id => {
            keep_alive(session, state.config.session_idle).await?;
            Ok(Some(SessionUser::new(user, browser_language)))
        }
        _ => {
            end(session).await?;
            Ok(None)
        }
    }
}

/// Extends an active session's idle expiry. The session layer writes a session (and its
/// new expiry) only when its data changed, so without this the idle limit would count
/// from sign-in, however active the user. Noting the time at most every tenth of the idle
/// limit (and at most every minute) keeps that to one write per user and minute rather
/// than one per request, which would also drop the session from every instance's cache.
async fn keep_alive(
    session: &Session,
    idle: std::time::Duration,
) -> Result<(), tower_sessions::session::Error> {
    let every = (idle / 10).min(std::time::Duration::from_secs(60));
    let seen: Option<DateTime<Utc>> = session.get(SEEN).await?;
    let now = Utc::now();
    let due = seen.is_none_or(|seen| {
        now.signed_duration_since(seen)
            .to_std()
            .is_ok_and(|since| since >= every)
    });
    if due {
        session.insert(SEEN, now).await?;
    }
    Ok(())
}

/// The user a session's data says is signed in, for the store's `user_id` column.
pub(super) fn signed_in_user(data: &HashMap<String, serde_json::Value>) -> Option<Uuid> {
    let signed_in = data.get(SIGNED_IN)?;
    serde_json::from_value::<SignedIn>(signed_in.clone())
        .ok()
        .map(|s| s.user_id)
}

/// The signed-in user as the server works with them: ids and time zone parsed once, when
/// the session is read. Every query made on their behalf is scoped to `merchant_id`.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionUser {
    pub id: Uuid,
    pub merchant_id: Uuid,
    /// The merchant's time zone: every date and time the user sees is in it.
    pub zone: Tz,
    pub role: Role,
    pub email: String,
    pub display_name: String,
    pub merchant_name: String,
    /// The language pages and messages are in: the user's choice, else their browser's.
    pub language: Language,
}

impl SessionUser {
    /// What pages show of the user.
    pub fn view(&self) -> CurrentUser {
        CurrentUser {
            user_id: self.id.to_string(),
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            merchant_name: self.merchant_name.clone(),
            time_zone: self.zone.name().to_owned(),
            language: self.language,
        }
    }
}

impl SessionUser {
    fn new(u: UserRow, browser_language: Language) -> SessionUser {
        SessionUser {
            language: u
                .language
                .as_deref()
                .and_then(Language::parse)
                .unwrap_or(browser_language),
            id: u.id,
            merchant_id: u.merchant_id,
            zone: crate::time::zone_named(&u.time_zone),
            role: u.role,
            email: u.email,
            display_name: u.display_name,
            merchant_name: u.merchant_name,
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum ResolveError {
    #[error(transparent)]
    Session(#[from] tower_sessions::session::Error),
}

/// Paths anyone may request: the login page, health checks, static files, the signed
/// open API and the server functions (each of which checks the user itself).
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/receipts/verify"
        || crate::security::is_static_file(path)
        || ["/api/", "/ams/"].iter().any(|p| path.starts_with(p))
}

/// Middleware: puts the session's [`SessionUser`] into the request's extensions and sends
/// page requests without one to the login page (and signed-in users away from it).
pub async fn attach_user(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let session: Option<&Session> = req.extensions().get();
    let Some(session) = session.cloned() else {
        return next.run(req).await;
    };
    let browser_language = crate::locale::request::from_headers(req.headers());
    let user = match resolve(&state, &session, browser_language).await {
        Ok(user) => user,
        Err(err) => {
            tracing::error!(error = %err, "could not read the session");
            return (
                http::StatusCode::SERVICE_UNAVAILABLE,
                "Paydesk is unavailable; try again shortly.",
            )
                .into_response();
        }
    };
    let path = req.uri().path().to_owned();
    let is_page = req.method() == http::Method::GET && !is_public(&path);
    match user {
        Some(user) => {
            if path == "/login" && req.method() == http::Method::GET {
                return Redirect::to("/").into_response();
            }
            req.extensions_mut().insert(user);
        }
        None if is_page => {
            let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
            let next = crate::url::encode_component(target);
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        None => {}
    }
    next.run(req).await
}

/// The user [`attach_user`] put into the request Leptos is handling (a page being
/// rendered or a server function), if signed in.
pub fn request_user() -> Option<SessionUser> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    parts.extensions.get::<SessionUser>().cloned()
}

/// The signed-in user in a server function, or an error telling them to sign in again.
pub async fn require_user() -> Result<SessionUser, AppError> {
    match request_user() {
        Some(user) => Ok(user),
        None => {
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(http::StatusCode::UNAUTHORIZED);
            }
            Err(AppError::SignedOut)
        }
    }
}

/// [`require_user`], additionally refusing users whose role lacks `allowed`.
pub async fn require_role(allowed: impl Fn(Role) -> bool) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    if allowed(user.role) {
        Ok(user)
    } else {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
        Err(AppError::Forbidden(user.role.to_string()))
    }
}

/// The client's IP address, for the audit log and sign-in throttling: the connection's
/// other end, or the client a trusted proxy forwarded (crate::client_address).
pub async fn client_address() -> Result<String, AppError> {
    let axum::extract::ConnectInfo(peer) =
        leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>().await?;
    let headers: http::HeaderMap = leptos_axum::extract().await?;
    let trusted = &crate::state::app_state().config.trusted_proxies;
    Ok(trusted.client_of(peer.ip(), &headers).to_string())
}

/// The signed-in user whose role passes `allowed`, as an audit [`Actor`] from this
/// request's address.
pub async fn require_actor(
    allowed: impl Fn(Role) -> bool,
) -> Result<(SessionUser, crate::audit::Actor), AppError> {
    let user = require_role(allowed).await?;
    let actor = crate::audit::Actor::user(&user, &client_address().await?);
    Ok((user, actor))
}

/// A local path to return to after sign-in; anything else (another site, a
/// protocol-relative URL, a path with control characters or unencoded non-ASCII text,
/// which no link of Paydesk's has) becomes the overview.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if crate::url::is_local_path(n) => n,
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(
            safe_next(Some("/transactions?currency=USD")),
            "/transactions?currency=USD"
        );
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/a\u{0}b")), "/");
        assert_eq!(safe_next(Some("/a\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(Some("/a?reason=Devolução")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn pages_need_a_session_but_assets_and_the_api_do_not() {
        assert!(!is_public("/"));
        assert!(!is_public("/transactions"));
        assert!(is_public("/login"));
        assert!(is_public("/pkg/paydesk.wasm"));
        assert!(is_public("/site.webmanifest") && is_public("/favicon.ico"));
        assert!(is_public("/ams/api/v1/payments/refund"));
    }
}
