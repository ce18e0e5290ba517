//! The benchmark of bench/batch.sh (ignored in normal test runs): a batch of N refunds
//! (check, then the job's run, as one instance runs it) beside N single refunds through
//! the open API (signed requests over HTTP, signed before the clock starts), on one
//! fresh database in the same run, so the figures compare on any machine.
//!
//! Environment: DATABASE_URL (a server where test databases may be made), BENCH_ROWS
//! (10000), BENCH_CONCURRENCY (32: API requests in flight).

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use std::time::{Duration, Instant};

use app::locale::Language;
use app::refunds::batch::{job, store};
use chrono::Utc;
use futures_util::StreamExt;
use server::api::signature;
use sqlx::PgPool;
use support::api::{self, code, merchant, reference_data, Client, REFUND};
use support::{dashboard_user, TestApp, PAYMENT_PASSWORD};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// 2 × `n` GCash payments of 100.00 USD, PAY-0…: the first half for the batch, the
/// second for the API.
async fn payments(pool: &PgPool, merchant: uuid::Uuid, n: usize) {
    for i in 0..2 * n {
        api::payment(pool, merchant, &format!("PAY-{i}"), "GCASH", "USD", 10_000).await;
    }
}

#[sqlx::test(migrations = "../migrations")]
#[ignore = "a benchmark: run by bench/batch.sh"]
async fn a_batch_beside_single_api_refunds(pool: PgPool) {
    let n = env_or("BENCH_ROWS", 10_000);
    let concurrency = env_or("BENCH_CONCURRENCY", 32);
    reference_data(&pool).await;
    let lotus = merchant(&pool, "Lotus Tea House", "USD").await;
    api::set_balance(&pool, lotus, "USD", i64::MAX / 4).await;
    payments(&pool, lotus, n).await;
    let ada = dashboard_user(&pool, lotus, "ada@lotus.example", "operator").await;

    // The batch: the file checked (the dry run), then confirmed and run by the job.
    let mut csv = String::from("transaction_id,amount,currency,reason\n");
    for i in 0..n {
        csv.push_str(&format!("PAY-{i},1.00,USD,Recall\n"));
    }
    let started = Instant::now();
    let batch = store::upload(&pool, &ada, "bench.csv", csv.as_bytes(), Language::En)
        .await
        .unwrap();
    let checked = started.elapsed();
    store::confirm(&pool, &ada, batch, PAYMENT_PASSWORD)
        .await
        .unwrap();
    let running = Instant::now();
    while job::work(&pool, 50, Duration::from_secs(60)).await.unwrap() > 0 {}
    let ran = running.elapsed();
    let done: (i32,) = sqlx::query_as("SELECT done_rows FROM refund_batches WHERE id = $1")
        .bind(batch)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(done.0 as usize, n);

    // The API: N signed refund requests, `concurrency` at a time.
    // No limit per client or per address: the benchmark is one client on one address.
    let config = server::api::ApiConfig {
        address_rate_per_second: 0.0,
        ..api::unlimited()
    };
    let app = TestApp::spawn_api(pool.clone(), config).await;
    let client = Client::new(app, lotus, "SANDBOX_LOTUS").await;
    let time = signature::format_time(Utc::now());
    let signed: Vec<(String, String)> = (n..2 * n)
        .map(|i| {
            let body = serde_json::json!({
                "refundRequestId": format!("API-{i}"),
                "paymentId": format!("PAY-{i}"),
                "refundAmount": {"currency": "USD", "value": "100"},
            })
            .to_string();
            let content =
                signature::signed_content("POST", REFUND, "SANDBOX_LOTUS", &time, body.as_bytes());
            let sig = signature::header_value(1, &signature::sign(&client.key, &content));
            (body, sig)
        })
        .collect();
    let api_started = Instant::now();
    let answers: Vec<String> = futures_util::stream::iter(signed.iter())
        .map(|(body, sig)| {
            let client = &client;
            let time = &time;
            async move {
                let answer = client
                    .send_raw(REFUND, body, "SANDBOX_LOTUS", time, Some(sig))
                    .await;
                code(&answer).to_owned()
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let api = api_started.elapsed();
    assert!(
        answers.iter().all(|c| c == "SUCCESS"),
        "{:?}",
        answers.iter().find(|c| *c != "SUCCESS")
    );

    let per_second = |d: Duration| n as f64 / d.as_secs_f64();
    println!("RESULT rows {n}");
    println!(
        "RESULT batch check (dry run) {:.2} s ({:.0} rows/s)",
        checked.as_secs_f64(),
        per_second(checked)
    );
    println!(
        "RESULT batch run (one job) {:.2} s ({:.0} refunds/s)",
        ran.as_secs_f64(),
        per_second(ran)
    );
    println!(
        "RESULT api, {concurrency} in flight {:.2} s ({:.0} refunds/s)",
        api.as_secs_f64(),
        per_second(api)
    );
    println!(
        "RESULT batch check + run against the api: {:.2}×",
        (checked + ran).as_secs_f64() / api.as_secs_f64()
    );
}
