//! The OpenAPI document of the open API, served at `GET /ams/openapi.json`. utoipa
//! generates it from the handlers' annotations and the request and answer types they
//! parse and answer with (`wire`); what applies to every call is added here: the
//! signature headers both ways, the result codes each call may answer, and the sandbox
//! paths, which behave alike.

use std::sync::LazyLock;

use axum::response::IntoResponse;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{OpenApi as Document, RefOr, Required};
use utoipa::OpenApi;

use super::result_code::ResultCode;
use super::wire::NotifyRefund;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Paydesk open API",
        version = "1.0",
        description = "Antom-compatible refund API. Every scalar is a JSON string; amounts are minor units of the currency. \
                       notifyRefund (the NotifyRefund schema) is POSTed to the merchant, signed the same way."
    ),
    paths(super::refund::handle, super::inquiry::handle),
    components(schemas(NotifyRefund))
)]
struct Generated;

/// The codes each call may answer, besides those of the signature checks.
const REFUND_CODES: &[ResultCode] = &[
    ResultCode::Success,
    ResultCode::RefundInProcess,
    ResultCode::AccessDenied,
    ResultCode::CurrencyNotSupport,
    ResultCode::InvalidMerchantStatus,
    ResultCode::MerchantBalanceNotEnough,
    ResultCode::MultipleRefundsNotSupported,
    ResultCode::OrderNotExist,
    ResultCode::OrderStatusInvalid,
    ResultCode::PartialRefundNotSupported,
    ResultCode::PaymentMethodNotSupported,
    ResultCode::ProcessFail,
    ResultCode::RefundAmountExceed,
    ResultCode::RefundWindowExceed,
    ResultCode::RepeatReqInconsistent,
];
const INQUIRY_CODES: &[ResultCode] = &[
    ResultCode::Success,
    ResultCode::AccessDenied,
    ResultCode::OrderNotExist,
];
/// What any call may answer: the envelope's checks (docs/API.md, "Signing").
const EVERY_CALL_CODES: &[ResultCode] = &[
    ResultCode::InvalidSignature,
    ResultCode::KeyNotFound,
    ResultCode::NoInterfaceDef,
    ResultCode::ParamIllegal,
    ResultCode::RequestTrafficExceedLimit,
    ResultCode::UnknownException,
];

const SIGNED_ANSWER: &str =
    "Every business outcome, success or not, is HTTP 200; `result` says which. \
    The response is signed with the platform key (headers Client-Id, Response-Time, Signature) \
    over `POST <path>\\n<Client-Id>.<Response-Time>.<body>`.";

/// The document, made once.
pub fn document() -> &'static Document {
    static DOCUMENT: LazyLock<Document> = LazyLock::new(build);
    &DOCUMENT
}

pub async fn handle() -> impl IntoResponse {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        document()
            .to_pretty_json()
            .expect("the document serialises")
    });
    (
        [("content-type", "application/json; charset=UTF-8")],
        JSON.as_str(),
    )
}

fn build() -> Document {
    let mut doc = Generated::openapi();
    for (path, codes) in [
        ("/ams/api/v1/payments/refund", REFUND_CODES),
        ("/ams/api/v1/payments/inquiryRefund", INQUIRY_CODES),
    ] {
        let Some(item) = doc.paths.paths.get_mut(path) else {
            continue;
        };
        if let Some(operation) = item.post.as_mut() {
            signed(operation, codes);
        }
        let sandbox = path.replacen("/ams/api/", "/ams/sandbox/api/", 1);
        let item = item.clone();
        doc.paths.paths.insert(sandbox, item);
    }
    doc
}

/// Adds to `operation` the signature headers of the request and of the answer, and the
/// codes it may answer to its description.
fn signed(operation: &mut Operation, codes: &[ResultCode]) {
    let all: Vec<&str> = codes
        .iter()
        .chain(EVERY_CALL_CODES)
        .map(|c| c.as_str())
        .collect();
    let description = operation.description.take().unwrap_or_default();
    operation.description = Some(format!(
        "{description}\n\nResult codes: {}.",
        all.join(", ")
    ));
    operation.parameters = Some(Vec::from(
        [
            header(
                "Client-Id",
                "The merchant's client id, at most 64 characters.",
            ),
            header(
                "Request-Time",
                "ISO 8601 with offset, or epoch milliseconds; refused when more than \
             PAYDESK_API_MAX_CLOCK_SKEW_SECONDS (300) from the server's time.",
            ),
            header(
                "Signature",
                "algorithm=RSA256,keyVersion=<n>,signature=<url-encoded base64 of RSA PKCS#1 v1.5 \
             SHA-256 over `POST <path>\\n<Client-Id>.<Request-Time>.<body>`>",
            ),
        ]
        .map(RefOr::T),
    ));
    for response in operation.responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            response.description = SIGNED_ANSWER.to_owned();
            for name in ["Client-Id", "Response-Time", "Signature"] {
                response
                    .headers
                    .insert(name.to_owned(), RefOr::T(Header::new(string())));
            }
        }
    }
}

fn header(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(string()))
        .build()
}

fn string() -> utoipa::openapi::Object {
    ObjectBuilder::new().schema_type(Type::String).build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// docs/API.md's table of result codes: (code, status) of each row.
    fn documented_codes() -> Vec<(String, String)> {
        let api = include_str!("../../../docs/API.md");
        let table = api
            .split("\n## Result codes\n")
            .nth(1)
            .expect("docs/API.md has a Result codes section");
        table
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .filter_map(|l| {
                let mut cells = l.split('|').map(str::trim).skip(1);
                let code = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
                let status = cells.next()?.trim_matches('`');
                Some((code.to_owned(), status.to_owned()))
            })
            .collect()
    }

    #[test]
    fn every_result_code_is_documented_and_in_the_document() {
        let doc = serde_json::to_value(document()).unwrap();
        let listed: Vec<&str> = doc["components"]["schemas"]["ResultCode"]["enum"]
            .as_array()
            .expect("resultCode lists its values")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let documented = documented_codes();
        assert_eq!(
            documented.len(),
            ResultCode::iter().count(),
            "{documented:?}"
        );
        for (code, status) in &documented {
            let known = ResultCode::iter().find(|c| c.as_str() == code);
            let known = known.unwrap_or_else(|| panic!("{code} is documented but unknown"));
            assert_eq!(
                serde_json::to_value(known.status()).unwrap(),
                status.as_str(),
                "{code}"
            );
            assert!(
                listed.contains(&code.as_str()),
                "{code} is not in the document"
            );
        }
        let refund = doc["paths"]["/ams/api/v1/payments/refund"]["post"]["description"]
            .as_str()
            .unwrap();
        for code in REFUND_CODES.iter().chain(EVERY_CALL_CODES) {
            assert!(refund.contains(code.as_str()), "{code:?}");
        }
    }

    #[test]
    fn both_calls_are_documented_live_and_in_the_sandbox_with_their_types() {
        let doc = serde_json::to_value(document()).unwrap();
        for path in [
            "/ams/api/v1/payments/refund",
            "/ams/sandbox/api/v1/payments/refund",
            "/ams/api/v1/payments/inquiryRefund",
            "/ams/sandbox/api/v1/payments/inquiryRefund",
        ] {
            let post = &doc["paths"][path]["post"];
            assert!(post.is_object(), "{path}");
            let names: Vec<&str> = post["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["Client-Id", "Request-Time", "Signature"], "{path}");
            assert!(post["responses"]["200"]["headers"]["Signature"].is_object());
        }
        let schemas = &doc["components"]["schemas"];
        let refund = &schemas["RefundRequest"];
        assert_eq!(
            refund["required"],
            serde_json::json!(["refundRequestId", "paymentId", "refundAmount"])
        );
        assert_eq!(
            refund["properties"]["refundRequestId"]["pattern"],
            "^[A-Za-z0-9_.:-]+$"
        );
        assert_eq!(
            schemas["Quote"]["properties"]["quotePrice"]["type"],
            "number"
        );
        assert!(schemas["NotifyRefund"].is_object());
    }
}
