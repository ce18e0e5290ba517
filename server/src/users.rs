//! `server user …`: operators create users, change roles, reset passwords and disable
//! accounts from the command line. The rules and audit events are the Users page's
//! (`app::users`); the log shows these changes as made by "Paydesk".

use crate::cli::UserCommand;
use app::audit::Actor;
use app::auth::{password, Role};
use app::users::{self, check_sign_in_password, NewUser};
use sqlx::PgPool;
use uuid::Uuid;

pub async fn run(pool: &PgPool, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create {
            email,
            name,
            merchant,
            role,
            password,
        } => {
            let new = NewUser::parse(&email, &name, &role, &password)?;
            let merchant_id = find_merchant(pool, &merchant).await?;
            let id = users::create(pool, &Actor::system(merchant_id), &new).await?;
            println!(
                "Created {} ({}) with id {id}.",
                new.email.as_str(),
                new.role.as_str()
            );
        }
        UserCommand::SetRole { email, role } => {
            let role = Role::parse(&role)?;
            let (id, merchant_id) = find_user(pool, &email).await?;
            users::change_role(pool, &Actor::system(merchant_id), id, role).await?;
            println!("{email} is now {}.", role.as_str());
        }
        UserCommand::ResetPassword { email, password } => {
            check_sign_in_password(&password)?;
            let (id, _) = find_user(pool, &email).await?;
            let hash = password::hash(password).await?;
            sqlx::query!(
                "UPDATE users SET password_hash = $2 WHERE id = $1",
                id,
                hash
            )
            .execute(pool)
            .await?;
            // Sessions hold only the user id, so existing sessions stay valid; a reset
            // after a compromise should also disable and re-enable the user.
            println!("Password of {email} changed.");
        }
        UserCommand::SetDisabled { email, disabled } => {
            let (id, merchant_id) = find_user(pool, &email).await?;
            users::set_disabled(pool, &Actor::system(merchant_id), id, disabled).await?;
            println!(
                "{email} is now {}.",
                if disabled { "disabled" } else { "enabled" }
            );
        }
    }
    Ok(())
}

async fn find_merchant(pool: &PgPool, name_or_id: &str) -> anyhow::Result<Uuid> {
    let id = sqlx::query_scalar!(
        "SELECT id FROM merchants WHERE id::text = $1 OR lower(name) = lower($1)",
        name_or_id.trim()
    )
    .fetch_optional(pool)
    .await?;
    id.ok_or_else(|| anyhow::anyhow!("no merchant named {name_or_id:?}"))
}

/// The id and merchant of the user with `email`.
async fn find_user(pool: &PgPool, email: &str) -> anyhow::Result<(Uuid, Uuid)> {
    let row = sqlx::query!(
        "SELECT id, merchant_id FROM users WHERE lower(email) = lower($1)",
        email.trim()
    )
    .fetch_optional(pool)
    .await?;
    row.map(|r| (r.id, r.merchant_id))
        .ok_or_else(|| anyhow::anyhow!("no user with e-mail {email:?}"))
}
