//! `server user …`: operators create users, change roles, reset passwords and disable
//! accounts from the command line.

use crate::cli::UserCommand;
use app::auth::{password, Email, Role};
use sqlx::PgPool;
use uuid::Uuid;

/// The shortest sign-in password accepted.
const MIN_PASSWORD_LEN: usize = 12;

pub async fn run(pool: &PgPool, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create {
            email,
            name,
            merchant,
            role,
            password,
        } => {
            let email = Email::parse(&email)?;
            let role = Role::parse(&role)?;
            check_password(&password)?;
            let merchant_id = find_merchant(pool, &merchant).await?;
            let hash = password::hash(password).await;
            let id = Uuid::new_v4();
            sqlx::query(
                "INSERT INTO users (id, merchant_id, email, display_name, password_hash, role)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(merchant_id)
            .bind(email.as_str())
            .bind(name.trim())
            .bind(hash)
            .bind(role.as_str())
            .execute(pool)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    anyhow::anyhow!("a user with e-mail {} already exists", email.as_str())
                }
                other => other.into(),
            })?;
            println!(
                "Created {} ({}) with id {id}.",
                email.as_str(),
                role.as_str()
            );
        }
        UserCommand::SetRole { email, role } => {
            let role = Role::parse(&role)?;
            update(pool, &email, "role = $2", role.as_str()).await?;
            println!("{email} is now {}.", role.as_str());
        }
        UserCommand::ResetPassword { email, password } => {
            check_password(&password)?;
            let hash = password::hash(password).await;
            update(pool, &email, "password_hash = $2", &hash).await?;
            // Sessions hold only the user id, so existing sessions stay valid; a reset
            // after a compromise should also disable and re-enable the user.
            println!("Password of {email} changed.");
        }
        UserCommand::SetDisabled { email, disabled } => {
            update(
                pool,
                &email,
                "disabled = $2::boolean",
                &disabled.to_string(),
            )
            .await?;
            println!(
                "{email} is now {}.",
                if disabled { "disabled" } else { "enabled" }
            );
        }
    }
    Ok(())
}

fn check_password(password: &str) -> anyhow::Result<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        anyhow::bail!("the password must have at least {MIN_PASSWORD_LEN} characters");
    }
    Ok(())
}

async fn find_merchant(pool: &PgPool, name_or_id: &str) -> anyhow::Result<Uuid> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM merchants WHERE id::text = $1 OR lower(name) = lower($1)",
    )
    .bind(name_or_id.trim())
    .fetch_optional(pool)
    .await?;
    id.ok_or_else(|| anyhow::anyhow!("no merchant named {name_or_id:?}"))
}

/// Sets one column of the user with `email`; `assignment` binds the value as `$2`.
async fn update(pool: &PgPool, email: &str, assignment: &str, value: &str) -> anyhow::Result<()> {
    let sql = format!("UPDATE users SET {assignment} WHERE lower(email) = lower($1)");
    let done = sqlx::query(&sql)
        .bind(email.trim())
        .bind(value)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        anyhow::bail!("no user with e-mail {email:?}");
    }
    Ok(())
}
