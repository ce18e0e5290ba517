//! `server serve`: the dashboard (Leptos pages and server functions) and health check
//! behind sessions, the sign-in guard and the security middleware.

use crate::http;
use crate::settings::Settings;
use app::auth::session::attach_user;
use app::auth::session_store::PgSessions;
use app::state::AppState;
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::LazyLock;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::{time, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};

pub async fn run(pool: PgPool, settings: Settings) -> anyhow::Result<()> {
    crate::migrate(&pool).await?;
    let config = settings.app();
    let leptos_options = leptos::config::get_configuration(None)?.leptos_options;
    let addr = leptos_options.site_addr;
    let state = match settings.read_url() {
        Some(url) => AppState::with_replica(pool.clone(), crate::connect_replica(url)?, config),
        None => AppState::new(pool.clone(), config),
    };
    let store = PgSessions::new(pool.clone(), state.cache.clone());
    // Expired sessions are deleted in the background so the table does not grow.
    tokio::spawn(store.clone().delete_expired_every(Duration::from_secs(600)));
    // Keys first: every answer of the open API is signed and every receipt carries a
    // code, from the first request on.
    let api = crate::api::ApiState::new(
        pool.clone(),
        settings.api(),
        crate::api::keys::platform_key(&pool).await?,
    );
    let receipts = crate::receipts::ReceiptConfig::load(&pool, settings.receipts()).await?;
    let draining = state.draining.clone();
    let app = router(state, leptos_options, store, api, receipts);
    // Started here rather than in `router`, so that tests decide when workers run; after
    // it, so that their first figures reach the metrics recorder it installs.
    let (stop_workers, stop) = crate::workers::Stop::new();
    let workers = crate::workers::spawn(pool.clone(), settings.workers(), stop);
    // The reports calendar's job; every instance may run it (see reports_job).
    crate::reports_job::spawn(pool.clone(), settings.reports());
    // The months ahead of transactions and the ledger; every instance may make them.
    crate::partitions::spawn(pool.clone(), Duration::from_secs(3600));
    if let Some(metrics_addr) = settings.metrics_addr {
        serve_metrics(metrics_addr, pool.clone()).await?;
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("Paydesk listening on http://{addr}");
    let drain = settings.shutdown_drain();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        if shutdown_signal().await == Stop::Drain {
            // Out of the balancer first: /readyz fails while everything is still served,
            // until the balancer's checks have seen it (docs/OPERATIONS.md).
            draining.store(true, Ordering::Release);
            tracing::info!(
                seconds = drain.as_secs_f64(),
                "draining before shutting down"
            );
            tokio::time::sleep(drain).await;
        }
        tracing::info!("shutting down");
        // Workers stop taking work while the requests in flight finish.
        let _ = stop_workers.send(true);
    })
    .await?;
    workers
        .finish(settings.workers().notify_timeout + Duration::from_secs(5))
        .await;
    Ok(())
}

/// The whole application for `state` and open-API settings `api`, with the site built
/// into target/site and sessions in the same database: what tests and benchmarks serve.
pub async fn local_router(state: AppState, api: crate::api::ApiConfig) -> anyhow::Result<Router> {
    let options = LeptosOptions::builder()
        .output_name("paydesk")
        .site_root("target/site")
        .build();
    let store = PgSessions::new(state.pool.clone(), state.cache.clone());
    let platform = crate::api::keys::platform_key(&state.pool).await?;
    let api = crate::api::ApiState::new(state.pool.clone(), api, platform);
    let receipts = crate::receipts::ReceiptConfig::load(&state.pool, Default::default()).await?;
    Ok(router(state, options, store, api, receipts))
}

/// The whole HTTP application: pages, server functions, downloads and the open API.
pub fn router(
    state: AppState,
    leptos_options: LeptosOptions,
    store: PgSessions,
    api: crate::api::ApiState,
    receipts: crate::receipts::ReceiptConfig,
) -> Router {
    // Every way of starting the server passes here, tests included.
    crate::tls::use_aws_lc_rs();
    crate::metrics::handle();
    let https = state.config.secure_cookies;
    let sessions = SessionManagerLayer::new(store)
        .with_name("paydesk_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            state.config.session_idle.as_secs() as i64,
        )));
    let routes = page_routes();
    let package = site_package(&leptos_options);
    let pages = Router::new()
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            {
                let state = state.clone();
                let receipt_key = app::receipts::verify::ReceiptKey(receipts.key.clone());
                move || {
                    provide_context(state.clone());
                    provide_context(receipt_key.clone());
                }
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(leptos_options)
        // Inside the session and sign-in layers: downloads are the signed-in merchant's.
        .merge(crate::receipts::router(state.pool.clone(), receipts))
        .merge(crate::exports::router(state.clone()))
        .merge(crate::batches::router(state.clone()))
        .merge(crate::overview::router(state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            attach_user,
        ))
        .layer(sessions);
    let app = Router::new()
        .merge(crate::health::router(state.clone()))
        .nest_service("/pkg", package)
        .merge(crate::api::router(api))
        .merge(pages)
        .layer(axum::middleware::from_fn(http::origin::same_origin_only));
    http::headers::add(app, https)
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(http::request_id::assign))
}

/// The pages' routes, worked out once per process. Working them out renders the app
/// with resource loading switched off for the whole process (leptos_server keeps that
/// switch in a global), and a page whose data starts loading at that moment waits
/// forever: with several apps in one process, as in the tests, a second app's routes
/// must never be worked out while the first one serves (docs/ARCHITECTURE.md).
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// The site's script, WebAssembly and stylesheet. Sent compressed where the build made
/// brotli and gzip copies and the browser takes them. With content hashes in their names
/// a new build means new names, so browsers may keep these for a year without asking
/// again; without hashes (a debug build) they ask every time.
pub fn site_package(options: &LeptosOptions) -> Router {
    let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new()
        .fallback_service(
            tower_http::services::ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache),
        ))
}

/// Serves `/metrics` on `addr` in the background; fails at start if `addr` is taken.
async fn serve_metrics(addr: SocketAddr, pool: PgPool) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("metrics on http://{addr}/metrics");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, crate::metrics::router(pool)).await {
            tracing::error!(error = %e, "the metrics endpoint stopped");
        }
    });
    Ok(())
}

/// How the instance was told to stop.
#[derive(PartialEq)]
enum Stop {
    /// SIGTERM, what orchestrators and `scripts/` send: leave the balancer, then stop.
    Drain,
    /// Ctrl-C at a terminal: stop now.
    Now,
}

async fn shutdown_signal() -> Stop {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => s.recv().await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => Stop::Now,
        _ = terminate => Stop::Drain,
    }
}
