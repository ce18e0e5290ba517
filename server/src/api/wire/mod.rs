//! The Antom JSON shapes (docs/API.md): every scalar a string, money as
//! `{"currency","value"}` in minor units, a `result` in every answer, and one number:
//! `settlementQuote.quotePrice`, written digit for digit from its exact decimal (see
//! [`to_body`]). The request and answer types are also what the OpenAPI document is
//! generated from.

mod answer;
mod request;

pub use answer::{
    inquiry_answer, notify_body, refund_answer, refund_error, Amount, InquiryRefundResponse,
    NotifyRefund, Quote, RefundResponse, Refusal, ResultBody,
};
pub use request::{
    account_refusal, decode, AmountField, Field, InquiryRefundRequest, RefundRequest, WireRequest,
};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};
use std::io::{self, Write};

/// The bytes of an answer or notification, keys in alphabetical order. Antom's SDKs
/// read `quotePrice` as a number (Go as a float, Java as a BigDecimal), while every
/// other scalar is a string; the answer holds the quote as its exact decimal string,
/// and this writes that string's digits without quotes, so the number on the wire is
/// the exact decimal, never one that went through a float.
pub fn to_body(answer: &impl Serialize) -> Vec<u8> {
    // Through a JSON value, whose object keys are sorted, so that the bytes do not
    // depend on the order of the types' fields.
    let value = serde_json::to_value(answer).expect("answers are JSON");
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

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
}
