//! Checking an e-mail and password, with throttling of repeated failures per account and
//! per client address. Failures are kept in PostgreSQL so that every server instance
//! counts the same attempts.
//!
//! An attempt is counted before its password is hashed, under a lock on the account and
//! on the address: so however many guesses arrive at once, at most the limit of them
//! are hashed, and the rest are refused without costing any CPU (docs/SECURITY.md). A
//! successful sign-in then clears the account's count.

use super::password;
use crate::audit::{self, Actor, AuditAction, Detail, Event};
use sqlx::PgPool;
use uuid::Uuid;

/// Failures counted within this window.
const WINDOW_MINUTES: i32 = 15;
/// Failures on one account within the window before its sign-ins pause.
const MAX_PER_ACCOUNT: i64 = 5;
/// Failures from one address within the window before its sign-ins pause: higher, since
/// an office may share one address.
const MAX_PER_ADDRESS: i64 = 30;

/// Advisory lock classes (the first key of `pg_advisory_xact_lock(int, int)`).
const LOCK_ACCOUNT: i32 = 1;
const LOCK_ADDRESS: i32 = 2;

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
    /// Too many passwords are being checked at once; nothing was counted.
    Busy,
}

pub async fn attempt(
    pool: &PgPool,
    email: &str,
    pass: &str,
    address: &str,
) -> Result<Outcome, sqlx::Error> {
    let email = email.trim();
    // Nobody's address is that long or has control characters: no account to check.
    if email.len() > 254 || crate::text::has_unsafe_char(email) {
        return Ok(Outcome::Invalid);
    }
    let attempt_id = match reserve(pool, email, address).await? {
        Reserved::Attempt(id) => id,
        Reserved::Throttled(retry_after_minutes) => {
            return Ok(Outcome::Throttled {
                retry_after_minutes,
            })
        }
    };
    let account = sqlx::query_as!(
        Account,
        "SELECT id, merchant_id, email, password_hash, disabled
           FROM users WHERE lower(email) = lower($1)",
        email
    )
    .fetch_optional(pool)
    .await?;
    // A missing user costs a hash too, so it takes as long as a wrong password.
    let checked = match &account {
        Some(a) => password::verify(pass.to_owned(), a.password_hash.clone()).await,
        None => password::verify_for_unknown_user(pass.to_owned()).await,
    };
    let Ok(matches) = checked else {
        // Not the user's doing: the attempt does not count against them.
        forget(pool, attempt_id).await?;
        return Ok(Outcome::Busy);
    };
    // Only attempts on a known account are audited, in its merchant's log.
    let Some(account) = account else {
        // The reserved attempt stays: it is this failure.
        return Ok(Outcome::Invalid);
    };
    if matches && !account.disabled {
        sign_in(pool, &account, address).await?;
        return Ok(Outcome::SignedIn(account.id));
    }
    let why = if account.disabled {
        Detail::UserDisabled
    } else {
        Detail::WrongPassword
    };
    let event = Event::new(AuditAction::SignInFailed).detail(why);
    audit::record(pool, &account.actor(address), event).await?;
    // The reserved attempt stays: it is this failure.
    Ok(Outcome::Invalid)
}

/// Records the sign-in to `account` from `address` and clears the account's count of
/// failures, the attempt just reserved included.
async fn sign_in(pool: &PgPool, account: &Account, address: &str) -> Result<(), sqlx::Error> {
    audit::record(
        pool,
        &account.actor(address),
        Event::new(AuditAction::SignIn),
    )
    .await?;
    sqlx::query!(
        "DELETE FROM sign_in_failures WHERE lower(email) = lower($1)",
        account.email
    )
    .execute(pool)
    .await?;
    sqlx::query!(
        "UPDATE users SET last_sign_in_at = now() WHERE id = $1",
        account.id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The user an e-mail address names.
struct Account {
    id: Uuid,
    merchant_id: Uuid,
    email: String,
    password_hash: String,
    disabled: bool,
}

impl Account {
    /// Whoever signs in to this account, as the audit log records them.
    fn actor(&self, address: &str) -> Actor {
        Actor {
            merchant_id: self.merchant_id,
            user_id: Some(self.id),
            name: self.email.clone(),
            address: Some(address.to_owned()),
        }
    }
}

enum Reserved {
    /// The attempt is counted (as a failure until it succeeds) under this row id.
    Attempt(i64),
    /// Minutes until sign-ins for this account or address may resume.
    Throttled(i64),
}

/// Counts an attempt for `email` from `address` unless either is over its limit. The
/// check and the insert happen under locks on both, so concurrent attempts are counted
/// one after another and no more than the limit get through.
async fn reserve(pool: &PgPool, email: &str, address: &str) -> Result<Reserved, sqlx::Error> {
    // Old failures are of no further use; deleting them here keeps the table small.
    sqlx::query!(
        "DELETE FROM sign_in_failures WHERE failed_at < now() - make_interval(mins => $1)",
        WINDOW_MINUTES
    )
    .execute(pool)
    .await?;
    let mut tx = pool.begin().await?;
    // Always the account first, then the address: one order, so no deadlock.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock($1, hashtext(lower($2))),
                pg_advisory_xact_lock($3, hashtext($4))",
        LOCK_ACCOUNT,
        email,
        LOCK_ADDRESS,
        address
    )
    .execute(&mut *tx)
    .await?;
    let recent = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE lower(email) = lower($1)) AS "by_account!",
             extract(epoch FROM now() - min(failed_at) FILTER (WHERE lower(email) = lower($1)))::float8
               AS by_account_oldest_secs,
             count(*) FILTER (WHERE address = $2) AS "by_address!",
             extract(epoch FROM now() - min(failed_at) FILTER (WHERE address = $2))::float8
               AS by_address_oldest_secs
           FROM sign_in_failures
           WHERE (lower(email) = lower($1) OR address = $2)
             AND failed_at >= now() - make_interval(mins => $3)"#,
        email,
        address,
        WINDOW_MINUTES
    )
    .fetch_one(&mut *tx)
    .await?;
    let wait = |oldest_age_secs: Option<f64>| {
        let remaining = f64::from(WINDOW_MINUTES * 60) - oldest_age_secs.unwrap_or(0.0);
        (remaining / 60.0).ceil().max(1.0) as i64
    };
    let reserved = if recent.by_account >= MAX_PER_ACCOUNT {
        Reserved::Throttled(wait(recent.by_account_oldest_secs))
    } else if recent.by_address >= MAX_PER_ADDRESS {
        Reserved::Throttled(wait(recent.by_address_oldest_secs))
    } else {
        let id = sqlx::query_scalar!(
            "INSERT INTO sign_in_failures (email, address) VALUES ($1, $2) RETURNING id",
            email,
            address
        )
        .fetch_one(&mut *tx)
        .await?;
        Reserved::Attempt(id)
    };
    tx.commit().await?;
    Ok(reserved)
}

/// Takes back a reserved attempt that was never checked.
async fn forget(pool: &PgPool, attempt_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM sign_in_failures WHERE id = $1", attempt_id)
        .execute(pool)
        .await?;
    Ok(())
}
