//! What the public verification page asks and answers: the refund ID and code printed on
//! a receipt in, "Genuine" with the receipt's key facts or "Not genuine" out.

use crate::transactions::kind::TransactionStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The two fields of the page, both given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub refund: String,
    pub code: String,
}

/// What the page's query asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Asked {
    /// Neither field: the page as first opened.
    Nothing,
    /// Some field is missing or blank; each flag names one, for its message.
    Incomplete {
        refund: bool,
        code: bool,
    },
    Both(Question),
}

impl Asked {
    /// Reads `?refund=…&code=…`, the query of the link printed on receipts.
    pub fn from_query(refund: Option<String>, code: Option<String>) -> Asked {
        if refund.is_none() && code.is_none() {
            return Asked::Nothing;
        }
        let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        match (given(refund), given(code)) {
            (Some(refund), Some(code)) => Asked::Both(Question { refund, code }),
            (refund, code) => Asked::Incomplete {
                refund: refund.is_none(),
                code: code.is_none(),
            },
        }
    }
}

/// The answer: whether the code is the refund's, and only then the receipt's facts. The
/// same "not genuine" comes for an unknown refund ID, so that nothing is revealed
/// without a valid code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    genuine: bool,
    #[serde(flatten)]
    receipt: Option<GenuineReceipt>,
}

impl Verification {
    pub fn genuine(receipt: GenuineReceipt) -> Verification {
        Verification {
            genuine: true,
            receipt: Some(receipt),
        }
    }

    pub fn not_genuine() -> Verification {
        Verification {
            genuine: false,
            receipt: None,
        }
    }

    /// The receipt's facts when it is genuine.
    pub fn receipt(&self) -> Option<&GenuineReceipt> {
        self.receipt.as_ref().filter(|_| self.genuine)
    }
}

/// The facts of a genuine receipt, for the holder to compare with their copy. Amounts in
/// Antom's form: minor units as a string, and the ISO 4217 code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenuineReceipt {
    pub merchant: String,
    pub refund_id: String,
    pub payment_id: String,
    pub refund_amount: Amount,
    pub refund_time: DateTime<Utc>,
    pub status: TransactionStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    pub value: String,
    pub currency: String,
}

impl GenuineReceipt {
    #[cfg(feature = "ssr")]
    pub fn of(facts: &super::content::RefundFacts) -> GenuineReceipt {
        GenuineReceipt {
            merchant: facts.merchant_name.clone(),
            refund_id: facts.refund_id.clone(),
            payment_id: facts.payment_id.clone(),
            refund_amount: Amount {
                value: facts.refund_amount_minor.to_string(),
                currency: facts.refund_currency.trim().to_owned(),
            },
            refund_time: facts.refunded_at,
            status: facts.status,
        }
    }

    /// The refund amount as pages in `language` show it, `1,234.56 USD`.
    pub fn amount_text(&self, language: crate::locale::Language) -> String {
        let Amount { value, currency } = &self.refund_amount;
        match value.parse() {
            Ok(minor) => language.money(minor, currency),
            // Never for a value made from the stored integer; kept rather than guessed.
            Err(_) => format!("{value} (minor units) {currency}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Language;

    #[test]
    fn the_query_asks_nothing_part_or_both() {
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(Asked::from_query(None, None), Asked::Nothing);
        assert_eq!(
            Asked::from_query(some("RFD-1"), None),
            Asked::Incomplete {
                refund: false,
                code: true
            }
        );
        assert_eq!(
            Asked::from_query(some(" "), some("")),
            Asked::Incomplete {
                refund: true,
                code: true
            }
        );
        assert_eq!(
            Asked::from_query(some("RFD-1"), some("abcde")),
            Asked::Both(Question {
                refund: "RFD-1".into(),
                code: "abcde".into()
            })
        );
    }

    #[test]
    fn a_genuine_answer_carries_the_facts_as_antom_writes_them() {
        let receipt = GenuineReceipt {
            merchant: "Lotus".into(),
            refund_id: "RFD-1".into(),
            payment_id: "PAY-1".into(),
            refund_amount: Amount {
                value: "123456".into(),
                currency: "USD".into(),
            },
            refund_time: "2026-11-29T18:05:11Z".parse().unwrap(),
            status: TransactionStatus::Success,
        };
        assert_eq!(receipt.amount_text(Language::En), "1,234.56 USD");
        assert_eq!(receipt.amount_text(Language::PtBr), "1.234,56 USD");
        let json = serde_json::to_value(Verification::genuine(receipt)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "genuine": true, "merchant": "Lotus", "refundId": "RFD-1", "paymentId": "PAY-1",
                "refundAmount": {"value": "123456", "currency": "USD"},
                "refundTime": "2026-11-29T18:05:11Z", "status": "SUCCESS"
            })
        );
        assert_eq!(
            serde_json::to_value(Verification::not_genuine()).unwrap(),
            serde_json::json!({"genuine": false})
        );
    }
}
