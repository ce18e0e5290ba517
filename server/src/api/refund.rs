//! `POST /ams/api/v1/payments/refund`

use app::notifications::target::{parse_notify_url, TargetPolicy};
use app::refunds::engine::{self, RefundCommand, RefundSource};
use app::refunds::types::{
    parse_reason, parse_reference, CurrencyCode, MinorAmount, ParamError, RefundRequestId,
    TransactionRef,
};
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::wire::{self, RefundRequest, RefundResponse};
use super::{serve_signed, ApiState, Authenticated};

/// Refund a payment
///
/// Refunds all or part of a successful payment (a capture's ID stands for its payment).
/// Idempotent per refundRequestId: a repeat answers with the same refund or refusal; the
/// same refundRequestId with another paymentId, amount or currency is
/// REPEAT_REQ_INCONSISTENT. Synchronous methods answer S/SUCCESS; asynchronous ones
/// U/REFUND_IN_PROCESS, then notifyRefund.
#[utoipa::path(
    post,
    path = "/ams/api/v1/payments/refund",
    request_body = RefundRequest,
    responses((status = 200, body = RefundResponse))
)]
pub async fn handle(
    State(state): State<ApiState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let targets = state.config.notify_targets;
    let parse =
        |request: &RefundRequest, auth: &Authenticated| parse(request, &auth.client_id, targets);
    let decide = async |state: &ApiState, auth: &Authenticated, cmd| -> RefundResponse {
        match engine::refund(&state.pool, auth.merchant_id, cmd).await {
            Ok(record) => wire::refund_answer(&record),
            Err(e) => wire::refund_error(&e, "refund").into(),
        }
    };
    serve_signed(&state, uri.path(), &headers, body, parse, decide).await
}

/// The request as a command; any missing, over-long or malformed field is
/// PARAM_ILLEGAL.
fn parse(
    r: &RefundRequest,
    client_id: &str,
    targets: TargetPolicy,
) -> Result<RefundCommand, ParamError> {
    let refund_request_id =
        RefundRequestId::parse(r.refund_request_id.required("refundRequestId")?)?;
    let payment_id = TransactionRef::parse("paymentId", r.payment_id.required("paymentId")?)?;
    parse_reference(r.reference_refund_id.optional("referenceRefundId")?)?;
    let (currency, value) = r.refund_amount.required("refundAmount")?;
    let currency = CurrencyCode::parse(currency)?;
    let amount = MinorAmount::parse(value)?;
    let reason = parse_reason(r.refund_reason.optional("refundReason")?)?;
    let notify_url = parse_notify_url(r.refund_notify_url.optional("refundNotifyUrl")?, targets)?;
    Ok(RefundCommand {
        refund_request_id,
        payment_id,
        currency,
        amount,
        reason,
        notify_url,
        source: RefundSource::Api {
            client_id: client_id.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> Result<(), String> {
        let request: RefundRequest = wire::decode(body.as_bytes()).map_err(|e| e.0)?;
        parse(&request, "C", TargetPolicy::default())
            .map(|_| ())
            .map_err(|e| e.0)
    }

    #[test]
    fn fields() {
        let ok = r#"{"refundRequestId":"r1","paymentId":"p1","refundAmount":{"currency":"USD","value":"100"}}"#;
        assert!(code(ok).is_ok());
        for bad in [
            "",
            "[]",
            r#"{"paymentId":"p1","refundAmount":{"currency":"USD","value":"100"}}"#,
            r#"{"refundRequestId":"r1","refundAmount":{"currency":"USD","value":"100"}}"#,
            r#"{"refundRequestId":"r1","paymentId":"p1"}"#,
            r#"{"refundRequestId":"r1","paymentId":"p1","refundAmount":{"currency":"USD","value":100}}"#,
            r#"{"refundRequestId":"r1","paymentId":"p1","refundAmount":{"currency":"USD","value":"1.00"}}"#,
            r#"{"refundRequestId":"r1","paymentId":"p1","refundAmount":{"currency":"usd","value":"100"}}"#,
            r#"{"refundRequestId":"r 1","paymentId":"p1","refundAmount":{"currency":"USD","value":"100"}}"#,
            r#"{"refundRequestId":12,"paymentId":"p1","refundAmount":{"currency":"USD","value":"100"}}"#,
            r#"{"refundRequestId":"r1","paymentId":"p1","refundAmount":{"currency":"USD","value":"100"},"refundNotifyUrl":"http://169.254.169.254/latest/meta-data/"}"#,
        ] {
            assert!(code(bad).is_err(), "{bad}");
        }
        let long = format!(
            r#"{{"refundRequestId":"{}","paymentId":"p1","refundAmount":{{"currency":"USD","value":"100"}}}}"#,
            "x".repeat(65)
        );
        assert!(code(&long).is_err());
    }
}
