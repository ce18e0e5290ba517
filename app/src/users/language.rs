//! A user's choice of language for the dashboard (docs/LANGUAGES.md).

use crate::locale::Language;
use sqlx::PgPool;
use uuid::Uuid;

/// Saves `language` as `user_id`'s language; `None` goes back to the browser's.
pub async fn set(pool: &PgPool, user_id: Uuid, language: Option<Language>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET language = $2 WHERE id = $1",
        user_id,
        language.map(Language::tag)
    )
    .execute(pool)
    .await?;
    Ok(())
}
