//! What a load balancer asks: `/healthz` (the process answers) and `/readyz` (its
//! database answers, with the schema this build expects).

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use app::state::{AppState, Config};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::atomic::Ordering;
use support::TestApp;

/// The status and, for `/readyz`, the JSON body of `path`.
async fn probe(app: &TestApp, path: &str) -> (u16, Value) {
    let response = reqwest::get(app.url(path)).await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[sqlx::test(migrations = "../migrations")]
async fn health_and_readiness_answer_when_the_database_does(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert_eq!(probe(&app, "/healthz").await.0, 200);
    assert_eq!(
        probe(&app, "/readyz").await,
        (
            200,
            json!({"draining": false, "database": "ok", "migrations": "ok", "replica": "none",
                   "replica_lag_seconds": null})
        )
    );
}

/// Without its database the process is alive (no restart helps) but not ready.
#[sqlx::test(migrations = "../migrations")]
async fn readiness_answers_503_when_the_database_is_gone(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    pool.close().await;
    assert_eq!(probe(&app, "/healthz").await.0, 200);
    let (status, body) = probe(&app, "/readyz").await;
    assert_eq!((status, &body["database"]), (503, &json!("unavailable")));
}

/// An instance whose build expects a migration the database lacks takes no traffic.
#[sqlx::test(migrations = "../migrations")]
async fn readiness_answers_503_when_the_schema_is_behind(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (status, body) = probe(&app, "/readyz").await;
    assert_eq!((status, &body["migrations"]), (503, &json!("behind")));
}

/// An instance told to stop (SIGTERM) leaves the balancer before it closes its port:
/// not ready, while pages and the API still answer.
#[sqlx::test(migrations = "../migrations")]
async fn a_draining_instance_is_not_ready_but_still_serves(pool: PgPool) {
    let state = AppState::new(pool, Config::default());
    let draining = state.draining.clone();
    let app = TestApp::spawn_state(state).await;
    assert_eq!(probe(&app, "/readyz").await.0, 200);
    draining.store(true, Ordering::Release);
    let (status, body) = probe(&app, "/readyz").await;
    assert_eq!((status, &body["draining"]), (503, &json!(true)), "{body}");
    assert_eq!(probe(&app, "/healthz").await.0, 200);
    let sign_in = reqwest::get(app.url("/login")).await.unwrap();
    assert_eq!(sign_in.status(), 200);
}
