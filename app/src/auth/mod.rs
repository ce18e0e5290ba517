//! Who is signed in, and what their role lets them do.

#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod session_store;
#[cfg(feature = "ssr")]
pub mod sign_in;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A dashboard user's role. The server checks it on every request; the UI only uses it
/// to hide what the user could not do anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum Role {
    Admin,
    Operator,
    Finance,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Operator, Role::Finance, Role::Viewer];

    pub fn parse(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Finance => "finance",
            Role::Viewer => "viewer",
        }
    }

    /// The role's name in `language`.
    pub fn label(self, language: crate::locale::Language) -> &'static str {
        use crate::i18n::td_string;
        let l = language.locale();
        match self {
            Role::Admin => td_string!(l, roles.admin),
            Role::Operator => td_string!(l, roles.operator),
            Role::Finance => td_string!(l, roles.finance),
            Role::Viewer => td_string!(l, roles.viewer),
        }
    }

    /// Finance downloads exports and reports; admins may do everything.
    pub fn can_download_reports(self) -> bool {
        matches!(self, Role::Admin | Role::Finance)
    }

    /// Operators refund; admins may do everything.
    pub fn can_refund(self) -> bool {
        matches!(self, Role::Admin | Role::Operator)
    }

    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(crate::locale::Language::En))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role {0:?}: expected admin, operator, finance or viewer")]
pub struct UnknownRole(pub String);

/// An e-mail address as users type it, trimmed; case is kept but ignored in look-ups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, InvalidEmail> {
        let s = input.trim();
        let valid = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Email(s.to_owned()))
        } else {
            Err(InvalidEmail(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an e-mail address")]
pub struct InvalidEmail(pub String);

/// The signed-in user as pages show them (the top bar, the settings page). The server
/// works with [`session::SessionUser`], whose ids and zone are typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub merchant_name: String,
    /// The merchant's IANA time zone: every time is shown in it.
    pub time_zone: String,
    pub language: crate::locale::Language,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_their_names_only() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("Admin").is_err());
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn emails_parse_trimmed_and_refuse_garbage() {
        assert_eq!(
            Email::parse(" Ada@Lotus.example ").unwrap().as_str(),
            "Ada@Lotus.example"
        );
        for bad in [
            "",
            "ada",
            "@lotus.example",
            "ada@lotus",
            "ada@.example",
            "a da@lotus.example",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn only_finance_and_admin_download_reports() {
        let allowed: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.can_download_reports())
            .collect();
        assert_eq!(allowed, [Role::Admin, Role::Finance]);
    }
}
