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
    #[command(flatten)]
    pub settings: crate::settings::Settings,
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
    /// Manage the open API's keys: merchants' public keys and the platform key.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SeedArgs {
    #[command(subcommand)]
    pub what: Option<SeedCommand>,
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
pub enum SeedCommand {
    /// Add one successful payment, made just now, to a demo merchant; prints its
    /// transaction ID.
    Payment(crate::seed::payment::PaymentArgs),
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

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key pair for a merchant (demos and tests), register its public key under
    /// a new or given client id and write both keys and the platform public key as PEM.
    Demo {
        /// The merchant's name or id.
        #[arg(long)]
        merchant: String,
        /// The client id; a new `SANDBOX_…` id when absent.
        #[arg(long)]
        client_id: Option<String>,
        /// Where to write the PEM files.
        #[arg(long, default_value = ".")]
        out_dir: std::path::PathBuf,
        /// Also set the merchant's default notifyRefund URL.
        #[arg(long)]
        notify_url: Option<String>,
    },
    /// Register a merchant's RSA public key (X.509 SubjectPublicKeyInfo, PEM or DER).
    Register {
        /// The merchant's name or id.
        #[arg(long)]
        merchant: String,
        #[arg(long)]
        client_id: String,
        /// The public key file.
        #[arg(long)]
        public_key: std::path::PathBuf,
        /// The key version; the client's next one when absent.
        #[arg(long)]
        key_version: Option<i32>,
        /// Also set the merchant's default notifyRefund URL.
        #[arg(long)]
        notify_url: Option<String>,
    },
    /// Print the platform public key (to verify responses and notifications) and, for a
    /// merchant, its client ids.
    Platform {
        /// The merchant's name or id.
        #[arg(long)]
        merchant: Option<String>,
    },
}
