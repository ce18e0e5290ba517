//! The OpenAPI 3.0 description of the open API, served at `GET /ams/openapi.json`.
//! Written out by hand: it is small, and it documents the headers and signatures that
//! generators would not know about.

use axum::response::IntoResponse;
use serde_json::{json, Value};

pub async fn handle() -> impl IntoResponse {
    (
        [("content-type", "application/json; charset=UTF-8")],
        serde_json::to_string_pretty(&document()).expect("JSON values serialise"),
    )
}

const REFUND_CODES: &[&str] = &[
    "SUCCESS",
    "REFUND_IN_PROCESS",
    "ACCESS_DENIED",
    "CURRENCY_NOT_SUPPORT",
    "INVALID_MERCHANT_STATUS",
    "INVALID_SIGNATURE",
    "KEY_NOT_FOUND",
    "MERCHANT_BALANCE_NOT_ENOUGH",
    "MULTIPLE_REFUNDS_NOT_SUPPORTED",
    "NO_INTERFACE_DEF",
    "ORDER_NOT_EXIST",
    "ORDER_STATUS_INVALID",
    "PARAM_ILLEGAL",
    "PARTIAL_REFUND_NOT_SUPPORTED",
    "PAYMENT_METHOD_NOT_SUPPORTED",
    "PROCESS_FAIL",
    "REFUND_AMOUNT_EXCEED",
    "REFUND_WINDOW_EXCEED",
    "REPEAT_REQ_INCONSISTENT",
    "REQUEST_TRAFFIC_EXCEED_LIMIT",
    "UNKNOWN_EXCEPTION",
];

const INQUIRY_CODES: &[&str] = &[
    "SUCCESS",
    "ACCESS_DENIED",
    "INVALID_SIGNATURE",
    "KEY_NOT_FOUND",
    "NO_INTERFACE_DEF",
    "ORDER_NOT_EXIST",
    "PARAM_ILLEGAL",
    "REQUEST_TRAFFIC_EXCEED_LIMIT",
    "UNKNOWN_EXCEPTION",
];

fn operation(
    summary: &str,
    description: &str,
    request: &str,
    response: &str,
    codes: &[&str],
) -> Value {
    json!({
        "summary": summary,
        "description": format!("{description}\n\nResult codes: {}.", codes.join(", ")),
        "parameters": [
            {"name": "Client-Id", "in": "header", "required": true, "schema": {"type": "string", "maxLength": 64}},
            {"name": "Request-Time", "in": "header", "required": true,
             "description": "ISO 8601 with offset, or epoch milliseconds; refused when more than PAYDESK_API_MAX_CLOCK_SKEW_SECONDS (300) from the server's time.",
             "schema": {"type": "string"}},
            {"name": "Signature", "in": "header", "required": true,
             "description": "algorithm=RSA256,keyVersion=<n>,signature=<url-encoded base64 of RSA PKCS#1 v1.5 SHA-256 over `POST <path>\\n<Client-Id>.<Request-Time>.<body>`>",
             "schema": {"type": "string"}}
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{request}")}}}},
        "responses": {"200": {
            "description": "Every business outcome, success or not, is HTTP 200; `result` says which. The response is signed with the platform key (headers Client-Id, Response-Time, Signature) over `POST <path>\\n<Client-Id>.<Response-Time>.<body>`.",
            "headers": {
                "Client-Id": {"schema": {"type": "string"}},
                "Response-Time": {"schema": {"type": "string"}},
                "Signature": {"schema": {"type": "string"}}
            },
            "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{response}")}}}
        }}
    })
}

pub fn document() -> Value {
    let refund = operation(
        "Refund a payment",
        "Refunds all or part of a successful payment (a capture's ID stands for its payment). Idempotent per refundRequestId: a repeat answers with the same refund or refusal; the same refundRequestId with another paymentId, amount or currency is REPEAT_REQ_INCONSISTENT. Synchronous methods answer S/SUCCESS; asynchronous ones U/REFUND_IN_PROCESS, then notifyRefund.",
        "RefundRequest",
        "RefundResponse",
        REFUND_CODES,
    );
    let inquiry = operation(
        "Inquire about a refund",
        "By refundId or refundRequestId; refundId takes precedence when both are given.",
        "InquiryRefundRequest",
        "InquiryRefundResponse",
        INQUIRY_CODES,
    );
    let string = |max: u32| json!({"type": "string", "maxLength": max});
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Paydesk open API",
            "version": "1.0",
            "description": "Antom-compatible refund API. Every scalar is a JSON string; amounts are minor units of the currency."
        },
        "paths": {
            "/ams/api/v1/payments/refund": {"post": refund.clone()},
            "/ams/sandbox/api/v1/payments/refund": {"post": refund},
            "/ams/api/v1/payments/inquiryRefund": {"post": inquiry.clone()},
            "/ams/sandbox/api/v1/payments/inquiryRefund": {"post": inquiry}
        },
        "components": {"schemas": {
            "Amount": {"type": "object", "required": ["currency", "value"], "properties": {
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                "value": {"type": "string", "pattern": "^[0-9]{1,15}$", "description": "Minor units"}
            }},
            "Result": {"type": "object", "properties": {
                "resultCode": {"type": "string"},
                "resultStatus": {"type": "string", "enum": ["S", "F", "U"]},
                "resultMessage": {"type": "string"}
            }},
            "Quote": {"type": "object", "properties": {
                "quoteCurrencyPair": {"type": "string", "example": "USD/SGD"},
                "quotePrice": {
                    "type": "number",
                    "description": "Settlement currency per one unit of the refund currency: the one JSON number in Paydesk's bodies, written with the rate's exact decimal digits (read it as a decimal, not a float).",
                    "example": 1.3456789
                }
            }},
            "RefundRequest": {"type": "object", "required": ["refundRequestId", "paymentId", "refundAmount"], "properties": {
                "refundRequestId": {"type": "string", "maxLength": 64, "pattern": "^[A-Za-z0-9_.:-]+$"},
                "paymentId": {"type": "string", "maxLength": 64},
                "referenceRefundId": string(64),
                "refundAmount": {"$ref": "#/components/schemas/Amount"},
                "refundReason": string(256),
                "refundNotifyUrl": string(1024),
                "merchantAccountId": string(32)
            }},
            "RefundResponse": {"type": "object", "properties": {
                "result": {"$ref": "#/components/schemas/Result"},
                "refundRequestId": {"type": "string"},
                "refundId": {"type": "string"},
                "paymentId": {"type": "string"},
                "refundAmount": {"$ref": "#/components/schemas/Amount"},
                "refundTime": {"type": "string", "format": "date-time"},
                "grossSettlementAmount": {"$ref": "#/components/schemas/Amount"},
                "settlementQuote": {"$ref": "#/components/schemas/Quote"}
            }},
            "InquiryRefundRequest": {"type": "object", "properties": {
                "refundRequestId": string(64),
                "refundId": string(64),
                "merchantAccountId": string(32)
            }},
            "InquiryRefundResponse": {"type": "object", "properties": {
                "result": {"$ref": "#/components/schemas/Result"},
                "refundId": {"type": "string"},
                "refundRequestId": {"type": "string"},
                "refundAmount": {"$ref": "#/components/schemas/Amount"},
                "refundStatus": {"type": "string", "enum": ["SUCCESS", "PROCESSING", "FAIL"]},
                "refundTime": {"type": "string", "format": "date-time"},
                "grossSettlementAmount": {"$ref": "#/components/schemas/Amount"},
                "settlementQuote": {"$ref": "#/components/schemas/Quote"}
            }}
        }}
    })
}
