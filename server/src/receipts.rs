//! Refund receipts over HTTP: the receipt key, and the PDF download for the signed-in
//! merchant at `GET /receipts/{refund ID}.pdf?lang=en|zh-CN|pt-BR`. A plain link, so it
//! works before the page's WASM has loaded. Needs a session (the sign-in guard
//! redirects without one) and is scoped to the user's merchant: another merchant's
//! refund is 404, like one that does not exist. The public verification page is a
//! Leptos page (`app::pages::receipt_verify`) checking codes with the same key.

use app::auth::session::SessionUser;
use app::error::{AppError, RequestId};
use app::receipts::menu::DownloadRefusal;
use app::receipts::{load, Language};
use app::refunds::types::TransactionRef;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use sqlx::PgPool;
use std::sync::Arc;

/// The shortest key accepted from `PAYDESK_RECEIPT_KEY`, in bytes.
const MIN_KEY_BYTES: usize = 32;

#[derive(Clone)]
pub struct ReceiptConfig {
    /// The HMAC key of verification codes.
    pub key: Arc<[u8]>,
    /// Paydesk's public address as printed on receipts (no trailing slash); when unset,
    /// taken from the request's Host header.
    pub public_url: Option<String>,
}

/// What the settings say of receipts (`PAYDESK_RECEIPT_KEY`, `PAYDESK_PUBLIC_URL`).
#[derive(Clone, Debug, Default)]
pub struct ReceiptSettings {
    pub key: Option<String>,
    pub public_url: Option<String>,
}

impl ReceiptConfig {
    /// The configured key, else the one kept in PostgreSQL (made on first use).
    pub async fn load(pool: &PgPool, settings: ReceiptSettings) -> anyhow::Result<ReceiptConfig> {
        let key = match settings.key {
            Some(k) => {
                anyhow::ensure!(
                    k.len() >= MIN_KEY_BYTES,
                    "PAYDESK_RECEIPT_KEY must be at least {MIN_KEY_BYTES} bytes long"
                );
                Arc::from(k.into_bytes())
            }
            None => stored_key(pool).await?,
        };
        Ok(ReceiptConfig {
            key,
            public_url: settings.public_url,
        })
    }
}

/// The receipt key kept in PostgreSQL, made at random by the first caller. Instances
/// starting at once agree: one insert wins and everyone reads the winner's key.
pub async fn stored_key(pool: &PgPool) -> sqlx::Result<Arc<[u8]>> {
    use rand::RngCore;
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    sqlx::query!(
        "INSERT INTO receipt_keys (key_version, secret) VALUES (1, $1) ON CONFLICT DO NOTHING",
        &fresh[..]
    )
    .execute(pool)
    .await?;
    let key = sqlx::query_scalar!("SELECT secret FROM receipt_keys WHERE key_version = 1")
        .fetch_one(pool)
        .await?;
    Ok(Arc::from(key))
}

#[derive(Clone)]
struct ReceiptState {
    pool: PgPool,
    config: ReceiptConfig,
}

/// The routes; mount them inside the session and sign-in layers.
pub fn router(pool: PgPool, config: ReceiptConfig) -> Router {
    Router::new()
        .route("/receipts/{file}", get(download))
        .with_state(ReceiptState { pool, config })
}

#[derive(Deserialize)]
struct DownloadQuery {
    lang: Option<String>,
}

fn text(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        message.into(),
    )
        .into_response()
}

fn base_url(config: &ReceiptConfig, headers: &HeaderMap) -> String {
    if let Some(u) = &config.public_url {
        return u.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1:3000");
    format!("http://{host}")
}

async fn download(
    State(state): State<ReceiptState>,
    Extension(id): Extension<RequestId>,
    user: Option<Extension<SessionUser>>,
    Path(file): Path<String>,
    Query(query): Query<DownloadQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(Extension(user)) = user else {
        // Signed out: the browser's language, else English.
        let language = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Language::from_accept_language)
            .unwrap_or_default();
        return text(
            StatusCode::UNAUTHORIZED,
            DownloadRefusal::SignedOut.message(language),
        );
    };
    // The refusals below are in the user's language, whatever the receipt's.
    let refused = |status, refusal: DownloadRefusal| text(status, refusal.message(user.language));
    // Only a well-formed ID is looked up: anything else is no refund of anyone's.
    let Some(refund_id) = file
        .strip_suffix(".pdf")
        .filter(|id| TransactionRef::parse("refundId", id).is_ok())
    else {
        return refused(StatusCode::NOT_FOUND, DownloadRefusal::NotFound);
    };
    // Without a choice, the receipt is in the user's language.
    let language = match query.lang.as_deref() {
        None => user.language,
        Some(tag) => match Language::parse(tag) {
            Some(l) => l,
            None => {
                return refused(
                    StatusCode::BAD_REQUEST,
                    DownloadRefusal::UnknownLanguage(tag),
                );
            }
        },
    };
    let facts = match load::for_merchant(&state.pool, user.merchant_id, refund_id).await {
        Ok(load::Lookup::Found(facts)) => *facts,
        Ok(load::Lookup::NotFound) => {
            return refused(StatusCode::NOT_FOUND, DownloadRefusal::NotFound)
        }
        Ok(load::Lookup::NotARefund) => {
            return refused(StatusCode::CONFLICT, DownloadRefusal::NotARefund)
        }
        Ok(load::Lookup::NotSuccessful { status }) => {
            return refused(
                StatusCode::CONFLICT,
                DownloadRefusal::NotSuccessful(status.as_str()),
            );
        }
        Err(err) => {
            return text(
                StatusCode::SERVICE_UNAVAILABLE,
                AppError::internal_for(&id, err).message(user.language),
            );
        }
    };
    let base = base_url(&state.config, &headers);
    let pdf = match app::receipts::generate(facts, language, state.config.key.clone(), base).await {
        Ok(pdf) => pdf,
        Err(err) => {
            tracing::error!(error = %err, "receipt generation failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                DownloadRefusal::GenerationFailed,
            );
        }
    };
    // The ID in the file name is the refund's; keep it to characters safe in a header.
    let safe: String = refund_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"refund-receipt-{safe}-{}.pdf\"",
        language.tag()
    );
    let mut response = (StatusCode::OK, pdf).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}
