//! The overview page as a user gets it: its figures equal the raw rows and the query
//! a breakdown links to, each chart's data file holds the plotted numbers, and bad
//! periods or currencies get a message and read nothing (docs/RULES.md, "Analytics").

#[allow(dead_code)]
mod support;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};
use sqlx::PgPool;
use support::{merchant_with_user, TestApp, PASSWORD};
use uuid::Uuid;

const ZONE: Tz = chrono_tz::Asia::Shanghai;

/// `days` before the merchant's today, at `time` local.
fn local(days: u64, time: &str) -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    let day: NaiveDate = today - Days::new(days);
    let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
    ZONE.from_local_datetime(&day.and_time(time))
        .unwrap()
        .with_timezone(&Utc)
}

/// A transaction of `merchant`; a refund belongs to the payment `original`.
#[allow(clippy::too_many_arguments)]
async fn transaction(
    pool: &PgPool,
    merchant: Uuid,
    id: &str,
    kind: &str,
    status: &str,
    amount: i64,
    currency: &str,
    at: DateTime<Utc>,
    original: Option<&str>,
    reason: Option<&str>,
) {
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, payment_method_type, acquirer_code, original_id,
             reason, created_at, finished_at)
         VALUES ($1, $2, '1', $3, $4, $5, $6, 'GCASH', 'ANTOM',
                 (SELECT id FROM transactions WHERE transaction_id = $7), $8, $9, $9)",
    )
    .bind(merchant)
    .bind(id)
    .bind(kind)
    .bind(status)
    .bind(amount)
    .bind(currency)
    .bind(original)
    .bind(reason)
    .bind(at)
    .execute(pool)
    .await
    .unwrap();
}

async fn overview(app: &TestApp, client: &reqwest::Client, args: &[(&str, &str)]) -> Value {
    let response = app.call_with(client, "load_overview", args).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn chart<'a>(view: &'a Value, id: &str) -> &'a Value {
    ["over_time", "breakdowns", "refunds"]
        .iter()
        .flat_map(|group| view[group].as_array().unwrap())
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no chart {id} in {view}"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Payments and a refund over the last two weeks: the last 7 days' figures equal the
/// rows (the failed payment an attempt, the other currency and the other merchant
/// left out, the previous 7 days beside them), a bar's link opens a query with as
/// many transactions as the bar counts, and the data file sums to the chart.
#[sqlx::test(migrations = "../migrations")]
async fn the_overview_shows_what_the_rows_and_the_query_say(pool: PgPool) {
    support::antom_and_method(&pool, "GCASH", "GCash", 365, "SYNC").await;
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "ana@lotus.example", "viewer").await;
    let other = merchant_with_user(&pool, "Sakura", "ken@sakura.example", "admin").await;
    let t = |days, time| local(days, time);
    for (id, status, amount, currency, at) in [
        ("P-1", "SUCCESS", 1_000, "USD", t(2, "10:00")),
        ("P-2", "FAIL", 500, "USD", t(2, "11:00")),
        ("P-3", "SUCCESS", 2_000, "USD", t(1, "00:00")),
        ("P-4", "SUCCESS", 700, "JPY", t(1, "12:00")),
        ("P-OLD", "SUCCESS", 300, "USD", t(10, "09:00")),
    ] {
        transaction(
            &pool, lotus, id, "PAYMENT", status, amount, currency, at, None, None,
        )
        .await;
    }
    transaction(
        &pool,
        lotus,
        "R-1",
        "REFUND",
        "SUCCESS",
        250,
        "USD",
        t(1, "23:59"),
        Some("P-1"),
        Some("顾客退货 📦"),
    )
    .await;
    transaction(
        &pool,
        other,
        "X-1",
        "PAYMENT",
        "SUCCESS",
        99_999,
        "USD",
        t(1, "10:00"),
        None,
        None,
    )
    .await;

    let app = TestApp::spawn(pool.clone()).await;
    let client = app.browser();
    app.sign_in(&client, "ana@lotus.example", PASSWORD).await;
    let view = overview(&app, &client, &[("range", "7d"), ("currency", "USD")]).await;
    assert_eq!(view["range_error"], Value::Null);
    assert_eq!(strings(&view["currencies"]), ["USD", "JPY"]);
    let values: Vec<String> = view["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_str().unwrap().to_owned())
        .collect();
    // Paid, payments, success (2 of 3 attempts), refunded, refund rate (2.50 of 30.00).
    assert_eq!(values, ["30.00 USD", "2", "66.67%", "2.50 USD", "8.33%"]);
    assert_eq!(view["tiles"][0]["previous"], "Previous period: 3.00 USD");

    // The same sums straight from the rows.
    let (from, to) = (
        view["from"].as_str().unwrap().to_owned(),
        view["to"].as_str().unwrap().to_owned(),
    );
    let raw: i64 = sqlx::query_scalar(
        "SELECT sum(amount_minor)::bigint FROM transactions t JOIN merchants m ON m.id = t.merchant_id
          WHERE t.merchant_id = $1 AND t.transaction_type = 'PAYMENT' AND t.status = 'SUCCESS' AND t.currency = 'USD'
            AND (t.created_at AT TIME ZONE m.time_zone)::date BETWEEN $2::date AND $3::date",
    )
    .bind(lotus)
    .bind(&from)
    .bind(&to)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(raw, 3_000);

    // By method: one bar, linked to the query of its transactions.
    let by_method = chart(&view, "by-method");
    assert_eq!(by_method["rows"], json!([["GCash", "2", "30.00 USD"]]));
    let svg = by_method["svg"].as_str().unwrap();
    let href = svg
        .split("href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no link in {svg}"))
        .replace("&amp;", "&");
    assert!(href.starts_with("/transactions?"), "{href}");
    let params: serde_json::Map<String, Value> = href
        .trim_start_matches("/transactions?")
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (k.to_owned(), Value::String(v.to_owned()))
        })
        .collect();
    let found: Value = app
        .call_json(&client, "search_transactions", json!({ "params": params }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["page"]["matching"], 2, "{href}: {found}");

    // The merchant's reason, as written.
    assert_eq!(
        chart(&view, "refund-reasons")["rows"],
        json!([["顾客退货 📦", "1", "2.50 USD"]])
    );

    // The data file of the payment volume: one row a day, summing to the chart.
    let file = client
        .get(app.url(chart(&view, "paid-volume")["download"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert!(file.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let body = file.text().await.unwrap();
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some("slot,amount_minor,previous_slot,previous_amount_minor")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0][0], from);
    let sum = |col: usize| {
        rows.iter()
            .map(|r| r[col].parse::<i64>().unwrap())
            .sum::<i64>()
    };
    assert_eq!((sum(1), sum(3)), (3_000, 300));

    // In yen, nothing of the dollars, and no minor units.
    let yen = overview(&app, &client, &[("range", "7d"), ("currency", "JPY")]).await;
    assert_eq!(yen["tiles"][0]["value"], "700 JPY");
    assert_eq!(yen["tiles"][3]["value"], "0 JPY");
}

/// The overview and the reports calendar read the same daily totals: for last month,
/// each day's paid volume on the overview is the calendar's volume of that day, and the
/// successful transactions of the overview's types add up to the calendar's counts.
#[sqlx::test(migrations = "../migrations")]
async fn the_overview_and_the_reports_calendar_agree_day_by_day(pool: PgPool) {
    use chrono::Datelike;
    support::antom_and_method(&pool, "GCASH", "GCash", 365, "SYNC").await;
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "ana@lotus.example", "admin").await;
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    let first = (today.with_day(1).unwrap() - Days::new(1))
        .with_day(1)
        .unwrap();
    let at = |day: u64, time: &str| {
        let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
        let local = (first + Days::new(day)).and_time(time);
        ZONE.from_local_datetime(&local)
            .unwrap()
            .with_timezone(&Utc)
    };
    for (id, kind, status, amount, when, original) in [
        ("A-1", "PAYMENT", "SUCCESS", 1_999, at(0, "00:00"), None),
        ("A-2", "PAYMENT", "SUCCESS", 5_001, at(0, "23:59"), None),
        ("A-3", "PAYMENT", "FAIL", 7_000, at(0, "12:00"), None),
        ("A-4", "PAYMENT", "SUCCESS", 120_000, at(1, "00:01"), None),
        ("A-5", "REFUND", "SUCCESS", 999, at(1, "08:00"), Some("A-1")),
        ("A-6", "PAYMENT", "SUCCESS", 1, at(27, "23:59"), None),
    ] {
        transaction(
            &pool, lotus, id, kind, status, amount, "USD", when, original, None,
        )
        .await;
    }
    sqlx::query("UPDATE transactions SET settlement_amount_minor = amount_minor, settlement_currency = currency")
        .execute(&pool)
        .await
        .unwrap();

    let app = TestApp::spawn(pool.clone()).await;
    let client = app.browser();
    app.sign_in(&client, "ana@lotus.example", PASSWORD).await;
    let view = overview(
        &app,
        &client,
        &[("range", "last_month"), ("currency", "USD")],
    )
    .await;
    assert_eq!(view["from"], first.to_string());
    let download = chart(&view, "paid-volume")["download"].as_str().unwrap();
    let paid = app.get_text(&client, download).await;
    let calendar: Value = app
        .call_with(
            &client,
            "report_calendar",
            &[
                ("year", first.year().to_string().as_str()),
                ("month", first.month().to_string().as_str()),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let cells = calendar["cells"].as_array().unwrap();
    let mut days = 0;
    for line in paid.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let minor: i64 = fields[1].parse().unwrap();
        let cell = cells.iter().find(|c| c["key"] == fields[0]).unwrap();
        let volume = app::locale::Language::En.money(minor, "USD");
        assert_eq!(cell["volume"], volume.as_str(), "{}", fields[0]);
        days += 1;
    }
    assert_eq!(days, cells.len(), "one figure for each day of the month");
    let counted: i64 = cells.iter().map(|c| c["count"].as_i64().unwrap()).sum();
    let by_type: i64 = chart(&view, "by-type")["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_str().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!((counted, by_type), (5, 5));
}

/// Every bad period or currency is answered with a message, on the page and for a data
/// file, and no figure is shown.
#[sqlx::test(migrations = "../migrations")]
async fn bad_periods_and_currencies_get_a_message_and_no_figures(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ana@lotus.example", "viewer").await;
    let app = TestApp::spawn(pool).await;
    let client = app.browser();
    app.sign_in(&client, "ana@lotus.example", PASSWORD).await;
    for (args, message) in [
        (vec![("range", "forever")], "Choose a period from the list."),
        (
            vec![("from", "2020-02-30"), ("to", "2020-03-01")],
            "Enter a date as YYYY-MM-DD.",
        ),
        (
            vec![("from", "2020-03-02"), ("to", "2020-03-01")],
            "The start date is after the end date.",
        ),
        (
            vec![("from", "2019-01-01"), ("to", "2020-03-01")],
            "A period can be at most 13 months long.",
        ),
        (
            vec![("from", "1999-12-31"), ("to", "2000-01-02")],
            "Choose dates from 2000-01-01 up to today.",
        ),
        (
            vec![("from", "2020-01-01\0"), ("to", "2020-01-02")],
            "Enter a date as YYYY-MM-DD.",
        ),
        (
            vec![("range", "7d"), ("currency", "US")],
            "Choose a currency from the list (ISO 4217 code).",
        ),
        (
            vec![("range", "7d"), ("currency", "<b>€</b>")],
            "Choose a currency from the list (ISO 4217 code).",
        ),
    ] {
        let view = overview(&app, &client, &args).await;
        assert_eq!(view["range_error"], message, "{args:?}");
        assert_eq!(view["tiles"], json!([]), "{args:?}");
        let query: Vec<String> = args
            .iter()
            .map(|(k, v)| format!("{k}={}", app::url::encode_component(v)))
            .collect();
        let file = client
            .get(app.url(&format!("/overview/paid-volume.csv?{}", query.join("&"))))
            .send()
            .await
            .unwrap();
        assert_eq!(file.status(), 400, "{args:?}");
        assert_eq!(file.text().await.unwrap(), message);
    }
    let unknown = client
        .get(app.url("/overview/..%2F..%2Fetc%2Fpasswd"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    // Signed out, a data file sends the browser to sign in.
    let signed_out = app
        .browser()
        .get(app.url("/overview/paid-volume.csv?range=7d&currency=USD"))
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_redirection());
    assert!(signed_out.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}
