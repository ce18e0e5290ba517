//! The one error type of server functions, and what users read when something fails.
//!
//! A server function's failure reaches the browser as its `Display` text, so every
//! variant is a fixed sentence in the user's words. Faults inside Paydesk (a database
//! error, a failed session store) never show their own text: the detail goes to the
//! server log under the request's id, and the user sees "unavailable" with that id as a
//! reference to quote to support (docs/SECURITY.md).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Sign in again.")]
    SignedOut,
    /// The user's role (its label) may not do this.
    #[error("Your role ({0}) does not allow this.")]
    Forbidden(String),
    /// What the user asked for, in their words: not there, or not valid.
    #[error("{0}")]
    Refused(String),
    #[error("Paydesk is busy; try again in a moment.")]
    Busy,
    /// The browser could not reach Paydesk or read its answer.
    #[error("Paydesk could not be reached; check your connection and try again.")]
    Unreachable,
    /// A fault inside Paydesk, logged under `reference` (the request's id).
    #[error("Paydesk is unavailable; try again shortly. (Reference {reference}.)")]
    Unavailable { reference: String },
}

impl AppError {
    /// `message` is already in the user's language: server functions write it with
    /// the request's language (`crate::locale::page_language`).
    pub fn refused(message: impl Into<String>) -> AppError {
        AppError::Refused(message.into())
    }

    /// What the user reads, in `language`. The `Display` text is English, for logs.
    pub fn message(&self, language: crate::locale::Language) -> String {
        use crate::i18n::{td_display, td_string};
        let l = language.locale();
        match self {
            AppError::SignedOut => td_string!(l, errors.signed_out).to_owned(),
            AppError::Forbidden(role) => {
                // The role travels as its English label (see `require_role`).
                let role = crate::auth::Role::ALL
                    .into_iter()
                    .find(|r| r.label(crate::locale::Language::En) == role)
                    .map_or(role.as_str(), |r| r.label(language));
                td_display!(l, errors.forbidden, role).to_string()
            }
            AppError::Refused(message) => message.clone(),
            AppError::Busy => td_string!(l, errors.busy).to_owned(),
            AppError::Unreachable => td_string!(l, errors.unreachable).to_owned(),
            AppError::Unavailable { reference } => {
                td_display!(l, errors.unavailable, reference).to_string()
            }
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The form did not match the function: an old page, or a forged request.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::refused(unreadable_form())
            }
            // In the browser: no answer, or one it could not read.
            ServerFnErrorErr::Request(_)
            | ServerFnErrorErr::Response(_)
            | ServerFnErrorErr::Deserialization(_)
                if cfg!(not(feature = "ssr")) =>
            {
                AppError::Unreachable
            }
            other => AppError::internal(other),
        }
    }
}

/// The form did not match its server function (read on the server, in the request's
/// language).
fn unreadable_form() -> String {
    #[cfg(feature = "ssr")]
    let language = crate::locale::page_language();
    #[cfg(not(feature = "ssr"))]
    let language = crate::locale::Language::En;
    crate::i18n::td_string!(language.locale(), errors.unreadable_form).to_owned()
}

#[cfg(feature = "ssr")]
pub use server::{request_id, RequestId};

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;

    /// The id of a request, made by the server's first middleware: in the log of
    /// everything the request does, in the `x-request-id` answer header and in the
    /// "unavailable" message.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct RequestId(pub String);

    impl RequestId {
        pub fn new() -> RequestId {
            RequestId(uuid::Uuid::new_v4().simple().to_string()[..12].to_owned())
        }
    }

    impl Default for RequestId {
        fn default() -> Self {
            RequestId::new()
        }
    }

    /// The id of the request being served (a new one outside any request).
    pub fn request_id() -> String {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestId>().cloned())
            .unwrap_or_default()
            .0
    }

    impl AppError {
        /// Logs `detail` under this request's id; the user is told only the id.
        pub fn internal(detail: impl std::fmt::Display) -> AppError {
            AppError::internal_for(&RequestId(request_id()), detail)
        }

        /// [`AppError::internal`] for handlers outside Leptos, which take the request's
        /// id from its extensions.
        pub fn internal_for(id: &RequestId, detail: impl std::fmt::Display) -> AppError {
            let reference = id.0.clone();
            tracing::error!(request_id = %reference, error = %detail, "request failed");
            AppError::Unavailable { reference }
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> Self {
            AppError::internal(e)
        }
    }

    impl From<tower_sessions::session::Error> for AppError {
        fn from(e: tower_sessions::session::Error) -> Self {
            AppError::internal(e)
        }
    }

    /// Ids in the signed-in user's session are Paydesk's own: one that does not parse
    /// is a fault, not a user's mistake.
    impl From<uuid::Error> for AppError {
        fn from(e: uuid::Error) -> Self {
            AppError::internal(e)
        }
    }

    impl From<crate::api_keys::KeyError> for AppError {
        fn from(e: crate::api_keys::KeyError) -> Self {
            match e {
                crate::api_keys::KeyError::Unavailable => AppError::Unavailable {
                    reference: request_id(),
                },
                other => AppError::refused(other.to_string()),
            }
        }
    }

    impl From<crate::payment_password::PaymentPasswordError> for AppError {
        fn from(e: crate::payment_password::PaymentPasswordError) -> Self {
            use crate::payment_password::PaymentPasswordError as E;
            match e {
                E::Unavailable => AppError::Unavailable {
                    reference: request_id(),
                },
                E::Busy => AppError::Busy,
                other => AppError::refused(other.to_string()),
            }
        }
    }

    impl From<crate::auth::password::Busy> for AppError {
        fn from(_: crate::auth::password::Busy) -> Self {
            AppError::Busy
        }
    }
}

#[cfg(not(feature = "ssr"))]
impl AppError {
    /// In the browser there is no server log: a fault is only "unavailable".
    pub fn internal(_detail: impl std::fmt::Display) -> AppError {
        AppError::Unavailable {
            reference: String::new(),
        }
    }
}

impl From<ServerFnErrorErr> for AppError {
    fn from(e: ServerFnErrorErr) -> Self {
        AppError::from_server_fn_error(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_errors_read_as_paydesk_messages() {
        let args = AppError::from(ServerFnErrorErr::Args("missing field `x`".into()));
        assert_eq!(
            args.to_string(),
            "Paydesk could not read this form; reload the page and try again."
        );
        let fault = AppError::from(ServerFnErrorErr::ServerError(
            "relation does not exist".into(),
        ));
        let text = fault.to_string();
        assert!(text.starts_with("Paydesk is unavailable"), "{text}");
        assert!(!text.contains("relation"), "{text}");
    }
}
