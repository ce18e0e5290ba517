//! Batch refund files over plain HTTP (docs/RULES.md, "Batch refunds"): the upload
//! (a multipart form, so it works without JavaScript), the template, and a batch's
//! results file. The rest of the batch pages are server functions beside the pages.

use app::audit::Actor;
use app::auth::session::SessionUser;
use app::error::{AppError, RequestId};
use app::refunds::batch::store::{self, UploadProblem};
use app::refunds::batch::{FileProblem, MAX_BYTES, TEMPLATE_CSV};
use app::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use std::net::SocketAddr;

const PAGE: &str = "/refunds/batches";

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/refunds/batches/upload",
            // The form's other parts and the multipart framing on top of the file.
            post(upload).layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)),
        )
        .route("/refunds/batches/template.csv", get(template))
        .route("/refunds/batches/{id}/results.csv", get(results))
        .with_state(state)
}

/// The signed-in user, if their role refunds.
fn refunder(user: Option<Extension<SessionUser>>) -> Result<SessionUser, Response> {
    match user {
        Some(Extension(user)) if user.role.can_refund() => Ok(user),
        Some(Extension(user)) => Err((
            StatusCode::FORBIDDEN,
            AppError::Forbidden(user.role.to_string()).message(user.language),
        )
            .into_response()),
        None => Err(Redirect::to("/login?next=%2Frefunds%2Fbatches").into_response()),
    }
}

/// Back to the page with the file's problem; the page says it in the user's language.
/// The problem travels as its code and values, never as text, so a link cannot put
/// words on the page.
fn back_with(problem: &FileProblem) -> Response {
    let code = serde_json::to_string(problem).unwrap_or_default();
    Redirect::to(&app::url::with_query(PAGE, &[("problem", &code)])).into_response()
}

async fn upload(
    State(state): State<AppState>,
    Extension(id): Extension<RequestId>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    user: Option<Extension<SessionUser>>,
    mut form: Multipart,
) -> Response {
    let user = match refunder(user) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let language = user.language;
    let address = state.config.trusted_proxies.client_of(peer.ip(), &headers);
    let actor = Actor::user(&user, &address.to_string());
    // The file is the form's one part that matters; a body over the limit fails here.
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("batch.csv").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(_) => return back_with(&FileProblem::TooLarge),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return back_with(&FileProblem::TooLarge),
        }
    }
    let Some((name, bytes)) = file else {
        return back_with(&FileProblem::Empty);
    };
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    match store::upload(&state.pool, &actor, &name, &bytes, language).await {
        Ok(batch) => Redirect::to(&format!("{PAGE}/{batch}")).into_response(),
        Err(UploadProblem::File(problem)) => back_with(&problem),
        Err(UploadProblem::Database(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            AppError::internal_for(&id, e).message(language),
        )
            .into_response(),
    }
}

async fn template() -> Response {
    csv_file("refund-batch-template.csv", TEMPLATE_CSV.to_owned())
}

async fn results(
    State(state): State<AppState>,
    Extension(id): Extension<RequestId>,
    user: Option<Extension<SessionUser>>,
    Path(batch): Path<i64>,
) -> Response {
    let user = match refunder(user) {
        Ok(u) => u,
        Err(r) => return r,
    };
    match store::results_csv(&state.pool, user.merchant_id, batch).await {
        Ok(Some(csv)) => csv_file(&format!("refund-batch-{batch}-results.csv"), csv),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            AppError::internal_for(&id, e).message(user.language),
        )
            .into_response(),
    }
}

fn csv_file(name: &str, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
