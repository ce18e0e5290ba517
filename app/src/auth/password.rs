//! Sign-in password hashing: argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1).
//! Hashing takes tens of milliseconds of CPU, so the async helpers run it on the
//! blocking pool, never on the reactor.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// The PHC string of an argon2id hash of `password` with a fresh random salt.
pub fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// [`hash_blocking`] on the blocking pool.
pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .expect("password hashing panicked")
}

/// [`verify_blocking`] on the blocking pool.
pub async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
        .await
        .expect("password verification panicked")
}

/// A hash of a password nobody knows, verified against when the e-mail is unknown so
/// that a wrong e-mail takes as long as a wrong password.
pub fn decoy_hash() -> &'static str {
    use std::sync::OnceLock;
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_blocking("paydesk-decoy-password-never-used"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash_blocking("correct horse");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_blocking("correct horse", &h));
        assert!(!verify_blocking("Correct horse", &h));
        assert!(!verify_blocking("correct horse", "not a phc string"));
    }
}
