//! Approval above a limit (maker-checker), docs/RULES.md "Refund approvals": the rules
//! (pure, also compiled for the browser) and, on the server, `store`, which keeps the
//! requests, their reservations and the merchant's limits in PostgreSQL.
//!
//! A dashboard refund of more than the merchant's limit for its currency is not made at
//! once: it becomes a request awaiting approval, whose amount is reserved. Another admin
//! or operator approves it with their own payment password (then the refund engine makes
//! it as usual) or rejects it with a reason; a request nobody decides on expires. Refunds
//! through the open API never wait: the merchant's server is the authority.

#[cfg(feature = "ssr")]
pub mod store;

use crate::i18n::{td_display, td_string};
use crate::locale::Language;
use crate::money::{Currency, Money};
use crate::text::{check_line, LineProblem};
use serde::{Deserialize, Serialize};

/// The most characters a rejection reason may have, as a refund reason.
pub const REASON_MAX_CHARS: usize = 256;

/// Where a request for approval stands. The names are the `refund_approvals.status`
/// values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum ApprovalStatus {
    /// Waiting for a second person; the amount is reserved.
    Pending,
    /// Approved: the refund engine made (or refused) the refund under the request's ID.
    Approved,
    Rejected,
    /// Nobody decided in time; the reservation ended.
    Expired,
}

impl ApprovalStatus {
    pub fn label(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            ApprovalStatus::Pending => td_string!(l, approvals.status_pending),
            ApprovalStatus::Approved => td_string!(l, approvals.status_approved),
            ApprovalStatus::Rejected => td_string!(l, approvals.status_rejected),
            ApprovalStatus::Expired => td_string!(l, approvals.status_expired),
        }
    }

    /// What the status means for the refund, as the refund dialog's result says it.
    pub fn outcome_text(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            ApprovalStatus::Pending => td_string!(l, refund.approval_pending_text),
            ApprovalStatus::Approved => td_string!(l, refund.approval_approved_text),
            ApprovalStatus::Rejected => td_string!(l, refund.approval_rejected_text),
            ApprovalStatus::Expired => td_string!(l, refund.approval_expired_text),
        }
    }

    /// The status pill's class, shared with transaction statuses.
    pub fn pill(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "processing",
            ApprovalStatus::Approved => "success",
            ApprovalStatus::Rejected | ApprovalStatus::Expired => "fail",
        }
    }
}

/// Whether a dashboard refund of `amount_minor` needs a second person, given the
/// merchant's limit for its currency (none: never). The limit itself needs no approval.
pub fn needs_approval(limit_minor: Option<i64>, amount_minor: i64) -> bool {
    limit_minor.is_some_and(|limit| amount_minor > limit)
}

/// Why a request could not be approved or rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecisionRefused {
    /// No request of the merchant has this number.
    NotFound,
    /// The requester cannot decide on their own request: that is the point of it.
    OwnRequest,
    /// Someone decided first (or it expired): the request is no longer pending.
    AlreadyDecided,
}

impl DecisionRefused {
    const ALL: [DecisionRefused; 3] = [
        DecisionRefused::NotFound,
        DecisionRefused::OwnRequest,
        DecisionRefused::AlreadyDecided,
    ];

    /// The refusal as the page's URL carries it.
    pub fn code(self) -> &'static str {
        match self {
            DecisionRefused::NotFound => "not_found",
            DecisionRefused::OwnRequest => "own_request",
            DecisionRefused::AlreadyDecided => "already_decided",
        }
    }

    pub fn from_code(code: &str) -> Option<DecisionRefused> {
        DecisionRefused::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn message(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            DecisionRefused::NotFound => td_string!(l, approvals.not_found),
            DecisionRefused::OwnRequest => td_string!(l, approvals.own_request),
            DecisionRefused::AlreadyDecided => td_string!(l, approvals.already_decided),
        }
    }
}

/// A rejection's reason: required, one line of at most [`REASON_MAX_CHARS`].
pub fn parse_rejection_reason(typed: &str, language: Language) -> Result<String, String> {
    let l = language.locale();
    let reason = typed.trim();
    if reason.is_empty() {
        return Err(td_string!(l, approvals.reason_required).to_owned());
    }
    check_line(reason, REASON_MAX_CHARS).map_err(|p| match p {
        LineProblem::TooLong(max) => td_display!(l, refund.reason_too_long, max).to_string(),
        LineProblem::Control => td_string!(l, refund.reason_control).to_owned(),
        LineProblem::DirectionOverride => td_string!(l, refund.reason_direction).to_owned(),
    })?;
    Ok(reason.to_owned())
}

/// A limit as an admin types it, in major units of `currency` with the language's
/// decimal separator; blank removes the limit (None).
pub fn parse_limit(
    typed: &str,
    currency: Currency,
    language: Language,
) -> Result<Option<i64>, String> {
    let typed = language.decimal_input(typed);
    if typed.is_empty() {
        return Ok(None);
    }
    Money::parse_major(&typed, currency)
        .map(|m| Some(m.minor()))
        .map_err(|_| limit_problem(currency, language))
}

/// What is wrong with a limit that does not parse, with an example in `currency`.
pub fn limit_problem(currency: Currency, language: Language) -> String {
    let example = Money::new(12_345 * 10_i64.pow(currency.minor_units()), currency);
    let example = language.decimal(&example.plain());
    td_display!(language.locale(), approvals.limit_invalid, example).to_string()
}

/// How long a request may wait, in hours, as an admin types it: 1 to 720 (30 days).
pub fn parse_hours(typed: &str, language: Language) -> Result<i32, String> {
    match typed.trim().parse::<i32>() {
        Ok(h) if (1..=720).contains(&h) => Ok(h),
        _ => Err(hours_problem(language)),
    }
}

/// What is wrong with hours that do not parse.
pub fn hours_problem(language: Language) -> String {
    td_string!(language.locale(), approvals.hours_invalid).to_owned()
}

/// One request for approval, as the approvals page and the details page show it: amounts
/// and times already in the reader's language and the merchant's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalView {
    pub id: i64,
    pub payment_id: String,
    pub amount: String,
    pub reason: Option<String>,
    pub requested_by: String,
    pub requested_at: String,
    pub expires_at: String,
    pub status: ApprovalStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub rejection_reason: Option<String>,
    /// The reader made this request, so they cannot decide on it.
    pub own: bool,
}

/// A merchant's limit for one currency, as the admin page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitView {
    pub currency: String,
    /// The limit in the reader's language, with its currency.
    pub limit: String,
    /// The limit as the input field takes it back (plain major units).
    pub typed: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn only_amounts_above_the_limit_need_approval() {
        assert!(!needs_approval(None, i64::MAX));
        assert!(!needs_approval(Some(100_000), 100_000));
        assert!(needs_approval(Some(100_000), 100_001));
        // A zero limit sends every refund for approval.
        assert!(needs_approval(Some(0), 1));
    }

    #[test]
    fn limits_are_typed_in_major_units_with_the_languages_separator() {
        assert_eq!(parse_limit("1000", usd(), Language::En), Ok(Some(100_000)));
        assert_eq!(
            parse_limit("1000,50", usd(), Language::PtBr),
            Ok(Some(100_050))
        );
        assert_eq!(parse_limit("  ", usd(), Language::En), Ok(None));
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(parse_limit("50000", jpy, Language::En), Ok(Some(50_000)));
        for bad in ["-5", "1.234", "ten", "1e3", "1\u{0}0"] {
            assert!(parse_limit(bad, usd(), Language::En).is_err(), "{bad:?}");
        }
        assert!(parse_limit("10.5", jpy, Language::ZhCn).is_err());
    }

    #[test]
    fn a_rejection_needs_a_reason_of_one_line() {
        assert_eq!(
            parse_rejection_reason("  Pedido duplicado 🙂 ", Language::PtBr),
            Ok("Pedido duplicado 🙂".to_owned())
        );
        assert!(parse_rejection_reason(" ", Language::En).is_err());
        assert!(parse_rejection_reason("a\nb", Language::En).is_err());
        assert!(parse_rejection_reason("\u{202E}lanigiro", Language::En).is_err());
        assert!(parse_rejection_reason(&"退".repeat(257), Language::ZhCn).is_err());
        assert!(parse_rejection_reason(&"退".repeat(256), Language::ZhCn).is_ok());
    }

    #[test]
    fn hours_run_from_one_to_thirty_days() {
        assert_eq!(parse_hours("24", Language::En), Ok(24));
        assert_eq!(parse_hours("720", Language::En), Ok(720));
        for bad in ["0", "721", "-1", "2.5", ""] {
            assert!(parse_hours(bad, Language::En).is_err(), "{bad:?}");
        }
    }
}
