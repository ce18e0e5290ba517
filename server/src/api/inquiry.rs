//! `POST /ams/api/v1/payments/inquiryRefund`

use app::refunds::engine::{self, RefundLookup};
use app::refunds::types::{ParamError, RefundRequestId, TransactionRef};
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value};

use super::{serve_signed, wire, ApiState, Authenticated};

pub async fn handle(
    State(state): State<ApiState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let parse = |body: &[u8], _: &Authenticated| parse(body);
    let decide = async |state: &ApiState, auth: &Authenticated, lookup| match engine::inquire(
        &state.pool,
        auth.merchant_id,
        &lookup,
    )
    .await
    {
        Ok(record) => wire::inquiry_answer(&record),
        Err(e) => wire::engine_failure(&e, "refund inquiry"),
    };
    serve_signed(&state, uri.path(), &headers, body, parse, decide).await
}

/// refundId takes precedence over refundRequestId; one of them is required.
fn parse(body: &[u8]) -> Result<(RefundLookup, Map<String, Value>), ParamError> {
    let m = wire::object(body)?;
    let refund_id = wire::opt_str(&m, "refundId")?.filter(|s| !s.is_empty());
    let request_id = wire::opt_str(&m, "refundRequestId")?.filter(|s| !s.is_empty());
    // Both are checked when both are given: a malformed field is illegal even if unused.
    let by_request = request_id.map(RefundRequestId::parse).transpose()?;
    let lookup = match (refund_id, by_request) {
        (Some(id), _) => RefundLookup::RefundId(TransactionRef::parse("refundId", id)?),
        (None, Some(r)) => RefundLookup::RefundRequestId(r),
        (None, None) => {
            return Err(ParamError(
                "refundId or refundRequestId is required.".into(),
            ))
        }
    };
    Ok((lookup, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_id_wins() {
        let (l, _) = parse(br#"{"refundId":"A","refundRequestId":"B"}"#).unwrap();
        assert!(matches!(l, RefundLookup::RefundId(ref r) if r.as_str() == "A"));
        let (l, _) = parse(br#"{"refundRequestId":"B"}"#).unwrap();
        assert!(matches!(l, RefundLookup::RefundRequestId(ref r) if r.as_str() == "B"));
        assert!(parse(br#"{}"#).is_err());
        assert!(parse(br#"{"refundId":""}"#).is_err());
        assert!(parse(br#"{"refundId":7}"#).is_err());
        assert!(parse(format!(r#"{{"refundId":"{}"}}"#, "1".repeat(65)).as_bytes()).is_err());
    }
}
