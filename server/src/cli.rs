//! The `server` command line: serve (default), migrate, seed and operator tasks.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "server", about = "Paydesk: merchant dashboard and refund API")]
pub struct Cli {
    /// PostgreSQL connection string.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the dashboard and the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load deterministic demo data (merchants, users, payment methods, transactions).
    Seed(SeedArgs),
    /// Manage dashboard users.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// How many transactions to generate in all (payments plus their captures, refunds ...).
    #[arg(long, default_value_t = 20_000)]
    pub transactions: u64,
    /// The random seed: the same seed on the same day gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Delete all existing merchants, users and transactions first.
    #[arg(long)]
    pub reset: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user of a merchant; prints nothing secret.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The merchant's name or id.
        #[arg(long)]
        merchant: String,
        #[arg(long)]
        role: String,
        /// The sign-in password; read from PAYDESK_PASSWORD when absent.
        #[arg(long, env = "PAYDESK_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Change a user's role.
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
    },
    /// Set a new sign-in password for a user.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, env = "PAYDESK_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Disable or enable a user.
    SetDisabled {
        #[arg(long)]
        email: String,
        #[arg(long, action = clap::ArgAction::Set)]
        disabled: bool,
    },
}
