//! The Paydesk server: HTTP wiring, operator commands and demo data. The binary in
//! main.rs parses the command line and calls into here.

pub mod api;
pub mod cli;
pub mod exports;
pub mod http;
pub mod receipts;
pub mod reports_job;
pub mod seed;
pub mod serve;
pub mod settings;
pub mod tls;
pub mod users;
pub mod workers;

use sqlx::PgPool;

/// Applies pending migrations; the server does this at start too.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::migrate!("../migrations").run(pool).await?;
    Ok(())
}
