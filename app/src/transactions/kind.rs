//! What a transaction is and where it stands: the values of `transactions.transaction_type`
//! and `transactions.status`, as the database stores them, the API and exports write them
//! (`PAYMENT`, `SUCCESS` …) and pages label them.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum TransactionType {
    Payment,
    Authorization,
    Capture,
    Refund,
    Cancel,
    Chargeback,
    RefundReversal,
}

impl TransactionType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            TransactionType::Payment => "Payment",
            TransactionType::Authorization => "Authorization",
            TransactionType::Capture => "Capture",
            TransactionType::Refund => "Refund",
            TransactionType::Cancel => "Cancel",
            TransactionType::Chargeback => "Chargeback",
            TransactionType::RefundReversal => "Refund reversal",
        }
    }

    /// Payments and authorisations: what refunds refund (a capture is refunded as its
    /// payment).
    pub fn is_payment(self) -> bool {
        matches!(
            self,
            TransactionType::Payment | TransactionType::Authorization
        )
    }

    pub fn all() -> impl Iterator<Item = TransactionType> {
        TransactionType::iter()
    }
}

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum TransactionStatus {
    Success,
    Processing,
    Fail,
    Closed,
}

impl TransactionStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            TransactionStatus::Success => "Successful",
            TransactionStatus::Processing => "Processing",
            TransactionStatus::Fail => "Failed",
            TransactionStatus::Closed => "Closed",
        }
    }

    pub fn all() -> impl Iterator<Item = TransactionStatus> {
        TransactionStatus::iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_as_stored() {
        for t in TransactionType::all() {
            assert_eq!(t.as_str().parse::<TransactionType>(), Ok(t));
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.as_str())
            );
        }
        assert_eq!(TransactionType::RefundReversal.as_str(), "REFUND_REVERSAL");
        for s in TransactionStatus::all() {
            assert_eq!(s.as_str().parse::<TransactionStatus>(), Ok(s));
        }
        assert!("payment".parse::<TransactionType>().is_err());
        assert!("SUCCEEDED".parse::<TransactionStatus>().is_err());
    }
}
