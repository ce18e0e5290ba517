//! The analytics overview's figures (app::analytics) against aggregates of the raw rows
//! made here, on payments and refunds either side of the merchant's midnight, in dollars
//! and in yen, refused and asynchronous refunds included; and the refund totals behind
//! them equal to their recounts after every kind of change (docs/RULES.md, "Analytics").

#[allow(dead_code)]
mod support;

use std::time::Duration;

use app::analytics;
use app::analytics::range::{Range, RangeInput};
use app::analytics::types::{Balance, Breakdowns, Figures, Point, RefundReason, Share, Slot};
use app::audit::Actor;
use app::money::Currency;
use app::refunds::engine::{self, RefundCommand, RefundSource};
use app::refunds::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use futures_util::future::join_all;
use server::workers::acquirer;
use sqlx::PgPool;
use support::api;
use uuid::Uuid;

const ZONE: Tz = chrono_tz::Asia::Shanghai;

/// The seeded merchant and its dates: `day` is three days before `today`, both local.
struct Seeded {
    merchant: Uuid,
    day: NaiveDate,
    today: NaiveDate,
}

impl Seeded {
    /// `day` moved by `days` (negative: before).
    fn plus(&self, days: i64) -> NaiveDate {
        self.day + TimeDelta::days(days)
    }

    /// The custom range from `day + from` to `day + to`.
    fn range(&self, from: i64, to: i64) -> Range {
        let (from, to) = (self.plus(from).to_string(), self.plus(to).to_string());
        Range::parse(
            RangeInput::Custom {
                from: &from,
                to: &to,
            },
            self.today,
        )
        .unwrap()
    }
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn jpy() -> Currency {
    Currency::parse("JPY").unwrap()
}

/// `time` (HH:MM:SS) of the local `day`, in UTC.
fn at(day: NaiveDate, time: &str) -> DateTime<Utc> {
    let time = NaiveTime::parse_from_str(time, "%H:%M:%S").unwrap();
    ZONE.from_local_datetime(&day.and_time(time))
        .unwrap()
        .with_timezone(&Utc)
}

/// A payment made at `at`, finished then if it succeeded.
#[allow(clippy::too_many_arguments)]
async fn payment(
    pool: &PgPool,
    merchant: Uuid,
    id: &str,
    method: &str,
    acquirer: &str,
    status: &str,
    currency: &str,
    amount: i64,
    at: DateTime<Utc>,
) {
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, reference_transaction_id,
             serial_no, transaction_type, status, amount_minor, currency,
             payment_method_type, acquirer_code, created_at, finished_at)
         VALUES ($1, $2, 'ORDER-' || $2, '1', 'PAYMENT', $3, $4, $5, $6, $7, $8,
                 CASE WHEN $3 = 'SUCCESS' THEN $8 END)",
    )
    .bind(merchant)
    .bind(id)
    .bind(status)
    .bind(amount)
    .bind(currency)
    .bind(method)
    .bind(acquirer)
    .bind(at)
    .execute(pool)
    .await
    .unwrap();
}

/// The capture of the card payment `payment_id`, at `at`: card payments are refunded
/// once captured.
async fn capture(pool: &PgPool, merchant: Uuid, payment_id: &str, at: DateTime<Utc>) {
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, payment_method_type, acquirer_code, original_id,
             created_at, finished_at)
         SELECT merchant_id, 'CAP-' || transaction_id, '1', 'CAPTURE', 'SUCCESS',
                amount_minor, currency, payment_method_type, acquirer_code, id, $3, $3
           FROM transactions WHERE merchant_id = $1 AND transaction_id = $2",
    )
    .bind(merchant)
    .bind(payment_id)
    .bind(at)
    .execute(pool)
    .await
    .unwrap();
}

/// Who asks for a refund.
#[derive(Clone, Copy)]
enum Source {
    Api,
    Dashboard,
}

/// Asks the refund engine for a refund; the refund's status, or the refusal's code.
#[allow(clippy::too_many_arguments)]
async fn refund(
    pool: &PgPool,
    merchant: Uuid,
    request_id: &str,
    payment_id: &str,
    currency: &str,
    amount: i64,
    reason: Option<&str>,
    source: Source,
) -> String {
    let command = RefundCommand {
        refund_request_id: RefundRequestId::parse(request_id).unwrap(),
        payment_id: TransactionRef::parse("paymentId", payment_id).unwrap(),
        currency: CurrencyCode::parse(currency).unwrap(),
        amount: MinorAmount::new(amount).unwrap(),
        reason: reason.map(str::to_owned),
        notify_url: None,
        source: match source {
            Source::Api => RefundSource::Api {
                client_id: "SANDBOX_LOTUS".into(),
            },
            Source::Dashboard => RefundSource::Dashboard(Actor::system(merchant)),
        },
    };
    match engine::refund(pool, merchant, command).await {
        Ok(record) => record.status.as_str().to_owned(),
        Err(e) => e.result_code().to_owned(),
    }
}

/// Moves a refund request made now, and its refund and ledger entry if it has them, to
/// `at`: the engine records refunds at the database's clock, and these tests need them
/// at given local times. One statement, so that every link agrees at its end.
async fn date_back(pool: &PgPool, merchant: Uuid, request_id: &str, at: DateTime<Utc>) {
    sqlx::query(
        "WITH q AS (
             UPDATE refund_requests SET created_at = $3,
                    refund_created_at = CASE WHEN refund_id IS NOT NULL THEN $3 END
              WHERE merchant_id = $1 AND refund_request_id = $2
             RETURNING refund_id),
         t AS (
             UPDATE transactions SET created_at = $3
              WHERE merchant_id = $1 AND id = (SELECT refund_id FROM q))
         UPDATE balance_entries SET created_at = $3, transaction_created_at = $3
          WHERE merchant_id = $1 AND transaction_id = (SELECT refund_id FROM q)",
    )
    .bind(merchant)
    .bind(request_id)
    .bind(at)
    .execute(pool)
    .await
    .unwrap();
}

/// A merchant in Shanghai (UTC+8) with payments and refunds around `day` (D), three
/// days ago:
/// - D−4: a payment of 60.00 USD; D−2: a failed one;
/// - D−1: a payment of 80.00 USD, one of 12,000 JPY at 23:00;
/// - D: payments of 100.00 (GCash), 200.00 (Visa through 2C2P, captured) and 50.00 USD
///   (PayPay, refunds asynchronous) in the morning and afternoon, a failed one, one still
///   processing at 23:59:50, and one of 5,000 JPY with a refund of 700 JPY;
/// - refunds of the 100.00 USD payment at 23:59:30 on D (API) and 00:00:30 on D+1
///   (dashboard), the same UTC day; an over-refund and a refund asked in EUR, both
///   refused; two asynchronous refunds of the PayPay payment, one that fails; a
///   blank-reason refund of the Visa payment;
/// - D+1: a payment of 40.00 USD at 00:00:10;
/// - today: a refund of 1.00 USD, and the failed refund's amount given back.
async fn seed(pool: &PgPool) -> Seeded {
    api::reference_data(pool).await;
    let m = api::merchant(pool, "Lotus Tea House", "USD").await;
    sqlx::query("UPDATE merchants SET time_zone = $2 WHERE id = $1")
        .bind(m)
        .bind(ZONE.name())
        .execute(pool)
        .await
        .unwrap();
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    let s = Seeded {
        merchant: m,
        day: today - Days::new(3),
        today,
    };
    use Source::{Api, Dashboard};
    #[rustfmt::skip]
    let payments = [
        ("P-PREV", "GCASH", "ANTOM", "SUCCESS", "USD", 6_000, -4, "08:00:00"),
        ("P-PREV-F", "GCASH", "ANTOM", "FAIL", "USD", 900, -2, "10:00:00"),
        ("P-YEST", "GCASH", "ANTOM", "SUCCESS", "USD", 8_000, -1, "12:00:00"),
        ("P-YEN-Y", "PAYPAY", "ANTOM", "SUCCESS", "JPY", 12_000, -1, "23:00:00"),
        ("P-GCASH", "GCASH", "ANTOM", "SUCCESS", "USD", 10_000, 0, "09:15:00"),
        ("P-VISA", "VISA", "2C2P_HK", "SUCCESS", "USD", 20_000, 0, "09:45:00"),
        ("P-YEN", "GCASH", "ANTOM", "SUCCESS", "JPY", 5_000, 0, "10:00:00"),
        ("P-PAYPAY", "PAYPAY", "ANTOM", "SUCCESS", "USD", 5_000, 0, "14:00:00"),
        ("P-FAIL", "GCASH", "ANTOM", "FAIL", "USD", 7_000, 0, "14:30:00"),
        ("P-WAIT", "VISA", "ADYEN", "PROCESSING", "USD", 3_000, 0, "23:59:50"),
        ("P-NEXT", "GCASH", "ANTOM", "SUCCESS", "USD", 4_000, 1, "00:00:10"),
    ];
    for (id, method, acquirer, status, currency, amount, day, time) in payments {
        let when = at(s.plus(day), time);
        payment(
            pool, m, id, method, acquirer, status, currency, amount, when,
        )
        .await;
    }
    capture(pool, m, "P-VISA", at(s.day, "09:50:00")).await;
    #[rustfmt::skip]
    let refunds = [
        ("R-1", "P-GCASH", "USD", 1_000, Some("Damaged"), Api, "SUCCESS", 0, "23:59:30"),
        ("R-2", "P-GCASH", "USD", 2_000, Some("  Damaged "), Dashboard, "SUCCESS", 1, "00:00:30"),
        ("R-3", "P-GCASH", "USD", 99_999, None, Api, "REFUND_AMOUNT_EXCEED", 0, "23:59:40"),
        ("R-4", "P-PAYPAY", "USD", 1_500, Some("SIMULATE_FAIL"), Api, "PROCESSING", 0, "15:00:00"),
        ("R-5", "P-PAYPAY", "USD", 500, None, Dashboard, "PROCESSING", 0, "16:00:00"),
        ("R-6", "P-YEN", "JPY", 700, Some("Late delivery"), Api, "SUCCESS", 0, "11:00:00"),
        ("R-7", "P-GCASH", "EUR", 100, None, Api, "CURRENCY_NOT_SUPPORT", 0, "12:00:00"),
        ("R-8", "P-VISA", "USD", 3_000, Some(" "), Dashboard, "SUCCESS", 0, "20:00:00"),
        ("R-9", "P-FAIL", "USD", 1_000, None, Dashboard, "ORDER_STATUS_INVALID", 0, "15:00:00"),
    ];
    for (id, payment_id, currency, amount, reason, source, expected, day, time) in refunds {
        let answer = refund(pool, m, id, payment_id, currency, amount, reason, source).await;
        assert_eq!(answer, expected, "{id}");
        date_back(pool, m, id, at(s.plus(day), time)).await;
    }
    // Today's refund and the acquirer's answers share one instant, so that a run at
    // local midnight cannot split them over two days.
    let now = Utc::now();
    let answer = refund(pool, m, "R-TODAY", "P-GCASH", "USD", 100, None, Api).await;
    assert_eq!(answer, "SUCCESS");
    date_back(pool, m, "R-TODAY", now).await;
    assert_eq!(
        acquirer::run_once(pool, Duration::ZERO, now).await.unwrap(),
        2
    );
    Seeded {
        today: now.with_timezone(&ZONE).date_naive(),
        ..s
    }
}

/// A series as (slot, payments, paid, attempts, refunds, refunded), for comparison.
type Row = (Slot, i64, i64, i64, i64, i64);

fn rows(points: &[Point]) -> Vec<Row> {
    points
        .iter()
        .map(|p| {
            let f = p.figures;
            (
                p.slot,
                f.payments,
                f.paid_minor,
                f.attempts,
                f.refunds,
                f.refunded_minor,
            )
        })
        .collect()
}

/// The figures of `slot` in the raw-count form of [`rows`].
fn figures_of(rows: &[Row], slot: Slot) -> (i64, i64, i64, i64, i64) {
    let r = rows.iter().find(|r| r.0 == slot).unwrap();
    (r.1, r.2, r.3, r.4, r.5)
}

/// The figures the series must show, counted from `transactions`: per local day of
/// `range`, or per local hour when it is one day.
async fn raw_series(pool: &PgPool, merchant: Uuid, range: Range, currency: &str) -> Vec<Row> {
    let figures = "count(t.id) FILTER (WHERE t.transaction_type = 'PAYMENT' AND t.status = 'SUCCESS'),
        coalesce(sum(t.amount_minor) FILTER (
            WHERE t.transaction_type = 'PAYMENT' AND t.status = 'SUCCESS'), 0)::bigint,
        count(t.id) FILTER (WHERE t.transaction_type = 'PAYMENT'),
        count(t.id) FILTER (
            WHERE t.transaction_type = 'REFUND' AND t.status IN ('SUCCESS', 'PROCESSING')),
        coalesce(sum(t.amount_minor) FILTER (
            WHERE t.transaction_type = 'REFUND' AND t.status IN ('SUCCESS', 'PROCESSING')), 0)::bigint";
    let mine = "t.merchant_id = $1 AND t.currency = $2";
    let local = "(t.created_at AT TIME ZONE 'Asia/Shanghai')";
    if range.is_hourly() {
        let sql = format!(
            "SELECT h, {figures} FROM generate_series(0, 23) h
               LEFT JOIN transactions t ON {mine} AND {local}::date = $3
                    AND extract(hour FROM {local}) = h
              GROUP BY h ORDER BY h"
        );
        let raw: Vec<(i32, i64, i64, i64, i64, i64)> = sqlx::query_as(&sql)
            .bind(merchant)
            .bind(currency)
            .bind(range.from())
            .fetch_all(pool)
            .await
            .unwrap();
        raw.into_iter()
            .map(|r| {
                (
                    Slot::Hour(range.from(), r.0.unsigned_abs()),
                    r.1,
                    r.2,
                    r.3,
                    r.4,
                    r.5,
                )
            })
            .collect()
    } else {
        let sql = format!(
            "SELECT d::date, {figures} FROM generate_series($3::date, $4::date, interval '1 day') d
               LEFT JOIN transactions t ON {mine} AND {local}::date = d::date
              GROUP BY d ORDER BY d"
        );
        let raw: Vec<(NaiveDate, i64, i64, i64, i64, i64)> = sqlx::query_as(&sql)
            .bind(merchant)
            .bind(currency)
            .bind(range.from())
            .bind(range.to())
            .fetch_all(pool)
            .await
            .unwrap();
        raw.into_iter()
            .map(|r| (Slot::Day(r.0), r.1, r.2, r.3, r.4, r.5))
            .collect()
    }
}

/// Counts and amounts per `key` (an SQL expression over `t`) of the rows of `table` (as
/// `t`) that match `filter`, in `currency` and the local days of `range`, ordered as
/// `order` says.
async fn raw_shares(
    pool: &PgPool,
    merchant: Uuid,
    range: Range,
    currency: &str,
    (table, key, filter, order): (&str, &str, &str, &str),
) -> Vec<(Option<String>, i64, i64)> {
    let sql = format!(
        "SELECT {key}, count(*), sum(t.amount_minor)::bigint FROM {table} t
          WHERE t.merchant_id = $1 AND t.currency = $2
            AND (t.created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $3 AND $4
            AND {filter}
          GROUP BY 1 ORDER BY {order}"
    );
    sqlx::query_as(&sql)
        .bind(merchant)
        .bind(currency)
        .bind(range.from())
        .bind(range.to())
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Shares as (key, count, amount), for comparison with [`raw_shares`].
fn keyed(shares: &[Share]) -> Vec<(Option<String>, i64, i64)> {
    shares
        .iter()
        .map(|s| (Some(s.key.clone()), s.count, s.amount_minor))
        .collect()
}

const BY_AMOUNT: &str = "3 DESC, 2 DESC, 1";
const BY_COUNT: &str = "2 DESC, 3 DESC, 1 NULLS LAST";

/// Days D−1 to D+1 per local day, and D−4 to D−2 before them: the refunds a minute
/// either side of midnight fall on their own local days, though the same UTC day; yen
/// and dollars stay apart.
#[sqlx::test(migrations = "../migrations")]
async fn days_are_the_merchants_and_compare_with_the_period_before(pool: PgPool) {
    let s = seed(&pool).await;
    let range = s.range(-1, 1);
    let activity = analytics::activity(&pool, s.merchant, ZONE, range, usd())
        .await
        .unwrap();
    let current = rows(&activity.current);
    assert_eq!(current, raw_series(&pool, s.merchant, range, "USD").await);
    assert_eq!(
        rows(&activity.previous),
        raw_series(&pool, s.merchant, range.previous(), "USD").await
    );
    let days: Vec<Slot> = (-1..=1).map(|n| Slot::Day(s.plus(n))).collect();
    assert_eq!(current.iter().map(|r| r.0).collect::<Vec<_>>(), days);

    // D: 350.00 paid out of five attempts, 10.00 + 5.00 + 30.00 refunded (the failed
    // asynchronous refund not); D+1: the refund of 00:00:30 and the payment of 00:00:10.
    assert_eq!(
        figures_of(&current, Slot::Day(s.plus(0))),
        (3, 35_000, 5, 3, 4_500)
    );
    assert_eq!(
        figures_of(&current, Slot::Day(s.plus(1))),
        (1, 4_000, 1, 1, 2_000)
    );
    let utc_days: Vec<NaiveDate> = sqlx::query_scalar(
        "SELECT DISTINCT (created_at AT TIME ZONE 'UTC')::date FROM refund_requests
          WHERE refund_request_id IN ('R-1', 'R-2')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(utc_days.len(), 1, "both refunds are on one UTC day");

    // The period before: D−4 to D−2, a payment on the first day and a failed one on the last.
    let previous = rows(&activity.previous);
    assert_eq!(previous.len(), 3);
    assert_eq!(
        figures_of(&previous, Slot::Day(s.plus(-4))),
        (1, 6_000, 1, 0, 0)
    );
    assert_eq!(
        figures_of(&previous, Slot::Day(s.plus(-2))),
        (0, 0, 1, 0, 0)
    );

    // Rates per day and over the range.
    let d = activity.current[1].figures;
    assert_eq!(d.success_rate().basis_points(), Some(6_000));
    assert_eq!(d.refund_rate().basis_points(), Some(1_286));
    let whole = Figures::sum(&activity.current);
    assert_eq!((whole.payments, whole.attempts), (5, 7));

    // Yen: their own amounts, none of the dollars'.
    let yen = analytics::series(&pool, s.merchant, ZONE, range, jpy())
        .await
        .unwrap();
    let yen_rows = rows(&yen);
    assert_eq!(yen_rows, raw_series(&pool, s.merchant, range, "JPY").await);
    assert_eq!(
        figures_of(&yen_rows, Slot::Day(s.plus(-1))),
        (1, 12_000, 1, 0, 0)
    );
    assert_eq!(
        figures_of(&yen_rows, Slot::Day(s.plus(0))),
        (1, 5_000, 1, 1, 700)
    );
    assert_eq!(Figures::sum(&yen).paid_minor, 17_000);
}

/// A one-day range is counted per hour of the merchant's clock, from the transactions,
/// and its hours add up to the day's totals.
#[sqlx::test(migrations = "../migrations")]
async fn one_day_is_counted_by_the_merchants_hours(pool: PgPool) {
    let s = seed(&pool).await;
    let day = s.range(0, 0);
    let activity = analytics::activity(&pool, s.merchant, ZONE, day, usd())
        .await
        .unwrap();
    let hours = rows(&activity.current);
    assert_eq!(hours, raw_series(&pool, s.merchant, day, "USD").await);
    assert_eq!(hours.len(), 24);
    let hour = |h| Slot::Hour(s.day, h);
    assert_eq!(figures_of(&hours, hour(9)), (2, 30_000, 2, 0, 0));
    assert_eq!(figures_of(&hours, hour(14)), (1, 5_000, 2, 0, 0));
    assert_eq!(figures_of(&hours, hour(15)), (0, 0, 0, 0, 0));
    // The refund at 23:59:30 and the payment still processing at 23:59:50.
    assert_eq!(figures_of(&hours, hour(23)), (0, 0, 1, 1, 1_000));

    let by_day = analytics::series(&pool, s.merchant, ZONE, s.range(0, 1), usd())
        .await
        .unwrap();
    assert_eq!(Figures::sum(&activity.current), by_day[0].figures);

    // The day before, by the hour too.
    assert_eq!(
        rows(&activity.previous),
        raw_series(&pool, s.merchant, day.previous(), "USD").await
    );
    assert_eq!(activity.previous[12].figures.paid_minor, 8_000);
}

/// The USD breakdowns of `range`, checked against the same shares counted from the
/// transactions.
async fn breakdowns_as_the_transactions_say(
    pool: &PgPool,
    merchant: Uuid,
    range: Range,
) -> Breakdowns {
    let b = analytics::breakdowns(pool, merchant, range, usd())
        .await
        .unwrap();
    let paid = "t.transaction_type = 'PAYMENT' AND t.status = 'SUCCESS'";
    for (shares, key, filter) in [
        (&b.by_method, "t.payment_method_type", paid),
        (&b.by_acquirer, "t.acquirer_code", paid),
        (&b.by_type, "t.transaction_type", "t.status = 'SUCCESS'"),
    ] {
        let raw = raw_shares(
            pool,
            merchant,
            range,
            "USD",
            ("transactions", key, filter, BY_AMOUNT),
        )
        .await;
        assert_eq!(keyed(shares), raw, "{range:?} {key}");
    }
    b
}

/// Successful payments by method and acquirer, successful transactions by type, each
/// largest amount first, as the transactions say.
#[sqlx::test(migrations = "../migrations")]
async fn breakdowns_are_those_of_the_transactions(pool: PgPool) {
    let s = seed(&pool).await;
    let range = s.range(-1, 1);
    let b = breakdowns_as_the_transactions_say(&pool, s.merchant, range).await;
    assert_eq!(
        keyed(&b.by_method),
        [
            (Some("GCASH".into()), 3, 22_000),
            (Some("VISA".into()), 1, 20_000),
            (Some("PAYPAY".into()), 1, 5_000),
        ]
    );
    assert_eq!(
        keyed(&b.by_type),
        [
            (Some("PAYMENT".into()), 5, 47_000),
            (Some("CAPTURE".into()), 1, 20_000),
            (Some("REFUND".into()), 4, 6_500),
        ]
    );
}

/// Refund requests by source and result code, the refused ones included, and refunds
/// made by reason (trimmed, blank as none, the failed one left out), as the requests
/// and transactions say.
#[sqlx::test(migrations = "../migrations")]
async fn refund_requests_and_reasons_are_those_of_the_rows(pool: PgPool) {
    let s = seed(&pool).await;
    let range = s.range(-1, 1);
    let requests = analytics::refund_requests(&pool, s.merchant, range, usd())
        .await
        .unwrap();
    for (shares, key) in [
        (&requests.by_source, "t.source"),
        (&requests.by_result, "t.result_code"),
    ] {
        let raw = raw_shares(
            &pool,
            s.merchant,
            range,
            "USD",
            ("refund_requests", key, "true", BY_COUNT),
        )
        .await;
        assert_eq!(keyed(shares), raw, "{key}");
    }
    assert_eq!(
        keyed(&requests.by_source),
        [
            (Some("DASHBOARD".into()), 4, 6_500),
            (Some("API".into()), 3, 102_499),
        ]
    );
    let refused = |code: &str| {
        requests
            .by_result
            .iter()
            .find(|r| r.key == code)
            .map(|r| (r.count, r.amount_minor))
    };
    assert_eq!(refused("REFUND_AMOUNT_EXCEED"), Some((1, 99_999)));
    assert_eq!(refused("ORDER_STATUS_INVALID"), Some((1, 1_000)));
    // The request asked in euros counts there, with the euro amount.
    let euros = Currency::parse("EUR").unwrap();
    let in_euros = analytics::refund_requests(&pool, s.merchant, range, euros)
        .await
        .unwrap();
    assert_eq!(
        keyed(&in_euros.by_result),
        [(Some("CURRENCY_NOT_SUPPORT".into()), 1, 100)]
    );

    let reasons = analytics::refund_reasons(&pool, s.merchant, range, usd(), 10)
        .await
        .unwrap();
    let raw = raw_shares(
        &pool,
        s.merchant,
        range,
        "USD",
        (
            "transactions",
            "nullif(btrim(t.reason), '')",
            "t.transaction_type = 'REFUND' AND t.status IN ('SUCCESS', 'PROCESSING')",
            BY_COUNT,
        ),
    )
    .await;
    let reason_rows: Vec<(Option<String>, i64, i64)> = reasons
        .iter()
        .map(|r| (r.reason.clone(), r.count, r.amount_minor))
        .collect();
    assert_eq!(reason_rows, raw);
    assert_eq!(
        reasons,
        [
            RefundReason {
                reason: None,
                count: 2,
                amount_minor: 3_500
            },
            RefundReason {
                reason: Some("Damaged".into()),
                count: 2,
                amount_minor: 3_000
            },
        ]
    );
    let top = analytics::refund_reasons(&pool, s.merchant, range, usd(), 1)
        .await
        .unwrap();
    assert_eq!(top, reasons[..1]);
}

/// Every balance with the ledger's change during the merchant's today: today's refund
/// taken, the failed refund's amount given back; the refunds dated days ago not.
#[sqlx::test(migrations = "../migrations")]
async fn balances_change_by_the_merchants_today(pool: PgPool) {
    let s = seed(&pool).await;
    let balances = analytics::balances(&pool, s.merchant, ZONE, s.today)
        .await
        .unwrap();
    let raw: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT b.currency::text, b.available_minor,
                coalesce(sum(e.amount_minor) FILTER (
                    WHERE (e.created_at AT TIME ZONE 'Asia/Shanghai')::date = $2), 0)::bigint
           FROM merchant_balances b
           LEFT JOIN balance_entries e ON e.merchant_id = b.merchant_id AND e.currency = b.currency
          WHERE b.merchant_id = $1
          GROUP BY 1, 2 ORDER BY 1",
    )
    .bind(s.merchant)
    .bind(s.today)
    .fetch_all(&pool)
    .await
    .unwrap();
    let shown: Vec<(String, i64, i64)> = balances
        .iter()
        .map(|b| (b.currency.clone(), b.available_minor, b.change_today_minor))
        .collect();
    assert_eq!(shown, raw);
    let usd = balances.iter().find(|b| b.currency == "USD").unwrap();
    assert_eq!(
        usd,
        &Balance {
            currency: "USD".into(),
            available_minor: 1_000_000_000 - 1_000 - 2_000 - 500 - 3_000 - 100,
            change_today_minor: 1_500 - 100,
        }
    );
    let yen = balances.iter().find(|b| b.currency == "JPY").unwrap();
    assert_eq!(yen.change_today_minor, 0);
    // Yesterday saw none of it.
    let yesterday = analytics::balances(&pool, s.merchant, ZONE, s.today - Days::new(1))
        .await
        .unwrap();
    assert!(yesterday.iter().all(|b| b.change_today_minor == 0));
}

/// Long periods read their whole months from the monthly totals and the days around
/// them from the daily tables: payments on the first and last instant of each side of
/// a month's edge, in Shanghai's time, land in the right part, for a period with days
/// before and after a whole month, exactly one month, and none whole.
#[sqlx::test(migrations = "../migrations")]
async fn whole_months_and_the_days_around_them_add_up_as_the_transactions(pool: PgPool) {
    api::reference_data(&pool).await;
    let m = api::merchant(&pool, "Lotus Tea House", "USD").await;
    sqlx::query("UPDATE merchants SET time_zone = $2 WHERE id = $1")
        .bind(m)
        .bind(ZONE.name())
        .execute(&pool)
        .await
        .unwrap();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    #[rustfmt::skip]
    let payments = [
        ("M-1", "GCASH", "ANTOM", "SUCCESS", "USD", 1_000, "2025-01-30", "23:59:59"),
        ("M-2", "GCASH", "ANTOM", "SUCCESS", "USD", 100, "2025-01-31", "00:00:00"),
        ("M-3", "VISA", "2C2P_HK", "SUCCESS", "USD", 200, "2025-01-31", "23:59:59"),
        ("M-4", "VISA", "ADYEN", "SUCCESS", "USD", 300, "2025-02-01", "00:00:00"),
        ("M-5", "GCASH", "ANTOM", "SUCCESS", "USD", 400, "2025-02-28", "23:59:59"),
        ("M-6", "GCASH", "ANTOM", "FAIL", "USD", 500, "2025-02-14", "12:00:00"),
        ("M-7", "PAYPAY", "ANTOM", "SUCCESS", "JPY", 600, "2025-02-14", "12:00:00"),
        ("M-8", "PAYPAY", "ANTOM", "SUCCESS", "USD", 700, "2025-03-01", "00:00:00"),
        ("M-9", "GCASH", "ANTOM", "SUCCESS", "JPY", 800, "2025-03-01", "23:59:59"),
        ("M-10", "GCASH", "ANTOM", "SUCCESS", "USD", 900, "2025-03-02", "00:00:00"),
    ];
    for (id, method, acquirer, status, currency, amount, day, time) in payments {
        payment(
            &pool,
            m,
            id,
            method,
            acquirer,
            status,
            currency,
            amount,
            at(d(day), time),
        )
        .await;
    }
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    for (from, to, whole) in [
        ("2025-01-31", "2025-03-01", true),
        ("2025-02-01", "2025-02-28", true),
        ("2025-01-15", "2025-02-27", false),
    ] {
        let range = Range::parse(RangeInput::Custom { from, to }, today).unwrap();
        let (start, end) = range.whole_months();
        assert_eq!(start < end, whole, "{from}..{to}");
        breakdowns_as_the_transactions_say(&pool, m, range).await;
        let listed = analytics::currencies(&pool, m, range).await.unwrap();
        let raw: Vec<String> = sqlx::query_scalar(
            "SELECT currency::text FROM transactions
              WHERE merchant_id = $1
                AND (created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2 AND $3
              GROUP BY 1 ORDER BY count(*) DESC, 1",
        )
        .bind(m)
        .bind(d(from))
        .bind(d(to))
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(listed, raw, "{from}..{to}");
    }
    // The first period: both edge days and the whole February, nothing of the days
    // outside it.
    let range = Range::parse(
        RangeInput::Custom {
            from: "2025-01-31",
            to: "2025-03-01",
        },
        today,
    )
    .unwrap();
    let b = analytics::breakdowns(&pool, m, range, usd()).await.unwrap();
    assert_eq!(keyed(&b.by_type), [(Some("PAYMENT".into()), 5, 1_700)]);
    assert_eq!(
        analytics::currencies(&pool, m, range).await.unwrap(),
        ["USD", "JPY"]
    );
}

/// The currencies of a range: the most transactions first; one with only a refused
/// request still listed.
#[sqlx::test(migrations = "../migrations")]
async fn currencies_come_most_used_first(pool: PgPool) {
    let s = seed(&pool).await;
    let listed = analytics::currencies(&pool, s.merchant, s.range(-1, 1))
        .await
        .unwrap();
    let raw: Vec<String> = sqlx::query_scalar(
        "SELECT currency::text FROM (
             SELECT currency, 1 AS n, created_at FROM transactions WHERE merchant_id = $1
             UNION ALL
             SELECT currency, 0, created_at FROM refund_requests WHERE merchant_id = $1) r
          WHERE (created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2 AND $3
          GROUP BY 1 ORDER BY sum(n) DESC, 1",
    )
    .bind(s.merchant)
    .bind(s.plus(-1))
    .bind(s.plus(1))
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(listed, raw);
    assert_eq!(listed, ["USD", "JPY", "EUR"]);
    let before = analytics::currencies(&pool, s.merchant, s.range(-4, -3))
        .await
        .unwrap();
    assert_eq!(before, ["USD"]);
}

/// Rows of the refund totals that differ from their recount views (either way), as
/// text for the failure message; rows come down to zero are the same as no row.
async fn differences(pool: &PgPool) -> Vec<String> {
    let mut out = Vec::new();
    for (table, counted) in [
        ("refund_request_totals", "requests"),
        ("refund_reason_totals", "refunds"),
    ] {
        let sql = format!(
            "WITH kept AS (SELECT * FROM {table} WHERE {counted} <> 0 OR amount_minor <> 0),
                  raw AS (TABLE {table}_recount)
             SELECT '{table} only counted: ' || r::text FROM (TABLE raw EXCEPT TABLE kept) r
             UNION ALL
             SELECT '{table} only kept: ' || k::text FROM (TABLE kept EXCEPT TABLE raw) k"
        );
        out.extend(
            sqlx::query_scalar::<_, String>(&sql)
                .fetch_all(pool)
                .await
                .unwrap(),
        );
    }
    out
}

async fn execute(pool: &PgPool, sql: &str) {
    sqlx::query(sql).execute(pool).await.unwrap();
}

/// The refund totals equal their recounts after the seeded refunds (moved in time),
/// after refunds sent concurrently from both sources while the acquirer worker decides
/// the asynchronous ones (none may deadlock: balance then totals is everyone's lock
/// order), after a changed result code, deletes, a time zone change and a truncate.
#[sqlx::test(migrations = "../migrations")]
async fn the_refund_totals_equal_their_recounts_after_every_change(pool: PgPool) {
    let s = seed(&pool).await;
    let m = s.merchant;
    assert_eq!(differences(&pool).await, Vec::<String>::new());
    let counted: i64 =
        sqlx::query_scalar("SELECT sum(requests)::bigint FROM refund_request_totals")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(counted, 10, "every request is counted once it is answered");

    for (id, method) in [("C-SYNC", "GCASH"), ("C-ASYNC", "PAYPAY")] {
        let an_hour_ago = Utc::now() - TimeDelta::hours(1);
        payment(
            &pool,
            m,
            id,
            method,
            "ANTOM",
            "SUCCESS",
            "USD",
            100_000,
            an_hour_ago,
        )
        .await;
    }
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
    for round in 0..4 {
        let answers = join_all((0..10).map(|i| {
            let payment_id = if i % 2 == 0 { "C-SYNC" } else { "C-ASYNC" };
            let source = if i % 3 == 0 {
                Source::Dashboard
            } else {
                Source::Api
            };
            let reason = ["Damaged", "SIMULATE_FAIL", " "][i % 3];
            let id = format!("C-{round}-{i}");
            let pool = pool.clone();
            async move {
                refund(
                    &pool,
                    m,
                    &id,
                    payment_id,
                    "USD",
                    100 + i as i64,
                    Some(reason),
                    source,
                )
                .await
            }
        }))
        .await;
        for a in answers {
            assert!(["SUCCESS", "PROCESSING"].contains(&a.as_str()), "{a}");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    worker.await.unwrap();
    while acquirer::run_once(&pool, Duration::ZERO, Utc::now())
        .await
        .unwrap()
        > 0
    {}
    assert_eq!(differences(&pool).await, Vec::<String>::new());

    // A request's result code changes.
    execute(
        &pool,
        "UPDATE refund_requests SET result_code = 'REFUND_AMOUNT_EXCEED' WHERE refund_request_id = 'C-0-1'",
    )
    .await;
    assert_eq!(differences(&pool).await, Vec::<String>::new());

    // Deleted refunds take their requests with them.
    execute(
        &pool,
        "DELETE FROM transactions WHERE id IN
             (SELECT id FROM transactions WHERE transaction_type = 'REFUND' ORDER BY id LIMIT 5)",
    )
    .await;
    execute(
        &pool,
        "DELETE FROM refund_requests WHERE refund_request_id = 'R-3'",
    )
    .await;
    assert_eq!(differences(&pool).await, Vec::<String>::new());

    // São Paulo's days start 11 hours after Shanghai's: rows move to other days.
    let before: Vec<NaiveDate> =
        sqlx::query_scalar("SELECT DISTINCT day FROM refund_request_totals ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    execute(
        &pool,
        "UPDATE merchants SET time_zone = 'America/Sao_Paulo'",
    )
    .await;
    assert_eq!(differences(&pool).await, Vec::<String>::new());
    let after: Vec<NaiveDate> =
        sqlx::query_scalar("SELECT DISTINCT day FROM refund_request_totals ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_ne!(before, after);

    execute(&pool, "TRUNCATE transactions CASCADE").await;
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM refund_request_totals) + (SELECT count(*) FROM refund_reason_totals)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
}
