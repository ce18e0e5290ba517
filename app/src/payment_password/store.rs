//! Payment passwords in PostgreSQL. Checks lock the user's row, so that concurrent
//! wrong attempts are all counted and the lock comes after exactly
//! [`MAX_FAILURES`](super::MAX_FAILURES) of them.

use super::{PasswordState, PaymentPassword, PaymentPasswordError, LOCK_MINUTES, MAX_FAILURES};
use crate::audit::{self, Actor, AuditAction, Detail, Event};
use crate::auth::password;
use crate::locale::Language;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

impl From<sqlx::Error> for PaymentPasswordError {
    fn from(e: sqlx::Error) -> Self {
        let request_id = crate::error::request_id();
        tracing::error!(%request_id, error = %e, "payment password: database error");
        PaymentPasswordError::Unavailable
    }
}

impl From<password::Busy> for PaymentPasswordError {
    fn from(_: password::Busy) -> Self {
        PaymentPasswordError::Busy
    }
}

struct Row {
    email: String,
    login_hash: String,
    payment_hash: Option<String>,
    failures: i32,
    locked_until: Option<DateTime<Utc>>,
}

/// The user's row, locked for the rest of `tx`; None for a user of another merchant.
async fn lock_user(
    tx: &mut Transaction<'_, Postgres>,
    merchant_id: Uuid,
    user_id: Uuid,
) -> Result<Row, PaymentPasswordError> {
    sqlx::query_as!(
        Row,
        r#"SELECT email, password_hash AS login_hash, payment_password_hash AS payment_hash,
                payment_password_failures AS failures,
                refunds_locked_until AS "locked_until: DateTime<Utc>"
           FROM users WHERE id = $1 AND merchant_id = $2 FOR UPDATE"#,
        user_id,
        merchant_id
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(PaymentPasswordError::UnknownUser)
}

fn actor_ids(actor: &Actor) -> Result<Uuid, PaymentPasswordError> {
    actor.user_id.ok_or(PaymentPasswordError::UnknownUser)
}

/// The actor's own payment password state.
pub async fn state(pool: &PgPool, actor: &Actor) -> Result<PasswordState, PaymentPasswordError> {
    let user = sqlx::query!(
        r#"SELECT payment_password_hash IS NOT NULL AS "set!", payment_password_failures,
                  refunds_locked_until AS "refunds_locked_until: DateTime<Utc>"
             FROM users WHERE id = $1 AND merchant_id = $2"#,
        actor_ids(actor)?,
        actor.merchant_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(PaymentPasswordError::UnknownUser)?;
    Ok(match user.refunds_locked_until {
        Some(until) if until > Utc::now() => PasswordState::Locked { until },
        _ if !user.set => PasswordState::NotSet,
        _ => PasswordState::Ready {
            attempts_left: MAX_FAILURES - user.payment_password_failures,
        },
    })
}

/// When a lock in `state` ends, in the merchant's `zone` as `language` writes dates and
/// times; None when not locked.
pub fn locked_until_in(
    state: &PasswordState,
    zone: chrono_tz::Tz,
    language: Language,
) -> Option<String> {
    match state {
        PasswordState::Locked { until } => {
            Some(crate::locale::format::local(language, *until, zone))
        }
        _ => None,
    }
}

/// Checks the actor's payment password before a refund. A wrong one counts; the
/// [`MAX_FAILURES`]th in a row locks the actor's refunds for [`LOCK_MINUTES`]. The
/// count and the audit events commit whatever the refund does next.
pub async fn verify(pool: &PgPool, actor: &Actor, given: &str) -> Result<(), PaymentPasswordError> {
    let user_id = actor_ids(actor)?;
    let mut tx = pool.begin().await?;
    let row = lock_user(&mut tx, actor.merchant_id, user_id).await?;
    if let Some(until) = row.locked_until.filter(|u| *u > Utc::now()) {
        return Err(PaymentPasswordError::Locked { until });
    }
    let Some(hash) = row.payment_hash else {
        return Err(PaymentPasswordError::NotSet);
    };
    if password::verify(given.to_owned(), hash).await? {
        if row.failures > 0 || row.locked_until.is_some() {
            sqlx::query!(
                "UPDATE users SET payment_password_failures = 0, refunds_locked_until = NULL
                  WHERE id = $1",
                user_id
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        return Ok(());
    }
    let failures = row.failures + 1;
    let outcome = if failures >= MAX_FAILURES {
        let until = sqlx::query_scalar!(
            r#"UPDATE users SET payment_password_failures = 0,
                      refunds_locked_until = now() + make_interval(mins => $2)
                WHERE id = $1 RETURNING refunds_locked_until AS "until!: DateTime<Utc>""#,
            user_id,
            LOCK_MINUTES as i32
        )
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut *tx,
            actor,
            Event::new(AuditAction::RefundsLocked)
                .subject(row.email.as_str())
                .detail(Detail::WrongPaymentPasswords(MAX_FAILURES)),
        )
        .await?;
        PaymentPasswordError::Locked { until }
    } else {
        sqlx::query!(
            "UPDATE users SET payment_password_failures = $2 WHERE id = $1",
            user_id,
            failures
        )
        .execute(&mut *tx)
        .await?;
        PaymentPasswordError::Wrong {
            attempts_left: MAX_FAILURES - failures,
        }
    };
    audit::record(
        &mut *tx,
        actor,
        Event::new(AuditAction::PaymentPasswordWrong).subject(row.email.as_str()),
    )
    .await?;
    tx.commit().await?;
    Err(outcome)
}

/// Sets the actor's first payment password (or the first after an admin's reset),
/// confirmed with their sign-in password.
pub async fn set_first(
    pool: &PgPool,
    actor: &Actor,
    login_password: &str,
    new: &PaymentPassword,
) -> Result<(), PaymentPasswordError> {
    let user_id = actor_ids(actor)?;
    if new.expose() == login_password {
        return Err(PaymentPasswordError::SameAsLogin);
    }
    let mut tx = pool.begin().await?;
    let row = lock_user(&mut tx, actor.merchant_id, user_id).await?;
    if row.payment_hash.is_some() {
        return Err(PaymentPasswordError::AlreadySet);
    }
    if !password::verify(login_password.to_owned(), row.login_hash).await? {
        return Err(PaymentPasswordError::WrongLoginPassword);
    }
    let change = NewHash::Set(new.clone());
    apply(
        &mut tx,
        actor,
        user_id,
        &row.email,
        change,
        AuditAction::PaymentPasswordSet,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the actor's payment password; the old one is checked like a refund's, so
/// this form is no way around the lock.
pub async fn change(
    pool: &PgPool,
    actor: &Actor,
    old: &str,
    new: &PaymentPassword,
) -> Result<(), PaymentPasswordError> {
    verify(pool, actor, old).await?;
    let change = NewHash::Set(new.clone());
    change_user(
        pool,
        actor,
        actor_ids(actor)?,
        change,
        AuditAction::PaymentPasswordChanged,
    )
    .await
}

/// An admin sets `user_id`'s payment password (to hand it over in person); it also
/// lifts a lock.
pub async fn set_by_admin(
    pool: &PgPool,
    admin: &Actor,
    user_id: Uuid,
    new: &PaymentPassword,
) -> Result<(), PaymentPasswordError> {
    let change = NewHash::Set(new.clone());
    change_user(
        pool,
        admin,
        user_id,
        change,
        AuditAction::PaymentPasswordSetByAdmin,
    )
    .await
}

/// An admin resets `user_id`'s payment password: the user sets a new one, with their
/// sign-in password, before their next refund.
pub async fn reset_by_admin(
    pool: &PgPool,
    admin: &Actor,
    user_id: Uuid,
) -> Result<(), PaymentPasswordError> {
    change_user(
        pool,
        admin,
        user_id,
        NewHash::Clear,
        AuditAction::PaymentPasswordReset,
    )
    .await
}

/// An admin lifts the lock on `user_id`'s refunds and clears their wrong attempts.
pub async fn unlock(
    pool: &PgPool,
    admin: &Actor,
    user_id: Uuid,
) -> Result<(), PaymentPasswordError> {
    change_user(
        pool,
        admin,
        user_id,
        NewHash::Keep,
        AuditAction::RefundsUnlocked,
    )
    .await
}

/// What a change does to the stored payment password.
enum NewHash {
    Keep,
    Set(PaymentPassword),
    Clear,
}

/// Locks `user_id`'s row (of the actor's merchant), applies `change` and records
/// `action`, in one transaction.
async fn change_user(
    pool: &PgPool,
    actor: &Actor,
    user_id: Uuid,
    change: NewHash,
    action: AuditAction,
) -> Result<(), PaymentPasswordError> {
    let mut tx = pool.begin().await?;
    let row = lock_user(&mut tx, actor.merchant_id, user_id).await?;
    apply(&mut tx, actor, user_id, &row.email, change, action).await?;
    tx.commit().await?;
    Ok(())
}

/// Every change starts afresh: no wrong attempts and no lock.
async fn apply(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    user_id: Uuid,
    email: &str,
    change: NewHash,
    action: AuditAction,
) -> Result<(), PaymentPasswordError> {
    let (mode, hash) = match change {
        NewHash::Keep => ("keep", None),
        NewHash::Set(new) => ("set", Some(password::hash(new.expose().to_owned()).await?)),
        NewHash::Clear => ("clear", None),
    };
    sqlx::query!(
        "UPDATE users SET
            payment_password_hash = CASE $2 WHEN 'keep' THEN payment_password_hash
                                            WHEN 'set' THEN $3 END,
            payment_password_failures = 0, refunds_locked_until = NULL
          WHERE id = $1",
        user_id,
        mode,
        hash
    )
    .execute(&mut **tx)
    .await?;
    audit::record(&mut **tx, actor, Event::new(action).subject(email)).await?;
    Ok(())
}
