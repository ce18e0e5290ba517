//! The load generator of bench/refund.sh (ignored in normal test runs): signed refund
//! requests against a running server, reporting requests per second and latency
//! percentiles. Every request is signed before the clock starts, so the figures are the
//! server's, not the generator's signing.
//!
//! Environment: BENCH_BASE_URL (the server), DATABASE_URL (its database, to find client
//! ids and refundable payments), BENCH_KEYS_DIR (`<client id>.private.pem` files, as
//! `server keys demo` writes them), BENCH_REQUESTS (5000), BENCH_CONCURRENCY (32),
//! BENCH_WARMUP (200).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lc_rs::signature::RsaKeyPair;
use chrono::Utc;
use server::api::{keys, signature};
use sqlx::Row;

const PATH: &str = "/ams/api/v1/payments/refund";

struct Signed {
    client_id: String,
    time: String,
    signature: String,
    body: String,
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by bench/refund.sh"]
async fn signed_refund_load() {
    let base = std::env::var("BENCH_BASE_URL").expect("BENCH_BASE_URL");
    let keys_dir =
        std::path::PathBuf::from(std::env::var("BENCH_KEYS_DIR").expect("BENCH_KEYS_DIR"));
    let requests = env_or("BENCH_REQUESTS", 5000);
    let concurrency = env_or("BENCH_CONCURRENCY", 32);
    let warmup = env_or("BENCH_WARMUP", 200);
    let run = Utc::now().timestamp_millis();
    let pool = sqlx::PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .unwrap();

    // Payments that take many small refunds: partial and multiple refunds allowed, in
    // their window, untouched so far, worth at least 50 minimum refunds.
    let rows = sqlx::query(
        "SELECT DISTINCT ON (t.id) c.client_id, t.transaction_id, t.currency::text AS currency,
                m.min_refund_minor, t.amount_minor
         FROM api_clients c
         JOIN transactions t ON t.merchant_id = c.merchant_id
         JOIN payment_methods m ON m.code = t.payment_method_type
         WHERE t.transaction_type = 'PAYMENT' AND t.status = 'SUCCESS' AND NOT m.is_card
           AND m.refund_supported AND m.partial_refund_supported AND m.multiple_refunds_supported
           AND t.finished_at > now() - make_interval(days => m.refund_window_days - 1)
           AND t.amount_minor >= 50 * m.min_refund_minor
           AND NOT EXISTS (SELECT 1 FROM transactions x WHERE x.original_id = t.id)
         ORDER BY t.id
         LIMIT 20000",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        !rows.is_empty(),
        "no refundable payments: seed the database and register keys"
    );
    // Clients whose private key is at hand; payments of other clients are left out.
    let mut key_of: HashMap<String, Arc<RsaKeyPair>> = HashMap::new();
    for r in &rows {
        let client_id: String = r.get("client_id");
        if key_of.contains_key(&client_id) {
            continue;
        }
        if let Ok(pem) = std::fs::read(keys_dir.join(format!("{client_id}.private.pem"))) {
            let der = keys::from_pem_or_der(&pem).unwrap();
            key_of.insert(client_id, Arc::new(RsaKeyPair::from_pkcs8(&der).unwrap()));
        }
    }
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| key_of.contains_key(&r.get::<String, _>("client_id")))
        .collect();
    assert!(
        !rows.is_empty(),
        "no private key in BENCH_KEYS_DIR for any client id"
    );

    let total = warmup + requests;
    let t_sign = Instant::now();
    let signed: Vec<Signed> = (0..total)
        .map(|i| {
            let r = &rows[i % rows.len()];
            let client_id: String = r.get("client_id");
            let body = serde_json::json!({
                "refundRequestId": format!("bench-{run}-{i}"),
                "paymentId": r.get::<String, _>("transaction_id"),
                "refundAmount": {"currency": r.get::<String, _>("currency").trim(),
                                 "value": r.get::<i64, _>("min_refund_minor").to_string()},
            })
            .to_string();
            let time = signature::format_time(Utc::now());
            let content =
                signature::signed_content("POST", PATH, &client_id, &time, body.as_bytes());
            let sig = signature::sign(&key_of[&client_id], &content);
            Signed {
                client_id,
                time,
                signature: signature::header_value(1, &sig),
                body,
            }
        })
        .collect();
    eprintln!(
        "signed {total} requests over {} payments of {} clients in {:.1} s",
        rows.len().min(total),
        key_of.len(),
        t_sign.elapsed().as_secs_f64()
    );

    // The client's TLS stack needs its crypto chosen, as the server's does.
    server::tls::use_aws_lc_rs();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let signed = Arc::new(signed);
    let codes = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));

    let phase = |from: usize, to: usize| {
        let next = Arc::new(AtomicUsize::new(from));
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                let (http, signed, next, codes, base) = (
                    http.clone(),
                    signed.clone(),
                    next.clone(),
                    codes.clone(),
                    base.clone(),
                );
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= to {
                            break;
                        }
                        let s = &signed[i];
                        let t = Instant::now();
                        let response = http
                            .post(format!("{base}{PATH}"))
                            .header("content-type", "application/json; charset=UTF-8")
                            .header("client-id", &s.client_id)
                            .header("request-time", &s.time)
                            .header("signature", &s.signature)
                            .body(s.body.clone())
                            .send()
                            .await;
                        let code = match response {
                            Ok(r) => {
                                let v: serde_json::Value = r.json().await.unwrap_or_default();
                                v["result"]["resultCode"]
                                    .as_str()
                                    .unwrap_or("NO_RESULT")
                                    .to_string()
                            }
                            Err(e) => format!("HTTP_ERROR {e}"),
                        };
                        latencies.push(t.elapsed());
                        *codes.lock().unwrap().entry(code).or_default() += 1;
                    }
                    latencies
                })
            })
            .collect();
        async move {
            let t = Instant::now();
            let mut all = Vec::new();
            for w in workers {
                all.extend(w.await.unwrap());
            }
            (t.elapsed(), all)
        }
    };

    phase(0, warmup).await;
    codes.lock().unwrap().clear();
    let (elapsed, mut latencies) = phase(warmup, total).await;
    latencies.sort();
    let pct = |p: f64| {
        latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)].as_secs_f64()
            * 1000.0
    };
    let rps = latencies.len() as f64 / elapsed.as_secs_f64();
    let codes = codes.lock().unwrap().clone();
    let ok: usize = codes
        .iter()
        .filter(|(c, _)| *c == "SUCCESS" || *c == "REFUND_IN_PROCESS")
        .map(|(_, n)| n)
        .sum();
    eprintln!("result codes: {codes:?}");
    println!(
        "RESULT requests={} concurrency={concurrency} seconds={:.2} refund_rps={rps:.0} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2} accepted={ok}",
        latencies.len(),
        elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0),
    );
    assert_eq!(ok, latencies.len(), "every refund was accepted: {codes:?}");
}
