//! What a load balancer and an orchestrator ask: `/healthz`, whether the process
//! answers at all (restart it if not), and `/readyz`, whether it should be sent
//! traffic: the database answers within two seconds and its schema is the one this
//! build expects (an instance started before a migration, or against a database not
//! yet migrated, is kept out, and so is an instance told to stop). It also reports the read replica, without failing on
//! it: every instance shares the replica and falls back to the primary when it lags, so
//! failing them all would take the service down for a problem it already works around
//! (docs/OPERATIONS.md).

use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(state)
}

#[derive(Serialize)]
struct Readiness {
    /// Told to stop: finishing what it has, taking nothing new.
    draining: bool,
    database: &'static str,
    migrations: &'static str,
    /// `none`, `ok`, `lagging` or `unavailable`.
    replica: &'static str,
    /// How far behind the primary the replica is, when it answers.
    replica_lag_seconds: Option<f64>,
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let expected = crate::MIGRATOR.iter().map(|m| m.version).max();
    let applied = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query_scalar!("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&state.pool),
    )
    .await;
    let (database, migrations) = match applied {
        Ok(Ok(applied)) if applied == expected => ("ok", "ok"),
        Ok(Ok(_)) => ("ok", "behind"),
        _ => ("unavailable", "unknown"),
    };
    let replica = state.reads.state();
    let draining = state.draining.load(Ordering::Acquire);
    let readiness = Readiness {
        draining,
        database,
        migrations,
        replica: replica.name(),
        replica_lag_seconds: replica.lag().map(|lag| lag.as_secs_f64()),
    };
    let status = if database == "ok" && migrations == "ok" && !draining {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness))
}
