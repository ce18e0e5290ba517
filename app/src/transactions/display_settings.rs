//! Each user's chosen columns, stored per user so they follow them across devices.

use super::columns::{apply, from_keys, Change, Column};
use sqlx::PgPool;
use uuid::Uuid;

pub async fn load(pool: &PgPool, user: Uuid) -> Result<Vec<Column>, sqlx::Error> {
    let stored = sqlx::query_scalar!(
        "SELECT columns FROM user_display_settings WHERE user_id = $1",
        user
    )
    .fetch_optional(pool)
    .await?;
    Ok(from_keys(stored.iter().flatten().map(String::as_str)))
}

/// Applies `change` to the user's columns and stores the result; two tabs changing at
/// once both land, one after the other, thanks to the row lock.
pub async fn change(pool: &PgPool, user: Uuid, change: Change) -> Result<Vec<Column>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let stored = sqlx::query_scalar!(
        "SELECT columns FROM user_display_settings WHERE user_id = $1 FOR UPDATE",
        user
    )
    .fetch_optional(&mut *tx)
    .await?;
    let columns = apply(
        from_keys(stored.iter().flatten().map(String::as_str)),
        change,
    );
    let keys: Vec<String> = columns.iter().map(|c| c.key().to_owned()).collect();
    sqlx::query!(
        "INSERT INTO user_display_settings (user_id, columns) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET columns = EXCLUDED.columns, updated_at = now()",
        user,
        &keys
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(columns)
}
