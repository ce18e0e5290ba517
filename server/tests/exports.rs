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

/// Reasons are the merchant's text. A spreadsheet opening the .csv must show one that
/// looks like a formula, never run it: such text gets a leading `'`. The .xlsx holds it
/// as a text cell, exactly as given.
#[sqlx::test(migrations = "../migrations")]
async fn text_that_would_start_a_formula_is_exported_as_text(pool: PgPool) {
    let (lotus, _) = lotus(&pool).await;
    let at = Utc::now() - Duration::hours(2);
    let reasons = [
        "=HYPERLINK(\"http://evil.example\",\"Refund\")",
        "+55 11 5555-0000",
        "-10% goodwill",
        "@SUM(A1:A9)",
        "Devolução = 退款 🍵",
    ];
    for (i, reason) in reasons.iter().enumerate() {
        let id = format!("F-{i}");
        txn(
            &pool,
            lotus,
            &id,
            "REFUND",
            "SUCCESS",
            "USD",
            100,
            at,
            Some(reason),
        )
        .await;
    }
    let app = TestApp::spawn(pool.clone()).await;
    let client = signed_in(&app, "fin@lotus.example").await;
    let fields = "fields=transaction_id,reason&id_type=transaction_id";

    let csv = app
        .get(&client, &format!("/exports/transactions.csv?{fields}"))
        .await
        .bytes()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let written: std::collections::HashMap<String, String> = reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_owned(), r[1].to_owned()))
        .collect();
    let expected = [
        "'=HYPERLINK(\"http://evil.example\",\"Refund\")",
        "'+55 11 5555-0000",
        "'-10% goodwill",
        "'@SUM(A1:A9)",
        "Devolução = 退款 🍵",
    ];
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(written[&format!("F-{i}")], *want);
    }

    let xlsx = app
        .get(&client, &format!("/exports/transactions.xlsx?{fields}"))
        .await
        .bytes()
        .await
        .unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let sheet = book.worksheet_range("Transactions").unwrap();
    let formulas = book.worksheet_formula("Transactions").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas"
    );
    for row in sheet.rows().skip(1) {
        if let Data::String(id) = &row[0] {
            if let Some(i) = id.strip_prefix("F-") {
                let i: usize = i.parse().unwrap();
                assert_eq!(row[1], Data::String(reasons[i].to_owned()));
            }
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn files_are_headed_in_english_unless_the_user_asks_for_their_language(pool: PgPool) {
    lotus(&pool).await;
    sqlx::query("UPDATE users SET language = 'pt-BR' WHERE email = 'fin@lotus.example'")
        .execute(&pool)
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let client = signed_in(&app, "fin@lotus.example").await;
    let first_line = |body: String| body.lines().next().unwrap_or_default().to_owned();
    let path = "/exports/transactions.csv?fields=transaction_id,amount&tz=UTC";
    let english = app.get(&client, path).await;
    assert_eq!(english.status(), 200);
    assert_eq!(
        first_line(english.text().await.unwrap()),
        "\u{feff}Transaction ID,Amount,Amount (minor units),Currency"
    );
    let theirs = app.get(&client, &format!("{path}&headers=language")).await;
    assert_eq!(theirs.status(), 200);
    assert_eq!(
        first_line(theirs.text().await.unwrap()),
        "\u{feff}ID da transação,Valor,Valor (unidades menores),Moeda"
    );
    // The .xlsx follows the same choice.
    let xlsx = path.replace(".csv", ".xlsx");
    let sheet_header = |bytes: Vec<u8>| -> Vec<String> {
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("Transactions").unwrap();
        let first = sheet.rows().next().unwrap();
        first.iter().map(|c| c.to_string()).collect()
    };
    for (query, first) in [
        ("", "Transaction ID"),
        ("&headers=language", "ID da transação"),
    ] {
        let response = app.get(&client, &format!("{xlsx}{query}")).await;
        assert_eq!(response.status(), 200);
        let header = sheet_header(response.bytes().await.unwrap().to_vec());
        assert_eq!(header[0], first);
    }
    // Refusals are in the user's language too.
    let bad = app.get(&client, &format!("{path}&headers=fr")).await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.text().await.unwrap(),
        "Escolha os cabeçalhos das colunas da lista."
    );
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
    // Enough bytes (210 MB) that the export cannot fit in the buffers between
    // PostgreSQL and the client: on loopback Linux lets each reader's socket buffer
    // grow to 32 MB (the server's from PostgreSQL and the client's from the server),
    // and each writer's to 4 MB, besides the channel; with 60 MB the COPY could finish
    // before the cancel reached it.
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type, status,
             amount_minor, currency, payment_method_type, acquirer_code, reason, created_at)
         SELECT $1, 'BULK-' || g, '1', 'PAYMENT', 'SUCCESS', g, 'USD', 'GCASH', 'ANTOM',
                repeat('x', 3500), $2 - g * interval '1 millisecond'
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
    // The first instance learns of the cancel at its next progress report and stops:
    // its query goes away while the client is not reading (a reader draining the
    // download at full speed could otherwise take the whole file before that report).
    assert_eq!(
        export_queries_when_gone(&pool).await,
        0,
        "the export query still runs after the cancel"
    );
    // The download ends in an error, not as a short file that looks complete.
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
}

/// A transaction with every field chosen, for the byte-for-byte comparison below.
struct Odd {
    id: &'static str,
    reference: Option<&'static str>,
    kind: &'static str,
    status: &'static str,
    currency: &'static str,
    amount: i64,
    settlement: (Option<i64>, Option<&'static str>, Option<&'static str>),
    reason: Option<&'static str>,
    created: DateTime<Utc>,
    finished: Option<DateTime<Utc>>,
}

async fn insert_odd(pool: &PgPool, merchant: Uuid, o: &Odd) {
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, reference_transaction_id,
             transaction_request_id, serial_no, transaction_type, status, amount_minor, currency,
             settlement_amount_minor, settlement_currency, settlement_quote, payment_method_type,
             acquirer_code, reason, created_at, finished_at)
         VALUES ($1, $2, $3, $4, '7', $5, $6, $7, $8, $9, $10, $11::numeric, 'GCASH', 'ANTOM',
                 $12, $13, $14)",
    )
    .bind(merchant)
    .bind(o.id)
    .bind(o.reference)
    .bind(o.reference.map(|r| format!("{r} ✓")))
    .bind(o.kind)
    .bind(o.status)
    .bind(o.amount)
    .bind(o.currency)
    .bind(o.settlement.0)
    .bind(o.settlement.1)
    .bind(o.settlement.2)
    .bind(o.reason)
    .bind(o.created)
    .bind(o.finished)
    .execute(pool)
    .await
    .unwrap();
}

/// The CSV the reports' writer makes of the rows an export of `query` holds: the
/// reference the `COPY` export must equal byte for byte.
async fn reference_csv(pool: &PgPool, merchant: Uuid, query: &str) -> Vec<u8> {
    use app::reports::export::{export_query, layout, parse_fields, CsvSink};
    use app::reports::store::RowCursor;
    use app::transactions::filter::{self, QueryParams};
    let url = reqwest::Url::parse(&format!("http://paydesk.test/?{query}")).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let zone: Tz = get("tz").unwrap_or("Asia/Shanghai".into()).parse().unwrap();
    let today = Utc::now().with_timezone(&zone).date_naive();
    let filter = filter::parse(&QueryParams::from_lookup(|k| get(k)), today).unwrap();
    let fields = parse_fields(get("fields").as_deref()).unwrap();
    let mut sink = CsvSink::new(layout(&fields), zone).unwrap();
    let mut cursor = RowCursor::open(pool, export_query(merchant, &filter, zone, false))
        .await
        .unwrap();
    while let Some(batch) = cursor.next_batch().await.unwrap() {
        for row in &batch {
            sink.write(row).unwrap();
        }
    }
    sink.take().unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_copy_export_is_byte_for_byte_the_csv_writers_file(pool: PgPool) {
    let (lotus, base) = lotus(&pool).await;
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let odd = [
        Odd {
            id: "Q-1",
            reference: Some("ref,\"quoted\"'\\"),
            kind: "PAYMENT",
            status: "SUCCESS",
            currency: "KWD",
            amount: 1_234,
            settlement: (Some(4_000), Some("USD"), Some("3.2412345678")),
            reason: Some("Devolução 🍵 茶\r\nline two, \\. \\N 'single'"),
            created: base + Duration::seconds(7),
            finished: Some(base + Duration::milliseconds(7_999)),
        },
        Odd {
            id: "Q-2",
            reference: None,
            kind: "PAYMENT",
            status: "SUCCESS",
            currency: "CLF",
            amount: 9_000_000_000_000_000_000,
            settlement: (Some(5), None, Some("1.0000000000")),
            reason: Some(""),
            created: base + Duration::seconds(8),
            finished: None,
        },
        Odd {
            id: "Q-3",
            reference: Some("  spaced  "),
            kind: "REFUND",
            status: "SUCCESS",
            currency: "XAU",
            amount: 0,
            settlement: (None, Some("JPY"), None),
            reason: Some("\\."),
            created: base + Duration::seconds(9),
            finished: Some(base + Duration::seconds(9)),
        },
        // Found by ID whatever the dates: Brazil's last daylight-saving change, a leap
        // day's last second in Kathmandu, and the first second of a year.
        Odd {
            id: "Q-4",
            reference: Some("=1+2"),
            kind: "PAYMENT",
            status: "SUCCESS",
            currency: "BRL",
            amount: 105,
            settlement: (Some(105), Some("BRL"), Some("0.0000000001")),
            reason: None,
            created: at("2019-02-17T01:59:59.999999Z"),
            finished: Some(at("2019-02-17T02:00:00Z")),
        },
        Odd {
            id: "Q-5",
            reference: None,
            kind: "PAYMENT",
            status: "SUCCESS",
            currency: "USD",
            amount: 1,
            settlement: (None, None, None),
            reason: Some("\""),
            created: at("2024-02-29T18:14:59Z"),
            finished: Some(at("2023-12-31T16:00:00Z")),
        },
    ];
    for o in &odd {
        insert_odd(&pool, lotus, o).await;
    }
    let app = TestApp::spawn(pool.clone()).await;
    let client = signed_in(&app, "fin@lotus.example").await;
    let all: Vec<&str> = app::transactions::columns::Column::ALL
        .iter()
        .map(|c| c.key())
        .collect();
    let all = all.join(",");
    let cases = [
        format!("fields={all}"),
        format!("fields={all}&tz=America/Sao_Paulo"),
        format!("fields={all}&tz=Asia/Kathmandu&status=ANY"),
        "fields=reason".to_owned(),
        "fields=reason&status=ANY".to_owned(),
        format!("fields={all}&tz=America/Sao_Paulo&id_type=transaction_id&id=Q-4"),
        format!("fields={all}&tz=Asia/Kathmandu&id_type=transaction_id&id=Q-5"),
        "fields=created_at,finished_at&tz=America/St_Johns&id_type=transaction_id&id=Q-5"
            .to_owned(),
        format!("fields={all}&currency=KWD&min=1.234&max=1.234"),
        // Quotes and backslashes in filter values are values, not SQL.
        format!("fields={all}&id_type=reference_transaction_id&id=ref%2C%22quoted%22%27%5C"),
        format!("fields={all}&id_type=transaction_id&id=Q-1%27%3BSELECT(1)%3B--%5C"),
        // Defaults: the export fields ticked before the user chooses.
        String::new(),
    ];
    let mut rows_seen = 0;
    for query in &cases {
        let response = app
            .get(&client, &format!("/exports/transactions.csv?{query}"))
            .await;
        assert_eq!(response.status(), 200, "{query}");
        let served = response.bytes().await.unwrap();
        let reference = reference_csv(&pool, lotus, query).await;
        assert_eq!(
            String::from_utf8_lossy(&served),
            String::from_utf8_lossy(&reference),
            "{query}"
        );
        assert_eq!(served.as_ref(), &reference[..], "{query}");
        rows_seen += reference.split(|b| *b == b'\n').count();
    }
    // Not a comparison of two empty files: the cases above hold rows.
    assert!(rows_seen > 40, "{rows_seen}");
}
