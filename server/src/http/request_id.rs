//! Gives every request an id: in its log lines (a tracing span around the whole
//! request), in the `x-request-id` answer header, and in the "unavailable" message a
//! user can quote, so that support finds the failure's detail in the log.

use app::error::RequestId;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = RequestId::new();
    req.extensions_mut().insert(id.clone());
    let span = tracing::info_span!("request", request_id = %id.0);
    let mut response = next.run(req).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
