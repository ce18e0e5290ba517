//! The platform's signing key, kept in PostgreSQL so that every instance signs alike.

use super::pem::public_key_der;
use super::KeyError;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;
use sqlx::PgPool;
use std::sync::Arc;

/// The platform's current key version.
pub const PLATFORM_KEY_VERSION: i32 = 1;

/// The key Paydesk signs responses and notifications with.
#[derive(Clone)]
pub struct PlatformKey {
    pub key_version: i32,
    pub pair: Arc<RsaKeyPair>,
    pub public_der: Vec<u8>,
}

/// Loads the platform key, creating it on first use. Concurrent first uses by several
/// instances agree: only one insert wins and everyone reads the winner's key.
pub async fn platform_key(pool: &PgPool) -> Result<PlatformKey, KeyError> {
    let pkcs8 = match stored_pkcs8(pool).await? {
        Some(der) => der,
        None => {
            let (pkcs8, public) = tokio::task::spawn_blocking(generate_pair)
                .await
                .map_err(|_| KeyError::Unavailable)??;
            sqlx::query!(
                "INSERT INTO platform_keys (key_version, private_key_pkcs8, public_key_der)
                 VALUES ($1, $2, $3) ON CONFLICT (key_version) DO NOTHING",
                PLATFORM_KEY_VERSION,
                pkcs8,
                public
            )
            .execute(pool)
            .await?;
            stored_pkcs8(pool).await?.ok_or(sqlx::Error::RowNotFound)?
        }
    };
    let pair = RsaKeyPair::from_pkcs8(&pkcs8).map_err(|e| {
        tracing::error!(error = %e, "the stored platform key does not parse");
        KeyError::Unavailable
    })?;
    let public_der = public_key_der(&pair);
    Ok(PlatformKey {
        key_version: PLATFORM_KEY_VERSION,
        pair: Arc::new(pair),
        public_der,
    })
}

/// The stored private key of the current version, PKCS#8 DER.
async fn stored_pkcs8(pool: &PgPool) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar!(
        "SELECT private_key_pkcs8 FROM platform_keys WHERE key_version = $1",
        PLATFORM_KEY_VERSION
    )
    .fetch_optional(pool)
    .await
}

/// A new RSA-2048 key pair: (PKCS#8 private key, SubjectPublicKeyInfo), both DER.
pub fn generate_pair() -> Result<(Vec<u8>, Vec<u8>), KeyError> {
    let failed = |what: &str| {
        tracing::error!("{what} failed");
        KeyError::Unavailable
    };
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| failed("RSA key generation"))?;
    let pkcs8 = pair
        .as_der()
        .map_err(|_| failed("PKCS#8 encoding"))?
        .as_ref()
        .to_vec();
    let public = public_key_der(&pair);
    Ok((pkcs8, public))
}
