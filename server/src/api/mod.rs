//! The open API in Antom's wire format (docs/API.md): refund and inquiryRefund under
//! /ams/api and /ams/sandbox/api, signed both ways, rate limited per source address
//! (before any signature is checked or made) and per client id. The handlers are thin:
//! they check the envelope and call app::refunds::engine.

pub mod inquiry;
pub mod keys;
pub mod openapi;
pub mod rate_limit;
pub mod refund;
pub mod result_code;
pub mod signature;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use app::client_address::TrustedProxies;
use app::notifications::target::TargetPolicy;
use app::refunds::types::ParamError;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use serde::Serialize;
use sqlx::PgPool;
use std::net::{IpAddr, SocketAddr};
use uuid::Uuid;

use keys::PlatformKey;
use rate_limit::RateLimit;
use result_code::ResultCode;
use wire::{Refusal, WireRequest};

/// Settings of the open API; see `.env.example`.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// A request whose Request-Time is further than this from the server's clock is
    /// refused, so a captured request cannot be replayed later.
    pub max_clock_skew: Duration,
    /// Requests a second per client id (0: no limit) and the burst allowed.
    pub rate_per_second: f64,
    pub rate_burst: f64,
    /// Requests a second per source address (0: no limit) and the burst allowed: checked
    /// before anything costs a signature, so that unauthenticated floods cost nothing.
    pub address_rate_per_second: f64,
    pub address_burst: f64,
    /// The largest request body read; a larger one is PARAM_ILLEGAL.
    pub max_body_bytes: usize,
    /// Where refundNotifyUrl may point.
    pub notify_targets: TargetPolicy,
    /// Proxies whose forwarding headers name the source address.
    pub trusted_proxies: TrustedProxies,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            max_clock_skew: Duration::from_secs(300),
            rate_per_second: 100.0,
            rate_burst: 200.0,
            address_rate_per_second: 200.0,
            address_burst: 400.0,
            max_body_bytes: 64 * 1024,
            notify_targets: TargetPolicy::default(),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

#[derive(Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub config: ApiConfig,
    limiter: Arc<RateLimit<String>>,
    by_address: Arc<RateLimit<IpAddr>>,
    /// Loaded before the server takes requests: every answer can be signed, a failing
    /// database's included.
    platform: PlatformKey,
}

impl ApiState {
    pub fn new(pool: PgPool, config: ApiConfig, platform: PlatformKey) -> ApiState {
        ApiState {
            limiter: Arc::new(RateLimit::new(config.rate_per_second, config.rate_burst)),
            by_address: Arc::new(RateLimit::new(
                config.address_rate_per_second,
                config.address_burst,
            )),
            platform,
            pool,
            config,
        }
    }
}

/// The API's routes, nested under /ams. Unknown paths there answer NO_INTERFACE_DEF.
/// Bodies are read by the handlers themselves, so that one over the limit gets a signed
/// PARAM_ILLEGAL rather than the framework's plain 413.
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
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_by_address,
        ))
        .with_state(state);
    Router::new().nest("/ams", api)
}

/// Refuses a source address over its rate before anything is verified, looked up or
/// signed: HTTP 429 with an unsigned REQUEST_TRAFFIC_EXCEED_LIMIT body and Retry-After,
/// which SDKs report as a failed call to retry later.
async fn limit_by_address(
    State(state): State<ApiState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let source = state
            .config
            .trusted_proxies
            .client_of(peer, request.headers());
        if !state.by_address.allow(&source) {
            tracing::warn!(%source, "open API rate limit per address reached");
            let body = wire::to_body(&Refusal::new(
                ResultCode::RequestTrafficExceedLimit,
                "Too many requests from this address; retry later.",
            ));
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    ("content-type", "application/json; charset=UTF-8"),
                    ("retry-after", "1"),
                ],
                body,
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// The request body, at most `max_body_bytes` of it.
async fn read_body(state: &ApiState, body: Body) -> Result<Bytes, ParamError> {
    axum::body::to_bytes(body, state.config.max_body_bytes)
        .await
        .map_err(|_| {
            ParamError(format!(
                "The request body is larger than {} bytes, or was cut off.",
                state.config.max_body_bytes
            ))
        })
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
        &Refusal::new(ResultCode::NoInterfaceDef, "API is not defined."),
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
    let fail = |code: ResultCode, message: &str| {
        let refusal = Refusal::new(code, message);
        let client_id = client_id.clone();
        async move { respond(state, path, &client_id, &refusal).await }
    };
    if client_id.is_empty() || client_id.len() > 64 {
        return Err(fail(
            ResultCode::ParamIllegal,
            "The Client-Id header is missing or too long.",
        )
        .await);
    }
    let Some(sig_header) = header(headers, "signature") else {
        return Err(fail(
            ResultCode::InvalidSignature,
            "The Signature header is missing.",
        )
        .await);
    };
    let parsed = match signature::parse_header(sig_header) {
        Ok(p) => p,
        Err(why) => return Err(fail(ResultCode::InvalidSignature, why).await),
    };
    let key = match keys::client_key(&state.pool, &client_id, parsed.key_version).await {
        Ok(Some(k)) => k,
        Ok(None) => {
            return Err(fail(
                ResultCode::KeyNotFound,
                "No public key is registered for this Client-Id and key version.",
            )
            .await)
        }
        Err(e) => {
            tracing::error!(error = %e, "loading a client key failed");
            return Err(fail(
                ResultCode::UnknownException,
                "An API call has failed for an unknown reason.",
            )
            .await);
        }
    };
    let Some(time_header) = header(headers, "request-time") else {
        return Err(fail(
            ResultCode::ParamIllegal,
            "The Request-Time header is missing.",
        )
        .await);
    };
    let content = signature::signed_content("POST", path, &client_id, time_header, body);
    // Hashing a body of up to the size limit and the RSA check: off the async threads.
    let (der, sig) = (key.public_key_der.clone(), parsed.signature);
    let verified = tokio::task::spawn_blocking(move || signature::verify(&der, &content, &sig))
        .await
        .expect("verifying does not panic");
    if !verified {
        return Err(fail(
            ResultCode::InvalidSignature,
            "The signature does not match the request.",
        )
        .await);
    }
    let Some(sent_at) = signature::parse_time(time_header) else {
        return Err(fail(
            ResultCode::ParamIllegal,
            "Request-Time is not ISO 8601 with an offset or epoch milliseconds.",
        )
        .await);
    };
    let skew = (Utc::now() - sent_at).num_milliseconds().unsigned_abs();
    if skew > state.config.max_clock_skew.as_millis() as u64 {
        return Err(fail(
            ResultCode::InvalidSignature,
            &format!(
                "Request-Time is more than {} seconds away from the server's time; sign the request anew.",
                state.config.max_clock_skew.as_secs()
            ),
        )
        .await);
    }
    if !state.limiter.allow(&client_id) {
        return Err(fail(
            ResultCode::RequestTrafficExceedLimit,
            "The request traffic exceeds the limit.",
        )
        .await);
    }
    Ok(Authenticated {
        client_id,
        merchant_id: key.merchant_id,
    })
}

/// Serves one signed call to `path`: reads the body (too large is PARAM_ILLEGAL),
/// authenticates it, parses it with `parse` (any problem is PARAM_ILLEGAL), checks its
/// merchantAccountId, lets `decide` answer and signs the answer.
pub async fn serve_signed<R: WireRequest, T, A: Serialize + From<Refusal>>(
    state: &ApiState,
    path: &str,
    headers: &HeaderMap,
    body: Body,
    parse: impl FnOnce(&R, &Authenticated) -> Result<T, ParamError>,
    decide: impl AsyncFnOnce(&ApiState, &Authenticated, T) -> A,
) -> Response {
    let body = match read_body(state, body).await {
        Ok(b) => b,
        Err(e) => {
            let client_id = header(headers, "client-id").unwrap_or("").to_string();
            return respond(state, path, &client_id, &Refusal::param_illegal(&e)).await;
        }
    };
    let body = &body;
    let auth = match authenticate(state, path, headers, body).await {
        Ok(a) => a,
        Err(answer) => return answer,
    };
    let parsed = wire::decode::<R>(body).and_then(|r| Ok((parse(&r, &auth)?, r)));
    let answer: A = match parsed {
        Err(e) => Refusal::param_illegal(&e).into(),
        Ok((request, r)) => {
            match wire::account_refusal(r.merchant_account_id(), auth.merchant_id) {
                Some(refusal) => refusal.into(),
                None => decide(state, &auth, request).await,
            }
        }
    };
    respond(state, path, &auth.client_id, &answer).await
}

/// Sends `answer` signed with the platform key over `path`, the caller's client id and
/// the response time. Business results are HTTP 200 as in Antom's API; the body's
/// `result` carries the outcome.
async fn respond(
    state: &ApiState,
    path: &str,
    client_id: &str,
    answer: &impl Serialize,
) -> Response {
    let body = wire::to_body(answer);
    let time = signature::format_time(Utc::now());
    let pair = state.platform.pair.clone();
    let content = signature::signed_content("POST", path, client_id, &time, &body);
    // About a quarter of a millisecond of CPU: off the async threads.
    let sig = tokio::task::spawn_blocking(move || signature::sign(&pair, &content))
        .await
        .expect("signing does not panic");
    let mut response = (StatusCode::OK, body).into_response();
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
    let signature = signature::header_value(state.platform.key_version, &sig);
    if let Ok(v) = HeaderValue::from_str(&signature) {
        h.insert("signature", v);
    }
    response
}
