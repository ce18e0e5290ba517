//! Payments and refunds over a range, one point per local day (from the daily activity)
//! or, for a one-day range, per local hour (from that day's transactions), and the
//! same for the previous period (docs/RULES.md, "Analytics").

use super::local_day::local_day;
use super::range::Range;
use super::types::{Activity, Figures, Point, Slot};
use crate::money::Currency;
use crate::transactions::kind::{TransactionStatus, TransactionType};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

/// `range`'s series and the previous period's, read at once on two connections.
pub async fn activity(
    pool: &PgPool,
    merchant: Uuid,
    zone: Tz,
    range: Range,
    currency: Currency,
) -> sqlx::Result<Activity> {
    // `join!`, not `try_join!`: a sqlx query dropped in flight can spoil its connection.
    let (current, previous) = tokio::join!(
        series(pool, merchant, zone, range, currency),
        series(pool, merchant, zone, range.previous(), currency)
    );
    Ok(Activity {
        current: current?,
        previous: previous?,
    })
}

/// One point for every slot of `range` ([`Range::slots`]), in order, zero where
/// nothing happened.
pub async fn series(
    pool: &PgPool,
    merchant: Uuid,
    zone: Tz,
    range: Range,
    currency: Currency,
) -> sqlx::Result<Vec<Point>> {
    let tallies = if range.is_hourly() {
        by_hour(pool, merchant, zone, range.from(), currency).await?
    } else {
        by_day(pool, merchant, range, currency).await?
    };
    Ok(points(range.slots(), &tallies))
}

/// The transactions of one type and status in one slot, as both sources count them.
struct Tally {
    slot: Slot,
    kind: TransactionType,
    status: TransactionStatus,
    transactions: i64,
    amount_minor: i64,
}

/// The points of `slots` with the tallies added to them.
fn points(slots: Vec<Slot>, tallies: &[Tally]) -> Vec<Point> {
    let mut points: Vec<Point> = slots
        .into_iter()
        .map(|slot| Point {
            slot,
            figures: Figures::default(),
        })
        .collect();
    for tally in tallies {
        if let Ok(i) = points.binary_search_by(|p| p.slot.cmp(&tally.slot)) {
            add(&mut points[i].figures, tally);
        }
    }
    points
}

/// What counts as a payment, an attempt and a refund: every payment is an attempt, the
/// successful ones are payments; refunds count while successful or processing, as the
/// refund rules count them against the payment.
fn add(figures: &mut Figures, tally: &Tally) {
    use TransactionStatus::{Processing, Success};
    match (tally.kind, tally.status) {
        (TransactionType::Payment, status) => {
            figures.attempts += tally.transactions;
            if status == Success {
                figures.payments += tally.transactions;
                figures.paid_minor += tally.amount_minor;
            }
        }
        (TransactionType::Refund, Success | Processing) => {
            figures.refunds += tally.transactions;
            figures.refunded_minor += tally.amount_minor;
        }
        _ => {}
    }
}

/// Payments and refunds of `range` per local day, from the daily activity (the daily
/// totals without method, acquirer and settlement currency).
async fn by_day(
    pool: &PgPool,
    merchant: Uuid,
    range: Range,
    currency: Currency,
) -> sqlx::Result<Vec<Tally>> {
    let rows = sqlx::query!(
        r#"SELECT day AS "day!: NaiveDate",
                  transaction_type AS "kind!: TransactionType",
                  status AS "status!: TransactionStatus",
                  sum(transactions)::bigint AS "transactions!",
                  sum(amount_minor)::bigint AS "amount_minor!"
             FROM daily_activity
            WHERE merchant_id = $1 AND currency = $2 AND day BETWEEN $3 AND $4
              AND transaction_type IN ('PAYMENT', 'REFUND')
            GROUP BY 1, 2, 3"#,
        merchant,
        currency.code(),
        range.from(),
        range.to()
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Tally {
            slot: Slot::Day(r.day),
            kind: r.kind,
            status: r.status,
            transactions: r.transactions,
            amount_minor: r.amount_minor,
        })
        .collect())
}

/// Payments and refunds of the local `day` per local hour, from its transactions (the
/// index on the merchant and creation time bounds the read to the day). On the day the
/// clocks go back, the hour that happens twice is counted as one.
async fn by_hour(
    pool: &PgPool,
    merchant: Uuid,
    zone: Tz,
    day: NaiveDate,
    currency: Currency,
) -> sqlx::Result<Vec<Tally>> {
    let instants = local_day(day, zone);
    let rows = sqlx::query!(
        r#"SELECT extract(hour FROM t.created_at AT TIME ZONE $5)::int AS "hour!",
                  t.transaction_type AS "kind!: TransactionType",
                  t.status AS "status!: TransactionStatus",
                  count(*) AS "transactions!",
                  sum(t.amount_minor)::bigint AS "amount_minor!"
             FROM transactions t
            WHERE t.merchant_id = $1 AND t.currency = $2
              AND t.created_at >= $3 AND t.created_at < $4
              AND t.transaction_type IN ('PAYMENT', 'REFUND')
            GROUP BY 1, 2, 3"#,
        merchant,
        currency.code(),
        instants.start as DateTime<Utc>,
        instants.end as DateTime<Utc>,
        zone.name()
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Tally {
            slot: Slot::Hour(day, r.hour.unsigned_abs()),
            kind: r.kind,
            status: r.status,
            transactions: r.transactions,
            amount_minor: r.amount_minor,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(hour: u32, kind: TransactionType, status: TransactionStatus, n: i64) -> Tally {
        Tally {
            slot: Slot::Hour(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(), hour),
            kind,
            status,
            transactions: n,
            amount_minor: n * 100,
        }
    }

    #[test]
    fn every_slot_gets_a_point_and_only_payments_and_refunds_made_count() {
        use TransactionStatus::*;
        use TransactionType::*;
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let slots: Vec<Slot> = (0..24).map(|h| Slot::Hour(day, h)).collect();
        let tallies = [
            tally(9, Payment, Success, 3),
            tally(9, Payment, Fail, 1),
            tally(9, Payment, Processing, 2),
            tally(9, Refund, Success, 1),
            tally(9, Refund, Processing, 1),
            tally(9, Refund, Fail, 4),
            tally(9, Capture, Success, 5),
            tally(23, Payment, Success, 1),
        ];
        let points = points(slots.clone(), &tallies);
        assert_eq!(points.iter().map(|p| p.slot).collect::<Vec<_>>(), slots);
        assert_eq!(
            points[9].figures,
            Figures {
                payments: 3,
                paid_minor: 300,
                attempts: 6,
                refunds: 2,
                refunded_minor: 200,
            }
        );
        assert_eq!(points[23].figures.payments, 1);
        assert_eq!(points[0].figures, Figures::default());
    }
}
