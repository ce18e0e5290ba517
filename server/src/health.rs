//! What a load balancer and an orchestrator ask: `/healthz`, whether the process
//! answers at all (restart it if not), and `/readyz`, whether it should be sent
//! traffic: the database answers within two seconds and its schema is the one this
//! build expects (an instance started before a migration, or against a database not
//! yet migrated, is kept out).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use sqlx::PgPool;
use std::time::Duration;

pub fn router(pool: PgPool) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(pool)
}

#[derive(Serialize)]
struct Readiness {
    database: &'static str,
    migrations: &'static str,
}

async fn ready(State(pool): State<PgPool>) -> impl IntoResponse {
    let expected = crate::MIGRATOR.iter().map(|m| m.version).max();
    let applied = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query_scalar!("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&pool),
    )
    .await;
    let readiness = match applied {
        Ok(Ok(applied)) => Readiness {
            database: "ok",
            migrations: if applied == expected { "ok" } else { "behind" },
        },
        _ => Readiness {
            database: "unavailable",
            migrations: "unknown",
        },
    };
    let status = if readiness.database == "ok" && readiness.migrations == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness))
}
