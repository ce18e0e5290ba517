//! Where sessions are kept: PostgreSQL's `tower_sessions.session`, the data as JSON and
//! the signed-in user's id in a column of its own. Reading a session also reads its
//! user (the view `session_users`: enabled, of a merchant that is not closed), in one
//! statement. What was read is kept in the instance's cache (`crate::cache`) until a
//! change notice for the session, the user or the merchant drops it, so a sign-out, a
//! disabled user or a changed role takes effect on every instance within milliseconds.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use uuid::Uuid;

use super::Role;
use crate::cache::notice::Notice;
use crate::cache::{Cache, CachedSession};
use std::sync::Arc;

/// The entry under which [`PgSessions::load`] hands the session's user to the request.
/// It is derived on each load and never stored.
pub const USER: &str = "derived.user";

/// The session's user as read with it (the columns of `session_users`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct UserRow {
    pub id: Uuid,
    pub merchant_id: Uuid,
    pub time_zone: String,
    pub role: Role,
    pub email: String,
    pub display_name: String,
    pub merchant_name: String,
    /// The tag of the language the user chose, if they did.
    pub language: Option<String>,
}

#[derive(Clone, Debug)]
pub struct PgSessions {
    pool: PgPool,
    cache: Arc<Cache>,
}

impl PgSessions {
    pub fn new(pool: PgPool, cache: Arc<Cache>) -> PgSessions {
        PgSessions { pool, cache }
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
        self.cache.changed(&Notice::Session(record.id.to_string()));
        Ok(written.rows_affected() == 1)
    }

    /// The session and its user from the database, in one statement.
    async fn read(&self, id: &Id) -> session_store::Result<Option<CachedSession>> {
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
        let data = serde_json::from_slice(&row.data).map_err(decode)?;
        let user = match row.user {
            Some(user) => Some(serde_json::from_str::<UserRow>(&user).map_err(decode)?),
            None => None,
        };
        Ok(Some(CachedSession {
            record: Record {
                id: *id,
                data,
                expiry_date: to_time(row.expiry_date),
            },
            user,
        }))
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
        let key = id.to_string();
        let cached = match self.cache.sessions.get(&key) {
            Some(cached) => Some(cached),
            None => {
                let ticket = self.cache.sessions.ticket();
                let read = self.read(id).await?;
                if let Some(read) = &read {
                    self.cache.sessions.put(ticket, key, read.clone());
                }
                read
            }
        };
        // A cached session may have passed its expiry since it was read.
        let Some(CachedSession { mut record, user }) =
            cached.filter(|c| c.record.expiry_date > OffsetDateTime::now_utc())
        else {
            return Ok(None);
        };
        if let Some(user) = user {
            let user = serde_json::to_value(user)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            record.data.insert(USER.to_owned(), user);
        }
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!(
            "DELETE FROM tower_sessions.session WHERE id = $1",
            id.to_string()
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        self.cache.changed(&Notice::Session(id.to_string()));
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
