//! Notifications: a merchant's receiving endpoint, and a merchant whose refunds are
//! asynchronous and notified.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::api::{self, Client, REFUND};
use super::TestApp;
use app::notifications::target::TargetPolicy;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use server::api::{keys, signature};
use server::workers::WorkerConfig;
use sqlx::PgPool;

/// A merchant's notification endpoint that fails its first `fail_first` deliveries
/// (HTTP 500), then acknowledges. It keeps what it received.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
}

#[derive(Clone)]
struct ReceiverState {
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    fail_first: usize,
    delay: Duration,
}

async fn receive(
    State(s): State<ReceiverState>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    tokio::time::sleep(s.delay).await;
    let n = {
        let mut got = s.got.lock().unwrap();
        got.push((headers, body));
        got.len()
    };
    if n <= s.fail_first {
        (StatusCode::INTERNAL_SERVER_ERROR, "not now".into())
    } else {
        (
            StatusCode::OK,
            r#"{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}"#
                .into(),
        )
    }
}

pub async fn receiver(fail_first: usize, delay: Duration) -> Receiver {
    let got = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route("/notify/refunds", post(receive))
        .with_state(ReceiverState {
            got: got.clone(),
            fail_first,
            delay,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver {
        url: format!("http://{addr}/notify/refunds"),
        got,
    }
}

impl Receiver {
    pub fn received(&self) -> Vec<(HeaderMap, String)> {
        self.got.lock().unwrap().clone()
    }
}

/// A merchant settling in SGD, so that settlement converts.
pub async fn client(pool: PgPool) -> Client {
    api::reference_data(&pool).await;
    let merchant = api::merchant(&pool, "Merlion Goods", "SGD").await;
    sqlx::query(
        "INSERT INTO exchange_rates (rate_date, base_currency, quote_currency, rate)
         VALUES (current_date, 'USD', 'SGD', 1.35)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let app = TestApp::spawn_api(pool, api::unlimited()).await;
    Client::new(app, merchant, "SANDBOX_MERLION").await
}

pub fn fast(schedule: &[f64]) -> WorkerConfig {
    WorkerConfig {
        async_refund_delay: Duration::ZERO,
        poll_interval: Duration::from_millis(50),
        notify_schedule: schedule
            .iter()
            .map(|s| Duration::from_secs_f64(*s))
            .collect(),
        notify_timeout: Duration::from_secs(5),
        notify_concurrency: 2,
        // The test receivers listen on the loopback address.
        notify_targets: TargetPolicy {
            allow_private: true,
        },
    }
}

/// A USD refund of PAY-1 with the request fields `extra` (a notify URL, a reason).
pub async fn refund_with(c: &Client, id: &str, value: &str, extra: Value) -> Value {
    let mut body = json!({
        "refundRequestId": id,
        "paymentId": "PAY-1",
        "refundAmount": {"currency": "USD", "value": value},
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    c.send(REFUND, &body.to_string()).await
}

/// Checks the platform's signature of a received notification.
pub async fn assert_signed(pool: &PgPool, client_id: &str, headers: &HeaderMap, body: &str) {
    let platform = keys::platform_key(pool).await.unwrap();
    let h = |n: &str| headers[n].to_str().unwrap().to_string();
    assert_eq!(h("client-id"), client_id);
    let sig = signature::parse_header(&h("signature")).unwrap();
    let content = signature::signed_content(
        "POST",
        "/notify/refunds",
        client_id,
        &h("request-time"),
        body.as_bytes(),
    );
    assert!(
        signature::verify(&platform.public_der, &content, &sig.signature),
        "notification signature"
    );
}

/// Waits until `count` notifications are DELIVERED, failing the test after `within`.
pub async fn wait_for_delivered(pool: &PgPool, count: i64, within: Duration) {
    let deadline = std::time::Instant::now() + within;
    loop {
        let delivered: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM refund_notifications WHERE status = 'DELIVERED'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if delivered == count {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{delivered} of {count} notifications delivered in {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
