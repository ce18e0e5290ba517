//! Values a refund request is made of, each parsed once at the edge so that the engine
//! only ever sees valid ones. Pure: the dashboard form validates with the same code.

use crate::transactions::kind::TransactionStatus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest ID the open API accepts (refundRequestId, paymentId, refundId).
pub const MAX_ID_LEN: usize = 64;
/// Antom's limits for the free-text fields.
pub const MAX_REASON_LEN: usize = 256;

/// Why a field was refused; the API answers PARAM_ILLEGAL with this as the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamError(pub String);

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParamError {}

fn param(msg: impl Into<String>) -> ParamError {
    ParamError(msg.into())
}

/// An identifier of up to 64 characters from `A-Z a-z 0-9 - _ . :`. Antom refuses
/// "special characters" in request IDs without listing them; this is the set every
/// Antom SDK example and merchant order number fits in, and it keeps IDs safe to show
/// and to put in file names.
fn parse_id(field: &str, raw: &str) -> Result<String, ParamError> {
    if raw.is_empty() {
        return Err(param(format!("{field} is required.")));
    }
    if raw.chars().count() > MAX_ID_LEN {
        return Err(param(format!(
            "{field} is longer than {MAX_ID_LEN} characters."
        )));
    }
    if !raw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    {
        return Err(param(format!(
            "{field} contains characters other than letters, digits and - _ . :"
        )));
    }
    Ok(raw.to_string())
}

/// The merchant's ID of a refund request; the idempotency key with the merchant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RefundRequestId(String);

impl RefundRequestId {
    pub fn parse(raw: &str) -> Result<Self, ParamError> {
        parse_id("refundRequestId", raw).map(RefundRequestId)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RefundRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Paydesk transaction ID given by the merchant (paymentId, refundId).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TransactionRef(String);

impl TransactionRef {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ParamError> {
        parse_id(field, raw).map(TransactionRef)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TransactionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A positive amount in minor units, from the wire's string of digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinorAmount(i64);

impl MinorAmount {
    /// Digits only (no sign, point, exponent or spaces), positive, and small enough for
    /// an i64 with room to add up many of them.
    pub fn parse(raw: &str) -> Result<Self, ParamError> {
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(param(
                "refundAmount.value must be a string of digits (minor units).",
            ));
        }
        if raw.len() > 15 {
            return Err(param("refundAmount.value is too large."));
        }
        let v: i64 = raw
            .parse()
            .map_err(|_| param("refundAmount.value is not a number."))?;
        Self::new(v)
    }
    pub fn new(v: i64) -> Result<Self, ParamError> {
        if v <= 0 {
            return Err(param("refundAmount.value must be greater than zero."));
        }
        Ok(MinorAmount(v))
    }
    pub fn get(self) -> i64 {
        self.0
    }
}

/// A well-formed currency code: three upper-case letters. Whether it is the payment's
/// currency is a business rule (CURRENCY_NOT_SUPPORT), not a format error.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CurrencyCode(String);

impl CurrencyCode {
    pub fn parse(raw: &str) -> Result<Self, ParamError> {
        if raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(CurrencyCode(raw.to_string()))
        } else {
            Err(param(
                "refundAmount.currency must be an ISO 4217 code such as USD.",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An optional free-text reason: one line of at most 256 characters in any script,
/// without control or text-direction override characters (crate::text).
pub fn parse_reason(raw: Option<&str>) -> Result<Option<String>, ParamError> {
    match raw {
        None | Some("") => Ok(None),
        Some(r) => match crate::text::check_line(r, MAX_REASON_LEN) {
            Ok(()) => Ok(Some(r.to_string())),
            Err(problem) => Err(param(problem.message("refundReason"))),
        },
    }
}

/// The merchant's optional reference for the refund (referenceRefundId): at most 64
/// characters, one line.
pub fn parse_reference(raw: Option<&str>) -> Result<Option<String>, ParamError> {
    match raw {
        None | Some("") => Ok(None),
        Some(r) => match crate::text::check_line(r, MAX_ID_LEN) {
            Ok(()) => Ok(Some(r.to_string())),
            Err(problem) => Err(param(problem.message("referenceRefundId"))),
        },
    }
}

/// What the refund is now, as inquiryRefund's refundStatus says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundStatus {
    Success,
    Processing,
    Fail,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Success => "SUCCESS",
            RefundStatus::Processing => "PROCESSING",
            RefundStatus::Fail => "FAIL",
        }
    }
    /// From the status of a REFUND row; CLOSED counts as failed.
    pub fn from_transaction_status(s: TransactionStatus) -> RefundStatus {
        match s {
            TransactionStatus::Success => RefundStatus::Success,
            TransactionStatus::Processing => RefundStatus::Processing,
            TransactionStatus::Fail | TransactionStatus::Closed => RefundStatus::Fail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(RefundRequestId::parse("REF-2026_11.29:1").is_ok());
        assert!(RefundRequestId::parse("").is_err());
        assert!(RefundRequestId::parse(&"a".repeat(64)).is_ok());
        assert!(RefundRequestId::parse(&"a".repeat(65)).is_err());
        assert!(RefundRequestId::parse("a b").is_err());
        assert!(RefundRequestId::parse("a<b>").is_err());
        assert!(RefundRequestId::parse("ä").is_err());
    }

    #[test]
    fn amounts() {
        assert_eq!(MinorAmount::parse("1050").unwrap().get(), 1050);
        for bad in [
            "",
            "0",
            "-1",
            "+1",
            "1.5",
            "1e3",
            " 1",
            "abc",
            "1234567890123456",
        ] {
            assert!(MinorAmount::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn currencies() {
        assert!(CurrencyCode::parse("USD").is_ok());
        for bad in ["usd", "US", "USDT", "U$D", ""] {
            assert!(CurrencyCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reasons() {
        assert_eq!(parse_reason(None), Ok(None));
        assert!(parse_reason(Some(&"x".repeat(257))).is_err());
        assert!(parse_reason(Some("line\nbreak")).is_err());
        assert!(parse_reason(Some("nul\u{0}")).is_err());
        assert!(parse_reason(Some("\u{202E}lanigiro")).is_err());
        assert_eq!(
            parse_reason(Some("Devolução parcial 退款 🎁")),
            Ok(Some("Devolução parcial 退款 🎁".into()))
        );
        assert!(parse_reference(Some("a\u{0}")).is_err());
        assert!(parse_reference(Some(&"x".repeat(65))).is_err());
    }
}
