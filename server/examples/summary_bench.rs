//! Overview and reports calendar benchmark: each page's server function, timed through
//! the real HTTP stack (it reads the daily totals), next to the raw aggregate over the
//! transactions that gives the same figures (what the pages computed before the
//! totals), both measured in this run against the same data. The figures of both are
//! compared too.
//!
//! Run by `bench/summaries.sh`, which seeds the database first.

mod bench_support;

use bench_support::{ms, percentiles, runs, start_signed_in, time, Start};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use sqlx::PgPool;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The raw count of the overview's 30 days: successful payments and refunds per
/// currency, from `$2` (the start of the merchant's day 29 days ago).
const RAW_OVERVIEW: &str = "SELECT currency::text,
        count(*) FILTER (WHERE transaction_type = 'PAYMENT'),
        count(*) FILTER (WHERE transaction_type = 'REFUND')
   FROM transactions
  WHERE merchant_id = $1 AND status = 'SUCCESS' AND created_at >= $2
    AND transaction_type IN ('PAYMENT', 'REFUND')
  GROUP BY 1 ORDER BY 1";

/// The raw count of the calendar: successful transactions per local day or month
/// (`$5`) between two instants.
const RAW_CALENDAR: &str = "SELECT to_char(date_trunc($5, created_at AT TIME ZONE $2),
               CASE $5 WHEN 'day' THEN 'YYYY-MM-DD' ELSE 'YYYY-MM' END),
        count(*)
   FROM transactions
  WHERE merchant_id = $1 AND status = 'SUCCESS' AND created_at >= $3 AND created_at < $4
  GROUP BY 1";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Start {
        pool,
        merchant,
        tz,
        base,
        client,
    } = start_signed_in().await?;
    let (runs, raw_runs) = (runs("RUNS", 2_000), runs("RAW_RUNS", 200));
    let today = Utc::now().with_timezone(&tz).date_naive();
    let month = today.with_day(1).expect("a first of the month");
    let year = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("a first of January");

    println!("samples: {runs} per server function, {raw_runs} per raw aggregate");
    println!("| page | server fn p50 | server fn p99 | raw aggregate p50 | raw aggregate p99 | same figures |");
    println!("|---|---:|---:|---:|---:|---|");
    let cases: [(&str, Vec<(&str, String)>); 3] = [
        ("overview, last 30 days", vec![]),
        (
            "calendar, this month by day",
            vec![
                ("year", today.year().to_string()),
                ("month", today.month().to_string()),
            ],
        ),
        (
            "calendar, this year by month",
            vec![("view", "year".into()), ("year", today.year().to_string())],
        ),
    ];
    for (i, (name, args)) in cases.iter().enumerate() {
        let endpoint = if i == 0 {
            "load_overview"
        } else {
            "report_calendar"
        };
        let call = || async {
            let response = client
                .post(format!("{base}/api/{endpoint}"))
                .header("origin", &base)
                .header("accept", "application/json")
                .form(args)
                .send()
                .await
                .expect("request");
            assert!(response.status().is_success(), "{}", response.status());
            response.json::<Value>().await.expect("JSON")
        };
        let shown = call().await;
        let server = time(runs, || async {
            call().await;
        })
        .await;
        let (counted, raw) = match i {
            0 => {
                let since = start(today - Days::new(29), tz);
                let raw = time(raw_runs, || async {
                    overview_counts(&pool, merchant, since).await;
                })
                .await;
                (overview_counts(&pool, merchant, since).await, raw)
            }
            _ => {
                let (from, period) = if i == 1 {
                    (month, "day")
                } else {
                    (year, "month")
                };
                let to = from
                    .checked_add_months(Months::new(if i == 1 { 1 } else { 12 }))
                    .expect("a later month");
                let (from, to) = (start(from, tz), start(to, tz));
                let raw = time(raw_runs, || async {
                    calendar_counts(&pool, merchant, tz.name(), from, to, period).await;
                })
                .await;
                (
                    calendar_counts(&pool, merchant, tz.name(), from, to, period).await,
                    raw,
                )
            }
        };
        let same = shown_counts(&shown) == counted;
        let (s50, s99) = percentiles(server);
        let (r50, r99) = percentiles(raw);
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            ms(s50),
            ms(s99),
            ms(r50),
            ms(r99),
            if same { "yes" } else { "NO" }
        );
        anyhow::ensure!(
            same,
            "{name}: the page shows {shown} but the rows say {counted:?}"
        );
    }
    Ok(())
}

fn start(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    app::transactions::query::start_of_day(day, tz)
}

/// What a page shows, as counts by key: per currency "payments/refunds" for the
/// overview, per day or month for the calendar (periods with none left out).
fn shown_counts(shown: &Value) -> BTreeMap<String, String> {
    if let Some(volumes) = shown["volumes"].as_array() {
        return volumes
            .iter()
            .map(|v| {
                (
                    v["currency"].as_str().unwrap_or_default().to_owned(),
                    format!("{}/{}", v["payments"], v["refunds"]),
                )
            })
            .collect();
    }
    shown["cells"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["count"].as_i64() != Some(0))
        .map(|c| {
            (
                c["key"].as_str().unwrap_or_default().to_owned(),
                c["count"].to_string(),
            )
        })
        .collect()
}

async fn overview_counts(
    pool: &PgPool,
    merchant: Uuid,
    since: DateTime<Utc>,
) -> BTreeMap<String, String> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(RAW_OVERVIEW)
        .bind(merchant)
        .bind(since)
        .fetch_all(pool)
        .await
        .expect("raw overview");
    rows.into_iter()
        .map(|(currency, payments, refunds)| (currency, format!("{payments}/{refunds}")))
        .collect()
}

async fn calendar_counts(
    pool: &PgPool,
    merchant: Uuid,
    zone: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    period: &str,
) -> BTreeMap<String, String> {
    let rows: Vec<(String, i64)> = sqlx::query_as(RAW_CALENDAR)
        .bind(merchant)
        .bind(zone)
        .bind(from)
        .bind(to)
        .bind(period)
        .fetch_all(pool)
        .await
        .expect("raw calendar");
    rows.into_iter().map(|(k, n)| (k, n.to_string())).collect()
}
