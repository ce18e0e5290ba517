//! Answers and notifications: a `result` in every one, and for a refund its IDs and
//! amounts. Optional fields are left out when they have no value, as Antom does.

use app::refunds::engine::{RefundError, RefundRecord};
use app::refunds::types::{ParamError, RefundStatus};
use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::ToSchema;

use crate::api::result_code::{ResultCode, ResultStatus};
use crate::api::signature::format_time;

/// `result` of an answer.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Result)]
pub struct ResultBody {
    pub result_code: ResultCode,
    pub result_status: ResultStatus,
    pub result_message: String,
}

impl ResultBody {
    pub fn new(code: ResultCode, message: &str) -> ResultBody {
        ResultBody {
            result_code: code,
            result_status: code.status(),
            result_message: message.to_owned(),
        }
    }

    fn success() -> ResultBody {
        ResultBody::new(ResultCode::Success, "success")
    }

    fn failed() -> ResultBody {
        ResultBody::new(ResultCode::ProcessFail, "The refund failed.")
    }
}

/// An answer with nothing but its result: a request refused before it was understood.
#[derive(Clone, Debug, Serialize)]
pub struct Refusal {
    pub result: ResultBody,
}

impl Refusal {
    pub fn new(code: ResultCode, message: &str) -> Refusal {
        Refusal {
            result: ResultBody::new(code, message),
        }
    }

    pub fn param_illegal(e: &ParamError) -> Refusal {
        Refusal::new(ResultCode::ParamIllegal, &e.0)
    }
}

/// Money: minor units of an ISO 4217 currency, as a string.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Amount {
    #[schema(pattern = "^[A-Z]{3}$", example = "USD")]
    pub currency: String,
    /// Minor units.
    #[schema(pattern = "^[0-9]{1,15}$", example = "1050")]
    pub value: String,
}

impl Amount {
    fn new(minor: i64, currency: &str) -> Amount {
        Amount {
            currency: currency.to_owned(),
            value: minor.to_string(),
        }
    }
}

/// The rate a refund was settled at.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    #[schema(example = "USD/SGD")]
    pub quote_currency_pair: String,
    /// Settlement currency per one unit of the refund currency: the one JSON number in
    /// Paydesk's bodies, written with the rate's exact decimal digits (read it as a
    /// decimal, not a float).
    #[schema(value_type = f64, example = 1.3456789)]
    pub quote_price: String,
}

/// What every message about a refund carries: its IDs and amounts.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AboutRefund {
    pub refund_request_id: String,
    pub refund_id: String,
    pub refund_amount: Amount,
    /// When the refund succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub refund_time: Option<String>,
    /// Only when the merchant settles in another currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gross_settlement_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settlement_quote: Option<Quote>,
}

impl AboutRefund {
    /// refundAmount, and once the refund succeeded its time and the settlement pair
    /// when it is a conversion: Antom returns grossSettlementAmount and settlementQuote
    /// only when the currencies differ.
    fn of(r: &RefundRecord) -> AboutRefund {
        let succeeded = r.status == RefundStatus::Success;
        let converted = r
            .settlement
            .as_ref()
            .filter(|s| succeeded && s.currency != r.currency);
        AboutRefund {
            refund_request_id: r.refund_request_id.clone(),
            refund_id: r.refund_id.clone(),
            refund_amount: Amount::new(r.amount_minor, &r.currency),
            refund_time: r.finished_at.filter(|_| succeeded).map(format_time),
            gross_settlement_amount: converted.map(|s| Amount::new(s.amount_minor, &s.currency)),
            // A quote that is not a plain decimal would break the body: none is sent.
            settlement_quote: converted.filter(|s| is_decimal(&s.quote)).map(|s| Quote {
                quote_currency_pair: format!("{}/{}", r.currency, s.currency),
                quote_price: s.quote.clone(),
            }),
        }
    }
}

/// Whether `s` is a plain decimal (digits, at most one point, a digit on each side of
/// it), the only form a quote may take on the wire as a bare number.
fn is_decimal(s: &str) -> bool {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// The refund API's answer.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundResponse {
    pub result: ResultBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub refund: Option<AboutRefund>,
}

/// inquiryRefund's answer: the call succeeded; refundStatus says where the refund is.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InquiryRefundResponse {
    pub result: ResultBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = refund_status)]
    pub refund_status: Option<&'static str>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub refund: Option<AboutRefund>,
}

impl From<Refusal> for RefundResponse {
    fn from(r: Refusal) -> Self {
        RefundResponse {
            result: r.result,
            payment_id: None,
            refund: None,
        }
    }
}

impl From<Refusal> for InquiryRefundResponse {
    fn from(r: Refusal) -> Self {
        InquiryRefundResponse {
            result: r.result,
            refund_status: None,
            refund: None,
        }
    }
}

/// notifyRefund's body, for a refund that reached SUCCESS or FAIL.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotifyRefund {
    #[schema(example = "REFUND_RESULT")]
    pub notify_type: &'static str,
    pub result: ResultBody,
    #[schema(schema_with = refund_status)]
    pub refund_status: &'static str,
    pub payment_id: String,
    #[serde(flatten)]
    pub refund: AboutRefund,
}

/// refundStatus: one of [`RefundStatus`]'s wire names.
fn refund_status() -> utoipa::openapi::Object {
    let all = [
        RefundStatus::Success,
        RefundStatus::Processing,
        RefundStatus::Fail,
    ];
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(all.map(RefundStatus::as_str)))
        .build()
}

/// The refund API's answer for a refund record: S when it succeeded, U while it is in
/// process, F when the acquirer failed it (seen on a repeated request).
pub fn refund_answer(r: &RefundRecord) -> RefundResponse {
    let result = match r.status {
        RefundStatus::Success => ResultBody::success(),
        RefundStatus::Processing => ResultBody::new(
            ResultCode::RefundInProcess,
            "The refund is being processed.",
        ),
        RefundStatus::Fail => ResultBody::failed(),
    };
    RefundResponse {
        result,
        payment_id: Some(r.payment_id.clone()),
        refund: Some(AboutRefund::of(r)),
    }
}

/// The answer for an engine error, which names its result code: database trouble is U
/// (retry with the same refundRequestId, and logged, since the caller only sees a U),
/// everything else F. `what` names the call in the log.
pub fn refund_error(e: &RefundError, what: &str) -> Refusal {
    if let RefundError::Database(err) = e {
        tracing::error!(error = %err, "{what} failed");
    }
    Refusal::new(ResultCode::parse(e.result_code()), &e.message())
}

pub fn inquiry_answer(r: &RefundRecord) -> InquiryRefundResponse {
    InquiryRefundResponse {
        result: ResultBody::success(),
        refund_status: Some(r.status.as_str()),
        refund: Some(AboutRefund::of(r)),
    }
}

pub fn notify_body(r: &RefundRecord) -> NotifyRefund {
    let result = match r.status {
        RefundStatus::Success => ResultBody::success(),
        _ => ResultBody::failed(),
    };
    NotifyRefund {
        notify_type: "REFUND_RESULT",
        result,
        refund_status: r.status.as_str(),
        payment_id: r.payment_id.clone(),
        refund: AboutRefund::of(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_decimals_are_quotes() {
        assert!(is_decimal("1.35"));
        assert!(is_decimal("150"));
        for bad in ["", "1.", ".5", "1e5", "-1", "1.2.3", "NaN", "1 "] {
            assert!(!is_decimal(bad), "{bad:?}");
        }
    }
}
