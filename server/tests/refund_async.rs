//! Asynchronous refunds: the simulated acquirer decides them, and notifyRefund reaches
//! the merchant through the outbox, retried until acknowledged.

#[allow(dead_code)]
mod support;

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};
use server::workers::{self, acquirer, notify, WorkerConfig};
use sqlx::PgPool;
use support::api::{self, code, status, INQUIRY};
use support::notify::{assert_signed, client, fast, receiver, refund_with, wait_for_delivered};

#[sqlx::test(migrations = "../migrations")]
async fn an_async_refund_settles_and_its_notification_arrives_after_a_failure(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 10_000).await;
    let rx = receiver(1, Duration::ZERO).await;
    let before = api::balance(&pool, c.merchant, "USD").await;

    let r = refund_with(&c, "R-1", "2000", json!({"refundNotifyUrl": rx.url})).await;
    assert_eq!((code(&r), status(&r)), ("REFUND_IN_PROCESS", "U"), "{r}");
    let refund_id = r["refundId"].as_str().unwrap().to_string();
    assert!(r.get("refundTime").is_none());
    let q = c.inquire(json!({"refundId": refund_id})).await;
    assert_eq!(
        (code(&q), q["refundStatus"].as_str().unwrap()),
        ("SUCCESS", "PROCESSING")
    );
    // The amount is held from the start: the balance and what is left to refund.
    assert_eq!(api::balance(&pool, c.merchant, "USD").await, before - 2000);
    assert_eq!(
        code(&refund_with(&c, "R-X", "8001", json!({})).await),
        "REFUND_AMOUNT_EXCEED"
    );

    // The acquirer answers.
    let now = Utc::now();
    assert_eq!(
        acquirer::run_once(&pool, Duration::ZERO, now)
            .await
            .unwrap(),
        1
    );
    let q = c.inquire(json!({"refundRequestId": "R-1"})).await;
    assert_eq!(q["refundStatus"], "SUCCESS");
    assert!(q["refundTime"].is_string());
    // 20.00 USD × 1.35 = 27.00 SGD.
    assert_eq!(
        q["grossSettlementAmount"],
        json!({"currency": "SGD", "value": "2700"})
    );
    let inquiry = c
        .send_text(INQUIRY, &json!({"refundRequestId": "R-1"}).to_string())
        .await;
    assert!(inquiry.contains(r#""quotePrice":1.35}"#), "{inquiry}");
    // A repeat of the request now shows the final refund.
    let again = refund_with(&c, "R-1", "2000", json!({"refundNotifyUrl": rx.url})).await;
    assert_eq!(
        (code(&again), again["refundId"].as_str().unwrap()),
        ("SUCCESS", refund_id.as_str())
    );

    // First delivery fails (HTTP 500); the retry 0.3 s later is acknowledged.
    let config = fast(&[0.0, 0.3, 0.3]);
    assert_eq!(notify::deliver_due(&pool, &config, now).await.unwrap(), 1);
    let retry_at = now + TimeDelta::milliseconds(300);
    for early in [now, retry_at - TimeDelta::milliseconds(1)] {
        assert_eq!(
            notify::deliver_due(&pool, &config, early).await.unwrap(),
            0,
            "the retry is not due yet"
        );
    }
    assert_eq!(
        notify::deliver_due(&pool, &config, retry_at).await.unwrap(),
        1
    );
    assert_eq!(
        notify::deliver_due(&pool, &config, retry_at).await.unwrap(),
        0,
        "delivered: nothing more"
    );

    let got = rx.received();
    assert_eq!(got.len(), 2);
    for (headers, body) in &got {
        assert_signed(&pool, &c.client_id, headers, body).await;
    }
    assert_eq!(got[0].1, got[1].1, "the same notification each time");
    assert!(got[1].1.contains(r#""quotePrice":1.35}"#), "{}", got[1].1);
    let n: Value = serde_json::from_str(&got[1].1).unwrap();
    assert_eq!(n["notifyType"], "REFUND_RESULT");
    assert_eq!(n["refundStatus"], "SUCCESS");
    assert_eq!(n["refundId"], refund_id.as_str());
    assert_eq!(n["refundRequestId"], "R-1");
    assert_eq!(
        n["refundAmount"],
        json!({"currency": "USD", "value": "2000"})
    );
    assert_eq!(
        n["grossSettlementAmount"],
        json!({"currency": "SGD", "value": "2700"})
    );

    // Every attempt is on record for the dashboard.
    let attempts: Vec<(i32, Option<i32>, i32, Option<String>)> = sqlx::query_as(
        "SELECT a.attempt_no, a.http_status, a.latency_ms, a.error
         FROM refund_notification_attempts a JOIN refund_notifications n ON n.id = a.notification_id
         ORDER BY a.attempt_no",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!((attempts[0].0, attempts[0].1), (1, Some(500)));
    assert!(attempts[0].3.is_some());
    assert_eq!(
        (attempts[1].0, attempts[1].1, attempts[1].3.clone()),
        (2, Some(200), None)
    );
    assert!(attempts.iter().all(|a| a.2 >= 0));
    let state: String = sqlx::query_scalar("SELECT status FROM refund_notifications")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "DELIVERED");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failed_async_refund_gives_the_amount_back(pool: PgPool) {
    let c = client(pool.clone()).await;
    let rx = receiver(0, Duration::ZERO).await;
    // No refundNotifyUrl: the merchant's configured URL is used.
    sqlx::query("UPDATE merchants SET notify_url = $2 WHERE id = $1")
        .bind(c.merchant)
        .bind(&rx.url)
        .execute(&pool)
        .await
        .unwrap();
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 10_000).await;
    let before = api::balance(&pool, c.merchant, "USD").await;
    let r = refund_with(&c, "R-1", "10000", json!({"refundReason": "SIMULATE_FAIL"})).await;
    assert_eq!(code(&r), "REFUND_IN_PROCESS");
    assert_eq!(
        code(&refund_with(&c, "R-2", "100", json!({})).await),
        "REFUND_AMOUNT_EXCEED"
    );

    acquirer::run_once(&pool, Duration::ZERO, Utc::now())
        .await
        .unwrap();
    let q = c.inquire(json!({"refundRequestId": "R-1"})).await;
    assert_eq!(q["refundStatus"], "FAIL");
    assert!(q.get("refundTime").is_none() && q.get("grossSettlementAmount").is_none());
    let row_status: String =
        sqlx::query_scalar("SELECT status FROM transactions WHERE transaction_request_id = 'R-1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(row_status, "FAIL");
    assert_eq!(api::balance(&pool, c.merchant, "USD").await, before);
    let kinds: Vec<(String, i64)> =
        sqlx::query_as("SELECT kind, amount_minor FROM balance_entries ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        kinds,
        vec![("REFUND".into(), -10_000), ("REFUND_FAILED".into(), 10_000)]
    );
    // The whole payment is refundable again.
    assert_eq!(
        code(&refund_with(&c, "R-3", "10000", json!({})).await),
        "REFUND_IN_PROCESS"
    );
    let replay = refund_with(&c, "R-1", "10000", json!({"refundReason": "SIMULATE_FAIL"})).await;
    assert_eq!((code(&replay), status(&replay)), ("PROCESS_FAIL", "F"));

    notify::deliver_due(&pool, &fast(&[0.0]), Utc::now())
        .await
        .unwrap();
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let n: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(
        (
            n["refundStatus"].as_str(),
            n["result"]["resultStatus"].as_str()
        ),
        (Some("FAIL"), Some("F"))
    );
    assert_signed(&pool, &c.client_id, &got[0].0, &got[0].1).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn background_workers_finish_what_a_stopped_instance_left(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 10_000).await;
    let rx = receiver(1, Duration::ZERO).await;
    let r = refund_with(&c, "R-1", "500", json!({"refundNotifyUrl": rx.url})).await;
    assert_eq!(code(&r), "REFUND_IN_PROCESS");
    // One instance decided the refund and made the first (failed) attempt, then
    // stopped; what it left is in PostgreSQL only.
    let now = Utc::now();
    acquirer::run_once(&pool, Duration::ZERO, now)
        .await
        .unwrap();
    notify::deliver_due(&pool, &fast(&[0.0, 0.5]), now)
        .await
        .unwrap();
    assert_eq!(rx.received().len(), 1);

    // A fresh instance's workers, with a real delay for the acquirer, pick it up.
    let mut config = fast(&[0.0, 0.5]);
    config.async_refund_delay = Duration::from_millis(300);
    let (_keep_running, stop) = workers::Stop::new();
    let _workers = workers::spawn(pool.clone(), config, stop);
    let second = refund_with(&c, "R-2", "700", json!({"refundNotifyUrl": rx.url})).await;
    assert_eq!(code(&second), "REFUND_IN_PROCESS");
    wait_for_delivered(&pool, 2, Duration::from_secs(10)).await;
    let q = c.inquire(json!({"refundRequestId": "R-2"})).await;
    assert_eq!(q["refundStatus"], "SUCCESS");
    // Attempts: R-1 failed once then succeeded, R-2 succeeded at once.
    assert_eq!(rx.received().len(), 3);
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_workers_never_send_the_same_attempt_twice(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 100_000).await;
    // A slow receiver, so that workers overlap.
    let rx = receiver(0, Duration::from_millis(30)).await;
    for i in 0..20 {
        let id = format!("R-{i}");
        let r = refund_with(&c, &id, "100", json!({"refundNotifyUrl": rx.url})).await;
        assert_eq!(code(&r), "REFUND_IN_PROCESS");
    }
    // Two "instances" deciding refunds at once share them out.
    let now = Utc::now();
    let (a, b) = tokio::join!(
        acquirer::run_once(&pool, Duration::ZERO, now),
        acquirer::run_once(&pool, Duration::ZERO, now)
    );
    let rest = acquirer::run_once(&pool, Duration::ZERO, now)
        .await
        .unwrap();
    assert_eq!(a.unwrap() + b.unwrap() + rest, 20);
    let config = fast(&[0.0, 60.0]);
    let runs =
        futures_util::future::join_all((0..6).map(|_| notify::deliver_due(&pool, &config, now)))
            .await;
    let attempts: usize = runs.into_iter().map(|r| r.unwrap()).sum();
    assert_eq!(attempts, 20);
    assert_eq!(rx.received().len(), 20);
    let mut ids: Vec<String> = rx
        .received()
        .iter()
        .map(|(_, b)| {
            serde_json::from_str::<Value>(b).unwrap()["refundId"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "each refund notified once");
}

#[sqlx::test(migrations = "../migrations")]
async fn delivery_gives_up_after_the_schedule(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 10_000).await;
    // Nothing listens on this port.
    let unused = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify/refunds", unused.local_addr().unwrap());
    drop(unused);
    refund_with(&c, "R-1", "500", json!({"refundNotifyUrl": url})).await;
    let now = Utc::now();
    acquirer::run_once(&pool, Duration::ZERO, now)
        .await
        .unwrap();
    // Three attempts with no wait in between, then no more.
    assert_eq!(
        notify::deliver_due(&pool, &fast(&[0.0, 0.0, 0.0]), now)
            .await
            .unwrap(),
        3
    );
    let (state, attempts): (String, i32) =
        sqlx::query_as("SELECT status, attempts FROM refund_notifications")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((state.as_str(), attempts), ("GAVE_UP", 3));
    let recorded: Vec<(Option<i32>, Option<String>)> = sqlx::query_as(
        "SELECT http_status, error FROM refund_notification_attempts ORDER BY attempt_no",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(recorded.len(), 3);
    assert!(recorded.iter().all(|(s, e)| s.is_none() && e.is_some()));
}

/// What is due is decided by the clock the worker is given, so the test states the
/// time instead of waiting for it.
#[sqlx::test(migrations = "../migrations")]
async fn the_acquirer_answers_once_the_refund_has_waited_the_delay(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "PAYPAY", "USD", 10_000).await;
    let r = refund_with(&c, "R-1", "2000", json!({})).await;
    assert_eq!(code(&r), "REFUND_IN_PROCESS");
    let pending_since: DateTime<Utc> =
        sqlx::query_scalar("SELECT acquirer_pending_since FROM refund_requests")
            .fetch_one(&pool)
            .await
            .unwrap();
    let delay = Duration::from_secs(10);
    let due = pending_since + TimeDelta::seconds(10);

    assert_eq!(
        acquirer::run_once(&pool, delay, due - TimeDelta::seconds(1))
            .await
            .unwrap(),
        0,
        "not due a second before the delay has passed"
    );
    let q = c.inquire(json!({"refundRequestId": "R-1"})).await;
    assert_eq!(q["refundStatus"], "PROCESSING");

    assert_eq!(acquirer::run_once(&pool, delay, due).await.unwrap(), 1);
    let q = c.inquire(json!({"refundRequestId": "R-1"})).await;
    assert_eq!(q["refundStatus"], "SUCCESS");
    let finished_at: DateTime<Utc> = sqlx::query_scalar(
        "SELECT finished_at FROM transactions WHERE transaction_type = 'REFUND'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(finished_at, due, "answered at the worker's time");
    assert_eq!(
        acquirer::run_once(&pool, delay, due).await.unwrap(),
        0,
        "answered once"
    );
}

#[test]
fn the_default_schedule_is_antoms() {
    let s = WorkerConfig::default().notify_schedule;
    let secs: Vec<u64> = s.iter().map(|d| d.as_secs()).collect();
    assert_eq!(secs, vec![0, 120, 600, 600, 3600, 7200, 21600, 54000]);
}
