//! Checking an e-mail and password, with throttling of repeated failures per account and
//! per client address. Failures are kept in PostgreSQL so that every server instance
//! counts the same attempts.

use super::password;
use crate::audit::{self, Actor, AuditAction, Event};
use sqlx::PgPool;
use uuid::Uuid;

/// Failures counted within this window.
const WINDOW_MINUTES: i32 = 15;
/// Failures on one account within the window before its sign-ins pause.
const MAX_PER_ACCOUNT: i64 = 5;
/// Failures from one address within the window before its sign-ins pause: higher, since
/// an office may share one address.
const MAX_PER_ADDRESS: i64 = 30;

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    SignedIn(Uuid),
    /// Wrong e-mail or password, or a disabled user: one answer for all, so that the
    /// page reveals nothing about which accounts exist.
    Invalid,
    /// Too many recent failures; the user may try again after this many minutes.
    Throttled {
        retry_after_minutes: i64,
    },
}

pub async fn attempt(
    pool: &PgPool,
    email: &str,
    pass: &str,
    address: &str,
) -> Result<Outcome, sqlx::Error> {
    let email = email.trim();
    if let Some(retry_after_minutes) = throttled(pool, email, address).await? {
        return Ok(Outcome::Throttled {
            retry_after_minutes,
        });
    }
    let user: Option<(Uuid, Uuid, String, String, bool)> = sqlx::query_as(
        "SELECT id, merchant_id, email, password_hash, disabled
           FROM users WHERE lower(email) = lower($1)",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?;
    // A missing user is checked against a decoy hash, so it takes as long as a wrong
    // password.
    let (hash, disabled) = match &user {
        Some(u) => (u.3.clone(), u.4),
        None => (password::decoy_hash().to_owned(), true),
    };
    let matches = password::verify(pass.to_owned(), hash).await;
    // Attempts on a known account go to its merchant's audit log.
    let actor = user.as_ref().map(|(id, merchant_id, email, ..)| Actor {
        merchant_id: *merchant_id,
        user_id: Some(*id),
        name: email.clone(),
        address: Some(address.to_owned()),
    });
    match user.map(|u| u.0) {
        Some(id) if matches && !disabled => {
            if let Some(actor) = &actor {
                audit::record(pool, actor, Event::new(AuditAction::SignIn)).await?;
            }
            sqlx::query("DELETE FROM sign_in_failures WHERE lower(email) = lower($1)")
                .bind(email)
                .execute(pool)
                .await?;
            sqlx::query("UPDATE users SET last_sign_in_at = now() WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
            Ok(Outcome::SignedIn(id))
        }
        _ => {
            if let Some(actor) = &actor {
                let why = if disabled {
                    "user disabled"
                } else {
                    "wrong password"
                };
                audit::record(
                    pool,
                    actor,
                    Event::new(AuditAction::SignInFailed).detail(why),
                )
                .await?;
            }
            sqlx::query("INSERT INTO sign_in_failures (email, address) VALUES ($1, $2)")
                .bind(email)
                .bind(address)
                .execute(pool)
                .await?;
            Ok(Outcome::Invalid)
        }
    }
}

/// Minutes until sign-ins for this account or address may resume, if paused.
async fn throttled(pool: &PgPool, email: &str, address: &str) -> Result<Option<i64>, sqlx::Error> {
    // Old failures are of no further use; deleting them here keeps the table small.
    sqlx::query("DELETE FROM sign_in_failures WHERE failed_at < now() - make_interval(mins => $1)")
        .bind(WINDOW_MINUTES)
        .execute(pool)
        .await?;
    let (account, by_account_oldest, by_address, by_address_oldest): (i64, Option<f64>, i64, Option<f64>) =
        sqlx::query_as(
            "SELECT
               count(*) FILTER (WHERE lower(email) = lower($1)),
               extract(epoch FROM now() - min(failed_at) FILTER (WHERE lower(email) = lower($1)))::float8,
               count(*) FILTER (WHERE address = $2),
               extract(epoch FROM now() - min(failed_at) FILTER (WHERE address = $2))::float8
             FROM sign_in_failures
             WHERE lower(email) = lower($1) OR address = $2",
        )
        .bind(email)
        .bind(address)
        .fetch_one(pool)
        .await?;
    let wait = |oldest_age_secs: Option<f64>| {
        let remaining = f64::from(WINDOW_MINUTES * 60) - oldest_age_secs.unwrap_or(0.0);
        (remaining / 60.0).ceil().max(1.0) as i64
    };
    if account >= MAX_PER_ACCOUNT {
        Ok(Some(wait(by_account_oldest)))
    } else if by_address >= MAX_PER_ADDRESS {
        Ok(Some(wait(by_address_oldest)))
    } else {
        Ok(None)
    }
}
