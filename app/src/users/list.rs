//! The Users page's table.

use super::UserView;
use crate::auth::Role;
use crate::locale::{format::local, Language};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

/// The users of `merchant` by e-mail, times in `zone` as `language` writes them. A lock
/// that has run out is not shown: refunds are open again.
pub async fn list(
    pool: &PgPool,
    merchant: Uuid,
    zone: Tz,
    language: Language,
) -> Result<Vec<UserView>, sqlx::Error> {
    let users = sqlx::query!(
        r#"SELECT id, email, display_name, role AS "role: Role", disabled,
                  payment_password_hash IS NOT NULL AS "payment_password_set!",
                  refunds_locked_until AS "refunds_locked_until: DateTime<Utc>",
                  last_sign_in_at AS "last_sign_in_at: DateTime<Utc>"
             FROM users WHERE merchant_id = $1 ORDER BY lower(email)"#,
        merchant
    )
    .fetch_all(pool)
    .await?;
    let now = Utc::now();
    Ok(users
        .into_iter()
        .map(|u| UserView {
            id: u.id.to_string(),
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            disabled: u.disabled,
            payment_password_set: u.payment_password_set,
            refunds_locked_until: u
                .refunds_locked_until
                .filter(|until| *until > now)
                .map(|until| until.with_timezone(&zone).format("%H:%M").to_string()),
            last_sign_in: u.last_sign_in_at.map(|at| local(language, at, zone)),
        })
        .collect())
}
