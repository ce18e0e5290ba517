//! What operators watch, in Prometheus's text format: request latency by route, refunds
//! by source and result, notification attempts by outcome, the notification outbox,
//! running exports and the database pool (docs/OPERATIONS.md lists every series).
//! Served on an address of its own (`PAYDESK_METRICS_ADDR`), never beside the pages:
//! the figures say how much a merchant refunds, which is nobody's business outside.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;
use std::sync::OnceLock;
use std::time::Instant;

const REQUEST_SECONDS: &str = "paydesk_http_request_duration_seconds";

/// The process's recorder, installed on first use: one per process, however many
/// routers a process builds (tests build one per test).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(REQUEST_SECONDS.to_owned()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                        10.0,
                    ],
                )
                .expect("the bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was installed before Paydesk's");
            }
            describe();
            handle
        })
        .clone()
}

fn describe() {
    metrics::describe_histogram!(
        REQUEST_SECONDS,
        metrics::Unit::Seconds,
        "HTTP requests by method, route pattern and status"
    );
    metrics::describe_counter!(
        "paydesk_refunds_total",
        "Refund requests answered, by source (api, dashboard) and result code"
    );
    metrics::describe_counter!(
        "paydesk_notify_attempts_total",
        "notifyRefund delivery attempts by outcome (delivered, refused, failed)"
    );
    metrics::describe_gauge!(
        "paydesk_notify_pending",
        "Notifications not yet delivered and still to be tried"
    );
    metrics::describe_gauge!(
        "paydesk_notify_oldest_due_seconds",
        metrics::Unit::Seconds,
        "How long the oldest due notification has been waiting (0 when none is due)"
    );
    metrics::describe_gauge!("paydesk_exports_running", "Exports being written");
    metrics::describe_gauge!(
        "paydesk_partition_months_ahead",
        "Months after the current one that a monthly table has a partition for, by table"
    );
    metrics::describe_gauge!(
        "paydesk_db_pool_connections",
        "This instance's database connections, by state (idle, in_use)"
    );
}

/// Middleware: times every request under its route pattern (`/transactions/{id}`, not
/// the id), so that the series stay few whatever clients ask for.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    metrics::histogram!(
        REQUEST_SECONDS,
        "method" => method,
        "route" => route,
        "status" => response.status().as_u16().to_string()
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`, for the metrics address only.
pub fn router(pool: PgPool) -> Router {
    handle();
    Router::new()
        .route("/metrics", get(render))
        .with_state(pool)
}

/// The gauges that describe the database are read when Prometheus asks, so they are as
/// fresh as the scrape and cost nothing between scrapes.
async fn render(State(pool): State<PgPool>) -> Response {
    let idle = pool.num_idle() as f64;
    let size = f64::from(pool.size());
    metrics::gauge!("paydesk_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("paydesk_db_pool_connections", "state" => "in_use").set(size - idle);
    match read_gauges(&pool).await {
        Ok(()) => {}
        Err(e) => tracing::warn!(error = %e, "metrics: reading the outbox and exports failed"),
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
        .into_response()
}

async fn read_gauges(pool: &PgPool) -> sqlx::Result<()> {
    let row = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM refund_notifications WHERE status = 'PENDING') AS "pending!",
             (SELECT coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)::float8
                FROM refund_notifications
               WHERE status = 'PENDING' AND next_attempt_at <= now()) AS "oldest_due!",
             (SELECT count(*) FROM export_jobs WHERE state = 'RUNNING') AS "exports!""#
    )
    .fetch_one(pool)
    .await?;
    metrics::gauge!("paydesk_notify_pending").set(row.pending as f64);
    metrics::gauge!("paydesk_notify_oldest_due_seconds").set(row.oldest_due);
    metrics::gauge!("paydesk_exports_running").set(row.exports as f64);
    Ok(())
}
