//! Merchants' registered public keys, one per client id and key version.
//!
//! Who owns a client id is kept by the database (`api_client_ids`, and a foreign key from
//! every key row to it), so no interleaving of requests can put one merchant's key under
//! another merchant's client id; a stored key is never replaced (a trigger refuses
//! updates), so rotating a key is adding a version.

use super::pem::check_public_key;
use super::{check_client_id, ClientKeyView, KeyError};
use crate::locale::{format::local, Language};
use chrono_tz::Tz;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

/// A registered merchant key.
pub struct ClientKey {
    pub merchant_id: Uuid,
    pub public_key_der: Vec<u8>,
}

/// Which client id a new key goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientChoice {
    /// A new client id made up by Paydesk; `SANDBOX_…` when `sandbox` (SDKs send such
    /// clients to the sandbox paths).
    New { sandbox: bool },
    /// One of the merchant's own client ids. Any other id, taken or not, is
    /// [`KeyError::UnknownClientId`]: the dashboard never tells whether another
    /// merchant has it.
    Own(String),
    /// This id, taken for the merchant if nobody has it: the operator's command line,
    /// where naming the id matters (demo set-ups, migrating a merchant's integration).
    Claim(String),
}

/// The key registered for `client_id` and `key_version`.
pub async fn client_key(
    pool: &PgPool,
    client_id: &str,
    key_version: i32,
) -> sqlx::Result<Option<ClientKey>> {
    sqlx::query_as!(
        ClientKey,
        "SELECT merchant_id, public_key_der FROM api_clients WHERE client_id = $1 AND key_version = $2",
        client_id,
        key_version
    )
    .fetch_optional(pool)
    .await
}

/// The keys of `merchant` by client id and version, dates in `zone`, in English: the
/// operator's command line.
pub async fn list(pool: &PgPool, merchant: Uuid, zone: Tz) -> sqlx::Result<Vec<ClientKeyView>> {
    list_in_language(pool, merchant, zone, Language::En).await
}

/// [`list`] with the dates as `language` writes them, for the API keys page.
pub async fn list_in_language(
    pool: &PgPool,
    merchant: Uuid,
    zone: Tz,
    language: Language,
) -> sqlx::Result<Vec<ClientKeyView>> {
    let rows = sqlx::query!(
        r#"SELECT client_id, key_version, created_at AS "created_at: chrono::DateTime<chrono::Utc>" FROM api_clients
          WHERE merchant_id = $1 ORDER BY client_id, key_version"#,
        merchant
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ClientKeyView {
            client_id: r.client_id,
            key_version: r.key_version,
            created: local(language, r.created_at, zone),
        })
        .collect())
}

/// [`register_in`] in a transaction of its own.
pub async fn register(
    pool: &PgPool,
    merchant_id: Uuid,
    client: ClientChoice,
    key_version: Option<i32>,
    public_key_der: &[u8],
) -> Result<(String, i32), KeyError> {
    let mut tx = pool.begin().await?;
    let added = register_in(&mut tx, merchant_id, client, key_version, public_key_der).await?;
    tx.commit().await?;
    Ok(added)
}

/// Registers `public_key_der` under `client` in `tx`; the key version is the client's
/// next one unless given. Returns the client id and the version.
pub async fn register_in(
    tx: &mut Transaction<'_, Postgres>,
    merchant_id: Uuid,
    client: ClientChoice,
    key_version: Option<i32>,
    public_key_der: &[u8],
) -> Result<(String, i32), KeyError> {
    if key_version.is_some_and(|v| v < 1) {
        return Err(KeyError::BadVersion);
    }
    check_public_key(public_key_der)?;
    let client_id = match client {
        ClientChoice::New { sandbox } => claim_new(tx, merchant_id, sandbox).await?,
        ClientChoice::Own(id) => {
            // A malformed id is as unknown as another merchant's.
            check_client_id(&id).map_err(|_| KeyError::UnknownClientId)?;
            if lock_owner(tx, &id).await? != Some(merchant_id) {
                return Err(KeyError::UnknownClientId);
            }
            id
        }
        ClientChoice::Claim(id) => {
            check_client_id(&id)?;
            claim(tx, merchant_id, &id).await?;
            if lock_owner(tx, &id).await? != Some(merchant_id) {
                return Err(KeyError::OtherMerchant);
            }
            id
        }
    };
    // The owner row is locked: two keys added to one client id at once take turns, so
    // the next version is computed from what the other one committed.
    let version = match key_version {
        Some(v) => v,
        None => {
            sqlx::query_scalar!(
                r#"SELECT coalesce(max(key_version), 0) + 1 AS "version!" FROM api_clients
                    WHERE client_id = $1"#,
                client_id
            )
            .fetch_one(&mut **tx)
            .await?
        }
    };
    let inserted = sqlx::query!(
        "INSERT INTO api_clients (client_id, key_version, merchant_id, public_key_der)
         VALUES ($1, $2, $3, $4) ON CONFLICT (client_id, key_version) DO NOTHING",
        client_id,
        version,
        merchant_id,
        public_key_der
    )
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(KeyError::VersionTaken);
    }
    Ok((client_id, version))
}

/// Takes `client_id` for `merchant_id` unless someone already has it.
async fn claim(
    tx: &mut Transaction<'_, Postgres>,
    merchant_id: Uuid,
    client_id: &str,
) -> sqlx::Result<bool> {
    let taken = sqlx::query!(
        "INSERT INTO api_client_ids (client_id, merchant_id) VALUES ($1, $2)
         ON CONFLICT (client_id) DO NOTHING",
        client_id,
        merchant_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// The owner of `client_id`, its row locked until the transaction ends.
async fn lock_owner(
    tx: &mut Transaction<'_, Postgres>,
    client_id: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT merchant_id FROM api_client_ids WHERE client_id = $1 FOR UPDATE",
        client_id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// A client id nobody has, made up and taken for `merchant_id`.
async fn claim_new(
    tx: &mut Transaction<'_, Postgres>,
    merchant_id: Uuid,
    sandbox: bool,
) -> Result<String, KeyError> {
    // 32^16 ids: a clash is all but impossible, and a few tries make it so.
    for _ in 0..5 {
        let id = new_client_id(sandbox).ok_or(KeyError::Unavailable)?;
        if claim(tx, merchant_id, &id).await? {
            return Ok(id);
        }
    }
    Err(KeyError::Unavailable)
}

/// 16 upper-case letters and digits (no 0/O or 1/I), after `SANDBOX_` for sandbox
/// clients and `LIVE_` for the others; none if the system's random source fails.
fn new_client_id(sandbox: bool) -> Option<String> {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut random = [0u8; 16];
    aws_lc_rs::rand::fill(&mut random).ok()?;
    // 32 characters divide 256 evenly, so every character is equally likely.
    let tail: String = random
        .iter()
        .map(|b| CHARS[usize::from(*b) % CHARS.len()] as char)
        .collect();
    let prefix = if sandbox { "SANDBOX_" } else { "LIVE_" };
    Some(format!("{prefix}{tail}"))
}
