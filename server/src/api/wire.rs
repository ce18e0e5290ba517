//! The Antom JSON shapes (docs/API.md): every scalar a string, money as
//! `{"currency","value"}` in minor units, a `result` in every answer, and one number:
//! `settlementQuote.quotePrice`, written digit for digit from its exact decimal (see
//! [`to_body`]).

use app::refunds::engine::{RefundError, RefundRecord};
use app::refunds::types::{ParamError, RefundStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};
use serde_json::{json, Map, Value};
use std::io::{self, Write};

use super::signature::format_time;

/// The bytes of an answer or notification. Antom's SDKs read `quotePrice` as a number
/// (Go as a float, Java as a BigDecimal), while every other scalar is a string; the
/// `Value` holds the quote as its exact decimal string, and this writes that string's
/// digits without quotes, so the number on the wire is the exact decimal, never one
/// that went through a float.
pub fn to_body(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, QuoteAsNumber::default());
    value
        .serialize(&mut serializer)
        .expect("JSON values serialise");
    out
}

/// The compact formatter, except that the string value of a `quotePrice` key is written
/// without its quotes. Quotes are only ever plain decimals (see [`decimal`]).
#[derive(Default)]
struct QuoteAsNumber {
    in_key: bool,
    key: Vec<u8>,
    bare: bool,
}

impl Formatter for QuoteAsNumber {
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.bare = false;
        CompactFormatter.begin_object(w)
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.bare = false;
        CompactFormatter.begin_array(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.in_key = true;
        self.key.clear();
        CompactFormatter.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.in_key = false;
        CompactFormatter.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.bare = self.key == b"quotePrice";
        CompactFormatter.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.bare = false;
        CompactFormatter.end_object_value(w)
    }
    fn begin_string<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.bare {
            Ok(())
        } else {
            CompactFormatter.begin_string(w)
        }
    }
    fn end_string<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.bare {
            Ok(())
        } else {
            CompactFormatter.end_string(w)
        }
    }
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_key {
            self.key.extend_from_slice(fragment.as_bytes());
        }
        CompactFormatter.write_string_fragment(w, fragment)
    }
}

/// `s` if it is a plain decimal (digits, at most one point, a digit on each side of it),
/// the only form a quote may take on the wire as a bare number.
fn decimal(s: &str) -> Option<&str> {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    (digits(whole) && digits(fraction)).then_some(s)
}

/// `result` of an answer.
pub fn result(code: &str, status: &str, message: &str) -> Value {
    json!({ "resultCode": code, "resultStatus": status, "resultMessage": message })
}

/// An answer with nothing but its result.
pub fn only_result(code: &str, status: &str, message: &str) -> Value {
    json!({ "result": result(code, status, message) })
}

pub fn success() -> Value {
    result("SUCCESS", "S", "success")
}

pub fn param_illegal(e: &ParamError) -> Value {
    only_result("PARAM_ILLEGAL", "F", &e.0)
}

/// [`refund_error`] for the answer of `what`; database faults are also logged, since
/// the caller only sees a U.
pub fn engine_failure(e: &RefundError, what: &str) -> Value {
    if let RefundError::Database(err) = e {
        tracing::error!(error = %err, "{what} failed");
    }
    refund_error(e)
}

/// The answer that stops a parsed request whose merchantAccountId is malformed
/// (PARAM_ILLEGAL) or names another account than the client id's (ACCESS_DENIED).
pub fn account_refusal(m: &Map<String, Value>, merchant_id: uuid::Uuid) -> Option<Value> {
    match merchant_account_matches(m, merchant_id) {
        Err(e) => Some(param_illegal(&e)),
        Ok(false) => Some(only_result(
            "ACCESS_DENIED",
            "F",
            "merchantAccountId is not the account of this Client-Id.",
        )),
        Ok(true) => None,
    }
}

/// The answer for an engine error: database trouble is U (retry with the same
/// refundRequestId), everything else F.
pub fn refund_error(e: &RefundError) -> Value {
    let status = if matches!(e, RefundError::Database(_)) {
        "U"
    } else {
        "F"
    };
    only_result(e.result_code(), status, &e.message())
}

pub fn money(amount_minor: i64, currency: &str) -> Value {
    json!({ "currency": currency, "value": amount_minor.to_string() })
}

pub fn time(t: DateTime<Utc>) -> String {
    format_time(t)
}

/// refundAmount, and the settlement pair when it is a conversion: Antom returns
/// grossSettlementAmount and settlementQuote only when the currencies differ.
fn amounts(out: &mut Map<String, Value>, r: &RefundRecord) {
    out.insert("refundAmount".into(), money(r.amount_minor, &r.currency));
    if r.status == RefundStatus::Success {
        if let Some(at) = r.finished_at {
            out.insert("refundTime".into(), Value::String(time(at)));
        }
        if let Some(s) = r.settlement.as_ref().filter(|s| s.currency != r.currency) {
            out.insert(
                "grossSettlementAmount".into(),
                money(s.amount_minor, &s.currency),
            );
            // A quote that is not a plain decimal would break the body: none is sent.
            if let Some(price) = decimal(&s.quote) {
                out.insert(
                    "settlementQuote".into(),
                    json!({
                        "quoteCurrencyPair": format!("{}/{}", r.currency, s.currency),
                        "quotePrice": price,
                    }),
                );
            }
        }
    }
}

/// The refund API's answer for a refund record: S when it succeeded, U while it is in
/// process, F when the acquirer failed it (seen on a repeated request).
pub fn refund_answer(r: &RefundRecord) -> Value {
    let result = match r.status {
        RefundStatus::Success => success(),
        RefundStatus::Processing => {
            result("REFUND_IN_PROCESS", "U", "The refund is being processed.")
        }
        RefundStatus::Fail => failed(),
    };
    about_refund(r, json!({ "result": result, "paymentId": r.payment_id }))
}

/// inquiryRefund's answer: the call succeeded; refundStatus says where the refund is.
pub fn inquiry_answer(r: &RefundRecord) -> Value {
    about_refund(
        r,
        json!({ "result": success(), "refundStatus": r.status.as_str() }),
    )
}

/// notifyRefund's body for a refund that reached SUCCESS or FAIL.
pub fn notify_body(r: &RefundRecord) -> Value {
    let result = match r.status {
        RefundStatus::Success => success(),
        _ => failed(),
    };
    about_refund(
        r,
        json!({
            "notifyType": "REFUND_RESULT",
            "result": result,
            "refundStatus": r.status.as_str(),
            "paymentId": r.payment_id,
        }),
    )
}

/// `fields` with what every message about a refund carries: its IDs and amounts.
fn about_refund(r: &RefundRecord, fields: Value) -> Value {
    let Value::Object(mut out) = fields else {
        unreachable!("callers pass a JSON object");
    };
    out.insert(
        "refundRequestId".into(),
        Value::String(r.refund_request_id.clone()),
    );
    out.insert("refundId".into(), Value::String(r.refund_id.clone()));
    amounts(&mut out, r);
    Value::Object(out)
}

fn failed() -> Value {
    result("PROCESS_FAIL", "F", "The refund failed.")
}

/// A request body: a JSON object, else PARAM_ILLEGAL.
pub fn object(body: &[u8]) -> Result<Map<String, Value>, ParamError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ParamError("The request body must be a JSON object.".into())),
        Err(_) => Err(ParamError("The request body is not valid JSON.".into())),
    }
}

/// An optional string field; present with another type (a JSON number, say) is
/// PARAM_ILLEGAL, as Antom wants every scalar as a string.
pub fn opt_str<'a>(m: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ParamError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(ParamError(format!("{field} must be a string."))),
    }
}

pub fn req_str<'a>(m: &'a Map<String, Value>, field: &str) -> Result<&'a str, ParamError> {
    match opt_str(m, field)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ParamError(format!("{field} is required."))),
    }
}

/// A required Amount object: (currency, value) strings.
pub fn req_amount<'a>(
    m: &'a Map<String, Value>,
    field: &str,
) -> Result<(&'a str, &'a str), ParamError> {
    match m.get(field) {
        Some(Value::Object(a)) => Ok((
            req_str(a, "currency").map_err(|_| {
                ParamError(format!(
                    "{field}.currency is required and must be a string."
                ))
            })?,
            req_str(a, "value").map_err(|_| {
                ParamError(format!("{field}.value is required and must be a string."))
            })?,
        )),
        None | Some(Value::Null) => Err(ParamError(format!("{field} is required."))),
        Some(_) => Err(ParamError(format!(
            "{field} must be an object with currency and value."
        ))),
    }
}

/// merchantAccountId: at most 32 characters; when given it must name the merchant of
/// the client id (its id as 32 hex digits), since Paydesk ties a client id to one
/// merchant.
pub fn merchant_account_matches(
    m: &Map<String, Value>,
    merchant_id: uuid::Uuid,
) -> Result<bool, ParamError> {
    match opt_str(m, "merchantAccountId")? {
        None | Some("") => Ok(true),
        Some(s) if s.chars().count() > 32 => Err(ParamError(
            "merchantAccountId is longer than 32 characters.".into(),
        )),
        Some(s) => Ok(s.eq_ignore_ascii_case(&merchant_id.simple().to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_prices_are_bare_exact_numbers_and_nothing_else_is() {
        let value = json!({
            "result": {"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"},
            "refundAmount": {"currency": "USD", "value": "2000"},
            "settlementQuote": {"quoteCurrencyPair": "USD/SGD", "quotePrice": "7.12345678901234567891"},
            "note": {"quotePrice": {"nested": "x"}},
        });
        let body = String::from_utf8(to_body(&value)).unwrap();
        assert!(
            body.contains(r#""quotePrice":7.12345678901234567891}"#),
            "{body}"
        );
        assert!(body.contains(r#""value":"2000""#), "{body}");
        assert!(body.contains(r#""quotePrice":{"nested":"x"}"#), "{body}");
        // Still JSON, and the number is a number.
        let back: Value = serde_json::from_str(&body).unwrap();
        assert!(back["settlementQuote"]["quotePrice"].is_number());
    }

    #[test]
    fn only_plain_decimals_are_quotes() {
        assert_eq!(decimal("1.35"), Some("1.35"));
        assert_eq!(decimal("150"), Some("150"));
        for bad in ["", "1.", ".5", "1e5", "-1", "1.2.3", "NaN", "1 "] {
            assert_eq!(decimal(bad), None, "{bad:?}");
        }
    }
}
