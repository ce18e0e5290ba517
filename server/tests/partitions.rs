//! Transactions and the ledger are partitioned by month (docs/SCALING.md, "Partitions"):
//! months are made ahead once whoever makes them, a row lands in its month, a query
//! bounded in time reads only the months it touches, rows that point at a transaction
//! carry its month, and a database that already held data keeps all of it when it is
//! partitioned. Dates are fixed, far from today, so no test depends on when it runs.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sqlx::migrate::Migrator;
use sqlx::PgPool;
use support::api::{merchant, payment, reference_data};
use uuid::Uuid;

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
}

/// The partitions of `table`, by name.
async fn partitions(pool: &PgPool, table: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT inhrelid::regclass::text FROM pg_inherits
          WHERE inhparent = $1::text::regclass ORDER BY 1",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// A payment of `merchant` made at `created_at`; returns its row id.
async fn payment_at(pool: &PgPool, merchant: Uuid, id: &str, created_at: DateTime<Utc>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, payment_method_type, acquirer_code, created_at,
             finished_at)
         VALUES ($1, $2, $2, 'PAYMENT', 'SUCCESS', 10000, 'USD', 'GCASH', 'ANTOM', $3, $3)
         RETURNING id",
    )
    .bind(merchant)
    .bind(id)
    .bind(created_at)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn partition_of(pool: &PgPool, transaction_id: &str) -> String {
    sqlx::query_scalar(
        "SELECT tableoid::regclass::text FROM transactions WHERE transaction_id = $1",
    )
    .bind(transaction_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn months_ahead_are_made_once_however_many_instances_make_them(pool: PgPool) {
    let now = at(2031, 1, 15);
    // Three instances at once: each month is made by one of them, none fails.
    let made =
        futures_util::future::join_all((0..3).map(|_| server::partitions::make_ahead(&pool, now)))
            .await;
    let made: i64 = made.into_iter().map(Result::unwrap).sum();
    assert_eq!(made, 8, "January to April 2031, for both tables");
    for table in ["transactions", "balance_entries"] {
        let names = partitions(&pool, table).await;
        for month in ["2031_01", "2031_02", "2031_03", "2031_04"] {
            assert!(names.contains(&format!("{table}_{month}")), "{names:?}");
        }
        assert!(!names.contains(&format!("{table}_2031_05")), "{names:?}");
    }
    assert_eq!(server::partitions::make_ahead(&pool, now).await.unwrap(), 0);
    // The last day of a month makes the same months: they are counted by calendar month.
    assert_eq!(
        server::partitions::make_ahead(
            &pool,
            Utc.with_ymd_and_hms(2031, 1, 31, 23, 59, 59).unwrap()
        )
        .await
        .unwrap(),
        0
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_query_bounded_in_time_reads_only_the_months_it_touches(pool: PgPool) {
    reference_data(&pool).await;
    let lotus = merchant(&pool, "Lotus Tea House", "USD").await;
    let mut conn = pool.acquire().await.unwrap();
    server::partitions::make(&mut conn, at(2031, 1, 1), at(2031, 4, 1))
        .await
        .unwrap();
    payment_at(&pool, lotus, "PAY-FEB", at(2031, 2, 10)).await;
    // The last microsecond of March, UTC, is March's.
    payment_at(
        &pool,
        lotus,
        "PAY-MAR",
        Utc.with_ymd_and_hms(2031, 3, 31, 23, 59, 59).unwrap()
            + chrono::Duration::microseconds(999_999),
    )
    .await;
    assert_eq!(partition_of(&pool, "PAY-FEB").await, "transactions_2031_02");
    assert_eq!(partition_of(&pool, "PAY-MAR").await, "transactions_2031_03");

    // Days in Singapore, eight hours ahead of UTC: the 5th to the 20th of February.
    let (months, plan) = months_read(&mut conn, lotus, "2031-02-05", "2031-02-20").await;
    assert_eq!(months, ["transactions_2031_02"], "{plan}");
    // The 1st of March in Singapore starts at 16:00 UTC on the last day of February.
    let (months, plan) = months_read(&mut conn, lotus, "2031-03-01", "2031-03-31").await;
    assert_eq!(
        months,
        ["transactions_2031_02", "transactions_2031_03"],
        "{plan}"
    );
}

/// The months the transaction query of `merchant` (in Singapore) for the days `from` to
/// `to` reads its rows from (alias `t`, `t_1` ...), with the plan.
async fn months_read(
    conn: &mut sqlx::PgConnection,
    merchant: Uuid,
    from: &str,
    to: &str,
) -> (Vec<String>, String) {
    use app::transactions::filter::{parse, QueryParams};
    use app::transactions::query::prefixed_page_query;
    let params = QueryParams {
        from: Some(from.into()),
        to: Some(to.into()),
        status: Some("ANY".into()),
        ..QueryParams::default()
    };
    let filter = parse(&params, NaiveDate::from_ymd_opt(2031, 3, 31).unwrap()).unwrap();
    let plan: Vec<String> = prefixed_page_query(
        "EXPLAIN (COSTS OFF) ",
        merchant,
        &filter,
        chrono_tz::Asia::Singapore,
    )
    .build_query_scalar()
    .fetch_all(conn)
    .await
    .unwrap();
    let mut months: Vec<String> = plan
        .iter()
        .filter_map(|line| line.split(" on ").nth(1))
        .filter_map(|rest| {
            let mut words = rest.split_whitespace();
            let table = words.next()?;
            let alias = words.next()?;
            (alias == "t" || alias.starts_with("t_")).then(|| table.to_owned())
        })
        .collect();
    months.sort();
    months.dedup();
    (months, plan.join("\n"))
}

#[sqlx::test(migrations = "../migrations")]
async fn rows_pointing_at_a_transaction_carry_its_month(pool: PgPool) {
    reference_data(&pool).await;
    let lotus = merchant(&pool, "Lotus Tea House", "USD").await;
    let pay = payment(&pool, lotus, "PAY-1", "GCASH", "USD", 10_000).await;
    let paid_at: DateTime<Utc> =
        sqlx::query_scalar("SELECT created_at FROM transactions WHERE id = $1")
            .bind(pay)
            .fetch_one(&pool)
            .await
            .unwrap();
    // A writer that leaves the month out gets it, and the original's ID, filled in from
    // the transaction.
    let refund = |original_created_at: Option<DateTime<Utc>>, id: &'static str| {
        sqlx::query_as::<_, (Option<DateTime<Utc>>, Option<String>)>(
            "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type,
                 status, amount_minor, currency, payment_method_type, acquirer_code,
                 original_id, original_created_at, created_at)
             VALUES ($1, $2, $2, 'REFUND', 'SUCCESS', 100, 'USD', 'GCASH', 'ANTOM', $3, $4, now())
             RETURNING original_created_at, original_transaction_id",
        )
        .bind(lotus)
        .bind(id)
        .bind(pay)
        .bind(original_created_at)
        .fetch_one(&pool)
    };
    assert_eq!(
        refund(None, "REF-1").await.unwrap(),
        (Some(paid_at), Some("PAY-1".to_owned()))
    );
    // One that gives a month the transaction is not in is refused by the key.
    let wrong = refund(Some(paid_at - chrono::Duration::days(40)), "REF-2")
        .await
        .unwrap_err();
    assert!(
        wrong.to_string().contains("transactions_original_id_fkey"),
        "{wrong}"
    );
    // And a transaction that does not exist cannot be pointed at with or without one.
    let missing = sqlx::query(
        "INSERT INTO refund_requests (merchant_id, refund_request_id, payment_ref, payment_id,
             amount_minor, currency, result_code, result_message, source)
         VALUES ($1, 'REQ-1', 'NOPE', -1, 100, 'USD', 'PENDING', '', 'API')",
    )
    .bind(lotus)
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("refund_requests_payment_id_fkey"),
        "{missing}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_row_outside_the_months_made_is_kept_and_its_month_is_left_alone(pool: PgPool) {
    reference_data(&pool).await;
    let lotus = merchant(&pool, "Lotus Tea House", "USD").await;
    let last_second_of_1999 = Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap();
    payment_at(&pool, lotus, "PAY-1999", last_second_of_1999).await;
    assert_eq!(
        partition_of(&pool, "PAY-1999").await,
        "transactions_default"
    );
    // Its month cannot be made while the default partition holds it: skipped, not failed.
    let made: i32 = sqlx::query_scalar("SELECT make_month_partitions('transactions', $1, 2)")
        .bind(last_second_of_1999)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(made, 1, "January 2000 is made, December 1999 is not");
    assert_eq!(
        partition_of(&pool, "PAY-1999").await,
        "transactions_default"
    );
    let names = partitions(&pool, "transactions").await;
    assert!(
        names.contains(&"transactions_2000_01".to_owned()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"transactions_1999_12".to_owned()),
        "{names:?}"
    );
}

/// The migration that partitions the tables, run on a database that already holds
/// transactions, refunds, ledger entries and notifications: every row is kept in its
/// month, rows that point at transactions get their months, the daily totals still
/// agree, and new rows get new ids.
#[sqlx::test(migrations = false)]
async fn partitioning_keeps_a_databases_existing_rows(pool: PgPool) {
    let all = Migrator::new(std::path::Path::new("../migrations"))
        .await
        .unwrap();
    let partitioning = all
        .iter()
        .position(|m| m.description.contains("monthly partitions"))
        .expect("the partitioning migration");
    let before = Migrator {
        migrations: all.migrations[..partitioning].to_vec().into(),
        ..Migrator::DEFAULT
    };
    before.run(&pool).await.unwrap();

    reference_data(&pool).await;
    let lotus = merchant(&pool, "Lotus Tea House", "USD").await;
    let old = sqlx::query_scalar::<_, i64>(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, payment_method_type, acquirer_code, created_at,
             finished_at)
         VALUES ($1, 'PAY-OLD', '1', 'PAYMENT', 'SUCCESS', 5000, 'USD', 'GCASH', 'ANTOM',
                 '2030-05-31 23:00:00+00', '2030-05-31 23:00:00+00')
         RETURNING id",
    )
    .bind(lotus)
    .fetch_one(&pool)
    .await
    .unwrap();
    let refund = sqlx::query_scalar::<_, i64>(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, payment_method_type, acquirer_code, original_id,
             created_at, finished_at)
         VALUES ($1, 'REF-OLD', '2', 'REFUND', 'SUCCESS', 1000, 'USD', 'GCASH', 'ANTOM', $2,
                 '2030-06-01 01:00:00+00', '2030-06-01 01:00:00+00')
         RETURNING id",
    )
    .bind(lotus)
    .bind(old)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO refund_requests (merchant_id, refund_request_id, payment_ref, payment_id,
             amount_minor, currency, result_code, result_message, refund_id, source)
         VALUES ($1, 'REQ-OLD', 'PAY-OLD', $2, 1000, 'USD', 'SUCCESS', 'Success.', $3, 'API')",
    )
    .bind(lotus)
    .bind(old)
    .bind(refund)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO balance_entries (merchant_id, currency, amount_minor, balance_after_minor,
             kind, transaction_id, created_at)
         VALUES ($1, 'USD', -1000, 999999000, 'REFUND', $2, '2030-06-01 01:00:00+00')",
    )
    .bind(lotus)
    .bind(refund)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO refund_notifications (merchant_id, refund_id, url, client_id, body)
         VALUES ($1, $2, 'https://merchant.example/notify', 'CLIENT', '{}')",
    )
    .bind(lotus)
    .bind(refund)
    .execute(&pool)
    .await
    .unwrap();

    all.run(&pool).await.unwrap();

    assert_eq!(partition_of(&pool, "PAY-OLD").await, "transactions_2030_05");
    assert_eq!(partition_of(&pool, "REF-OLD").await, "transactions_2030_06");
    let carried: (bool, bool, bool, bool, String) = sqlx::query_as(
        "SELECT (SELECT original_created_at = '2030-05-31 23:00:00+00'
                        AND original_transaction_id = 'PAY-OLD' FROM transactions
                  WHERE transaction_id = 'REF-OLD'),
                (SELECT payment_created_at = '2030-05-31 23:00:00+00'
                        AND refund_created_at = '2030-06-01 01:00:00+00' FROM refund_requests),
                (SELECT transaction_created_at = '2030-06-01 01:00:00+00' FROM balance_entries),
                (SELECT refund_created_at = '2030-06-01 01:00:00+00' FROM refund_notifications),
                (SELECT tableoid::regclass::text FROM balance_entries)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        carried,
        (true, true, true, true, "balance_entries_2030_06".to_owned())
    );
    let disagreeing: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ((TABLE daily_totals_recount EXCEPT TABLE daily_totals)
                 UNION ALL (TABLE daily_totals EXCEPT TABLE daily_totals_recount)) d",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(disagreeing, 0);
    // The identity goes on where it was: a new row never reuses an old id.
    let new = payment(&pool, lotus, "PAY-NEW", "GCASH", "USD", 100).await;
    assert!(new > refund, "{new} after {refund}");
    // The keys hold on the moved rows: deleting the refund takes its request, ledger
    // entry and notification along.
    sqlx::query("DELETE FROM transactions WHERE id = $1")
        .bind(refund)
        .execute(&pool)
        .await
        .unwrap();
    let left: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM refund_requests), (SELECT count(*) FROM balance_entries),
                (SELECT count(*) FROM refund_notifications)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, (0, 0, 0));
}

/// Making a month locks the table against every reader for a moment; behind a long read
/// (an export) the maker would make every page wait behind it. It gives up instead, and
/// a later run makes the month.
#[sqlx::test(migrations = "../migrations")]
async fn a_maker_gives_up_rather_than_make_the_pages_wait_behind_a_long_read(pool: PgPool) {
    let mut export = pool.begin().await.unwrap();
    sqlx::query("SELECT count(*) FROM transactions")
        .execute(&mut *export)
        .await
        .unwrap();
    let now = at(2032, 1, 15);
    let made = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        server::partitions::make_ahead(&pool, now),
    )
    .await
    .expect("the maker gives up within its lock timeout");
    let refused = made.unwrap_err();
    assert_eq!(
        refused
            .as_database_error()
            .and_then(|e| e.code())
            .as_deref(),
        Some("55P03"),
        "{refused}"
    );
    export.rollback().await.unwrap();
    assert_eq!(server::partitions::make_ahead(&pool, now).await.unwrap(), 8);
}
