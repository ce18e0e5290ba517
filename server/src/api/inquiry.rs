//! `POST /ams/api/v1/payments/inquiryRefund`

use app::refunds::engine::{self, RefundLookup};
use app::refunds::types::{ParamError, RefundRequestId, TransactionRef};
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::wire::{self, InquiryRefundRequest, InquiryRefundResponse};
use super::{serve_signed, ApiState, Authenticated};

/// Inquire about a refund
///
/// By refundId or refundRequestId; refundId takes precedence when both are given.
#[utoipa::path(
    post,
    path = "/ams/api/v1/payments/inquiryRefund",
    request_body = InquiryRefundRequest,
    responses((status = 200, body = InquiryRefundResponse))
)]
pub async fn handle(
    State(state): State<ApiState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let parse = |request: &InquiryRefundRequest, _: &Authenticated| parse(request);
    let decide = async |state: &ApiState, auth: &Authenticated, lookup| -> InquiryRefundResponse {
        match engine::inquire(&state.pool, auth.merchant_id, &lookup).await {
            Ok(record) => wire::inquiry_answer(&record),
            Err(e) => wire::refund_error(&e, "refund inquiry").into(),
        }
    };
    serve_signed(&state, uri.path(), &headers, body, parse, decide).await
}

/// refundId takes precedence over refundRequestId; one of them is required.
fn parse(r: &InquiryRefundRequest) -> Result<RefundLookup, ParamError> {
    let refund_id = r.refund_id.non_empty("refundId")?;
    let request_id = r.refund_request_id.non_empty("refundRequestId")?;
    // Both are checked when both are given: a malformed field is illegal even if unused.
    let by_request = request_id.map(RefundRequestId::parse).transpose()?;
    Ok(match (refund_id, by_request) {
        (Some(id), _) => RefundLookup::RefundId(TransactionRef::parse("refundId", id)?),
        (None, Some(r)) => RefundLookup::RefundRequestId(r),
        (None, None) => {
            return Err(ParamError(
                "refundId or refundRequestId is required.".into(),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &[u8]) -> Result<RefundLookup, ParamError> {
        super::parse(&wire::decode(body)?)
    }

    #[test]
    fn refund_id_wins() {
        let l = parse(br#"{"refundId":"A","refundRequestId":"B"}"#).unwrap();
        assert!(matches!(l, RefundLookup::RefundId(ref r) if r.as_str() == "A"));
        let l = parse(br#"{"refundRequestId":"B"}"#).unwrap();
        assert!(matches!(l, RefundLookup::RefundRequestId(ref r) if r.as_str() == "B"));
        assert!(parse(br#"{}"#).is_err());
        assert!(parse(br#"{"refundId":""}"#).is_err());
        assert!(parse(br#"{"refundId":7}"#).is_err());
        assert!(parse(format!(r#"{{"refundId":"{}"}}"#, "1".repeat(65)).as_bytes()).is_err());
    }
}
