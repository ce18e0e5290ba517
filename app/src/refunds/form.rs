//! The dashboard's refund form: what a user types, parsed against the payment, and what
//! the dialog shows at each step. Pure, so the browser and the server share it.

use super::types::{RefundStatus, MAX_REASON_LEN};
use crate::i18n::{td_display, td_string};
use crate::locale::Language;
use crate::money::{Currency, Money};
use crate::payment_password::PasswordState;
use crate::text::LineProblem;
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
    /// The refundable amount as typed into the amount field, e.g. `1234.56` (`1234,56`
    /// in Portuguese).
    pub refundable_plain: String,
    /// The refundable amount with its currency, e.g. `1,234.56 USD`.
    pub refundable: String,
    pub currency: String,
}

impl AmountLimits {
    pub fn new(refundable_minor: i64, currency: Currency, language: Language) -> AmountLimits {
        AmountLimits {
            refundable_plain: typed(language, &Money::new(refundable_minor, currency).plain()),
            refundable: language.money(refundable_minor, &currency.code()),
            currency: currency.code(),
        }
    }
}

/// A plain amount (`1234.56`) as a user of `language` types it: with its decimal
/// separator and no grouping, so that [`Language::decimal_input`] reads it back.
fn typed(language: Language, plain: &str) -> String {
    plain.replace('.', &language.separators().1.to_string())
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
/// `refundable_minor`), typed with `language`'s decimal separator, and an optional
/// one-line reason. Problems are worded in `language`.
pub fn parse_draft(
    amount: &str,
    currency: Currency,
    refundable_minor: i64,
    reason: &str,
    language: Language,
) -> Result<RefundDraft, FieldError> {
    let l = language.locale();
    let error = |field, code: &str, message: String| FieldError {
        field,
        code: code.to_owned(),
        message,
        limits: AmountLimits::new(refundable_minor, currency, language),
    };
    let amount = language.decimal_input(amount);
    if amount.is_empty() {
        return Err(error(
            Field::Amount,
            "PARAM_ILLEGAL",
            td_string!(l, refund.enter_amount).into(),
        ));
    }
    let amount_minor = Money::parse_major(&amount, currency)
        .map_err(|_| {
            error(
                Field::Amount,
                "PARAM_ILLEGAL",
                amount_problem(&amount, currency, language),
            )
        })?
        .minor();
    if amount_minor == 0 {
        return Err(error(
            Field::Amount,
            "PARAM_ILLEGAL",
            td_string!(l, refund.amount_not_positive).into(),
        ));
    }
    if amount_minor > refundable_minor {
        let amount = language.money(refundable_minor, &currency.code());
        return Err(error(
            Field::Amount,
            "REFUND_AMOUNT_EXCEED",
            td_display!(l, refund.amount_max, amount).to_string(),
        ));
    }
    let reason = reason.trim();
    crate::text::check_line(reason, MAX_REASON_LEN).map_err(|problem| {
        error(
            Field::Reason,
            "PARAM_ILLEGAL",
            reason_problem(problem, language),
        )
    })?;
    let reason = (!reason.is_empty()).then(|| reason.to_owned());
    Ok(RefundDraft {
        amount_minor,
        reason,
    })
}

/// Why `Money::parse_major` refused `amount`, in `language` (its own words are
/// English): not a plain number, more decimals than the currency has, or too large.
fn amount_problem(amount: &str, currency: Currency, language: Language) -> String {
    let l = language.locale();
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let well_formed = !whole.is_empty()
        && digits(whole)
        && digits(fraction)
        && !(amount.contains('.') && fraction.is_empty());
    let decimals = currency.minor_units();
    let currency = currency.code();
    if !well_formed {
        let example = language.decimal("12.50");
        td_display!(l, refund.amount_example, example).to_string()
    } else if fraction.len() as u32 > decimals {
        match decimals {
            0 => td_display!(l, refund.no_decimals, currency).to_string(),
            digits => td_display!(l, refund.decimals, currency, digits).to_string(),
        }
    } else {
        td_string!(l, refund.too_large).into()
    }
}

/// What is wrong with the reason, in `language`.
fn reason_problem(problem: LineProblem, language: Language) -> String {
    let l = language.locale();
    match problem {
        LineProblem::TooLong(max) => td_display!(l, refund.reason_too_long, max).to_string(),
        LineProblem::Control => td_string!(l, refund.reason_control).into(),
        LineProblem::DirectionOverride => td_string!(l, refund.reason_direction).into(),
    }
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
    /// When this refund is above the merchant's approval limit for the currency and so
    /// waits for a second person (docs/RULES.md, "Refund approvals"): the notice saying
    /// so, with the limit, in the user's language. Made on the server, as the outcome's
    /// texts are, so that the dialog's code carries no more text.
    pub approval_above: Option<String>,
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

impl PreviewProblem {
    /// The problem in `language` (the words of `Blocked` and `Field` already are).
    pub fn message(&self, language: Language) -> String {
        match self {
            PreviewProblem::NotFound => td_string!(language.locale(), refund.not_found).into(),
            PreviewProblem::Blocked(reason) => reason.clone(),
            PreviewProblem::Field(e) => e.message.clone(),
        }
    }
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
    /// Above the approval limit: a request for approval, not (yet) a refund. Once
    /// approved, the outcome is the refund's.
    Approval {
        status: super::approvals::ApprovalStatus,
        /// The status's name and what it means, in the user's language.
        label: String,
        text: String,
        rejection_reason: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn the_amount_is_in_major_units_up_to_the_refundable_amount() {
        let draft = parse_draft(" 12.50 ", usd(), 5_000, "Damaged", Language::En).unwrap();
        assert_eq!(draft.amount_minor, 1_250);
        assert_eq!(draft.reason.as_deref(), Some("Damaged"));
        assert_eq!(
            parse_draft("50", usd(), 5_000, "", Language::En)
                .unwrap()
                .reason,
            None
        );

        let over = parse_draft("50.01", usd(), 5_000, "", Language::En).unwrap_err();
        assert_eq!(over.field, Field::Amount);
        assert_eq!(over.code, "REFUND_AMOUNT_EXCEED");
        assert_eq!(over.message, "The most you can refund is 50.00 USD.");
    }

    #[test]
    fn amounts_must_fit_the_currencys_minor_units() {
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            parse_draft("1500", jpy, 2_000, "", Language::En)
                .unwrap()
                .amount_minor,
            1_500
        );
        assert_eq!(
            parse_draft("15.5", jpy, 2_000, "", Language::En)
                .unwrap_err()
                .message,
            "JPY has no decimals."
        );
        assert_eq!(
            parse_draft("1.234", usd(), 5_000, "", Language::En)
                .unwrap_err()
                .message,
            "USD has 2 decimals."
        );
    }

    #[test]
    fn empty_zero_and_malformed_amounts_are_refused_next_to_the_amount() {
        for bad in ["", "0", "0.00", "-5", "abc", "1e3"] {
            let err = parse_draft(bad, usd(), 5_000, "", Language::En).unwrap_err();
            assert_eq!(err.field, Field::Amount, "{bad:?}");
        }
    }

    #[test]
    fn long_reasons_are_refused_next_to_the_reason() {
        let err = parse_draft("1", usd(), 5_000, &"x".repeat(257), Language::En).unwrap_err();
        assert_eq!(err.field, Field::Reason);
    }

    #[test]
    fn amounts_are_typed_and_refused_in_the_users_language() {
        let pt = Language::PtBr;
        assert_eq!(
            parse_draft("12,50", usd(), 5_000, "", pt)
                .unwrap()
                .amount_minor,
            1_250
        );
        let over = parse_draft("50,01", usd(), 5_000, "", pt).unwrap_err();
        assert_eq!(
            over.message,
            "O máximo que você pode reembolsar é 50,00 USD."
        );
        assert_eq!(over.limits.refundable_plain, "50,00");
        assert_eq!(over.limits.refundable, "50,00 USD");
        assert_eq!(
            parse_draft("1.234,56", usd(), 500_000, "", pt)
                .unwrap_err()
                .message,
            "Informe um valor como 12,50."
        );
        assert_eq!(
            parse_draft("1,234", usd(), 5_000, "", pt)
                .unwrap_err()
                .message,
            "USD tem 2 casas decimais."
        );
        let zh = Language::ZhCn;
        assert_eq!(
            parse_draft("", usd(), 5_000, "", zh).unwrap_err().message,
            "请输入退款金额。"
        );
        assert_eq!(
            parse_draft("99999999999999999999", usd(), 5_000, "", zh)
                .unwrap_err()
                .message,
            "金额过大。"
        );
        assert_eq!(
            parse_draft("1", usd(), 5_000, "a\nb", zh)
                .unwrap_err()
                .message,
            "退款原因须为单行文字，且不能包含控制字符。"
        );
    }

    #[test]
    fn english_keeps_the_words_it_had() {
        let en = |amount: &str| parse_draft(amount, usd(), 5_000, "", Language::En);
        assert_eq!(en("").unwrap_err().message, "Enter the amount to refund.");
        assert_eq!(
            en("abc").unwrap_err().message,
            "Enter an amount like 12.50."
        );
        assert_eq!(
            en("0").unwrap_err().message,
            "The amount must be more than zero."
        );
        assert_eq!(
            en("99999999999999999999").unwrap_err().message,
            "The amount is too large."
        );
        let long = parse_draft("1", usd(), 5_000, &"x".repeat(257), Language::En);
        assert_eq!(
            long.unwrap_err().message,
            "The reason can be at most 256 characters."
        );
        assert_eq!(
            PreviewProblem::NotFound.message(Language::En),
            "No payment of your merchant has this ID."
        );
    }
}
