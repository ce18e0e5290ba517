//! The Paydesk server binary: serves the dashboard and the open API, and runs operator
//! tasks (migrations, demo data, users).

use clap::Parser;
use server::cli::{Cli, Command, SeedArgs, SeedCommand};
use server::{migrate, seed, serve, users};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

fn main() -> anyhow::Result<()> {
    // Leptos reads its settings from the environment; these defaults let the binary run
    // from the repository root without cargo-leptos.
    // A release build by cargo-leptos leaves hash.txt beside the binary: the site's files
    // then carry content hashes in their names.
    let hashed = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt").exists()))
        .unwrap_or(false);
    for (name, default) in [
        ("LEPTOS_OUTPUT_NAME", "paydesk"),
        ("LEPTOS_SITE_ROOT", "target/site"),
        ("LEPTOS_SITE_PKG_DIR", "pkg"),
        ("LEPTOS_HASH_FILES", if hashed { "true" } else { "false" }),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, default);
        }
    }
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    if cli.settings.log_format == "json" {
        // The spans around an event go with it, the request's with its request id.
        logs.json().with_span_list(true).init();
    } else {
        logs.init();
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli
        .database_url
        .ok_or_else(|| anyhow::anyhow!("DATABASE_URL is not set (see .env.example)"))?;
    let pool = connect(&url).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(pool, cli.settings).await,
        Command::Migrate => migrate(&pool).await,
        Command::Seed(SeedArgs {
            what: Some(SeedCommand::Payment(payment)),
            ..
        }) => {
            let made = seed::payment::create(&pool, &payment).await?;
            // Whoever made it opens its page next, which may read from the replica.
            if let Some(url) = cli.settings.read_url() {
                let replica = server::connect_replica(url)?;
                app::replica::catch_up(&pool, &replica, Duration::from_secs(10)).await?;
            }
            println!("{}", made.payment_id);
            if let Some(refund) = made.refund_id {
                println!("{refund}");
            }
            Ok(())
        }
        Command::Seed(args) => {
            migrate(&pool).await?;
            let summary = seed::run(&pool, &args).await?;
            print_demo_logins(&summary);
            Ok(())
        }
        Command::User(command) => users::run(&pool, command).await,
        Command::Keys(command) => {
            server::api::keys::run(&pool, command, cli.settings.notify_targets()).await
        }
    }
}

async fn connect(url: &str) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await?)
}

fn print_demo_logins(summary: &seed::SeedSummary) {
    if summary.skipped {
        println!("Demo data already present: left as it is.");
    } else {
        println!("Loaded {} demo transactions.", summary.transactions);
    }
    println!("Demo logins (password: {}):", seed::DEMO_PASSWORD);
    for merchant in &summary.merchants {
        println!("  {} ({})", merchant.name, merchant.time_zone);
        for (email, role) in &merchant.logins {
            println!("    {email:<32} {role}");
        }
    }
}
