//! Starts the real Paydesk application on a free port against the test's own database.

use app::state::{AppState, Config};
use leptos::config::LeptosOptions;
use reqwest::redirect::Policy;
use sqlx::PgPool;
use std::net::SocketAddr;
use tower_sessions_sqlx_store::PostgresStore;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> TestApp {
        TestApp::spawn_with(pool, Config::default()).await
    }

    pub async fn spawn_with(pool: PgPool, config: Config) -> TestApp {
        let options = LeptosOptions::builder()
            .output_name("paydesk")
            .site_root("target/site")
            .build();
        let store = PostgresStore::new(pool.clone());
        let app = server::serve::router(
            AppState {
                pool: pool.clone(),
                config,
            },
            options,
            store,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap()
        });
        TestApp {
            base: format!("http://{addr}"),
            pool,
        }
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Posts the login form as a browser without JavaScript would; returns the redirect.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str, password: &str) -> String {
        let response = client
            .post(self.url("/api/sign_in"))
            .header("origin", &self.base)
            .form(&[("email", email), ("password", password), ("next", "")])
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "sign-in answered {}",
            response.status()
        );
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// Calls a server function the way the hydrated page does.
    pub async fn call(&self, client: &reqwest::Client, endpoint: &str) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("origin", &self.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap()
    }
}

/// A merchant with one user of `role`; returns the merchant's id.
pub async fn merchant_with_user(pool: &PgPool, name: &str, email: &str, role: &str) -> Uuid {
    let merchant = Uuid::new_v4();
    sqlx::query("INSERT INTO merchants (id, name, time_zone, settlement_currency) VALUES ($1, $2, 'Asia/Shanghai', 'USD')")
        .bind(merchant)
        .bind(name)
        .execute(pool)
        .await
        .unwrap();
    add_user(pool, merchant, email, role).await;
    merchant
}

pub async fn add_user(pool: &PgPool, merchant: Uuid, email: &str, role: &str) {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = HASH.get_or_init(|| app::auth::password::hash_blocking(PASSWORD));
    sqlx::query(
        "INSERT INTO users (id, merchant_id, email, display_name, password_hash, role)
         VALUES ($1, $2, $3, $3, $4, $5)",
    )
    .bind(Uuid::new_v4())
    .bind(merchant)
    .bind(email)
    .bind(hash)
    .bind(role)
    .execute(pool)
    .await
    .unwrap();
}
