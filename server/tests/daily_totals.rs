//! The daily totals behind the overview and the reports calendar: always equal to a raw
//! count of the transactions, however refunds arrive, and the pages built on them show
//! what the transactions say (docs/RULES.md, "Daily totals").

#[allow(dead_code)]
mod support;

use std::time::Duration;

use app::transactions::query::start_of_day;
use chrono::{Datelike, Days, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use futures_util::future::join_all;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use server::workers::acquirer;
use sqlx::PgPool;
use support::api::{self, code, REFUND};
use support::{add_user, TestApp, PASSWORD};
use uuid::Uuid;

/// Rows of `daily_totals`, `daily_activity` and `monthly_totals` that differ from a count of
/// `transactions` made here from scratch (either way), as text for the failure message.
/// Rows that have come down to zero are the same as no row.
async fn differences(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "WITH raw AS (
             SELECT t.merchant_id, (t.created_at AT TIME ZONE m.time_zone)::date AS day,
                    t.currency, t.transaction_type, t.status, t.payment_method_type,
                    t.acquirer_code, t.settlement_currency,
                    count(*) AS transactions, sum(t.amount_minor)::bigint AS amount_minor,
                    coalesce(sum(t.settlement_amount_minor), 0)::bigint AS settlement_amount_minor
               FROM transactions t JOIN merchants m ON m.id = t.merchant_id
              GROUP BY 1, 2, 3, 4, 5, 6, 7, 8),
         kept AS (
             SELECT merchant_id, day, currency, transaction_type, status, payment_method_type,
                    acquirer_code, settlement_currency, transactions, amount_minor,
                    settlement_amount_minor
               FROM daily_totals
              WHERE transactions <> 0 OR amount_minor <> 0 OR settlement_amount_minor <> 0),
         raw_activity AS (
             SELECT merchant_id, currency, day, transaction_type, status,
                    sum(transactions)::bigint, sum(amount_minor)::bigint
               FROM raw GROUP BY 1, 2, 3, 4, 5),
         kept_activity AS (
             SELECT merchant_id, currency, day, transaction_type, status, transactions,
                    amount_minor
               FROM daily_activity
              WHERE transactions <> 0 OR amount_minor <> 0),
         raw_monthly AS (
             SELECT merchant_id, currency, date_trunc('month', day)::date, transaction_type,
                    status, payment_method_type, acquirer_code,
                    sum(transactions)::bigint, sum(amount_minor)::bigint
               FROM raw GROUP BY 1, 2, 3, 4, 5, 6, 7),
         kept_monthly AS (
             SELECT merchant_id, currency, month, transaction_type, status,
                    payment_method_type, acquirer_code, transactions, amount_minor
               FROM monthly_totals
              WHERE transactions <> 0 OR amount_minor <> 0)
         SELECT d.side || ' ' || d.row FROM (
             (SELECT 'only counted:' AS side, r::text AS row FROM (TABLE raw EXCEPT TABLE kept) r)
             UNION ALL
             (SELECT 'only kept:', k::text FROM (TABLE kept EXCEPT TABLE raw) k)
             UNION ALL
             (SELECT 'activity only counted:', r::text
                FROM (TABLE raw_activity EXCEPT TABLE kept_activity) r)
             UNION ALL
             (SELECT 'activity only kept:', k::text
                FROM (TABLE kept_activity EXCEPT TABLE raw_activity) k)
             UNION ALL
             (SELECT 'monthly only counted:', r::text
                FROM (TABLE raw_monthly EXCEPT TABLE kept_monthly) r)
             UNION ALL
             (SELECT 'monthly only kept:', k::text
                FROM (TABLE kept_monthly EXCEPT TABLE raw_monthly) k)) d",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn count_of(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Refunds of random amounts against payments of synchronous and asynchronous methods,
/// sent ten at a time while the acquirer worker decides the asynchronous ones (a fifth
/// of them fail and give their amount back): afterwards, and after the merchant moves
/// to another time zone, the totals equal the raw count. No refund may fail on a lock
/// taken in the wrong order (a deadlock would answer UNKNOWN_EXCEPTION).
#[sqlx::test(migrations = "../migrations")]
async fn the_totals_equal_a_raw_count_after_random_refunds(pool: PgPool) {
    let c = support::notify::client(pool.clone()).await;
    let payments = [
        ("PAY-G", "GCASH", "USD"),
        ("PAY-P", "PAYPAY", "USD"),
        ("PAY-D", "DANA", "USD"),
        ("PAY-J", "PAYPAY", "JPY"),
        ("PAY-K", "GCASH", "JPY"),
    ];
    for (id, method, currency) in payments {
        api::payment(&pool, c.merchant, id, method, currency, 50_000).await;
    }
    assert!(differences(&pool).await.is_empty());

    let worker_pool = pool.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let worker_stop = stop.clone();
    let worker = tokio::spawn(async move {
        while !worker_stop.load(std::sync::atomic::Ordering::Relaxed) {
            acquirer::run_once(&worker_pool, Duration::ZERO, Utc::now())
                .await
                .expect("the acquirer worker decides its batch");
        }
    });

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20_261_204);
    let mut answers: Vec<Value> = Vec::new();
    for round in 0..8 {
        let bodies: Vec<String> = (0..10)
            .map(|i| {
                let (payment, _, currency) = payments[rng.gen_range(0..payments.len())];
                let reason = if rng.gen_bool(0.2) { "SIMULATE_FAIL" } else { "Returned" };
                json!({
                    "refundRequestId": format!("R-{round}-{i}"),
                    "paymentId": payment,
                    "refundAmount": {"currency": currency, "value": rng.gen_range(100..4_000).to_string()},
                    "refundReason": reason,
                })
                .to_string()
            })
            .collect();
        answers.extend(join_all(bodies.iter().map(|b| c.send(REFUND, b))).await);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    worker.await.unwrap();
    while acquirer::run_once(&pool, Duration::ZERO, Utc::now())
        .await
        .unwrap()
        > 0
    {}

    for a in &answers {
        assert!(
            ["SUCCESS", "REFUND_IN_PROCESS", "REFUND_AMOUNT_EXCEED"].contains(&code(a)),
            "{a}"
        );
    }
    let decided = count_of(
        &pool,
        "SELECT count(*) FROM transactions WHERE transaction_type = 'REFUND' AND status IN ('SUCCESS', 'FAIL')",
    )
    .await;
    let failed = count_of(
        &pool,
        "SELECT count(*) FROM transactions WHERE transaction_type = 'REFUND' AND status = 'FAIL'",
    )
    .await;
    assert!(decided > 40, "only {decided} refunds made");
    assert!(failed > 0, "no refund failed");
    assert_eq!(differences(&pool).await, Vec::<String>::new());

    // São Paulo's days start 11 hours after Singapore's: every row moves.
    sqlx::query("UPDATE merchants SET time_zone = 'America/Sao_Paulo' WHERE id = $1")
        .bind(c.merchant)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(differences(&pool).await, Vec::<String>::new());

    // A deleted transaction takes its share with it.
    sqlx::query(
        "DELETE FROM transactions WHERE id IN
             (SELECT id FROM transactions WHERE transaction_type = 'REFUND' ORDER BY id LIMIT 5)",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(differences(&pool).await, Vec::<String>::new());
}

async fn merchant(pool: &PgPool, zone: &str, settlement: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO merchants (id, name, time_zone, settlement_currency) VALUES ($1, 'Lotus Tea House', $2, $3)",
    )
    .bind(id)
    .bind(zone)
    .bind(settlement)
    .execute(pool)
    .await
    .unwrap();
    add_user(pool, id, "fin@lotus.example", "finance").await;
    id
}

/// A transaction created at `at`, settled 1:1 into USD when it succeeded.
#[allow(clippy::too_many_arguments)]
async fn transaction(
    pool: &PgPool,
    merchant: Uuid,
    id: &str,
    kind: &str,
    status: &str,
    currency: &str,
    amount: i64,
    at: chrono::DateTime<Utc>,
) {
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type, status,
             amount_minor, currency, settlement_amount_minor, settlement_currency,
             payment_method_type, acquirer_code, created_at, finished_at)
         VALUES ($1, $2, '1', $3, $4, $5, $6, CASE WHEN $4 = 'SUCCESS' THEN $5 END,
                 CASE WHEN $4 = 'SUCCESS' THEN 'USD' END, 'GCASH', 'ANTOM', $7, $7)",
    )
    .bind(merchant)
    .bind(id)
    .bind(kind)
    .bind(status)
    .bind(amount)
    .bind(currency)
    .bind(at)
    .execute(pool)
    .await
    .unwrap();
}

async fn calendar(app: &TestApp, client: &reqwest::Client, day: NaiveDate) -> Value {
    let (year, month) = (day.year().to_string(), day.month().to_string());
    let r = app
        .call_with(
            client,
            "report_calendar",
            &[("year", &year), ("month", &month)],
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn cell(calendar: &Value, day: NaiveDate) -> (i64, String) {
    let cell = calendar["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["key"] == day.to_string())
        .unwrap();
    (
        cell["count"].as_i64().unwrap(),
        cell["volume"].as_str().unwrap().to_owned(),
    )
}

/// Transactions a second either side of local midnight, in USD and in yen (no minor
/// units), failed ones that do not count, and days at the edge of the overview's 30:
/// the overview and the calendar show exactly what the transactions say, by the
/// merchant's day.
#[sqlx::test(migrations = "../migrations")]
async fn the_overview_and_the_calendar_count_by_the_merchants_day(pool: PgPool) {
    support::antom_and_method(&pool, "GCASH", "GCash", 365, "SYNC").await;
    let zone = "Asia/Shanghai";
    let tz: Tz = zone.parse().unwrap();
    let m = merchant(&pool, zone, "USD").await;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let yesterday = today - Days::new(1);
    let midnight = start_of_day(today, tz);
    let second = TimeDelta::seconds(1);
    transaction(
        &pool,
        m,
        "Y-1",
        "PAYMENT",
        "SUCCESS",
        "USD",
        1_000,
        midnight - second,
    )
    .await;
    transaction(
        &pool,
        m,
        "Y-2",
        "REFUND",
        "SUCCESS",
        "USD",
        250,
        midnight - second,
    )
    .await;
    transaction(
        &pool, m, "T-1", "PAYMENT", "SUCCESS", "USD", 2_000, midnight,
    )
    .await;
    transaction(
        &pool,
        m,
        "T-2",
        "PAYMENT",
        "SUCCESS",
        "JPY",
        5_000,
        midnight + second,
    )
    .await;
    transaction(
        &pool,
        m,
        "T-3",
        "REFUND",
        "SUCCESS",
        "JPY",
        1_200,
        midnight + second,
    )
    .await;
    transaction(
        &pool,
        m,
        "T-4",
        "PAYMENT",
        "FAIL",
        "USD",
        9_999,
        midnight + second,
    )
    .await;
    // The 30 days are today and the 29 before it.
    let day_29 = start_of_day(today - Days::new(29), tz);
    let day_30 = start_of_day(today - Days::new(30), tz);
    transaction(&pool, m, "E-29", "PAYMENT", "SUCCESS", "USD", 300, day_29).await;
    transaction(
        &pool,
        m,
        "E-30",
        "PAYMENT",
        "SUCCESS",
        "USD",
        7_000,
        day_30 - second,
    )
    .await;

    let app = TestApp::spawn(pool.clone()).await;
    let client = app.browser();
    app.sign_in(&client, "fin@lotus.example", PASSWORD).await;

    // The overview's last 30 days, one currency at a time: payments paid and refunds
    // made, the failed payment and the 31st day left out.
    let mut tiles = Vec::new();
    for currency in ["USD", "JPY"] {
        let overview: Value = app
            .call_with(&client, "load_overview", &[("currency", currency)])
            .await
            .json()
            .await
            .unwrap();
        let values: Vec<String> = overview["tiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["value"].as_str().unwrap().to_owned())
            .collect();
        tiles.push(values);
    }
    assert_eq!(tiles[0][..2], ["33.00 USD", "3"]);
    assert_eq!(tiles[0][3], "2.50 USD");
    assert_eq!(tiles[1][..2], ["5,000 JPY", "1"]);
    assert_eq!(tiles[1][3], "1,200 JPY");

    // Yesterday: the payment and the refund a second before midnight; today: three
    // successful transactions, the failed one left out. Volume is the USD settled for
    // payments.
    assert_eq!(
        cell(&calendar(&app, &client, yesterday).await, yesterday),
        (2, "10.00 USD".to_owned())
    );
    assert_eq!(
        cell(&calendar(&app, &client, today).await, today),
        (3, "70.00 USD".to_owned())
    );
}
