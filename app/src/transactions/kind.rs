//! What a transaction is and where it stands: the values of `transactions.transaction_type`
//! and `transactions.status`, as the database stores them, the API and exports write them
//! (`PAYMENT`, `SUCCESS` …) and pages label them.

use crate::i18n::td_string;
use crate::locale::Language;
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

    /// The English name, for logs and the places not yet translated.
    pub fn label(self) -> &'static str {
        self.label_in(Language::En)
    }

    /// The name pages show, in `language`.
    pub fn label_in(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            TransactionType::Payment => td_string!(l, types.payment),
            TransactionType::Authorization => td_string!(l, types.authorization),
            TransactionType::Capture => td_string!(l, types.capture),
            TransactionType::Refund => td_string!(l, types.refund),
            TransactionType::Cancel => td_string!(l, types.cancel),
            TransactionType::Chargeback => td_string!(l, types.chargeback),
            TransactionType::RefundReversal => td_string!(l, types.refund_reversal),
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

    /// The English name, for logs and the places not yet translated.
    pub fn label(self) -> &'static str {
        self.label_in(Language::En)
    }

    /// The name pages show, in `language`.
    pub fn label_in(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            TransactionStatus::Success => td_string!(l, status.success),
            TransactionStatus::Processing => td_string!(l, status.processing),
            TransactionStatus::Fail => td_string!(l, status.fail),
            TransactionStatus::Closed => td_string!(l, status.closed),
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

    #[test]
    fn labels_are_in_each_language() {
        assert_eq!(TransactionType::RefundReversal.label(), "Refund reversal");
        assert_eq!(TransactionType::Refund.label_in(Language::ZhCn), "退款");
        assert_eq!(TransactionType::Capture.label_in(Language::PtBr), "Captura");
        assert_eq!(TransactionStatus::Success.label(), "Successful");
        assert_eq!(TransactionStatus::Fail.label_in(Language::ZhCn), "失败");
        assert_eq!(
            TransactionStatus::Processing.label_in(Language::PtBr),
            "Em processamento"
        );
    }
}
