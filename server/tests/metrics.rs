//! The operators' view: `/metrics` in Prometheus's text format, served apart from the
//! pages, with requests by route pattern and refunds by source and result.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use sqlx::PgPool;
use support::api::{self, Client};
use support::TestApp;

/// The value of the series `name{labels}` in `text`, if it is there.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[sqlx::test(migrations = "../migrations")]
async fn requests_and_refunds_are_counted_by_route_and_result(pool: PgPool) {
    let c = Client::lotus(pool.clone(), api::unlimited()).await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 100_000).await;
    let metrics = TestApp::serve(server::metrics::router(pool.clone()), pool.clone()).await;
    let scrape = || async {
        let response = reqwest::get(metrics.url("/metrics")).await.unwrap();
        assert_eq!(response.status(), 200);
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(kind.starts_with("text/plain"), "{kind}");
        response.text().await.unwrap()
    };
    let refunds = |text: &str, code: &str| {
        value(
            text,
            &format!("paydesk_refunds_total{{source=\"API\",result=\"{code}\"}}"),
        )
        .unwrap_or(0.0)
    };
    let before = scrape().await;

    let code = c.refund_code("R-1", "PAY-1", "USD", "100").await;
    let unknown = c.refund_code("R-2", "PAY-NONE", "USD", "100").await;
    assert_eq!(unknown, "ORDER_NOT_EXIST");
    // A details page of an id nobody has: the series names the pattern, not the id.
    let browser = c.app.browser();
    c.app.get(&browser, "/transactions/987654321").await;

    let after = scrape().await;
    let success = if code == "SUCCESS" { "SUCCESS" } else { &code };
    assert!(
        refunds(&after, success) >= refunds(&before, success) + 1.0,
        "{after}"
    );
    assert!(refunds(&after, "ORDER_NOT_EXIST") >= refunds(&before, "ORDER_NOT_EXIST") + 1.0);
    let refund_route = "paydesk_http_request_duration_seconds_count{method=\"POST\",route=\"/ams/api/v1/payments/refund\",status=\"200\"}";
    assert!(value(&after, refund_route).unwrap_or(0.0) >= 2.0, "{after}");
    assert!(
        after.contains("route=\"/transactions/{id}\""),
        "no series for the details route pattern: {after}"
    );
    assert!(!after.contains("987654321"), "a path's id became a label");
    for gauge in [
        "paydesk_notify_pending ",
        "paydesk_notify_oldest_due_seconds ",
        "paydesk_exports_running ",
        "paydesk_db_pool_connections{state=\"in_use\"} ",
    ] {
        assert!(after.contains(gauge), "{gauge} missing: {after}");
    }
}

/// The pages' address does not answer `/metrics`: the figures are for operators only.
#[sqlx::test(migrations = "../migrations")]
async fn the_public_address_has_no_metrics(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get(&app.browser(), "/metrics").await;
    assert_ne!(response.status(), 200);
}
