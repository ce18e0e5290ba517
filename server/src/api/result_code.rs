//! The result codes of the open API (docs/API.md) and the status each one carries.

use serde::Serialize;
use strum::{EnumIter, EnumString, IntoStaticStr};
use utoipa::ToSchema;

/// `result.resultCode` of an answer. The refund engine names its refusals by these
/// codes' text; [`ResultCode::parse`] reads them back.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema, EnumIter, EnumString, IntoStaticStr,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum ResultCode {
    Success,
    RefundInProcess,
    AccessDenied,
    CurrencyNotSupport,
    InvalidMerchantStatus,
    InvalidSignature,
    KeyNotFound,
    MerchantBalanceNotEnough,
    MultipleRefundsNotSupported,
    NoInterfaceDef,
    OrderNotExist,
    OrderStatusInvalid,
    ParamIllegal,
    PartialRefundNotSupported,
    PaymentMethodNotSupported,
    ProcessFail,
    RefundAmountExceed,
    RefundWindowExceed,
    RepeatReqInconsistent,
    RequestTrafficExceedLimit,
    UnknownException,
}

/// `result.resultStatus`: succeeded, failed (do not retry unchanged), or unknown (retry
/// with the same request id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub enum ResultStatus {
    S,
    F,
    U,
}

impl ResultCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// A code as the refund engine writes it. The engine's codes are all here (a test
    /// checks the documented ones); an unknown one would be a fault, answered U.
    pub fn parse(code: &str) -> ResultCode {
        code.parse().unwrap_or_else(|_| {
            tracing::error!(
                code,
                "the refund engine gave a result code the API does not know"
            );
            ResultCode::UnknownException
        })
    }

    /// The status that goes with the code: every code but these four means failed.
    pub fn status(self) -> ResultStatus {
        match self {
            ResultCode::Success => ResultStatus::S,
            ResultCode::RefundInProcess
            | ResultCode::RequestTrafficExceedLimit
            | ResultCode::UnknownException => ResultStatus::U,
            _ => ResultStatus::F,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn codes_read_back_and_carry_their_status() {
        for code in ResultCode::iter() {
            assert_eq!(ResultCode::parse(code.as_str()), code);
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::from(code.as_str())
            );
        }
        assert_eq!(ResultCode::OrderNotExist.as_str(), "ORDER_NOT_EXIST");
        assert_eq!(ResultCode::RefundInProcess.status(), ResultStatus::U);
        assert_eq!(ResultCode::ProcessFail.status(), ResultStatus::F);
        assert_eq!(
            ResultCode::parse("NOT_A_CODE"),
            ResultCode::UnknownException
        );
    }
}
