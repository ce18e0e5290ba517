//! What the server shares with every request: the database pool, the configuration and
//! the cache of what requests would otherwise read again.

use crate::cache::Cache;
use crate::client_address::TrustedProxies;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// Mark the session cookie `Secure`; set when Paydesk is served over https.
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_max_age: Duration,
    /// Proxies whose X-Forwarded-For / Forwarded headers name the client.
    pub trusted_proxies: TrustedProxies,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            session_idle: Duration::from_secs(30 * 60),
            session_max_age: Duration::from_secs(12 * 3600),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Config,
    pub cache: Arc<Cache>,
}

impl AppState {
    /// Starts the cache's listener on the current runtime.
    pub fn new(pool: PgPool, config: Config) -> AppState {
        let cache = Cache::start(pool.clone());
        AppState {
            pool,
            config,
            cache,
        }
    }
}

/// The state in a server function; the server provides it as context.
pub fn app_state() -> AppState {
    leptos::prelude::expect_context::<AppState>()
}
