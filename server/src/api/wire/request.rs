//! Request bodies as Antom's SDKs send them. Every field is a [`Field`]: absent, given
//! in its shape, or given in another shape (a JSON number where a string belongs),
//! which is PARAM_ILLEGAL with the field's name. Unknown fields (extendInfo,
//! isAsyncRefund …) are ignored.

use app::refunds::types::ParamError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::answer::{Amount, Refusal};
use crate::api::result_code::ResultCode;

/// One field of a request body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Field<T> {
    #[default]
    Absent,
    Given(T),
    /// Present, but not of the field's shape.
    Malformed,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Through Option, so that a missing field is absent too.
        Ok(match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Field::Absent,
            // No field of the API is a list (serde would read an object from one).
            Some(Value::Array(_)) => Field::Malformed,
            Some(v) => T::deserialize(v).map_or(Field::Malformed, Field::Given),
        })
    }
}

impl Field<String> {
    /// An optional string. Antom sends every scalar as a string: any other type is
    /// refused.
    pub fn optional(&self, name: &str) -> Result<Option<&str>, ParamError> {
        match self {
            Field::Absent => Ok(None),
            Field::Given(s) => Ok(Some(s)),
            Field::Malformed => Err(ParamError(format!("{name} must be a string."))),
        }
    }

    /// A required, non-empty string.
    pub fn required(&self, name: &str) -> Result<&str, ParamError> {
        match self.optional(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(ParamError(format!("{name} is required."))),
        }
    }

    /// An optional string, empty counting as absent.
    pub fn non_empty(&self, name: &str) -> Result<Option<&str>, ParamError> {
        Ok(self.optional(name)?.filter(|s| !s.is_empty()))
    }
}

/// An Amount as sent: `{"currency": "USD", "value": "1050"}`.
#[derive(Clone, Debug, Deserialize)]
pub struct AmountField {
    pub currency: Field<String>,
    pub value: Field<String>,
}

impl Field<AmountField> {
    /// A required Amount: its (currency, value) strings.
    pub fn required(&self, name: &str) -> Result<(&str, &str), ParamError> {
        match self {
            Field::Given(a) => Ok((
                amount_part(&a.currency, name, "currency")?,
                amount_part(&a.value, name, "value")?,
            )),
            Field::Absent => Err(ParamError(format!("{name} is required."))),
            Field::Malformed => Err(ParamError(format!(
                "{name} must be an object with currency and value."
            ))),
        }
    }
}

fn amount_part<'a>(f: &'a Field<String>, name: &str, part: &str) -> Result<&'a str, ParamError> {
    f.required(name)
        .map_err(|_| ParamError(format!("{name}.{part} is required and must be a string.")))
}

/// A request body of the open API.
pub trait WireRequest: DeserializeOwned {
    fn merchant_account_id(&self) -> &Field<String>;
}

/// The body of a refund request.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundRequest {
    /// Unique per merchant, forever: a repeat gets the first request's answer.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_.:-]+$")]
    pub refund_request_id: Field<String>,
    /// A payment's Transaction ID, or a capture's.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 64)]
    pub payment_id: Field<String>,
    #[schema(value_type = Option<String>, max_length = 64)]
    pub reference_refund_id: Field<String>,
    #[schema(value_type = Amount, required = true)]
    pub refund_amount: Field<AmountField>,
    #[schema(value_type = Option<String>, max_length = 256)]
    pub refund_reason: Field<String>,
    /// Where notifyRefund goes for an asynchronous refund: a public http(s) address.
    #[schema(value_type = Option<String>, max_length = 1024)]
    pub refund_notify_url: Field<String>,
    /// The merchant's id as 32 hex digits; another account's is ACCESS_DENIED.
    #[schema(value_type = Option<String>, max_length = 32)]
    pub merchant_account_id: Field<String>,
}

impl WireRequest for RefundRequest {
    fn merchant_account_id(&self) -> &Field<String> {
        &self.merchant_account_id
    }
}

/// The body of an inquiry; one of the IDs is required, and refundId wins when both are
/// given.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InquiryRefundRequest {
    #[schema(value_type = Option<String>, max_length = 64)]
    pub refund_request_id: Field<String>,
    #[schema(value_type = Option<String>, max_length = 64)]
    pub refund_id: Field<String>,
    #[schema(value_type = Option<String>, max_length = 32)]
    pub merchant_account_id: Field<String>,
}

impl WireRequest for InquiryRefundRequest {
    fn merchant_account_id(&self) -> &Field<String> {
        &self.merchant_account_id
    }
}

/// A request body: a JSON object, else PARAM_ILLEGAL.
pub fn decode<R: WireRequest>(body: &[u8]) -> Result<R, ParamError> {
    let not_object = || ParamError("The request body must be a JSON object.".into());
    match serde_json::from_slice::<Value>(body) {
        Ok(object @ Value::Object(_)) => R::deserialize(object).map_err(|_| not_object()),
        Ok(_) => Err(not_object()),
        Err(_) => Err(ParamError("The request body is not valid JSON.".into())),
    }
}

/// The answer that stops a parsed request whose merchantAccountId is malformed
/// (PARAM_ILLEGAL) or names another account than the client id's (ACCESS_DENIED):
/// Paydesk ties a client id to one merchant, whose account is its id in 32 hex digits.
pub fn account_refusal(account: &Field<String>, merchant_id: Uuid) -> Option<Refusal> {
    match account.optional("merchantAccountId") {
        Err(e) => Some(Refusal::param_illegal(&e)),
        Ok(None | Some("")) => None,
        Ok(Some(s)) if s.chars().count() > 32 => Some(Refusal::param_illegal(&ParamError(
            "merchantAccountId is longer than 32 characters.".into(),
        ))),
        Ok(Some(s)) if s.eq_ignore_ascii_case(&merchant_id.simple().to_string()) => None,
        Ok(Some(_)) => Some(Refusal::new(
            ResultCode::AccessDenied,
            "merchantAccountId is not the account of this Client-Id.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_tell_absent_from_malformed() {
        let r: RefundRequest = decode(
            br#"{"refundRequestId":"r1","paymentId":7,"refundAmount":["USD","1"],"extendInfo":{}}"#,
        )
        .unwrap();
        assert_eq!(
            r.refund_request_id.required("refundRequestId").unwrap(),
            "r1"
        );
        assert_eq!(
            r.payment_id.required("paymentId").unwrap_err().0,
            "paymentId must be a string."
        );
        assert_eq!(
            r.refund_amount.required("refundAmount").unwrap_err().0,
            "refundAmount must be an object with currency and value."
        );
        assert_eq!(r.refund_reason.optional("refundReason").unwrap(), None);
        let null: RefundRequest = decode(br#"{"refundReason":null}"#).unwrap();
        assert_eq!(null.refund_reason, Field::Absent);
        assert!(decode::<RefundRequest>(b"[]").is_err());
        assert!(decode::<RefundRequest>(b"{").is_err());
    }

    #[test]
    fn the_account_must_be_the_client_ids() {
        let merchant = Uuid::new_v4();
        let given = |s: &str| Field::Given(s.to_owned());
        assert!(account_refusal(&Field::Absent, merchant).is_none());
        assert!(account_refusal(&given(""), merchant).is_none());
        let upper = merchant.simple().to_string().to_uppercase();
        assert!(account_refusal(&given(&upper), merchant).is_none());
        let code = |r: Option<Refusal>| r.unwrap().result.result_code;
        assert_eq!(
            code(account_refusal(&given(&"0".repeat(32)), merchant)),
            ResultCode::AccessDenied
        );
        assert_eq!(
            code(account_refusal(&given(&"0".repeat(33)), merchant)),
            ResultCode::ParamIllegal
        );
        assert_eq!(
            code(account_refusal(&Field::Malformed, merchant)),
            ResultCode::ParamIllegal
        );
    }
}
