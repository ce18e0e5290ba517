//! What the benchmarks share: the real application on a loopback port, a signed-in
//! browser, and timing with true percentiles.

use app::state::{AppState, Config};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Samples per case: the environment variable `var`, else `default`.
pub fn runs(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Where a benchmark of the pages starts: the database of `DATABASE_URL`, its first
/// merchant by name with its time zone, the application serving on a loopback port and
/// a browser signed in there as the merchant's admin.
pub struct Start {
    pub pool: PgPool,
    pub merchant: Uuid,
    pub tz: chrono_tz::Tz,
    pub base: String,
    pub client: reqwest::Client,
}

pub async fn start_signed_in() -> anyhow::Result<Start> {
    let url = std::env::var("DATABASE_URL")?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(8)
        .connect(&url)
        .await?;
    let (merchant, zone): (Uuid, String) =
        sqlx::query_as("SELECT id, time_zone FROM merchants ORDER BY name LIMIT 1")
            .fetch_one(&pool)
            .await?;
    let tz = zone.parse()?;
    let base = serve(pool.clone()).await?;
    let client = sign_in(&pool, &base, merchant).await?;
    Ok(Start {
        pool,
        merchant,
        tz,
        base,
        client,
    })
}

/// Serves the application as `server serve` does, on a loopback port; its base URL.
async fn serve(pool: PgPool) -> anyhow::Result<String> {
    let state = AppState::new(pool, Config::default());
    let app = server::serve::local_router(state, server::api::ApiConfig::default())
        .await
        .expect("the application starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    Ok(format!("http://{addr}"))
}

/// A browser signed in as the merchant's demo admin.
async fn sign_in(pool: &PgPool, base: &str, merchant: Uuid) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let email: String =
        sqlx::query_scalar("SELECT email FROM users WHERE merchant_id = $1 AND role = 'admin'")
            .bind(merchant)
            .fetch_one(pool)
            .await?;
    client
        .post(format!("{base}/api/sign_in"))
        .header("origin", base)
        .header("accept", "text/html")
        .form(&[
            ("email", email.as_str()),
            ("password", "paydesk-demo"),
            ("next", ""),
        ])
        .send()
        .await?;
    Ok(client)
}

/// `runs` timings of `f`, after a few untimed calls: the figures are for a running
/// server with warm caches and connections.
pub async fn time<F, Fut>(runs: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..5 {
        f().await;
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f().await;
        samples.push(start.elapsed());
    }
    samples
}

/// The p50 and p99 of the samples (nearest rank).
pub fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    (at(0.50), at(0.99))
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
