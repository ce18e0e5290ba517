//! Where sessions are kept: PostgreSQL's `tower_sessions.session`, the data as JSON and
//! the signed-in user's id in a column of its own. Reading a session also reads its
//! user (the view `session_users`: enabled, of a merchant that is not closed), so a
//! request costs one round trip for both, and the user is as fresh as the session:
//! nothing is cached between requests, so a disabled user or a changed role takes
//! effect on the next request, whichever instance serves it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use std::collections::HashMap;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use uuid::Uuid;

use super::Role;

/// The entry under which [`PgSessions::load`] hands the session's user to the request.
/// It is derived on each load and never stored.
pub const USER: &str = "derived.user";

/// The session's user as read with it (the columns of `session_users`).
#[derive(Clone, Debug, Deserialize)]
pub struct UserRow {
    pub id: Uuid,
    pub merchant_id: Uuid,
    pub time_zone: String,
    pub role: Role,
    pub email: String,
    pub display_name: String,
    pub merchant_name: String,
}

#[derive(Clone, Debug)]
pub struct PgSessions {
    pool: PgPool,
}

impl PgSessions {
    pub fn new(pool: PgPool) -> PgSessions {
        PgSessions { pool }
    }

    /// Deletes expired sessions every `period`, so that the table does not grow.
    pub async fn delete_expired_every(self, period: std::time::Duration) {
        let mut every = tokio::time::interval(period);
        loop {
            every.tick().await;
            let deleted =
                sqlx::query!("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
                    .execute(&self.pool)
                    .await;
            if let Err(e) = deleted {
                tracing::warn!(error = %e, "deleting expired sessions failed");
            }
        }
    }

    /// Writes `record`; with `replace` false, only if its id is new. Whether it was written.
    async fn write(&self, record: &Record, replace: bool) -> session_store::Result<bool> {
        let mut data = record.data.clone();
        data.remove(USER);
        let user_id = super::session::signed_in_user(&data);
        let json =
            serde_json::to_vec(&data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let written = sqlx::query!(
            "INSERT INTO tower_sessions.session (id, data, expiry_date, user_id)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE
                SET data = excluded.data, expiry_date = excluded.expiry_date,
                    user_id = excluded.user_id
              WHERE $5",
            record.id.to_string(),
            json,
            to_chrono(record.expiry_date) as DateTime<Utc>,
            user_id,
            replace
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(written.rows_affected() == 1)
    }
}

#[async_trait]
impl SessionStore for PgSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id that happens to be taken gets another one.
        while !self.write(record, false).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, true).await.map(|_| ())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query!(
            r#"SELECT s.data, s.expiry_date, to_jsonb(u)::text AS "user"
                 FROM tower_sessions.session s
                 LEFT JOIN session_users u ON u.id = s.user_id
                WHERE s.id = $1 AND s.expiry_date > now()"#,
            id.to_string()
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let decode = |e: serde_json::Error| session_store::Error::Decode(e.to_string());
        let mut data: HashMap<String, serde_json::Value> =
            serde_json::from_slice(&row.data).map_err(decode)?;
        if let Some(user) = row.user {
            data.insert(
                USER.to_owned(),
                serde_json::from_str(&user).map_err(decode)?,
            );
        }
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: to_time(row.expiry_date),
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!(
            "DELETE FROM tower_sessions.session WHERE id = $1",
            id.to_string()
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }
}

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn to_chrono(t: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}

fn to_time(t: DateTime<Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.timestamp_micros()) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
