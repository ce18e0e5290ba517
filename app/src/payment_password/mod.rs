//! The payment password: a second secret, separate from the sign-in password, that
//! confirms each refund from the dashboard. Users set their own (the first time with
//! their sign-in password, later with the old one); admins set or reset them and lift
//! the lock that too many wrong ones put on a user's refunds.

#[cfg(feature = "ssr")]
pub mod store;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPaymentPassword {
    #[error("Use at least 8 characters.")]
    TooShort,
    #[error("Use at most 128 characters.")]
    TooLong,
    #[error("Use more than one distinct character.")]
    OneCharacter,
}

/// Where a user stands with their payment password, as pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordState {
    /// Never set, or reset by an admin: the user sets one before their next refund.
    NotSet,
    Ready,
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
    Invalid(String),
    #[error("The new passwords do not match.")]
    Mismatch,
    #[error("The payment password must differ from the sign-in password.")]
    SameAsLogin,
    #[error("No such user in your merchant.")]
    UnknownUser,
    #[error("Paydesk is unavailable; try again shortly.")]
    Unavailable,
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
        }
    }
}

impl From<InvalidPaymentPassword> for PaymentPasswordError {
    fn from(e: InvalidPaymentPassword) -> Self {
        PaymentPasswordError::Invalid(e.to_string())
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
    fn wrong_passwords_say_how_many_attempts_are_left() {
        assert_eq!(
            PaymentPasswordError::Wrong { attempts_left: 1 }.to_string(),
            "Incorrect payment password. One attempt left before refunds are locked."
        );
        assert!(PaymentPasswordError::Wrong { attempts_left: 3 }
            .to_string()
            .contains("3 attempts left"));
    }
}
