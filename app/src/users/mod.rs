//! The merchant's dashboard users as admins manage them: who may sign in, with which
//! role. The rules for a new user are shared by the Users page and the `server user`
//! command line.

#[cfg(feature = "ssr")]
mod admin;
#[cfg(feature = "ssr")]
pub mod language;
#[cfg(feature = "ssr")]
mod list;
#[cfg(feature = "ssr")]
pub use admin::{change_role, create, set_disabled};
#[cfg(feature = "ssr")]
pub use list::list;

use crate::auth::{Email, Role};
use crate::locale::Language;
use serde::{Deserialize, Serialize};

/// The shortest sign-in password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;
const MAX_NAME_LEN: usize = 100;

/// A user to create, checked field by field. Its `Debug` hides the password.
#[derive(Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

impl NewUser {
    pub fn parse(
        email: &str,
        name: &str,
        role: &str,
        password: &str,
    ) -> Result<NewUser, UserError> {
        let email = Email::parse(email).map_err(|_| UserError::InvalidEmail)?;
        let display_name = name.trim();
        if display_name.is_empty() || crate::text::check_line(display_name, MAX_NAME_LEN).is_err() {
            return Err(UserError::InvalidName);
        }
        let role = Role::parse(role).map_err(|_| UserError::UnknownRole)?;
        check_sign_in_password(password)?;
        Ok(NewUser {
            email,
            display_name: display_name.to_owned(),
            role,
            password: password.to_owned(),
        })
    }
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

pub fn check_sign_in_password(password: &str) -> Result<(), UserError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(UserError::PasswordTooShort);
    }
    Ok(())
}

/// Why a user change was refused. Each has a short code, which the Users page carries
/// in its URL after the form's redirect to show the message next to the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("Enter an e-mail address such as name@example.com.")]
    InvalidEmail,
    #[error("Enter a name of at most 100 characters.")]
    InvalidName,
    #[error("Choose admin, operator, finance or viewer.")]
    UnknownRole,
    #[error("Use a sign-in password of at least 12 characters.")]
    PasswordTooShort,
    #[error("A user with this e-mail address already exists.")]
    EmailTaken,
    #[error("No such user in your merchant.")]
    UnknownUser,
    #[error("You cannot disable yourself.")]
    DisableSelf,
    #[error("Your merchant needs at least one active admin.")]
    LastAdmin,
    #[error("Paydesk is unavailable; try again shortly.")]
    Unavailable,
    #[error("Paydesk is busy; try again in a moment.")]
    Busy,
}

impl UserError {
    const ALL: [UserError; 10] = [
        UserError::InvalidEmail,
        UserError::InvalidName,
        UserError::UnknownRole,
        UserError::PasswordTooShort,
        UserError::EmailTaken,
        UserError::UnknownUser,
        UserError::DisableSelf,
        UserError::LastAdmin,
        UserError::Unavailable,
        UserError::Busy,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UserError::InvalidEmail => "invalid_email",
            UserError::InvalidName => "invalid_name",
            UserError::UnknownRole => "unknown_role",
            UserError::PasswordTooShort => "short_password",
            UserError::EmailTaken => "email_taken",
            UserError::UnknownUser => "unknown_user",
            UserError::DisableSelf => "disable_self",
            UserError::LastAdmin => "last_admin",
            UserError::Unavailable => "unavailable",
            UserError::Busy => "busy",
        }
    }

    pub fn from_code(code: &str) -> Option<UserError> {
        UserError::ALL.into_iter().find(|e| e.code() == code)
    }

    /// What the user reads, in `language`. The `Display` text is English, for logs and
    /// the `server user` command line.
    pub fn message(self, language: Language) -> &'static str {
        use crate::i18n::td_string;
        let l = language.locale();
        match self {
            UserError::InvalidEmail => td_string!(l, users.error_invalid_email),
            UserError::InvalidName => td_string!(l, users.error_invalid_name),
            UserError::UnknownRole => td_string!(l, users.error_unknown_role),
            UserError::PasswordTooShort => td_string!(l, users.error_password_too_short),
            UserError::EmailTaken => td_string!(l, users.error_email_taken),
            UserError::UnknownUser => td_string!(l, users.error_unknown_user),
            UserError::DisableSelf => td_string!(l, users.error_disable_self),
            UserError::LastAdmin => td_string!(l, users.error_last_admin),
            UserError::Unavailable => td_string!(l, settings.unavailable),
            UserError::Busy => td_string!(l, errors.busy),
        }
    }

    /// The create form's field the message belongs next to.
    pub fn field(self) -> Option<&'static str> {
        match self {
            UserError::InvalidEmail | UserError::EmailTaken => Some("email"),
            UserError::InvalidName => Some("name"),
            UserError::UnknownRole => Some("role"),
            UserError::PasswordTooShort => Some("password"),
            _ => None,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::auth::password::Busy> for UserError {
    fn from(_: crate::auth::password::Busy) -> Self {
        UserError::Busy
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for UserError {
    fn from(e: sqlx::Error) -> Self {
        let request_id = crate::error::request_id();
        tracing::error!(%request_id, error = %e, "users: database error");
        UserError::Unavailable
    }
}

/// One row of the Users page, with times already in the merchant's zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub payment_password_set: bool,
    /// `HH:MM` when the user's refunds are locked until then.
    pub refunds_locked_until: Option<String>,
    pub last_sign_in: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_users_need_an_email_a_name_a_role_and_a_long_password() {
        let ok =
            NewUser::parse(" ada@lotus.example ", " Ada ", "operator", "twelve chars").unwrap();
        assert_eq!(ok.email.as_str(), "ada@lotus.example");
        assert_eq!(ok.display_name, "Ada");
        assert_eq!(ok.role, Role::Operator);
        let err = |e, n, r, p| NewUser::parse(e, n, r, p).unwrap_err();
        assert_eq!(
            err("ada", "Ada", "viewer", "twelve chars"),
            UserError::InvalidEmail
        );
        assert_eq!(
            err("a@b.example", " ", "viewer", "twelve chars"),
            UserError::InvalidName
        );
        assert_eq!(
            err("a@b.example", "Ada", "root", "twelve chars"),
            UserError::UnknownRole
        );
        assert_eq!(
            err("a@b.example", "Ada", "viewer", "eleven char"),
            UserError::PasswordTooShort
        );
    }

    #[test]
    fn error_codes_round_trip_and_debug_hides_the_password() {
        for e in UserError::ALL {
            assert_eq!(UserError::from_code(e.code()), Some(e));
        }
        assert_eq!(UserError::from_code("<b>"), None);
        let user = NewUser::parse("a@b.example", "Ada", "viewer", "secret-password").unwrap();
        assert!(!format!("{user:?}").contains("secret"));
    }

    #[test]
    fn messages_are_in_the_users_language_and_english_matches_the_log() {
        for e in UserError::ALL {
            assert_eq!(e.message(Language::En), e.to_string());
            for other in [Language::ZhCn, Language::PtBr] {
                assert_ne!(e.message(other), e.to_string(), "{e:?} in {other:?}");
            }
        }
        assert_eq!(
            UserError::LastAdmin.message(Language::ZhCn),
            "您的商户至少需要保留一名启用状态的管理员。"
        );
    }
}
