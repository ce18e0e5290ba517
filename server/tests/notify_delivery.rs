//! Where and how notifications are delivered: never to an internal address however the
//! URL names it, never more than a few KB of an answer read, and slow receivers never
//! holding up the queue.

#[allow(dead_code)]
mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::notifications::target::TargetPolicy;
use axum::body::Body;
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use futures_util::StreamExt;
use serde_json::{json, Value};
use server::api::ApiConfig;
use server::workers::acquirer;
use server::workers::notify::{self, deliver_due_with, NameLookup, Sender};
use sqlx::PgPool;
use support::api::{self, code, Client};
use support::notify::{fast, refund_with, wait_for_delivered};
use support::TestApp;

const STRICT: TargetPolicy = TargetPolicy {
    allow_private: false,
};

/// A resolver stub: every name is `addr`.
struct EveryNameIs(SocketAddr);

impl NameLookup for EveryNameIs {
    fn lookup(
        &self,
        _host: String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>>
    {
        let addr = self.0;
        Box::pin(async move { Ok(vec![addr]) })
    }
}

/// What a merchant's server answers to acknowledge a notification.
const ACK: &str =
    r#"{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}"#;

/// Serves `app` as a merchant's notification receiver on a loopback port; its URL.
async fn receiver(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/n", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Lotus behind an API that checks notification URLs strictly, as in production, with
/// a payment to refund.
async fn strict_client(pool: PgPool) -> Client {
    api::reference_data(&pool).await;
    let merchant = api::merchant(&pool, "Lotus Tea House", "USD").await;
    let config = ApiConfig {
        notify_targets: STRICT,
        ..api::unlimited()
    };
    let app = TestApp::spawn_api(pool.clone(), config).await;
    let c = Client::new(app, merchant, "SANDBOX_LOTUS").await;
    api::payment(&pool, merchant, "PAY-1", "PAYPAY", "USD", 100_000).await;
    c
}

#[sqlx::test(migrations = "../migrations")]
async fn the_refund_api_refuses_notification_urls_to_internal_addresses(pool: PgPool) {
    let c = strict_client(pool.clone()).await;
    for (i, url) in [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:3000/api/sign_out",
        "http://localhost:3000/",
        "http://2130706433/",
        "http://[::ffff:10.0.0.1]/",
        "http://metadata.google.internal/",
    ]
    .into_iter()
    .enumerate()
    {
        let answer = refund_with(
            &c,
            &format!("R-{i}"),
            "100",
            json!({"refundNotifyUrl": url}),
        )
        .await;
        assert_eq!(code(&answer), "PARAM_ILLEGAL", "{url}: {answer}");
    }
    let refunds = support::refund_rows(&pool).await;
    assert_eq!(refunds, 0, "a refused request refunds nothing");
    let ok = refund_with(
        &c,
        "R-ok",
        "100",
        json!({"refundNotifyUrl": "https://shop.example.com/n"}),
    )
    .await;
    assert_eq!(code(&ok), "REFUND_IN_PROCESS");
}

/// A public-looking name that resolves to the metadata address, and an address stored
/// before the check existed: both attempts are refused before any connection, and the
/// log says why without anything about the internal service.
#[sqlx::test(migrations = "../migrations")]
async fn deliveries_to_names_resolving_to_internal_addresses_are_refused(pool: PgPool) {
    let c = support::notify::client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 10_000).await;
    refund_with(
        &c,
        "R-1",
        "100",
        json!({"refundNotifyUrl": "http://shop.example.com/n"}),
    )
    .await;
    refund_with(
        &c,
        "R-2",
        "100",
        json!({"refundNotifyUrl": "http://10.0.0.7/n"}),
    )
    .await;
    acquirer::run_once(&pool, Duration::ZERO, Utc::now())
        .await
        .unwrap();

    let mut config = fast(&[0.0, 60.0]);
    config.notify_targets = STRICT;
    let metadata: SocketAddr = "169.254.169.254:80".parse().unwrap();
    let sender = Sender::new(pool.clone(), config, Arc::new(EveryNameIs(metadata)))
        .await
        .unwrap();
    assert_eq!(deliver_due_with(&sender, Utc::now()).await.unwrap(), 2);
    let attempts: Vec<(String, Option<i32>, Option<String>)> = sqlx::query_as(
        "SELECT n.url, a.http_status, a.error FROM refund_notification_attempts a
           JOIN refund_notifications n ON n.id = a.notification_id ORDER BY n.url",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(attempts.len(), 2);
    for (url, status, error) in attempts {
        let error = error.unwrap_or_default();
        assert_eq!(status, None, "{url}");
        assert!(error.contains("refused"), "{url}: {error}");
    }
}

/// A receiver that answers 200 with an endless body: the worker reads a few KB, hangs up
/// and records the attempt as not acknowledged.
#[sqlx::test(migrations = "../migrations")]
async fn a_huge_answer_is_cut_off_after_a_few_kilobytes(pool: PgPool) {
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let app = Router::new().route(
        "/n",
        post(move || {
            let counter = counter.clone();
            async move {
                // Up to 1 GiB in 64 KiB chunks, counting what was produced.
                let chunks = futures_util::stream::iter(0..16_384).map(move |_| {
                    counter.fetch_add(64 * 1024, Ordering::Relaxed);
                    Ok::<_, std::io::Error>(vec![b' '; 64 * 1024])
                });
                Body::from_stream(chunks)
            }
        }),
    );
    let url = receiver(app).await;

    let c = support::notify::client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 10_000).await;
    refund_with(&c, "R-1", "100", json!({"refundNotifyUrl": url})).await;
    acquirer::run_once(&pool, Duration::ZERO, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        notify::deliver_due(&pool, &fast(&[0.0, 60.0]), Utc::now())
            .await
            .unwrap(),
        1
    );
    let (status, error): (Option<i32>, Option<String>) =
        sqlx::query_as("SELECT http_status, error FROM refund_notification_attempts")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, Some(200));
    assert!(error.unwrap().contains("longer than 4096 bytes"));
    let sent = served.load(Ordering::Relaxed);
    assert!(sent < 64 << 20, "the receiver produced {sent} bytes");
}

/// A receiver that takes 400 ms per notification: the worker keeps many deliveries in
/// flight instead of waiting for each in turn.
#[sqlx::test(migrations = "../migrations")]
async fn slow_receivers_do_not_hold_up_the_queue(pool: PgPool) {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (now, peak) = (in_flight.clone(), most.clone());
    let app = Router::new().route(
        "/n",
        post(move || {
            let (now, peak) = (now.clone(), peak.clone());
            async move {
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(400)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                ACK
            }
        }),
    );
    let url = receiver(app).await;

    let c = support::notify::client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 100_000).await;
    for i in 0..40 {
        refund_with(
            &c,
            &format!("R-{i}"),
            "100",
            json!({"refundNotifyUrl": url}),
        )
        .await;
    }
    acquirer::run_once(&pool, Duration::ZERO, Utc::now())
        .await
        .unwrap();
    let mut config = fast(&[0.0, 60.0]);
    config.notify_concurrency = 16;
    let (_keep_running, stop) = server::workers::Stop::new();
    tokio::spawn(notify::run(pool.clone(), config, stop));
    wait_for_delivered(&pool, 40, Duration::from_secs(60)).await;
    let peak = most.load(Ordering::SeqCst);
    assert!(
        peak >= 8,
        "at most {peak} deliveries were in flight at once"
    );
    let body: Value = serde_json::from_str(
        &sqlx::query_scalar::<_, String>("SELECT body FROM refund_notifications LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["notifyType"], "REFUND_RESULT");
}

/// A stopped instance (SIGTERM) takes no new notification but finishes and records the
/// ones it is sending, so their claims are released at once instead of holding them
/// back for the lease (minutes) before another instance tries again.
#[sqlx::test(migrations = "../migrations")]
async fn a_stopped_worker_records_what_it_was_sending(pool: PgPool) {
    let arrived = Arc::new(tokio::sync::Notify::new());
    let signal = arrived.clone();
    let app = Router::new().route(
        "/n",
        post(move || {
            let signal = signal.clone();
            async move {
                signal.notify_one();
                tokio::time::sleep(Duration::from_millis(500)).await;
                ACK
            }
        }),
    );
    let url = receiver(app).await;
    let c = support::notify::client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 10_000).await;
    refund_with(&c, "R-1", "100", json!({"refundNotifyUrl": url})).await;
    acquirer::run_once(&pool, Duration::ZERO, Utc::now())
        .await
        .unwrap();

    let (switch, stop) = server::workers::Stop::new();
    let worker = tokio::spawn(notify::run(pool.clone(), fast(&[0.0, 60.0]), stop));
    arrived.notified().await;
    // The receiver has the notification and answers in 500 ms: stop now.
    switch.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), worker)
        .await
        .expect("the worker returns after its stop")
        .unwrap();
    let (status, attempts): (String, i32) =
        sqlx::query_as("SELECT status, attempts FROM refund_notifications")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("DELIVERED", 1));
}
