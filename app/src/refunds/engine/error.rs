//! Why no refund record is returned, with Antom's result codes (docs/RULES.md).

use crate::refunds::rules::RefundRefusal;

/// Why no refund record is returned.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    /// Refused by the refund rules or the balance; the refusal is kept for the
    /// refundRequestId and a repeat gets it again.
    #[error("{code}: {message}")]
    Refused { code: String, message: String },
    #[error("REPEAT_REQ_INCONSISTENT")]
    Inconsistent,
    #[error("ORDER_NOT_EXIST")]
    NotFound,
    #[error("INVALID_MERCHANT_STATUS")]
    MerchantInactive,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl RefundError {
    pub fn result_code(&self) -> &str {
        match self {
            RefundError::Refused { code, .. } => code,
            RefundError::Inconsistent => "REPEAT_REQ_INCONSISTENT",
            RefundError::NotFound => "ORDER_NOT_EXIST",
            RefundError::MerchantInactive => "INVALID_MERCHANT_STATUS",
            RefundError::Database(_) => "UNKNOWN_EXCEPTION",
        }
    }

    pub fn message(&self) -> String {
        match self {
            RefundError::Refused { message, .. } => message.clone(),
            RefundError::Inconsistent => {
                "The refundRequestId was used before with another paymentId, amount or currency."
                    .into()
            }
            RefundError::NotFound => "The order does not exist.".into(),
            RefundError::MerchantInactive => {
                "The merchant account is not active, so refunds are not accepted.".into()
            }
            // The caller retries with the same refundRequestId; details stay in the log.
            RefundError::Database(_) => "An API call has failed for an unknown reason.".into(),
        }
    }

    /// The refund rules said no.
    pub(super) fn refused(r: &RefundRefusal) -> RefundError {
        RefundError::Refused {
            code: r.result_code().to_string(),
            message: r.to_string(),
        }
    }

    /// The merchant's balance in the payment currency does not cover the refund.
    pub(super) fn balance_not_enough() -> RefundError {
        RefundError::Refused {
            code: "MERCHANT_BALANCE_NOT_ENOUGH".into(),
            message: "The merchant balance is insufficient.".into(),
        }
    }
}
