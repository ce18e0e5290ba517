//! The transaction reports calendar: availability by the merchant's own "today" (east
//! and west of UTC), the zip's two files against the database, immutability and the
//! checksum, the calendar's data, and the scheduled job making each report once.

#[allow(dead_code)]
mod support;

use app::reports::calendar::monthly_available;
use app::transactions::query::start_of_day;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use std::io::Read;
use support::{add_user, TestApp, PASSWORD};
use uuid::Uuid;

async fn reference(pool: &PgPool) {
    support::antom_and_method(pool, "GCASH", "GCash", 365, "SYNC").await;
}

async fn merchant(pool: &PgPool, name: &str, zone: &str, email: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO merchants (id, name, time_zone, settlement_currency) VALUES ($1, $2, $3, 'USD')")
        .bind(id)
        .bind(name)
        .bind(zone)
        .execute(pool)
        .await
        .unwrap();
    add_user(pool, id, email, "finance").await;
    id
}

async fn payment(pool: &PgPool, merchant: Uuid, id: &str, at: DateTime<Utc>) {
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type, status,
             amount_minor, currency, settlement_amount_minor, settlement_currency,
             payment_method_type, acquirer_code, created_at, finished_at)
         VALUES ($1, $2, '1', 'PAYMENT', 'SUCCESS', 1999, 'USD', 1999, 'USD', 'GCASH', 'ANTOM', $3, $3)",
    )
    .bind(merchant)
    .bind(id)
    .bind(at)
    .execute(pool)
    .await
    .unwrap();
}

fn today_in(zone: &str) -> NaiveDate {
    let tz: Tz = zone.parse().unwrap();
    Utc::now().with_timezone(&tz).date_naive()
}

/// The zip's entries: name and bytes.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().unwrap().to_string(), out)
        })
        .collect()
}

fn csv_ids(bytes: &[u8]) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let id = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "Transaction ID")
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[id].to_owned())
        .collect()
}

fn xlsx_ids(bytes: &[u8]) -> Vec<String> {
    use calamine::{open_workbook_from_rs, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range.rows().skip(1).map(|r| r[0].to_string()).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn daily_reports_follow_the_merchants_day_east_and_west_of_utc(pool: PgPool) {
    reference(&pool).await;
    for (name, zone, email) in [
        ("Sakura Electronics", "Asia/Tokyo", "fin@sakura.example"),
        ("Harbour Books", "America/Sao_Paulo", "fin@harbour.example"),
    ] {
        let m = merchant(&pool, name, zone, email).await;
        let tz: Tz = zone.parse().unwrap();
        let today = today_in(zone);
        let day = today - Duration::days(2);
        let start = start_of_day(day, tz);
        let end = start_of_day(day + Duration::days(1), tz);
        // Just inside both ends of the local day, and just outside them.
        payment(&pool, m, &format!("{zone}-first"), start).await;
        payment(
            &pool,
            m,
            &format!("{zone}-last"),
            end - Duration::seconds(1),
        )
        .await;
        payment(
            &pool,
            m,
            &format!("{zone}-before"),
            start - Duration::seconds(1),
        )
        .await;
        payment(&pool, m, &format!("{zone}-after"), end).await;

        let app = TestApp::spawn(pool.clone()).await;
        let client = app.browser();
        app.sign_in(&client, email, PASSWORD).await;
        let response = app.get(&client, &format!("/reports/daily/{day}.zip")).await;
        assert_eq!(response.status(), 200, "{zone}");
        assert_eq!(response.headers()["content-type"], "application/zip");
        let checksum = response.headers()["x-checksum-sha256"]
            .to_str()
            .unwrap()
            .to_owned();
        let bytes = response.bytes().await.unwrap();
        let digest = app::reports::store::sha256_hex(&bytes);
        assert_eq!(checksum, digest);

        let files = unzip(&bytes);
        let slug = zone.replace('/', "-");
        let stem = format!("{}_daily_{day}_{slug}", app::reports::calendar::slug(name));
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, [format!("{stem}.csv"), format!("{stem}.xlsx")]);
        let expected = [format!("{zone}-first"), format!("{zone}-last")];
        assert_eq!(
            csv_ids(&files[0].1),
            expected,
            "{zone}: the csv holds the local day"
        );
        assert_eq!(
            xlsx_ids(&files[1].1),
            expected,
            "{zone}: the xlsx holds the same rows"
        );

        // Today and later are not offered, whatever UTC's date is.
        for not_yet in [today, today + Duration::days(1)] {
            let r = app
                .get(&client, &format!("/reports/daily/{not_yet}.zip"))
                .await;
            assert_eq!(r.status(), 404, "{zone} {not_yet}");
        }

        // A new transaction of that day later on does not change the stored report.
        payment(
            &pool,
            m,
            &format!("{zone}-late"),
            start + Duration::hours(1),
        )
        .await;
        let again = app
            .get(&client, &format!("/reports/daily/{day}.zip"))
            .await
            .bytes()
            .await
            .unwrap();
        assert_eq!(again, bytes, "a report never changes once made");
    }
    let update = sqlx::query("UPDATE reports SET sha256 = repeat('0', 64)")
        .execute(&pool)
        .await;
    assert!(update.is_err(), "the table refuses changes");
}

/// Days before the merchant's first day, and days at the edges of the calendar, have no
/// report: asking for one answers 404 and stores nothing.
#[sqlx::test(migrations = "../migrations")]
async fn reports_exist_only_from_the_merchants_first_day(pool: PgPool) {
    reference(&pool).await;
    let zone = "Asia/Tokyo";
    let m = merchant(&pool, "Sakura Electronics", zone, "fin@sakura.example").await;
    let tz: Tz = zone.parse().unwrap();
    let first = today_in(zone) - Duration::days(30);
    sqlx::query("UPDATE merchants SET created_at = $2 WHERE id = $1")
        .bind(m)
        .bind(start_of_day(first, tz) + Duration::hours(9))
        .execute(&pool)
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.browser();
    app.sign_in(&client, "fin@sakura.example", PASSWORD).await;
    let before = first - Duration::days(1);
    let month_before = first - Months::new(1);
    for path in [
        "/reports/daily/0000-01-01.zip".to_owned(),
        "/reports/daily/-262143-01-01.zip".to_owned(),
        "/reports/daily/+262142-12-31.zip".to_owned(),
        "/reports/daily/1970-01-01.zip".to_owned(),
        format!("/reports/daily/{before}.zip"),
        format!(
            "/reports/monthly/{:04}-{:02}.zip",
            month_before.year(),
            month_before.month()
        ),
        "/reports/monthly/0000-01.zip".to_owned(),
    ] {
        let r = app.get(&client, &path).await;
        assert_eq!(r.status(), 404, "{path}");
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM reports")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "refused periods store nothing");
    // The first day itself has its (empty) report.
    let r = app
        .get(&client, &format!("/reports/daily/{first}.zip"))
        .await;
    assert_eq!(r.status(), 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn monthly_reports_wait_for_the_second_of_the_next_month(pool: PgPool) {
    reference(&pool).await;
    let zone = "America/Los_Angeles";
    let m = merchant(&pool, "Fjord Outdoor", zone, "fin@fjord.example").await;
    let tz: Tz = zone.parse().unwrap();
    let today = today_in(zone);
    let two_back = (today - Months::new(2)).with_day(1).unwrap();
    payment(
        &pool,
        m,
        "FJORD-1",
        start_of_day(two_back, tz) + Duration::hours(5),
    )
    .await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.browser();
    app.sign_in(&client, "fin@fjord.example", PASSWORD).await;

    let key = |d: NaiveDate| format!("{:04}-{:02}", d.year(), d.month());
    let r = app
        .get(&client, &format!("/reports/monthly/{}.zip", key(two_back)))
        .await;
    assert_eq!(r.status(), 200);
    let files = unzip(&r.bytes().await.unwrap());
    assert_eq!(files.len(), 2);
    assert!(files[0].0.ends_with(".csv") && files[1].0.ends_with(".xlsx"));
    assert_eq!(csv_ids(&files[0].1), ["FJORD-1"]);
    assert_eq!(xlsx_ids(&files[1].1), ["FJORD-1"]);

    let this_month = app
        .get(&client, &format!("/reports/monthly/{}.zip", key(today)))
        .await;
    assert_eq!(this_month.status(), 404, "the current month is not offered");
    let last = today - Months::new(1);
    let last_month = app
        .get(&client, &format!("/reports/monthly/{}.zip", key(last)))
        .await;
    let expected = if monthly_available(last.year(), last.month(), today) {
        200
    } else {
        404
    };
    assert_eq!(
        last_month.status(),
        expected,
        "last month from the 2nd only (today is {today})"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_calendar_shows_counts_and_offers_only_closed_days(pool: PgPool) {
    reference(&pool).await;
    let zone = "Asia/Shanghai";
    let m = merchant(&pool, "Lotus Tea House", zone, "fin@lotus.example").await;
    add_user(&pool, m, "view@lotus.example", "viewer").await;
    let tz: Tz = zone.parse().unwrap();
    let today = today_in(zone);
    let first = today.with_day(1).unwrap();
    payment(
        &pool,
        m,
        "L-1",
        start_of_day(first, tz) + Duration::hours(2),
    )
    .await;
    payment(
        &pool,
        m,
        "L-2",
        start_of_day(first, tz) + Duration::hours(3),
    )
    .await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.browser();
    app.sign_in(&client, "fin@lotus.example", PASSWORD).await;
    let year = today.year().to_string();
    let month = today.month().to_string();
    let r = app
        .call_with(
            &client,
            "report_calendar",
            &[("year", &year), ("month", &month)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let c: serde_json::Value = r.json().await.unwrap();
    let cells = c["cells"].as_array().unwrap();
    let cell = |d: NaiveDate| {
        cells
            .iter()
            .find(|x| x["key"] == d.to_string())
            .unwrap()
            .clone()
    };
    assert_eq!(cell(first)["count"], 2);
    assert_eq!(cell(first)["level"], 4);
    assert_eq!(cell(first)["volume"], "39.98 USD");
    assert!(cell(today)["download"].is_null(), "today is not offered");
    if today.day() > 1 {
        assert_eq!(
            cell(first)["download"],
            format!("/reports/daily/{first}.zip")
        );
        assert!(cell(first)["checksum"].is_null());
        app.get(&client, &format!("/reports/daily/{first}.zip"))
            .await;
        let c: serde_json::Value = app
            .call_with(
                &client,
                "report_calendar",
                &[("year", &year), ("month", &month)],
            )
            .await
            .json()
            .await
            .unwrap();
        let made = c["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["key"] == first.to_string())
            .unwrap()
            .clone();
        assert_eq!(
            made["checksum"].as_str().unwrap().len(),
            64,
            "the checksum shows once made"
        );
    }

    let viewer = app.browser();
    app.sign_in(&viewer, "view@lotus.example", PASSWORD).await;
    let r = app
        .call_with(&viewer, "report_calendar", &[("year", &year)])
        .await;
    assert_eq!(r.status(), 403);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_job_makes_each_report_once_across_instances(pool: PgPool) {
    reference(&pool).await;
    let a = merchant(
        &pool,
        "Sakura Electronics",
        "Asia/Tokyo",
        "fin@sakura.example",
    )
    .await;
    let b = merchant(
        &pool,
        "Harbour Books",
        "America/Sao_Paulo",
        "fin@harbour.example",
    )
    .await;
    let yesterday = Utc::now() - Duration::days(1);
    payment(&pool, a, "S-1", yesterday).await;
    payment(&pool, b, "H-1", yesterday).await;
    // Both signed up long enough ago for every period the job looks at; a merchant
    // that signed up today has no closed day yet, so the job makes nothing for it.
    sqlx::query("UPDATE merchants SET created_at = now() - interval '60 days'")
        .execute(&pool)
        .await
        .unwrap();
    merchant(
        &pool,
        "Fjord Outdoor",
        "America/Los_Angeles",
        "fin@fjord.example",
    )
    .await;
    let now = Utc::now();
    // Two instances' jobs at once.
    let (x, y) = tokio::join!(
        server::reports_job::run_once(&pool, now, 3),
        server::reports_job::run_once(&pool, now, 3)
    );
    let made = x.unwrap() + y.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM reports")
        .fetch_one(&pool)
        .await
        .unwrap();
    let duplicates: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT merchant_id, kind, period_start FROM reports
          GROUP BY 1, 2, 3 HAVING count(*) > 1) d",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(duplicates, 0);
    assert_eq!(
        made as i64, stored,
        "each report counted as made by exactly one run"
    );
    let mut expected = 0;
    for zone in ["Asia/Tokyo", "America/Sao_Paulo"] {
        let today = today_in(zone);
        let last = today - Months::new(1);
        expected += 3 + i64::from(monthly_available(last.year(), last.month(), today));
    }
    assert_eq!(
        stored, expected,
        "three closed days and last month (from the 2nd) per merchant"
    );
    let again = server::reports_job::run_once(&pool, now, 3).await.unwrap();
    assert_eq!(again, 0, "nothing is made twice");
}
