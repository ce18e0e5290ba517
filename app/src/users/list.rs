//! The Users page's table.

use super::UserView;
use crate::auth::Role;
use crate::time::format_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

type Row = (
    Uuid,
    String,
    String,
    String,
    bool,
    bool,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// The users of `merchant` by e-mail, times in `zone`. A lock that has run out is not
/// shown: refunds are open again.
pub async fn list(pool: &PgPool, merchant: Uuid, zone: Tz) -> Result<Vec<UserView>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, email, display_name, role, disabled, payment_password_hash IS NOT NULL,
                refunds_locked_until, last_sign_in_at
           FROM users WHERE merchant_id = $1 ORDER BY lower(email)",
    )
    .bind(merchant)
    .fetch_all(pool)
    .await?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, email, display_name, role, disabled, set, locked, last)| {
                Some(UserView {
                    id: id.to_string(),
                    email,
                    display_name,
                    role: Role::parse(&role).ok()?,
                    disabled,
                    payment_password_set: set,
                    refunds_locked_until: locked
                        .filter(|until| *until > now)
                        .map(|until| until.with_timezone(&zone).format("%H:%M").to_string()),
                    last_sign_in: last.map(|at| format_local(at, zone)),
                })
            },
        )
        .collect())
}
