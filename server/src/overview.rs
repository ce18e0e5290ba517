//! The overview's "Download data" files: `GET /overview/{chart}.csv` with the page's
//! period and currency, exactly the numbers the chart plots, for the signed-in user's
//! merchant (`app::pages::overview::build::data_file`). A plain link, so it works
//! before the page's WASM has loaded; the sign-in guard sends a signed-out browser to
//! sign in.

use app::auth::session::SessionUser;
use app::pages::overview::build::{data_file, FileError};
use app::pages::overview::OverviewParams;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};

/// The route; mount it inside the session and sign-in layers.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/overview/{file}", get(download))
        .with_state(state)
}

async fn download(
    State(state): State<AppState>,
    Extension(user): Extension<SessionUser>,
    Path(file): Path<String>,
    Query(params): Query<OverviewParams>,
    headers: HeaderMap,
) -> Response {
    let pool = state.reads.pool(app::replica::written(&headers));
    match data_file(pool, &user, &file, &params, chrono::Utc::now()).await {
        Ok((name, csv)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            csv,
        )
            .into_response(),
        Err(e) => {
            let status = match &e {
                FileError::NoSuchChart => StatusCode::NOT_FOUND,
                FileError::Refused(_) => StatusCode::BAD_REQUEST,
                FileError::Database(error) => {
                    tracing::error!(%error, "the overview's data could not be read");
                    StatusCode::SERVICE_UNAVAILABLE
                }
            };
            (
                status,
                [(header::CACHE_CONTROL, "no-store")],
                e.message(user.language),
            )
                .into_response()
        }
    }
}
