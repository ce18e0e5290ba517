//! Creating users, changing their role, disabling and enabling them. Each change and
//! its audit event commit together. Changes lock the merchant's row first, so that two
//! admins demoting or disabling each other at once cannot leave the merchant without
//! an active admin.

use super::{NewUser, UserError};
use crate::audit::{self, Actor, AuditAction, Detail, Event};
use crate::auth::{password, Role};
use sqlx::PgPool;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

/// Creates `new` in the actor's merchant; returns the new user's id.
pub async fn create(pool: &PgPool, actor: &Actor, new: &NewUser) -> Result<Uuid, UserError> {
    let hash = password::hash(new.password.clone()).await?;
    let id = Uuid::new_v4();
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO users (id, merchant_id, email, display_name, password_hash, role)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        actor.merchant_id,
        new.email.as_str(),
        new.display_name,
        hash,
        new.role as Role
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => UserError::EmailTaken,
        other => other.into(),
    })?;
    audit::record(
        &mut *tx,
        actor,
        Event::new(AuditAction::UserCreated)
            .subject(new.email.as_str())
            .detail(Detail::Role(new.role)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Gives `user_id` the role `role`; the last active admin keeps theirs.
pub async fn change_role(
    pool: &PgPool,
    actor: &Actor,
    user_id: Uuid,
    role: Role,
) -> Result<(), UserError> {
    let mut tx = pool.begin().await?;
    let target = lock_target(&mut tx, actor.merchant_id, user_id).await?;
    if target.role == role {
        return Ok(());
    }
    if target.is_active_admin() {
        ensure_another_admin(&mut tx, actor.merchant_id, user_id).await?;
    }
    sqlx::query!(
        "UPDATE users SET role = $2 WHERE id = $1",
        user_id,
        role as Role
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Event::new(AuditAction::RoleChanged)
            .subject(target.email)
            .detail(Detail::RoleChange {
                from: target.role,
                to: role,
            }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables or enables `user_id`. A disabled user's sessions stop working at once,
/// since each request reads the user's status. Admins cannot disable themselves, and
/// the last active admin stays enabled.
pub async fn set_disabled(
    pool: &PgPool,
    actor: &Actor,
    user_id: Uuid,
    disabled: bool,
) -> Result<(), UserError> {
    if disabled && actor.user_id == Some(user_id) {
        return Err(UserError::DisableSelf);
    }
    let mut tx = pool.begin().await?;
    let target = lock_target(&mut tx, actor.merchant_id, user_id).await?;
    if target.disabled == disabled {
        return Ok(());
    }
    if disabled && target.is_active_admin() {
        ensure_another_admin(&mut tx, actor.merchant_id, user_id).await?;
    }
    sqlx::query!(
        "UPDATE users SET disabled = $2 WHERE id = $1",
        user_id,
        disabled
    )
    .execute(&mut *tx)
    .await?;
    let action = if disabled {
        AuditAction::UserDisabled
    } else {
        AuditAction::UserEnabled
    };
    audit::record(&mut *tx, actor, Event::new(action).subject(target.email)).await?;
    tx.commit().await?;
    Ok(())
}

struct Target {
    email: String,
    role: Role,
    disabled: bool,
}

impl Target {
    fn is_active_admin(&self) -> bool {
        self.role == Role::Admin && !self.disabled
    }
}

/// Locks the merchant, then reads `user_id` if it is one of its users; a user of
/// another merchant is "unknown", exactly like a made-up id.
async fn lock_target(
    tx: &mut Transaction<'_, Postgres>,
    merchant_id: Uuid,
    user_id: Uuid,
) -> Result<Target, UserError> {
    sqlx::query!(
        "SELECT 1 AS locked FROM merchants WHERE id = $1 FOR NO KEY UPDATE",
        merchant_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    sqlx::query_as!(
        Target,
        r#"SELECT email, role AS "role: Role", disabled
             FROM users WHERE id = $1 AND merchant_id = $2"#,
        user_id,
        merchant_id
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(UserError::UnknownUser)
}

async fn ensure_another_admin(
    tx: &mut Transaction<'_, Postgres>,
    merchant_id: Uuid,
    user_id: Uuid,
) -> Result<(), UserError> {
    let others = sqlx::query_scalar!(
        r#"SELECT count(*) AS "others!" FROM users
            WHERE merchant_id = $1 AND role = 'admin' AND NOT disabled AND id <> $2"#,
        merchant_id,
        user_id
    )
    .fetch_one(&mut **tx)
    .await?;
    if others == 0 {
        return Err(UserError::LastAdmin);
    }
    Ok(())
}
