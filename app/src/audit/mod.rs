//! The audit log: who did what to the merchant's account, when and from where. Events
//! are written in the same database transaction as the change they describe.

#[cfg(feature = "ssr")]
mod detail;
pub mod filter;
#[cfg(feature = "ssr")]
mod record;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub use detail::Detail;
pub use filter::{AuditPage, AuditParams, AuditRow};
#[cfg(feature = "ssr")]
pub use record::{record, Actor, Event};
#[cfg(feature = "ssr")]
pub use search::search;

use crate::i18n::td_string;
use crate::locale::Language;
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
    RefundApprovalRequested,
    RefundApproved,
    RefundRejected,
    RefundApprovalExpired,
    ApprovalSettingsChanged,
    RefundBatchUploaded,
    RefundBatchConfirmed,
    RefundBatchPaused,
    RefundBatchResumed,
    RefundBatchCancelled,
}

impl AuditAction {
    pub const ALL: [AuditAction; 28] = [
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
        AuditAction::RefundApprovalRequested,
        AuditAction::RefundApproved,
        AuditAction::RefundRejected,
        AuditAction::RefundApprovalExpired,
        AuditAction::ApprovalSettingsChanged,
        AuditAction::RefundBatchUploaded,
        AuditAction::RefundBatchConfirmed,
        AuditAction::RefundBatchPaused,
        AuditAction::RefundBatchResumed,
        AuditAction::RefundBatchCancelled,
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
            AuditAction::RefundApprovalRequested => "REFUND_APPROVAL_REQUESTED",
            AuditAction::RefundApproved => "REFUND_APPROVED",
            AuditAction::RefundRejected => "REFUND_REJECTED",
            AuditAction::RefundApprovalExpired => "REFUND_APPROVAL_EXPIRED",
            AuditAction::ApprovalSettingsChanged => "APPROVAL_SETTINGS_CHANGED",
            AuditAction::RefundBatchUploaded => "REFUND_BATCH_UPLOADED",
            AuditAction::RefundBatchConfirmed => "REFUND_BATCH_CONFIRMED",
            AuditAction::RefundBatchPaused => "REFUND_BATCH_PAUSED",
            AuditAction::RefundBatchResumed => "REFUND_BATCH_RESUMED",
            AuditAction::RefundBatchCancelled => "REFUND_BATCH_CANCELLED",
        }
    }

    /// How the audit log page names the action, in `language`; the stored name
    /// ([`as_str`](Self::as_str)) stays the same in every language.
    pub fn label(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            AuditAction::SignIn => td_string!(l, audit.actions.sign_in),
            AuditAction::SignInFailed => td_string!(l, audit.actions.sign_in_failed),
            AuditAction::SignOut => td_string!(l, audit.actions.sign_out),
            AuditAction::Refund => td_string!(l, audit.actions.refund),
            AuditAction::RefundRefused => td_string!(l, audit.actions.refund_refused),
            AuditAction::PaymentPasswordSet => td_string!(l, audit.actions.payment_password_set),
            AuditAction::PaymentPasswordChanged => {
                td_string!(l, audit.actions.payment_password_changed)
            }
            AuditAction::PaymentPasswordWrong => {
                td_string!(l, audit.actions.payment_password_wrong)
            }
            AuditAction::RefundsLocked => td_string!(l, audit.actions.refunds_locked),
            AuditAction::PaymentPasswordSetByAdmin => {
                td_string!(l, audit.actions.payment_password_set_by_admin)
            }
            AuditAction::PaymentPasswordReset => {
                td_string!(l, audit.actions.payment_password_reset)
            }
            AuditAction::RefundsUnlocked => td_string!(l, audit.actions.refunds_unlocked),
            AuditAction::UserCreated => td_string!(l, audit.actions.user_created),
            AuditAction::RoleChanged => td_string!(l, audit.actions.role_changed),
            AuditAction::UserDisabled => td_string!(l, audit.actions.user_disabled),
            AuditAction::UserEnabled => td_string!(l, audit.actions.user_enabled),
            AuditAction::ApiKeyAdded => td_string!(l, audit.actions.api_key_added),
            AuditAction::NotificationResent => td_string!(l, audit.actions.notification_resent),
            AuditAction::RefundApprovalRequested => {
                td_string!(l, audit.actions.refund_approval_requested)
            }
            AuditAction::RefundApproved => td_string!(l, audit.actions.refund_approved),
            AuditAction::RefundRejected => td_string!(l, audit.actions.refund_rejected),
            AuditAction::RefundApprovalExpired => {
                td_string!(l, audit.actions.refund_approval_expired)
            }
            AuditAction::ApprovalSettingsChanged => {
                td_string!(l, audit.actions.approval_settings_changed)
            }
            AuditAction::RefundBatchUploaded => td_string!(l, audit.actions.refund_batch_uploaded),
            AuditAction::RefundBatchConfirmed => {
                td_string!(l, audit.actions.refund_batch_confirmed)
            }
            AuditAction::RefundBatchPaused => td_string!(l, audit.actions.refund_batch_paused),
            AuditAction::RefundBatchResumed => td_string!(l, audit.actions.refund_batch_resumed),
            AuditAction::RefundBatchCancelled => {
                td_string!(l, audit.actions.refund_batch_cancelled)
            }
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

    #[test]
    fn every_language_names_each_action_once() {
        use std::collections::HashSet;
        for language in Language::ALL {
            let labels: HashSet<_> = AuditAction::ALL
                .into_iter()
                .map(|a| a.label(language))
                .collect();
            assert_eq!(labels.len(), AuditAction::ALL.len(), "{language:?}");
        }
        let names = |a: AuditAction| Language::ALL.map(|l| a.label(l));
        assert_eq!(
            names(AuditAction::SignInFailed),
            ["Sign-in failed", "登录失败", "Falha no login"]
        );
        assert_eq!(
            names(AuditAction::PaymentPasswordSetByAdmin),
            [
                "Payment password set by admin",
                "管理员设置支付密码",
                "Senha de pagamento definida pelo administrador"
            ]
        );
        assert_eq!(
            AuditAction::ApiKeyAdded.label(Language::En),
            "API key added"
        );
    }
}
