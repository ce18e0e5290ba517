//! Exports of the query page's filter: files parsed back (csv reader, calamine) and
//! compared with the database rows of the same filter; roles, the 40-day rule, ID
//! search, time zones, progress and cancellation.

#[allow(dead_code)]
mod support;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use sqlx::{PgPool, Row};
use support::{add_user, merchant_with_user, TestApp, PASSWORD};
use uuid::Uuid;

async fn reference(pool: &PgPool) {
    support::antom_and_method(pool, "GCASH", "GCash", 365, "SYNC").await;
}

#[allow(clippy::too_many_arguments)]
async fn txn(
    pool: &PgPool,
    merchant: Uuid,
    id: &str,
    kind: &str,
    status: &str,
    currency: &str,
    amount: i64,
    created: DateTime<Utc>,
    reason: Option<&str>,
) {
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, reference_transaction_id, serial_no,
             transaction_type, status, amount_minor, currency, settlement_amount_minor,
             settlement_currency, settlement_quote, payment_method_type, acquirer_code, reason,
             created_at, finished_at)
         VALUES ($1, $2, 'ORDER-' || $2, '7', $3, $4, $5, $6, $5 / 2, 'USD', 0.5, 'GCASH', 'ANTOM',
                 $7, $8, $8 + interval '3 seconds')",
    )
    .bind(merchant)
    .bind(id)
    .bind(kind)
    .bind(status)
    .bind(amount)
    .bind(currency)
    .bind(reason)
    .bind(created)
    .execute(pool)
    .await
    .unwrap();
}

/// A finance user of Lotus (Asia/Shanghai) with a handful of rows in the last days,
/// some of which the default filter excludes, and one row of another merchant.
async fn lotus(pool: &PgPool) -> (Uuid, DateTime<Utc>) {
    reference(pool).await;
    let lotus = merchant_with_user(pool, "Lotus Tea House", "fin@lotus.example", "finance").await;
    add_user(pool, lotus, "view@lotus.example", "viewer").await;
    add_user(pool, lotus, "boss@lotus.example", "admin").await;
    let other = merchant_with_user(pool, "Other Shop", "fin@other.example", "finance").await;
    let base = Utc::now() - Duration::hours(30);
    let base = DateTime::from_timestamp(base.timestamp(), 0).unwrap();
    txn(
        pool, lotus, "L-1", "PAYMENT", "SUCCESS", "USD", 123_456, base, None,
    )
    .await;
    txn(
        pool,
        lotus,
        "L-2",
        "PAYMENT",
        "SUCCESS",
        "JPY",
        98_000,
        base + Duration::minutes(1),
        Some("Gift, \"wrapped\"\nsecond line · 茶"),
    )
    .await;
    txn(
        pool,
        lotus,
        "L-3",
        "REFUND",
        "SUCCESS",
        "USD",
        5,
        base + Duration::minutes(2),
        Some("Customer request"),
    )
    .await;
    txn(
        pool,
        lotus,
        "L-4",
        "REFUND",
        "PROCESSING",
        "USD",
        7,
        base + Duration::minutes(3),
        None,
    )
    .await;
    txn(
        pool,
        lotus,
        "L-5",
        "PAYMENT",
        "FAIL",
        "USD",
        9,
        base + Duration::minutes(4),
        None,
    )
    .await;
    txn(
        pool, other, "O-1", "PAYMENT", "SUCCESS", "USD", 100, base, None,
    )
    .await;
    (lotus, base)
}

/// The rows the default filter shows, newest first, straight from the table.
async fn expected(pool: &PgPool, merchant: Uuid) -> Vec<sqlx::postgres::PgRow> {
    sqlx::query(
        "SELECT transaction_id, transaction_type, status, amount_minor, currency::text AS currency,
                settlement_amount_minor, reason, created_at, finished_at
           FROM transactions
          WHERE merchant_id = $1 AND status = 'SUCCESS'
          ORDER BY created_at DESC, id DESC",
    )
    .bind(merchant)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.browser();
    app.sign_in(&client, email, PASSWORD).await;
    client
}

const FIELDS: &str =
    "transaction_id,transaction_type,status,amount,settlement_amount,reason,created_at,finished_at";

#[sqlx::test(migrations = "../migrations")]
async fn unknown_fields_are_refused_with_the_list_of_fields(pool: PgPool) {
    lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = signed_in(&app, "fin@lotus.example").await;
    for ext in ["csv", "xlsx"] {
        let response = app
            .get(
                &client,
                &format!("/exports/transactions.{ext}?fields=transaction_id,bogus"),
            )
            .await;
        assert_eq!(response.status(), 400, "{ext}");
        let text = response.text().await.unwrap();
        assert!(
            text.starts_with("Unknown field \"bogus\". Fields are: transaction_id,"),
            "{text}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn csv_export_holds_the_filters_rows(pool: PgPool) {
    let (lotus, _) = lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = signed_in(&app, "fin@lotus.example").await;
    let response = app
        .get(
            &client,
            &format!("/exports/transactions.csv?fields={FIELDS}"),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let zone: Tz = "Asia/Shanghai".parse().unwrap();
    let today = Utc::now().with_timezone(&zone).date_naive();
    let week_ago = today - Duration::days(6);
    assert_eq!(
        disposition,
        format!("attachment; filename=\"lotus-tea-house_transactions_{week_ago}_{today}_Asia-Shanghai.csv\"")
    );
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 byte-order mark"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "Transaction ID",
            "Transaction type",
            "Status",
            "Amount",
            "Amount (minor units)",
            "Currency",
            "Settlement amount",
            "Settlement amount (minor units)",
            "Settlement currency",
            "Reason",
            "Creation time (Asia/Shanghai)",
            "Finish time (Asia/Shanghai)"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let rows = expected(&pool, lotus).await;
    assert_eq!(
        records.len(),
        rows.len(),
        "L-4 (refund in progress), L-5 (failed) and other merchants are out"
    );
    for (rec, row) in records.iter().zip(&rows) {
        let currency: String = row.get("currency");
        let minor: i64 = row.get("amount_minor");
        assert_eq!(&rec[0], row.get::<String, _>("transaction_id"));
        assert_eq!(&rec[1], row.get::<String, _>("transaction_type"));
        assert_eq!(&rec[2], "SUCCESS");
        let decimals = if currency == "JPY" { 0 } else { 2 };
        let major: f64 = rec[3].parse().unwrap();
        assert_eq!((major * 10f64.powi(decimals)).round() as i64, minor);
        if decimals == 2 {
            assert_eq!(rec[3].split('.').nth(1).unwrap().len(), 2, "{}", &rec[3]);
        } else {
            assert!(!rec[3].contains('.'));
        }
        assert_eq!(rec[4].parse::<i64>().unwrap(), minor);
        assert_eq!(&rec[5], currency);
        assert_eq!(
            rec[7].parse::<i64>().unwrap(),
            row.get::<Option<i64>, _>("settlement_amount_minor")
                .unwrap()
        );
        assert_eq!(&rec[8], "USD");
        assert_eq!(
            &rec[9],
            row.get::<Option<String>, _>("reason").unwrap_or_default()
        );
        let created: DateTime<Utc> = row.get("created_at");
        let parsed = DateTime::parse_from_rfc3339(&rec[10]).unwrap();
        assert_eq!(parsed.with_timezone(&Utc), created);
        assert!(rec[10].ends_with("+08:00"), "{}", &rec[10]);
        let finished: DateTime<Utc> = row.get::<Option<DateTime<Utc>>, _>("finished_at").unwrap();
        assert_eq!(
            DateTime::parse_from_rfc3339(&rec[11])
                .unwrap()
                .with_timezone(&Utc),
            finished
        );
    }
    assert_eq!(
        &records[1][9], "Gift, \"wrapped\"\nsecond line · 茶",
        "quotes, commas, newlines and UTF-8 survive"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn xlsx_export_has_numbers_dates_and_the_same_rows(pool: PgPool) {
    let (lotus, _) = lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = signed_in(&app, "boss@lotus.example").await;
    let path = format!("/exports/transactions.xlsx?fields={FIELDS}&tz=America/Los_Angeles");
    let response = app.get(&client, &path).await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.ends_with("_America-Los_Angeles.xlsx\""),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Transactions").unwrap();
    let mut lines = sheet.rows();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[10], "Creation time (America/Los_Angeles)");
    let rows = expected(&pool, lotus).await;
    let data: Vec<&[Data]> = lines.collect();
    assert_eq!(data.len(), rows.len());
    let la: Tz = "America/Los_Angeles".parse().unwrap();
    for (cells, row) in data.iter().zip(&rows) {
        let currency: String = row.get("currency");
        let minor: i64 = row.get("amount_minor");
        assert_eq!(cells[0], Data::String(row.get("transaction_id")));
        let decimals = if currency == "JPY" { 0 } else { 2 };
        match &cells[3] {
            Data::Float(f) => assert_eq!((f * 10f64.powi(decimals)).round() as i64, minor),
            other => panic!("amount is not a number: {other:?}"),
        }
        assert_eq!(cells[4], Data::Float(minor as f64));
        assert_eq!(cells[5], Data::String(currency));
        let created: DateTime<Utc> = row.get("created_at");
        let local: NaiveDateTime = created.with_timezone(&la).naive_local();
        match &cells[10] {
            Data::DateTime(d) => assert_eq!(d.as_datetime().unwrap(), local),
            other => panic!("creation time is not a date: {other:?}"),
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn only_finance_and_admin_export(pool: PgPool) {
    lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let viewer = signed_in(&app, "view@lotus.example").await;
    for path in [
        "/exports/transactions.csv",
        "/exports/transactions.xlsx",
        "/reports/daily/2026-01-01.zip",
    ] {
        let r = app.get(&viewer, path).await;
        assert_eq!(r.status(), 403, "{path}");
    }
    let anonymous = app.browser();
    let r = app.get(&anonymous, "/exports/transactions.csv").await;
    assert!(
        r.status().is_redirection(),
        "anonymous users are sent to sign in"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_forty_day_rule_and_id_search_apply(pool: PgPool) {
    lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = signed_in(&app, "fin@lotus.example").await;
    let r = app
        .get(
            &client,
            "/exports/transactions.csv?from=2026-01-01&to=2026-02-10",
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("at most 40 days"));
    let r = app
        .get(&client, "/exports/transactions.csv?tz=Mars/Olympus")
        .await;
    assert_eq!(r.status(), 400);
    let text = app.get_text(&client, "/exports/transactions.csv?id_type=reference_transaction_id&id=ORDER-L-3&fields=transaction_id").await;
    assert_eq!(text, "\u{feff}Transaction ID\r\nL-3\r\n");
}

#[sqlx::test(migrations = "../migrations")]
async fn progress_is_reported_and_a_closed_download_stops_the_query(pool: PgPool) {
    many_rows(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = signed_in(&app, "fin@lotus.example").await;

    let done = app
        .get_text(
            &client,
            "/exports/transactions.csv?fields=transaction_id&job=small-1&id=L-1",
        )
        .await;
    assert!(done.contains("L-1"));
    // The instance records the end just after the body's last byte.
    let progress = progress_when(&app, &client, "small-1", |p| p["finished"] == true).await;
    assert_eq!(progress["done"], 1);
    assert_eq!(progress["total"], 1);

    let mut response = app
        .get(
            &client,
            "/exports/transactions.csv?fields=transaction_id,reason&job=big-1",
        )
        .await;
    let first = response.chunk().await.unwrap().unwrap();
    assert!(!first.is_empty());
    drop(response);
    drop(client);
    // The instance notices the closed connection and marks the job; then the export's
    // cursor goes away. Only this test's database counts: other tests run at once.
    assert_eq!(job_state(&pool, "big-1").await, "CANCELLED");
    assert_eq!(
        export_queries_when_gone(&pool).await,
        0,
        "the export query still runs after the download was closed"
    );
}

/// Sets up the 60,000 rows of [`progress_is_reported_and_a_closed_download_stops_the_query`].
async fn many_rows(pool: &PgPool) {
    let (lotus, base) = lotus(pool).await;
    // Enough rows that the export cannot fit in the channel and socket buffers.
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type, status,
             amount_minor, currency, payment_method_type, acquirer_code, reason, created_at)
         SELECT $1, 'BULK-' || g, '1', 'PAYMENT', 'SUCCESS', g, 'USD', 'GCASH', 'ANTOM',
                repeat('x', 200), $2 - g * interval '1 millisecond'
           FROM generate_series(1, 60000) g",
    )
    .bind(lotus)
    .bind(base)
    .execute(pool)
    .await
    .unwrap();
}

/// Polls `/exports/progress?job=` until `ready` holds (at most ten seconds).
async fn progress_when(
    app: &TestApp,
    client: &reqwest::Client,
    job: &str,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    for _ in 0..100 {
        let response = app
            .get(client, &format!("/exports/progress?job={job}"))
            .await;
        if response.status() == 200 {
            last = response.json().await.unwrap();
            if ready(&last) {
                return last;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the progress of {job} never got there: {last}");
}

/// The state of job `job` once it is no longer RUNNING (at most ten seconds).
async fn job_state(pool: &PgPool, job: &str) -> String {
    let mut state = String::new();
    for _ in 0..100 {
        state = sqlx::query_scalar("SELECT state FROM export_jobs WHERE job = $1")
            .bind(job)
            .fetch_one(pool)
            .await
            .unwrap();
        if state != "RUNNING" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    state
}

/// The export queries active in this test's database, waiting up to five seconds for
/// none.
async fn export_queries_when_gone(pool: &PgPool) -> i64 {
    let mut active = 1;
    for _ in 0..50 {
        active = sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database()
                AND query LIKE '%LEFT JOIN transactions o%' AND query NOT LIKE '%pg_stat_activity%'
                AND state = 'active'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if active == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    active
}

#[sqlx::test(migrations = "../migrations")]
async fn another_instance_reads_the_progress_and_cancels_the_export(pool: PgPool) {
    many_rows(&pool).await;
    // Two instances behind one load balancer: the same database, nothing else shared.
    let first = TestApp::spawn(pool.clone()).await;
    let second = TestApp::spawn(pool.clone()).await;
    // Cookies ignore the port: the session works on both, as through one address.
    let client = signed_in(&first, "fin@lotus.example").await;

    let mut download = first
        .get(
            &client,
            "/exports/transactions.csv?fields=transaction_id,reason&job=big-2",
        )
        .await;
    assert!(!download.chunk().await.unwrap().unwrap().is_empty());
    let running = progress_when(&second, &client, "big-2", |p| {
        p["done"].as_i64().unwrap_or(0) > 0 && p["total"] == 60_003
    })
    .await;
    assert_eq!(running["finished"], false, "{running}");
    assert_eq!(running["state"], "RUNNING");

    // Another user of the merchant neither reads nor cancels it.
    let boss = signed_in(&second, "boss@lotus.example").await;
    assert_eq!(
        second
            .get(&boss, "/exports/progress?job=big-2")
            .await
            .status(),
        404
    );
    let refused = boss
        .post(second.url("/exports/cancel?job=big-2"))
        .header("origin", &second.base)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);

    let cancelled = client
        .post(second.url("/exports/cancel?job=big-2"))
        .header("origin", &second.base)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 204);
    // The first instance stops: the download ends in an error, not as a short file
    // that looks complete, and its query goes away.
    let ended = loop {
        match download.chunk().await {
            Ok(Some(_)) => continue,
            Ok(None) => break Ok(()),
            Err(err) => break Err(err),
        }
    };
    assert!(
        ended.is_err(),
        "the cancelled download ended as a whole file"
    );
    let seen = progress_when(&first, &client, "big-2", |p| p["finished"] == true).await;
    assert_eq!(seen["state"], "CANCELLED");
    assert!(seen["done"].as_i64().unwrap() < 60_003, "{seen}");
    assert_eq!(
        export_queries_when_gone(&pool).await,
        0,
        "the export query still runs after the cancel"
    );
}
