//! Merchants' registered public keys, one per client id and key version.

use super::pem::check_public_key;
use super::{check_client_id, ClientKeyView, KeyError};
use crate::time::format_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{PgPool, Postgres, Row, Transaction};
use uuid::Uuid;

/// A registered merchant key.
pub struct ClientKey {
    pub merchant_id: Uuid,
    pub public_key_der: Vec<u8>,
}

/// The key registered for `client_id` and `key_version`.
pub async fn client_key(
    pool: &PgPool,
    client_id: &str,
    key_version: i32,
) -> sqlx::Result<Option<ClientKey>> {
    let row = sqlx::query(
        "SELECT merchant_id, public_key_der FROM api_clients WHERE client_id = $1 AND key_version = $2",
    )
    .bind(client_id)
    .bind(key_version)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| ClientKey {
        merchant_id: r.get("merchant_id"),
        public_key_der: r.get("public_key_der"),
    }))
}

/// The keys of `merchant` by client id and version, dates in `zone`.
pub async fn list(pool: &PgPool, merchant: Uuid, zone: Tz) -> sqlx::Result<Vec<ClientKeyView>> {
    let rows: Vec<(String, i32, DateTime<Utc>)> = sqlx::query_as(
        "SELECT client_id, key_version, created_at FROM api_clients
          WHERE merchant_id = $1 ORDER BY client_id, key_version",
    )
    .bind(merchant)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(client_id, key_version, created)| ClientKeyView {
            client_id,
            key_version,
            created: format_local(created, zone.name()),
        })
        .collect())
}

/// [`register_in`] in a transaction of its own.
pub async fn register(
    pool: &PgPool,
    merchant_id: Uuid,
    client_id: &str,
    key_version: Option<i32>,
    public_key_der: &[u8],
) -> Result<i32, KeyError> {
    let mut tx = pool.begin().await?;
    let version = register_in(&mut tx, merchant_id, client_id, key_version, public_key_der).await?;
    tx.commit().await?;
    Ok(version)
}

/// Registers `public_key_der` for `client_id` in `tx`; the key version is the next one
/// of that client unless given. A client id cannot move to another merchant.
pub async fn register_in(
    tx: &mut Transaction<'_, Postgres>,
    merchant_id: Uuid,
    client_id: &str,
    key_version: Option<i32>,
    public_key_der: &[u8],
) -> Result<i32, KeyError> {
    check_client_id(client_id)?;
    check_public_key(public_key_der)?;
    let owner: Option<Uuid> =
        sqlx::query_scalar("SELECT merchant_id FROM api_clients WHERE client_id = $1 LIMIT 1")
            .bind(client_id)
            .fetch_optional(&mut **tx)
            .await?;
    if owner.is_some_and(|owner| owner != merchant_id) {
        return Err(KeyError::OtherMerchant);
    }
    let version =
        match key_version {
            Some(v) if v > 0 => v,
            Some(_) => return Err(KeyError::BadVersion),
            None => sqlx::query_scalar::<_, i32>(
                "SELECT coalesce(max(key_version), 0) + 1 FROM api_clients WHERE client_id = $1",
            )
            .bind(client_id)
            .fetch_one(&mut **tx)
            .await?,
        };
    sqlx::query(
        "INSERT INTO api_clients (client_id, key_version, merchant_id, public_key_der)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (client_id, key_version) DO UPDATE SET public_key_der = EXCLUDED.public_key_der",
    )
    .bind(client_id)
    .bind(version)
    .bind(merchant_id)
    .bind(public_key_der)
    .execute(&mut **tx)
    .await?;
    Ok(version)
}
