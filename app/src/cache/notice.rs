//! What a notice on the channel `paydesk_changes` says changed. The triggers of the
//! migration `change_notices` send them at commit, whichever program made the change.

use uuid::Uuid;

/// The channel every Paydesk instance listens on.
pub const CHANNEL: &str = "paydesk_changes";

#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A session was saved again or deleted (sign-out, expiry).
    Session(String),
    /// A user's name, e-mail, role, status or language.
    User(Uuid),
    /// A merchant's name, time zone or status, or its list of currencies.
    Merchant(Uuid),
    /// The payment methods or acquirers every merchant chooses from.
    Lists,
}

impl Notice {
    /// `None` for a payload that is not one of ours; the listener then forgets
    /// everything rather than guess.
    pub fn parse(payload: &str) -> Option<Notice> {
        if payload == "lists" {
            return Some(Notice::Lists);
        }
        let (kind, id) = payload.split_once(':')?;
        match kind {
            "session" => Some(Notice::Session(id.to_owned())),
            "user" => id.parse().ok().map(Notice::User),
            "merchant" => id.parse().ok().map(Notice::Merchant),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_of_the_triggers_are_understood() {
        let id = Uuid::nil();
        assert_eq!(
            Notice::parse("session:abc"),
            Some(Notice::Session("abc".into()))
        );
        assert_eq!(Notice::parse(&format!("user:{id}")), Some(Notice::User(id)));
        assert_eq!(
            Notice::parse(&format!("merchant:{id}")),
            Some(Notice::Merchant(id))
        );
        assert_eq!(Notice::parse("lists"), Some(Notice::Lists));
    }

    #[test]
    fn anything_else_is_not_a_notice() {
        for payload in ["", "user:not-a-uuid", "session", "merchant:", "other:1"] {
            assert_eq!(Notice::parse(payload), None, "{payload}");
        }
    }
}
