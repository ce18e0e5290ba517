//! The payment password: a second secret, separate from the sign-in password, that
//! confirms each refund from the dashboard. Users set their own (the first time with
//! their sign-in password, later with the old one); admins set or reset them and lift
//! the lock that too many wrong ones put on a user's refunds.

#[cfg(feature = "ssr")]
pub mod store;

use crate::i18n::{td_display, td_string};
use crate::locale::Language;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Wrong payment passwords in a row before the user's refunds are locked.
pub const MAX_FAILURES: i32 = 5;
/// How long that lock lasts, unless an admin lifts it sooner.
pub const LOCK_MINUTES: i64 = 30;

const MIN_LEN: usize = 8;
const MAX_LEN: usize = 128;

/// A new payment password that meets the rules. Its `Debug` hides the text, so that it
/// cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct PaymentPassword(String);

impl PaymentPassword {
    pub fn parse(raw: &str) -> Result<PaymentPassword, InvalidPaymentPassword> {
        let len = raw.chars().count();
        if len < MIN_LEN {
            Err(InvalidPaymentPassword::TooShort)
        } else if len > MAX_LEN {
            Err(InvalidPaymentPassword::TooLong)
        } else if raw.chars().all(|c| Some(c) == raw.chars().next()) {
            Err(InvalidPaymentPassword::OneCharacter)
        } else {
            Ok(PaymentPassword(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PaymentPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PaymentPassword(***)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum InvalidPaymentPassword {
    #[error("Use at least 8 characters.")]
    TooShort,
    #[error("Use at most 128 characters.")]
    TooLong,
    #[error("Use more than one distinct character.")]
    OneCharacter,
}

impl InvalidPaymentPassword {
    /// What the user reads, in `language` (the `Display` text is English, for logs).
    pub fn message(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            InvalidPaymentPassword::TooShort => td_string!(l, payment_password.error_too_short),
            InvalidPaymentPassword::TooLong => td_string!(l, payment_password.error_too_long),
            InvalidPaymentPassword::OneCharacter => {
                td_string!(l, payment_password.error_one_character)
            }
        }
    }
}

/// Where a user stands with their payment password, as pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordState {
    /// Never set, or reset by an admin: the user sets one before their next refund.
    NotSet,
    /// Set; `attempts_left` wrong ones lock the user's refunds.
    Ready { attempts_left: i32 },
    /// Too many wrong payment passwords; refunds resume at `until`.
    Locked { until: DateTime<Utc> },
}

/// Why a payment password was not accepted. Each has a result code, shown next to the
/// form with the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PaymentPasswordError {
    #[error("You have not set a payment password yet. Use Change password to set one.")]
    NotSet,
    #[error("{}", wrong_message(*attempts_left))]
    Wrong { attempts_left: i32 },
    #[error("Too many wrong payment passwords: your refunds are locked. Try again later or ask an admin to unlock them.")]
    Locked { until: DateTime<Utc> },
    #[error("Incorrect sign-in password.")]
    WrongLoginPassword,
    #[error("You already have a payment password: enter the current one to change it.")]
    AlreadySet,
    #[error("{0}")]
    Invalid(InvalidPaymentPassword),
    #[error("The new passwords do not match.")]
    Mismatch,
    #[error("The payment password must differ from the sign-in password.")]
    SameAsLogin,
    #[error("No such user in your merchant.")]
    UnknownUser,
    #[error("Paydesk is unavailable; try again shortly.")]
    Unavailable,
    #[error("Paydesk is busy; try again in a moment.")]
    Busy,
}

fn wrong_message(attempts_left: i32) -> String {
    match attempts_left {
        1 => "Incorrect payment password. One attempt left before refunds are locked.".into(),
        n => format!("Incorrect payment password. {n} attempts left before refunds are locked."),
    }
}

impl PaymentPasswordError {
    pub fn result_code(&self) -> &'static str {
        match self {
            PaymentPasswordError::NotSet => "PAYMENT_PASSWORD_NOT_SET",
            PaymentPasswordError::Wrong { .. } => "PAYMENT_PASSWORD_INCORRECT",
            PaymentPasswordError::Locked { .. } => "REFUNDS_LOCKED",
            PaymentPasswordError::WrongLoginPassword => "LOGIN_PASSWORD_INCORRECT",
            PaymentPasswordError::AlreadySet => "PAYMENT_PASSWORD_ALREADY_SET",
            PaymentPasswordError::Invalid(_) | PaymentPasswordError::Mismatch => "PARAM_ILLEGAL",
            PaymentPasswordError::SameAsLogin => "PARAM_ILLEGAL",
            PaymentPasswordError::UnknownUser => "USER_NOT_EXIST",
            PaymentPasswordError::Unavailable => "UNKNOWN_EXCEPTION",
            PaymentPasswordError::Busy => "REQUEST_TRAFFIC_EXCEED_LIMIT",
        }
    }
}

impl PaymentPasswordError {
    /// What the user reads, in `language`: on the payment password page and in the
    /// refund dialog. The `Display` text is English, for logs.
    pub fn message(&self, language: Language) -> String {
        use PaymentPasswordError as E;
        let l = language.locale();
        let text = match self {
            E::Wrong { attempts_left } => {
                return td_display!(l, payment_password.error_wrong, count = *attempts_left)
                    .to_string();
            }
            E::Invalid(invalid) => invalid.message(language),
            E::NotSet => td_string!(l, payment_password.error_not_set),
            E::Locked { .. } => td_string!(l, payment_password.error_locked),
            E::WrongLoginPassword => td_string!(l, payment_password.error_wrong_login),
            E::AlreadySet => td_string!(l, payment_password.error_already_set),
            E::Mismatch => td_string!(l, payment_password.error_mismatch),
            E::SameAsLogin => td_string!(l, payment_password.error_same_as_login),
            E::UnknownUser => td_string!(l, users.error_unknown_user),
            E::Unavailable => td_string!(l, settings.unavailable),
            E::Busy => td_string!(l, errors.busy),
        };
        text.to_owned()
    }

    /// Every error but `Wrong` and `Locked`, whose details come from the user's state.
    const PLAIN: [PaymentPasswordError; 11] = [
        PaymentPasswordError::NotSet,
        PaymentPasswordError::WrongLoginPassword,
        PaymentPasswordError::AlreadySet,
        PaymentPasswordError::Invalid(InvalidPaymentPassword::TooShort),
        PaymentPasswordError::Invalid(InvalidPaymentPassword::TooLong),
        PaymentPasswordError::Invalid(InvalidPaymentPassword::OneCharacter),
        PaymentPasswordError::Mismatch,
        PaymentPasswordError::SameAsLogin,
        PaymentPasswordError::UnknownUser,
        PaymentPasswordError::Unavailable,
        PaymentPasswordError::Busy,
    ];

    /// A short name for the error, for the URL a no-JavaScript form is sent back to
    /// (words in a URL could be forged; a key can only pick one of these messages).
    pub fn key(&self) -> &'static str {
        match self {
            PaymentPasswordError::NotSet => "not_set",
            PaymentPasswordError::Wrong { .. } => "wrong",
            PaymentPasswordError::Locked { .. } => "locked",
            PaymentPasswordError::WrongLoginPassword => "wrong_login",
            PaymentPasswordError::AlreadySet => "already_set",
            PaymentPasswordError::Invalid(InvalidPaymentPassword::TooShort) => "too_short",
            PaymentPasswordError::Invalid(InvalidPaymentPassword::TooLong) => "too_long",
            PaymentPasswordError::Invalid(InvalidPaymentPassword::OneCharacter) => "one_character",
            PaymentPasswordError::Mismatch => "mismatch",
            PaymentPasswordError::SameAsLogin => "same_as_login",
            PaymentPasswordError::UnknownUser => "unknown_user",
            PaymentPasswordError::Unavailable => "unavailable",
            PaymentPasswordError::Busy => "busy",
        }
    }

    /// The error a [`key`](Self::key) names, with the user's current `state` for the
    /// attempts left and the end of a lock.
    pub fn from_key(key: &str, state: &PasswordState) -> Option<PaymentPasswordError> {
        match (key, state) {
            ("wrong", PasswordState::Ready { attempts_left }) => {
                Some(PaymentPasswordError::Wrong {
                    attempts_left: *attempts_left,
                })
            }
            ("wrong" | "locked", PasswordState::Locked { until }) => {
                Some(PaymentPasswordError::Locked { until: *until })
            }
            _ => PaymentPasswordError::PLAIN
                .into_iter()
                .find(|e| e.key() == key),
        }
    }

    /// Whether the error is about the new password rather than the one checked.
    pub fn concerns_new_password(&self) -> bool {
        matches!(
            self,
            PaymentPasswordError::Invalid(_)
                | PaymentPasswordError::Mismatch
                | PaymentPasswordError::SameAsLogin
        )
    }
}

impl From<InvalidPaymentPassword> for PaymentPasswordError {
    fn from(e: InvalidPaymentPassword) -> Self {
        PaymentPasswordError::Invalid(e)
    }
}

/// The new password of a set or change form, typed twice.
pub fn parse_new(new: &str, confirm: &str) -> Result<PaymentPassword, PaymentPasswordError> {
    let password = PaymentPassword::parse(new)?;
    if new != confirm {
        return Err(PaymentPasswordError::Mismatch);
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_eight_characters_and_some_variety() {
        assert_eq!(
            PaymentPassword::parse("1234567"),
            Err(InvalidPaymentPassword::TooShort)
        );
        assert_eq!(
            PaymentPassword::parse("11111111"),
            Err(InvalidPaymentPassword::OneCharacter)
        );
        assert!(PaymentPassword::parse(&"x".repeat(129)).is_err());
        assert!(PaymentPassword::parse("pay-2468").is_ok());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let p = PaymentPassword::parse("secret-2468").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }

    #[test]
    fn the_new_password_must_be_typed_the_same_twice() {
        assert_eq!(
            parse_new("pay-2468", "pay-2469"),
            Err(PaymentPasswordError::Mismatch)
        );
        assert!(parse_new("pay-2468", "pay-2468").is_ok());
    }

    #[test]
    fn errors_survive_the_round_trip_through_their_key() {
        let ready = PasswordState::Ready { attempts_left: 2 };
        for e in PaymentPasswordError::PLAIN {
            assert_eq!(PaymentPasswordError::from_key(e.key(), &ready), Some(e));
        }
        assert_eq!(
            PaymentPasswordError::from_key("wrong", &ready),
            Some(PaymentPasswordError::Wrong { attempts_left: 2 })
        );
        assert_eq!(PaymentPasswordError::from_key("<script>", &ready), None);
    }

    #[test]
    fn wrong_passwords_say_how_many_attempts_are_left() {
        assert_eq!(
            PaymentPasswordError::Wrong { attempts_left: 1 }.to_string(),
            "Incorrect payment password. One attempt left before refunds are locked."
        );
        assert!(PaymentPasswordError::Wrong { attempts_left: 3 }
            .to_string()
            .contains("3 attempts left"));
    }

    #[test]
    fn messages_are_in_the_users_language_and_english_matches_the_log() {
        let wrong = |n| PaymentPasswordError::Wrong { attempts_left: n };
        let errors = PaymentPasswordError::PLAIN.into_iter().chain([
            wrong(1),
            wrong(3),
            PaymentPasswordError::Locked { until: Utc::now() },
        ]);
        for e in errors {
            assert_eq!(e.message(Language::En), e.to_string());
            for other in [Language::ZhCn, Language::PtBr] {
                assert_ne!(e.message(other), e.to_string(), "{e:?} in {other:?}");
            }
        }
        assert_eq!(
            wrong(1).message(Language::PtBr),
            "Senha de pagamento incorreta. Resta uma tentativa antes de os reembolsos serem bloqueados."
        );
        assert_eq!(
            wrong(3).message(Language::ZhCn),
            "支付密码错误。还可尝试 3 次，之后退款将被锁定。"
        );
    }
}
