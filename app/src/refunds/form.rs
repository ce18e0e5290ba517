//! The dashboard's refund form: what a user types, parsed against the payment, and what
//! the dialog shows at each step. Pure, so the browser and the server share it.

use super::types::{RefundStatus, MAX_REASON_LEN};
use crate::money::{format_money, Currency, Money};
use crate::payment_password::PasswordState;
use serde::{Deserialize, Serialize};

/// A refund amount and reason that fit the payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundDraft {
    pub amount_minor: i64,
    pub reason: Option<String>,
}

/// The form field a problem belongs to, so the dialog shows it next to that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Amount,
    Reason,
}

/// How much can be refunded, as the amount field shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountLimits {
    /// The refundable amount as typed into the amount field, e.g. `1234.56`.
    pub refundable_plain: String,
    /// The refundable amount with its currency, e.g. `1,234.56 USD`.
    pub refundable: String,
    pub currency: String,
}

impl AmountLimits {
    pub fn new(refundable_minor: i64, currency: Currency) -> AmountLimits {
        AmountLimits {
            refundable_plain: Money::new(refundable_minor, currency).plain(),
            refundable: format_money(refundable_minor, &currency.code()),
            currency: currency.code(),
        }
    }
}

/// A problem with what the user typed: the result code and the words for it, with the
/// limits the amount must fit, so the form can be shown again around it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub code: String,
    pub message: String,
    pub limits: AmountLimits,
}

/// Parses the first step of the form: `amount` in major units of `currency` (at most
/// `refundable_minor`) and an optional one-line reason.
pub fn parse_draft(
    amount: &str,
    currency: Currency,
    refundable_minor: i64,
    reason: &str,
) -> Result<RefundDraft, FieldError> {
    let error = |field, code: &str, message: String| FieldError {
        field,
        code: code.to_owned(),
        message,
        limits: AmountLimits::new(refundable_minor, currency),
    };
    let amount = amount.trim();
    if amount.is_empty() {
        return Err(error(
            Field::Amount,
            "PARAM_ILLEGAL",
            "Enter the amount to refund.".into(),
        ));
    }
    let amount_minor = Money::parse_major(amount, currency)
        .map_err(|m| error(Field::Amount, "PARAM_ILLEGAL", m))?
        .minor();
    if amount_minor == 0 {
        return Err(error(
            Field::Amount,
            "PARAM_ILLEGAL",
            "The amount must be more than zero.".into(),
        ));
    }
    if amount_minor > refundable_minor {
        return Err(error(
            Field::Amount,
            "REFUND_AMOUNT_EXCEED",
            format!(
                "The most you can refund is {}.",
                format_money(refundable_minor, &currency.code())
            ),
        ));
    }
    let reason = reason.trim();
    crate::text::check_line(reason, MAX_REASON_LEN).map_err(|problem| {
        error(
            Field::Reason,
            "PARAM_ILLEGAL",
            problem.message("The reason"),
        )
    })?;
    let reason = (!reason.is_empty()).then(|| reason.to_owned());
    Ok(RefundDraft {
        amount_minor,
        reason,
    })
}

/// The confirmation step: everything the user confirms with their payment password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPreview {
    /// The payment's transaction ID (a capture is refunded as its payment).
    pub payment_id: String,
    pub payment_method: String,
    pub currency: String,
    pub amount_minor: i64,
    /// The amount with its currency, e.g. "10.50 USD".
    pub amount: String,
    pub reason: Option<String>,
    pub refundable: String,
    /// What stays refundable once this refund is made.
    pub remaining_after: String,
    /// Whether the method refunds at once, or the acquirer answers later.
    pub sync: bool,
    pub password: PasswordState,
    /// When a lock on the user's refunds ends, in the merchant's time zone.
    pub locked_until: Option<String>,
}

/// Why the dialog cannot go on to the confirmation step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreviewProblem {
    /// No such payment or capture of the merchant.
    NotFound,
    /// The payment cannot be refunded now; the words say why.
    Blocked(String),
    /// Something the user typed; shown next to its field.
    Field(FieldError),
}

/// How a submitted refund stands, for the result step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundOutcome {
    Made {
        refund_id: String,
        amount: String,
        status: RefundStatus,
    },
    /// Refused by the refund rules or the balance: the result code and message.
    Refused { code: String, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn the_amount_is_in_major_units_up_to_the_refundable_amount() {
        let draft = parse_draft(" 12.50 ", usd(), 5_000, "Damaged").unwrap();
        assert_eq!(draft.amount_minor, 1_250);
        assert_eq!(draft.reason.as_deref(), Some("Damaged"));
        assert_eq!(parse_draft("50", usd(), 5_000, "").unwrap().reason, None);

        let over = parse_draft("50.01", usd(), 5_000, "").unwrap_err();
        assert_eq!(over.field, Field::Amount);
        assert_eq!(over.code, "REFUND_AMOUNT_EXCEED");
        assert_eq!(over.message, "The most you can refund is 50.00 USD.");
    }

    #[test]
    fn amounts_must_fit_the_currencys_minor_units() {
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            parse_draft("1500", jpy, 2_000, "").unwrap().amount_minor,
            1_500
        );
        assert_eq!(
            parse_draft("15.5", jpy, 2_000, "").unwrap_err().message,
            "JPY has no decimals."
        );
        assert_eq!(
            parse_draft("1.234", usd(), 5_000, "").unwrap_err().message,
            "USD has 2 decimals."
        );
    }

    #[test]
    fn empty_zero_and_malformed_amounts_are_refused_next_to_the_amount() {
        for bad in ["", "0", "0.00", "-5", "abc", "1e3"] {
            let err = parse_draft(bad, usd(), 5_000, "").unwrap_err();
            assert_eq!(err.field, Field::Amount, "{bad:?}");
        }
    }

    #[test]
    fn long_reasons_are_refused_next_to_the_reason() {
        let err = parse_draft("1", usd(), 5_000, &"x".repeat(257)).unwrap_err();
        assert_eq!(err.field, Field::Reason);
    }
}
