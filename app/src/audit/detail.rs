//! What an audit event's detail says. The log keeps it as English text, its stable form
//! (searched and exported as written, and what older events hold); the page reads that
//! text back into a `Detail` and shows it in the reader's language. Writers and the
//! reader share this one definition, so every detail written can be read back
//! (docs/LANGUAGES.md, "The audit log").

use super::AuditAction;
use crate::auth::Role;
use crate::i18n::{td_display, td_string};
use crate::locale::Language;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Why a sign-in failed.
    WrongPassword,
    UserDisabled,
    /// The role a new user was given.
    Role(Role),
    RoleChange {
        from: Role,
        to: Role,
    },
    /// Refunds locked after this many wrong payment passwords in a row.
    WrongPaymentPasswords(i32),
    KeyVersion(i32),
    /// A new refund of `payment`, still processing at the acquirer or already done.
    Refund {
        payment: String,
        processing: bool,
    },
    /// A refused refund: its result code and the open API's English message.
    Refused {
        code: String,
        message: String,
    },
    /// An approval limit removed (a set one is the event's amount).
    LimitRemoved,
    /// How many hours a request for approval now waits.
    ApprovalHours(i32),
    /// Why a request for approval was rejected, in the rejecter's words.
    Rejection(String),
}

impl Detail {
    /// The English text the log keeps.
    pub fn stored(&self) -> String {
        match self {
            Detail::WrongPassword => "wrong password".to_owned(),
            Detail::UserDisabled => "user disabled".to_owned(),
            Detail::Role(role) => role.as_str().to_owned(),
            Detail::RoleChange { from, to } => format!("{} → {}", from.as_str(), to.as_str()),
            Detail::WrongPaymentPasswords(n) => format!("{n} wrong payment passwords in a row"),
            Detail::KeyVersion(v) => format!("key version {v}"),
            Detail::Refund {
                payment,
                processing,
            } => {
                let state = if *processing {
                    "processing"
                } else {
                    "successful"
                };
                format!("Refund of payment {payment} ({state})")
            }
            Detail::Refused { code, message } => format!("{code}: {message}"),
            Detail::LimitRemoved => "limit removed".to_owned(),
            Detail::ApprovalHours(h) => format!("requests expire after {h} hours"),
            Detail::Rejection(reason) => reason.clone(),
        }
    }

    /// The detail `text` of an `action` event, if it is one `stored` writes.
    pub fn read(action: AuditAction, text: &str) -> Option<Detail> {
        Some(match action {
            AuditAction::SignInFailed => match text {
                "wrong password" => Detail::WrongPassword,
                "user disabled" => Detail::UserDisabled,
                _ => return None,
            },
            AuditAction::UserCreated => Detail::Role(Role::parse(text).ok()?),
            AuditAction::RoleChanged => {
                let (from, to) = text.split_once(" → ")?;
                Detail::RoleChange {
                    from: Role::parse(from).ok()?,
                    to: Role::parse(to).ok()?,
                }
            }
            AuditAction::RefundsLocked => Detail::WrongPaymentPasswords(
                text.strip_suffix(" wrong payment passwords in a row")?
                    .parse()
                    .ok()?,
            ),
            AuditAction::ApiKeyAdded => {
                Detail::KeyVersion(text.strip_prefix("key version ")?.parse().ok()?)
            }
            AuditAction::Refund => {
                let rest = text.strip_prefix("Refund of payment ")?;
                let (payment, processing) = if let Some(p) = rest.strip_suffix(" (processing)") {
                    (p, true)
                } else {
                    (rest.strip_suffix(" (successful)")?, false)
                };
                Detail::Refund {
                    payment: payment.to_owned(),
                    processing,
                }
            }
            AuditAction::RefundRefused => {
                let (code, message) = text.split_once(": ")?;
                Detail::Refused {
                    code: code.to_owned(),
                    message: message.to_owned(),
                }
            }
            AuditAction::ApprovalSettingsChanged => match text {
                "limit removed" => Detail::LimitRemoved,
                _ => Detail::ApprovalHours(
                    text.strip_prefix("requests expire after ")?
                        .strip_suffix(" hours")?
                        .parse()
                        .ok()?,
                ),
            },
            AuditAction::RefundRejected => Detail::Rejection(text.to_owned()),
            _ => return None,
        })
    }

    /// The detail as a reader of `language` sees it. A refusal keeps its result code
    /// and, outside English, has the code explained instead of the API's message.
    pub fn shown(&self, language: Language) -> String {
        let l = language.locale();
        match self {
            Detail::WrongPassword => td_string!(l, audit.details.wrong_password).to_owned(),
            Detail::UserDisabled => td_string!(l, audit.details.user_disabled).to_owned(),
            Detail::Role(role) => role.label(language).to_owned(),
            Detail::RoleChange { from, to } => {
                format!("{} → {}", from.label(language), to.label(language))
            }
            Detail::WrongPaymentPasswords(count) => {
                td_display!(l, audit.details.wrong_payment_passwords, count = *count).to_string()
            }
            Detail::KeyVersion(version) => {
                td_display!(l, audit.details.key_version, version).to_string()
            }
            Detail::Refund {
                payment,
                processing: true,
            } => td_display!(l, audit.details.refund_processing, payment).to_string(),
            Detail::Refund {
                payment,
                processing: false,
            } => td_display!(l, audit.details.refund_successful, payment).to_string(),
            Detail::Refused { code, message } => {
                match crate::refunds::dashboard::explain_result_code(code, language) {
                    Some(why) if language != Language::En => format!("{code}: {why}"),
                    _ => format!("{code}: {message}"),
                }
            }
            Detail::LimitRemoved => td_string!(l, audit.details.limit_removed).to_owned(),
            Detail::ApprovalHours(hours) => {
                td_display!(l, audit.details.approval_hours, hours = *hours).to_string()
            }
            Detail::Rejection(reason) => reason.clone(),
        }
    }
}

/// The detail `text` of an `action` event in `language`; text this module did not
/// write is shown as it is.
pub fn shown(action: AuditAction, text: String, language: Language) -> String {
    match Detail::read(action, &text) {
        Some(detail) => detail.shown(language),
        None => text,
    }
}

/// The actor as the log keeps it ("API client <id>", an e-mail address or "Paydesk").
pub fn api_client(client_id: &str) -> String {
    format!("API client {client_id}")
}

/// The actor `name` in `language`: an API client's word is translated, people's
/// addresses and Paydesk's name are not.
pub fn actor_shown(name: String, language: Language) -> String {
    match name.strip_prefix("API client ") {
        Some(id) => td_display!(language.locale(), audit.details.api_client, id).to_string(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_detail() -> Vec<(AuditAction, Detail)> {
        vec![
            (AuditAction::SignInFailed, Detail::WrongPassword),
            (AuditAction::SignInFailed, Detail::UserDisabled),
            (AuditAction::UserCreated, Detail::Role(Role::Finance)),
            (
                AuditAction::RoleChanged,
                Detail::RoleChange {
                    from: Role::Viewer,
                    to: Role::Operator,
                },
            ),
            (AuditAction::RefundsLocked, Detail::WrongPaymentPasswords(5)),
            (AuditAction::ApiKeyAdded, Detail::KeyVersion(2)),
            (AuditAction::ApprovalSettingsChanged, Detail::LimitRemoved),
            (
                AuditAction::ApprovalSettingsChanged,
                Detail::ApprovalHours(48),
            ),
            (
                AuditAction::Refund,
                Detail::Refund {
                    payment: "PAY-1 (x)".into(),
                    processing: true,
                },
            ),
            (
                AuditAction::Refund,
                Detail::Refund {
                    payment: "PAY-2".into(),
                    processing: false,
                },
            ),
            (
                AuditAction::RefundRefused,
                Detail::Refused {
                    code: "REFUND_AMOUNT_EXCEED".into(),
                    message: "The refund amount exceeds the refundable amount of 1.00 USD.".into(),
                },
            ),
        ]
    }

    #[test]
    fn every_detail_written_reads_back_as_itself() {
        for (action, detail) in every_detail() {
            assert_eq!(Detail::read(action, &detail.stored()), Some(detail));
        }
    }

    #[test]
    fn details_show_in_the_readers_language_and_unknown_text_as_it_is() {
        for (action, detail) in every_detail() {
            let pt = shown(action, detail.stored(), Language::PtBr);
            assert_ne!(pt, detail.stored(), "{detail:?} in Portuguese");
        }
        // A rejection's reason is the rejecter's own words, in any language.
        let reason = "Pedido em duplicidade 🙂 重复";
        assert_eq!(
            Detail::read(AuditAction::RefundRejected, reason),
            Some(Detail::Rejection(reason.into()))
        );
        assert_eq!(
            shown(AuditAction::RefundRejected, reason.into(), Language::ZhCn),
            reason
        );
        let change = Detail::RoleChange {
            from: Role::Operator,
            to: Role::Viewer,
        };
        assert_eq!(change.shown(Language::En), "Operator → Viewer");
        let locked = Detail::WrongPaymentPasswords(5).shown(Language::ZhCn);
        assert!(
            locked.contains('5') && locked.contains("支付密码"),
            "{locked}"
        );
        let refused = shown(
            AuditAction::RefundRefused,
            "ORDER_NOT_EXIST: No such payment.".into(),
            Language::PtBr,
        );
        assert!(refused.starts_with("ORDER_NOT_EXIST: ") && !refused.contains("No such"));
        // Text written before, or by hand: as it is.
        let odd = "reset by support\u{0}".to_owned();
        assert_eq!(
            shown(AuditAction::SignInFailed, odd.clone(), Language::ZhCn),
            odd
        );
        assert_eq!(
            actor_shown(api_client("SANDBOX_1"), Language::PtBr),
            "Cliente da API SANDBOX_1"
        );
        assert_eq!(
            actor_shown("ana@example.com".into(), Language::ZhCn),
            "ana@example.com"
        );
    }
}
