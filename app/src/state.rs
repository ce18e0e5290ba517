//! What the server shares with every request: the database pool, where reads go, the
//! configuration and the cache of what requests would otherwise read again.

use crate::cache::Cache;
use crate::client_address::TrustedProxies;
use crate::replica::Reads;
use sqlx::PgPool;
use std::sync::atomic::AtomicBool;
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
    /// Reads leave the replica while it is further behind the primary than this.
    pub replica_max_lag: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            session_idle: Duration::from_secs(30 * 60),
            session_max_age: Duration::from_secs(12 * 3600),
            trusted_proxies: TrustedProxies::default(),
            replica_max_lag: Duration::from_secs(10),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    /// The primary: every write, and every read that decides one.
    pub pool: PgPool,
    /// The pool for reads that only show data (the primary, or a replica).
    pub reads: Reads,
    pub config: Config,
    pub cache: Arc<Cache>,
    /// Set once the instance has been told to stop: `/readyz` then answers 503, so that
    /// the balancer sends it nothing new while it still serves what it gets.
    pub draining: Arc<AtomicBool>,
}

impl AppState {
    /// Every read on the primary. Starts the cache's listener on the current runtime.
    pub fn new(pool: PgPool, config: Config) -> AppState {
        let reads = Reads::primary_only(pool.clone());
        AppState::with_reads(pool, reads, config)
    }

    /// Reads that only show data on `replica` while it keeps up; starts its watcher.
    pub fn with_replica(pool: PgPool, replica: PgPool, config: Config) -> AppState {
        let reads = Reads::with_replica(pool.clone(), replica, config.replica_max_lag);
        AppState::with_reads(pool, reads, config)
    }

    fn with_reads(pool: PgPool, reads: Reads, config: Config) -> AppState {
        let cache = Cache::start(pool.clone());
        AppState {
            pool,
            reads,
            config,
            cache,
            draining: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// The state in a server function; the server provides it as context.
pub fn app_state() -> AppState {
    leptos::prelude::expect_context::<AppState>()
}
