//! Keys of the open API: merchants' RSA public keys, registered per client id and key
//! version, and the platform key Paydesk signs its responses and notifications with.
//! The API keys settings page, the open API and the `server keys` command line all
//! use these functions.

#[cfg(feature = "ssr")]
mod clients;
#[cfg(feature = "ssr")]
mod pem;
#[cfg(feature = "ssr")]
mod platform;
#[cfg(feature = "ssr")]
pub use clients::{
    client_key, list, list_in_language, register, register_in, ClientChoice, ClientKey,
};
#[cfg(feature = "ssr")]
pub use pem::{
    check_public_key, from_pem_or_der, pkcs1_from_pkcs8, public_key_der, to_base64, to_pem,
};
#[cfg(feature = "ssr")]
pub use platform::{generate_pair, platform_key, PlatformKey, PLATFORM_KEY_VERSION};

use crate::locale::Language;
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

/// Why a key was not registered. Each has a short code, which the API keys page
/// carries in its URL after the form's redirect to show the message by the field.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, EnumIter, EnumString, IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
pub enum KeyError {
    #[error("A client id is 1 to 64 letters, digits, - and _.")]
    InvalidClientId,
    #[error("The PEM text is damaged: its body is not base64.")]
    BadPem,
    #[error("Not an RSA public key: use an X.509 SubjectPublicKeyInfo (\"BEGIN PUBLIC KEY\"), PEM or DER, of 2048 to 8192 bits.")]
    NotRsa,
    /// Only the operator's command line, which may name any client id, gets this.
    #[error("This client id belongs to another merchant.")]
    OtherMerchant,
    /// The same answer whether the id is another merchant's or nobody's.
    #[error("Choose one of your client ids, or a new one.")]
    UnknownClientId,
    #[error("Key versions start at 1.")]
    BadVersion,
    #[error("This key version of the client id is already registered; keys are never replaced, add the next version.")]
    VersionTaken,
    #[error("Paydesk is unavailable; try again shortly.")]
    Unavailable,
}

impl KeyError {
    /// The code, e.g. `not_rsa`.
    pub fn code(self) -> &'static str {
        self.into()
    }

    pub fn from_code(code: &str) -> Option<KeyError> {
        code.parse().ok()
    }

    /// What the user reads, in `language`. The `Display` text is English, for logs and
    /// the `server keys` command line.
    pub fn message(self, language: Language) -> &'static str {
        use crate::i18n::td_string;
        let l = language.locale();
        match self {
            KeyError::InvalidClientId => td_string!(l, api_keys.error_invalid_client_id),
            KeyError::BadPem => td_string!(l, api_keys.error_bad_pem),
            KeyError::NotRsa => td_string!(l, api_keys.error_not_rsa),
            KeyError::OtherMerchant => td_string!(l, api_keys.error_other_merchant),
            KeyError::UnknownClientId => td_string!(l, api_keys.error_unknown_client_id),
            KeyError::BadVersion => td_string!(l, api_keys.error_bad_version),
            KeyError::VersionTaken => td_string!(l, api_keys.error_version_taken),
            KeyError::Unavailable => td_string!(l, settings.unavailable),
        }
    }

    /// Whether the message belongs by the client id field (else by the key).
    pub fn is_about_client_id(self) -> bool {
        matches!(
            self,
            KeyError::InvalidClientId | KeyError::OtherMerchant | KeyError::UnknownClientId
        )
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for KeyError {
    fn from(e: sqlx::Error) -> Self {
        let request_id = crate::error::request_id();
        tracing::error!(%request_id, error = %e, "api keys: database error");
        KeyError::Unavailable
    }
}

/// One registered key of the merchant, as the API keys page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientKeyView {
    pub client_id: String,
    pub key_version: i32,
    /// In the merchant's zone.
    pub created: String,
}

/// A client id: letters, digits, `-` and `_`, as SDKs send it in a header.
pub fn check_client_id(client_id: &str) -> Result<(), KeyError> {
    let valid = !client_id.is_empty()
        && client_id.len() <= 64
        && client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(KeyError::InvalidClientId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_short_and_plain() {
        assert!(check_client_id("SANDBOX_ABC-2").is_ok());
        for bad in ["", "a b", "ключ", &"x".repeat(65)] {
            assert_eq!(
                check_client_id(bad),
                Err(KeyError::InvalidClientId),
                "{bad:?}"
            );
        }
        use strum::IntoEnumIterator;
        for e in KeyError::iter() {
            assert_eq!(KeyError::from_code(e.code()), Some(e));
        }
        assert_eq!(KeyError::NotRsa.code(), "not_rsa");
        assert_eq!(KeyError::from_code("NotRsa"), None);
    }

    #[test]
    fn messages_are_in_the_users_language_and_english_matches_the_log() {
        use strum::IntoEnumIterator;
        for e in KeyError::iter() {
            assert_eq!(e.message(Language::En), e.to_string());
            for other in [Language::ZhCn, Language::PtBr] {
                assert_ne!(e.message(other), e.to_string(), "{e:?} in {other:?}");
            }
        }
        assert_eq!(
            KeyError::OtherMerchant.message(Language::PtBr),
            "Este ID de cliente pertence a outro estabelecimento."
        );
    }
}
