//! The Paydesk server: HTTP wiring, operator commands and demo data. The binary in
//! main.rs parses the command line and calls into here.

// The lazy routes' views (app::pages::*Route) nest deep async types that rustc lays out
// here, where the route list is instantiated: the default limit of 128 is too low.
#![recursion_limit = "256"]

pub mod api;
pub mod batches;
pub mod cli;
pub mod exports;
pub mod health;
pub mod http;
pub mod metrics;
pub mod overview;
pub mod partitions;
pub mod receipts;
pub mod reports_job;
pub mod seed;
pub mod serve;
pub mod settings;
pub mod tls;
pub mod users;
pub mod workers;

use sqlx::PgPool;

/// The schema's migrations, built into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Applies pending migrations; the server does this at start too.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// The pool of a read replica. Connected on first use, so that a replica down at start
/// does not keep the server from serving (reads use the primary meanwhile).
pub fn connect_replica(url: &str) -> anyhow::Result<PgPool> {
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(std::time::Duration::from_secs(2))
        .connect_lazy(url)?)
}
