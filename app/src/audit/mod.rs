//! The audit log: who did what to the merchant's account, when and from where. Events
//! are written in the same database transaction as the change they describe.

pub mod filter;
#[cfg(feature = "ssr")]
mod record;
#[cfg(feature = "ssr")]
pub mod search;
pub use filter::{AuditPage, AuditParams, AuditRow};
#[cfg(feature = "ssr")]
pub use record::{record, Actor, Event};
#[cfg(feature = "ssr")]
pub use search::search;

use serde::{Deserialize, Serialize};

/// Everything the audit log records. The names are the `audit_events.action` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SignOut,
    Refund,
    RefundRefused,
    PaymentPasswordSet,
    PaymentPasswordChanged,
    PaymentPasswordWrong,
    RefundsLocked,
    PaymentPasswordSetByAdmin,
    PaymentPasswordReset,
    RefundsUnlocked,
    UserCreated,
    RoleChanged,
    UserDisabled,
    UserEnabled,
    ApiKeyAdded,
    NotificationResent,
}

impl AuditAction {
    pub const ALL: [AuditAction; 18] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::Refund,
        AuditAction::RefundRefused,
        AuditAction::PaymentPasswordSet,
        AuditAction::PaymentPasswordChanged,
        AuditAction::PaymentPasswordWrong,
        AuditAction::RefundsLocked,
        AuditAction::PaymentPasswordSetByAdmin,
        AuditAction::PaymentPasswordReset,
        AuditAction::RefundsUnlocked,
        AuditAction::UserCreated,
        AuditAction::RoleChanged,
        AuditAction::UserDisabled,
        AuditAction::UserEnabled,
        AuditAction::ApiKeyAdded,
        AuditAction::NotificationResent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "SIGN_IN",
            AuditAction::SignInFailed => "SIGN_IN_FAILED",
            AuditAction::SignOut => "SIGN_OUT",
            AuditAction::Refund => "REFUND",
            AuditAction::RefundRefused => "REFUND_REFUSED",
            AuditAction::PaymentPasswordSet => "PAYMENT_PASSWORD_SET",
            AuditAction::PaymentPasswordChanged => "PAYMENT_PASSWORD_CHANGED",
            AuditAction::PaymentPasswordWrong => "PAYMENT_PASSWORD_WRONG",
            AuditAction::RefundsLocked => "REFUNDS_LOCKED",
            AuditAction::PaymentPasswordSetByAdmin => "PAYMENT_PASSWORD_SET_BY_ADMIN",
            AuditAction::PaymentPasswordReset => "PAYMENT_PASSWORD_RESET",
            AuditAction::RefundsUnlocked => "REFUNDS_UNLOCKED",
            AuditAction::UserCreated => "USER_CREATED",
            AuditAction::RoleChanged => "ROLE_CHANGED",
            AuditAction::UserDisabled => "USER_DISABLED",
            AuditAction::UserEnabled => "USER_ENABLED",
            AuditAction::ApiKeyAdded => "API_KEY_ADDED",
            AuditAction::NotificationResent => "NOTIFICATION_RESENT",
        }
    }

    /// How the audit log page names the action.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignIn => "Signed in",
            AuditAction::SignInFailed => "Sign-in failed",
            AuditAction::SignOut => "Signed out",
            AuditAction::Refund => "Refund",
            AuditAction::RefundRefused => "Refund refused",
            AuditAction::PaymentPasswordSet => "Payment password set",
            AuditAction::PaymentPasswordChanged => "Payment password changed",
            AuditAction::PaymentPasswordWrong => "Wrong payment password",
            AuditAction::RefundsLocked => "Refunds locked",
            AuditAction::PaymentPasswordSetByAdmin => "Payment password set by admin",
            AuditAction::PaymentPasswordReset => "Payment password reset",
            AuditAction::RefundsUnlocked => "Refunds unlocked",
            AuditAction::UserCreated => "User created",
            AuditAction::RoleChanged => "Role changed",
            AuditAction::UserDisabled => "User disabled",
            AuditAction::UserEnabled => "User enabled",
            AuditAction::ApiKeyAdded => "API key added",
            AuditAction::NotificationResent => "Notification resent",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_from_their_stored_names() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("refund"), None);
    }
}
