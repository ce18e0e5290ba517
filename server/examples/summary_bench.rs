//! Overview and reports calendar benchmark: each page's server function, timed through
//! the real HTTP stack (it reads the daily totals; the overview also draws its eleven
//! charts), next to the raw aggregate over the transactions that gives the same figure
//! (what the pages would compute without the totals), both measured in this run against
//! the same data. The figures of both are compared too: the overview's count of
//! successful payments in its busiest currency, the calendar's count per period.
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

/// The raw count of the overview's successful payments in currency `$3` made since `$2`
/// (the start of the period's first local day).
const RAW_OVERVIEW: &str = "SELECT count(*)
   FROM transactions
  WHERE merchant_id = $1 AND status = 'SUCCESS' AND transaction_type = 'PAYMENT'
    AND currency = $3 AND created_at >= $2";

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
    let currency: String = sqlx::query_scalar(
        "SELECT currency::text FROM daily_totals WHERE merchant_id = $1
          GROUP BY 1 ORDER BY sum(transactions) DESC LIMIT 1",
    )
    .bind(merchant)
    .fetch_one(&pool)
    .await?;
    let a_year_ago = today
        .checked_sub_months(Months::new(12))
        .expect("a year before");
    // The overview's periods: its longest (a year and a day), the default, one day by
    // the hour. Each has the first local day it counts from.
    let overviews = [
        (
            "overview, a year and a day",
            vec![("from", a_year_ago.to_string()), ("to", today.to_string())],
            a_year_ago,
        ),
        (
            "overview, last 30 days",
            vec![("range", "30d".to_owned())],
            today - Days::new(29),
        ),
        (
            "overview, today by the hour",
            vec![("range", "today".to_owned())],
            today,
        ),
    ];
    let calendars = [
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
    let cases = overviews
        .iter()
        .map(|(name, args, first)| {
            let mut args = args.clone();
            args.push(("currency", currency.clone()));
            (*name, "load_overview", args, Some(*first))
        })
        .chain(
            calendars
                .iter()
                .map(|(name, args)| (*name, "report_calendar", args.clone(), None)),
        );
    for (i, (name, endpoint, args, first)) in cases.enumerate() {
        let args = &args;
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
        let (counted, raw) = match first {
            Some(first) => {
                let since = start(first, tz);
                let raw = time(raw_runs, || async {
                    overview_count(&pool, merchant, since, &currency).await;
                })
                .await;
                (overview_count(&pool, merchant, since, &currency).await, raw)
            }
            None => {
                let (from, period) = if i == 3 {
                    (month, "day")
                } else {
                    (year, "month")
                };
                let to = from
                    .checked_add_months(Months::new(if i == 3 { 1 } else { 12 }))
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

/// What a page shows, as counts by key: the overview's successful payments (its second
/// headline figure, "1,234"), the calendar's count per day or month (periods with none
/// left out).
fn shown_counts(shown: &Value) -> BTreeMap<String, String> {
    if let Some(payments) = shown["tiles"][1]["value"].as_str() {
        return BTreeMap::from([("payments".to_owned(), payments.replace(',', ""))]);
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

async fn overview_count(
    pool: &PgPool,
    merchant: Uuid,
    since: DateTime<Utc>,
    currency: &str,
) -> BTreeMap<String, String> {
    let count: i64 = sqlx::query_scalar(RAW_OVERVIEW)
        .bind(merchant)
        .bind(since)
        .bind(currency)
        .fetch_one(pool)
        .await
        .expect("raw overview");
    BTreeMap::from([("payments".to_owned(), count.to_string())])
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
