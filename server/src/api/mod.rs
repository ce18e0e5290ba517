//! The open API in Antom's wire format (../WIRE.md): refund and inquiryRefund under
//! /ams/api and /ams/sandbox/api, signed both ways, rate limited per client id. The
//! handlers are thin: they check the envelope and call app::refunds::engine.

pub mod inquiry;
pub mod keys;
pub mod openapi;
pub mod rate_limit;
pub mod refund;
pub mod signature;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use app::notifications::target::TargetPolicy;
use app::refunds::types::ParamError;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use serde_json::{Map, Value};
use sqlx::PgPool;
use tokio::sync::OnceCell;
use uuid::Uuid;

use keys::PlatformKey;
use rate_limit::RateLimiter;

/// Settings of the open API; see `.env.example`.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// A request whose Request-Time is further than this from the server's clock is
    /// refused, so a captured request cannot be replayed later.
    pub max_clock_skew: Duration,
    /// Requests a second per client id (0: no limit) and the burst allowed.
    pub rate_per_second: f64,
    pub rate_burst: f64,
    /// Where refundNotifyUrl may point.
    pub notify_targets: TargetPolicy,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            max_clock_skew: Duration::from_secs(300),
            rate_per_second: 100.0,
            rate_burst: 200.0,
            notify_targets: TargetPolicy::default(),
        }
    }
}

impl ApiConfig {
    pub fn from_env() -> Result<ApiConfig, String> {
        fn var<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
            match std::env::var(name) {
                Ok(v) => v.parse().map_err(|_| format!("{name}={v:?} is not valid")),
                Err(_) => Ok(default),
            }
        }
        let d = ApiConfig::default();
        Ok(ApiConfig {
            max_clock_skew: Duration::from_secs(var(
                "PAYDESK_API_MAX_CLOCK_SKEW_SECONDS",
                d.max_clock_skew.as_secs(),
            )?),
            rate_per_second: var("PAYDESK_API_RATE_PER_SECOND", d.rate_per_second)?,
            rate_burst: var("PAYDESK_API_RATE_BURST", d.rate_burst)?,
            notify_targets: TargetPolicy::from_env()?,
        })
    }
}

#[derive(Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub config: ApiConfig,
    limiter: Arc<RateLimiter>,
    platform: Arc<OnceCell<PlatformKey>>,
}

impl ApiState {
    pub fn new(pool: PgPool, config: ApiConfig) -> ApiState {
        ApiState {
            limiter: Arc::new(RateLimiter::new(config.rate_per_second, config.rate_burst)),
            platform: Arc::new(OnceCell::new()),
            pool,
            config,
        }
    }

    /// The platform key, loaded (or created) once per process.
    pub async fn platform_key(&self) -> anyhow::Result<&PlatformKey> {
        self.platform
            .get_or_try_init(|| keys::platform_key(&self.pool))
            .await
            .map_err(anyhow::Error::from)
    }
}

/// The API's routes, nested under /ams. Unknown paths there answer NO_INTERFACE_DEF.
pub fn router(state: ApiState) -> Router {
    let api = Router::new()
        .route("/api/v1/payments/refund", post(refund::handle))
        .route("/api/v1/payments/inquiryRefund", post(inquiry::handle))
        .route("/sandbox/api/v1/payments/refund", post(refund::handle))
        .route(
            "/sandbox/api/v1/payments/inquiryRefund",
            post(inquiry::handle),
        )
        .route("/openapi.json", get(openapi::handle))
        .fallback(no_interface)
        .method_not_allowed_fallback(no_interface)
        .with_state(state);
    Router::new().nest("/ams", api)
}

async fn no_interface(
    State(state): State<ApiState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let client_id = header(&headers, "client-id").unwrap_or("").to_string();
    respond(
        &state,
        uri.path(),
        &client_id,
        wire::only_result("NO_INTERFACE_DEF", "F", "API is not defined."),
    )
    .await
}

/// A request whose signature holds.
pub struct Authenticated {
    pub client_id: String,
    pub merchant_id: Uuid,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Checks Client-Id, Signature and Request-Time of a request to `path`, then the rate
/// limit. Err is the (signed) answer to send instead.
async fn authenticate(
    state: &ApiState,
    path: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Authenticated, Response> {
    let client_id = header(headers, "client-id").unwrap_or("").to_string();
    let fail = |code: &str, status: &str, message: &str| {
        let value = wire::only_result(code, status, message);
        let client_id = client_id.clone();
        async move { respond(state, path, &client_id, value).await }
    };
    if client_id.is_empty() || client_id.len() > 64 {
        return Err(fail(
            "PARAM_ILLEGAL",
            "F",
            "The Client-Id header is missing or too long.",
        )
        .await);
    }
    let Some(sig_header) = header(headers, "signature") else {
        return Err(fail("INVALID_SIGNATURE", "F", "The Signature header is missing.").await);
    };
    let parsed = match signature::parse_header(sig_header) {
        Ok(p) => p,
        Err(why) => return Err(fail("INVALID_SIGNATURE", "F", why).await),
    };
    let key = match keys::client_key(&state.pool, &client_id, parsed.key_version).await {
        Ok(Some(k)) => k,
        Ok(None) => {
            return Err(fail(
                "KEY_NOT_FOUND",
                "F",
                "No public key is registered for this Client-Id and key version.",
            )
            .await)
        }
        Err(e) => {
            tracing::error!(error = %e, "loading a client key failed");
            return Err(fail(
                "UNKNOWN_EXCEPTION",
                "U",
                "An API call has failed for an unknown reason.",
            )
            .await);
        }
    };
    let Some(time_header) = header(headers, "request-time") else {
        return Err(fail("PARAM_ILLEGAL", "F", "The Request-Time header is missing.").await);
    };
    let content = signature::signed_content("POST", path, &client_id, time_header, body);
    if !signature::verify(&key.public_key_der, &content, &parsed.signature) {
        return Err(fail(
            "INVALID_SIGNATURE",
            "F",
            "The signature does not match the request.",
        )
        .await);
    }
    let Some(sent_at) = signature::parse_time(time_header) else {
        return Err(fail(
            "PARAM_ILLEGAL",
            "F",
            "Request-Time is not ISO 8601 with an offset or epoch milliseconds.",
        )
        .await);
    };
    let skew = (Utc::now() - sent_at).num_milliseconds().unsigned_abs();
    if skew > state.config.max_clock_skew.as_millis() as u64 {
        return Err(fail(
            "INVALID_SIGNATURE",
            "F",
            &format!(
                "Request-Time is more than {} seconds away from the server's time; sign the request anew.",
                state.config.max_clock_skew.as_secs()
            ),
        )
        .await);
    }
    if !state.limiter.allow(&client_id) {
        return Err(fail(
            "REQUEST_TRAFFIC_EXCEED_LIMIT",
            "U",
            "The request traffic exceeds the limit.",
        )
        .await);
    }
    Ok(Authenticated {
        client_id,
        merchant_id: key.merchant_id,
    })
}

/// Serves one signed call to `path`: authenticates it, parses `body` with `parse` (any
/// problem is PARAM_ILLEGAL), checks its merchantAccountId, lets `decide` answer and
/// signs the answer.
pub async fn serve_signed<T>(
    state: &ApiState,
    path: &str,
    headers: &HeaderMap,
    body: &Bytes,
    parse: impl FnOnce(&[u8], &Authenticated) -> Result<(T, Map<String, Value>), ParamError>,
    decide: impl AsyncFnOnce(&ApiState, &Authenticated, T) -> Value,
) -> Response {
    let auth = match authenticate(state, path, headers, body).await {
        Ok(a) => a,
        Err(answer) => return answer,
    };
    let answer = match parse(body, &auth) {
        Err(e) => wire::param_illegal(&e),
        Ok((request, fields)) => match wire::account_refusal(&fields, auth.merchant_id) {
            Some(refusal) => refusal,
            None => decide(state, &auth, request).await,
        },
    };
    respond(state, path, &auth.client_id, answer).await
}

/// Sends `value` signed with the platform key over `path`, the caller's client id and
/// the response time. Business results are HTTP 200 as in Antom's API; the body's
/// `result` carries the outcome.
async fn respond(state: &ApiState, path: &str, client_id: &str, value: Value) -> Response {
    let body = serde_json::to_vec(&value).expect("JSON values serialise");
    let time = signature::format_time(Utc::now());
    let mut response = (StatusCode::OK, body.clone()).into_response();
    let h = response.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    if let Ok(v) = HeaderValue::from_str(client_id) {
        h.insert("client-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&time) {
        h.insert("response-time", v);
    }
    match state.platform_key().await {
        Ok(key) => {
            let pair = key.pair.clone();
            let version = key.key_version;
            let content = signature::signed_content("POST", path, client_id, &time, &body);
            // About a quarter of a millisecond of CPU: off the async threads.
            let sig = tokio::task::spawn_blocking(move || signature::sign(&pair, &content))
                .await
                .expect("signing does not panic");
            if let Ok(v) = HeaderValue::from_str(&signature::header_value(version, &sig)) {
                h.insert("signature", v);
            }
        }
        Err(e) => {
            // Without its key the server cannot answer verifiably; clients reject the
            // unsigned answer and retry.
            tracing::error!(error = %e, "the platform key is unavailable");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [("content-type", "application/json; charset=UTF-8")],
                serde_json::to_vec(&wire::only_result(
                    "UNKNOWN_EXCEPTION",
                    "U",
                    "An API call has failed for an unknown reason.",
                ))
                .expect("JSON values serialise"),
            )
                .into_response();
        }
    }
    response
}
