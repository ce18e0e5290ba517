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
use serde_json::{Map, Value};

use super::{serve_signed, wire, ApiState, Authenticated};

pub async fn handle(
    State(state): State<ApiState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let targets = state.config.notify_targets;
    let parse = |body: &[u8], auth: &Authenticated| parse(body, &auth.client_id, targets);
    let decide = async |state: &ApiState, auth: &Authenticated, cmd| match engine::refund(
        &state.pool,
        auth.merchant_id,
        cmd,
    )
    .await
    {
        Ok(record) => wire::refund_answer(&record),
        Err(e) => wire::engine_failure(&e, "refund"),
    };
    serve_signed(&state, uri.path(), &headers, body, parse, decide).await
}

/// The request body as a command; any missing, over-long or malformed field is
/// PARAM_ILLEGAL. Unknown fields (extendInfo, isAsyncRefund …) are ignored.
fn parse(
    body: &[u8],
    client_id: &str,
    targets: TargetPolicy,
) -> Result<(RefundCommand, Map<String, Value>), ParamError> {
    let m = wire::object(body)?;
    let refund_request_id = RefundRequestId::parse(wire::req_str(&m, "refundRequestId")?)?;
    let payment_id = TransactionRef::parse("paymentId", wire::req_str(&m, "paymentId")?)?;
    parse_reference(wire::opt_str(&m, "referenceRefundId")?)?;
    let (currency, value) = wire::req_amount(&m, "refundAmount")?;
    let currency = CurrencyCode::parse(currency)?;
    let amount = MinorAmount::parse(value)?;
    let reason = parse_reason(wire::opt_str(&m, "refundReason")?)?;
    let notify_url = parse_notify_url(wire::opt_str(&m, "refundNotifyUrl")?, targets)?;
    let cmd = RefundCommand {
        refund_request_id,
        payment_id,
        currency,
        amount,
        reason,
        notify_url,
        source: RefundSource::Api {
            client_id: client_id.to_string(),
        },
    };
    Ok((cmd, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> Result<(), String> {
        parse(body.as_bytes(), "C", TargetPolicy::default())
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
