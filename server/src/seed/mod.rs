//! `server seed`: deterministic demo data. Four merchants in different time zones with
//! one user per role, the payment methods and acquirers of the refund rules (docs/RULES.md),
//! 13 months of daily exchange rates, balances, and a bulk of transactions loaded with
//! COPY. The same seed on the same UTC day gives the same rows.

mod copy;
pub mod payment;
mod rates;
mod rebuild;
mod reference;
mod transactions;

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use sqlx::PgPool;

use crate::cli::SeedArgs;
use copy::DAY_US;
use rates::Rates;
use transactions::{Generator, RowWriter, COPY_STATEMENT, HISTORY_DAYS};

/// The sign-in password of every demo user.
pub const DEMO_PASSWORD: &str = "paydesk-demo";

#[derive(Debug, Clone)]
pub struct SeedSummary {
    pub merchants: Vec<DemoMerchant>,
    /// Transactions loaded, or already there when the seed was skipped.
    pub transactions: u64,
    /// Merchants existed and no reset was asked for: nothing was changed.
    pub skipped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoMerchant {
    pub name: String,
    pub time_zone: String,
    /// (e-mail, role) of each user.
    pub logins: Vec<(String, String)>,
}

/// Key of the advisory lock that makes concurrent seeds run one after the other.
const SEED_LOCK: i64 = 0x5eed_0001;

/// Loads the demo data in one transaction: either all of it is there or none.
pub async fn run(pool: &PgPool, args: &SeedArgs) -> anyhow::Result<SeedSummary> {
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", SEED_LOCK)
        .execute(&mut *tx)
        .await?;
    let merchants = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM merchants"#)
        .fetch_one(&mut *tx)
        .await?;
    if merchants > 0 && !args.reset {
        let merchants = reference::existing(&mut tx).await?;
        let transactions = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM transactions"#)
            .fetch_one(&mut *tx)
            .await?;
        tx.rollback().await?;
        return Ok(SeedSummary {
            merchants,
            transactions: transactions as u64,
            skipped: true,
        });
    }

    // History ends at the start of the current UTC day, so it only changes once a day.
    let end = Utc::now().date_naive().and_time(NaiveTime::MIN).and_utc();
    let start = transactions::history_start(end);
    // argon2 takes tens of milliseconds: hash once and share it, which is fine for demo
    // users with a published password.
    let password_hash =
        tokio::task::spawn_blocking(|| app::auth::password::hash_blocking(DEMO_PASSWORD)).await?;

    // Commit durability buys nothing for demo data; index builds sort in memory.
    sqlx::query!("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    sqlx::query!("SET LOCAL maintenance_work_mem = '256MB'")
        .execute(&mut *tx)
        .await?;
    reference::clear(&mut tx).await?;
    let signed_up =
        DateTime::from_timestamp_micros(start).context("history start")? - Duration::days(30);
    reference::insert(&mut tx, &password_hash, signed_up).await?;
    reference::insert_balances(&mut tx, end).await?;
    // Rates up to and including today, which refunds made today settle at.
    let rates = Arc::new(Rates::generate(
        args.seed,
        start.div_euclid(DAY_US),
        HISTORY_DAYS as usize + 1,
    ));
    rates
        .copy_to(&mut tx)
        .await
        .context("loading exchange rates")?;
    let reference_done = started.elapsed();

    // Every month of the history, and the months ahead, before any row arrives.
    crate::partitions::make(
        &mut tx,
        DateTime::from_timestamp_micros(start).context("history start")?,
        end + Duration::days(31 * i64::from(crate::partitions::AHEAD)),
    )
    .await
    .context("making monthly partitions")?;
    let set_aside = rebuild::set_aside(&mut tx, "transactions").await?;
    let generator = Generator::new(args.seed, args.transactions, end, rates.clone());
    let (rows, ()) = copy::copy_in(&mut tx, COPY_STATEMENT, move |w| {
        let writer = RowWriter::default();
        for row in generator {
            writer.write(w.buf(), &row);
            if !w.row_done() {
                return;
            }
        }
    })
    .await
    .context("loading transactions")?;
    let copy_done = started.elapsed();
    rebuild::restore(&mut tx, &set_aside)
        .await
        .context("restoring indexes and foreign keys")?;
    let restore_done = started.elapsed();
    sqlx::query!(
        "SELECT setval(pg_get_serial_sequence('transactions', 'id'), COALESCE(max(id), 0) + 1, false)
         FROM transactions",
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("ANALYZE transactions, exchange_rates")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        rows,
        reference_s = reference_done.as_secs_f64(),
        copy_s = (copy_done - reference_done).as_secs_f64(),
        indexes_and_keys = set_aside.len(),
        restore_s = (restore_done - copy_done).as_secs_f64(),
        total_s = started.elapsed().as_secs_f64(),
        "demo data loaded"
    );
    Ok(SeedSummary {
        merchants: reference::demo_merchants(),
        transactions: rows,
        skipped: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(transactions: u64, reset: bool) -> SeedArgs {
        SeedArgs {
            what: None,
            transactions,
            seed: 11,
            reset,
        }
    }

    async fn count(pool: &PgPool, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Everything a second seed must leave alone.
    async fn fingerprint(pool: &PgPool) -> (i64, i64, i64, Option<String>, Option<String>) {
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM merchants), (SELECT count(*) FROM users), count(*),
                    md5(string_agg(concat_ws('|', id, merchant_id, transaction_id, status, amount_minor,
                        settlement_amount_minor, settlement_quote, original_id, created_at, finished_at),
                        ',' ORDER BY id)),
                    (SELECT md5(string_agg(concat_ws('|', rate_date, base_currency, quote_currency, rate),
                        ',' ORDER BY rate_date, base_currency, quote_currency)) FROM exchange_rates)
             FROM transactions",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn seeds_consistent_demo_data_once(pool: PgPool) {
        let index_sql =
            "SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = 'transactions'
                         UNION ALL
                         SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
                         WHERE conrelid = 'transactions'::regclass AND conparentid = 0
                         ORDER BY 1, 2";
        let indexes_before: Vec<(String, String)> =
            sqlx::query_as(index_sql).fetch_all(&pool).await.unwrap();

        let s = run(&pool, &args(3_000, false)).await.unwrap();
        assert!(!s.skipped);
        assert_eq!(s.transactions, 3_000);
        assert_eq!(s.merchants.len(), 4);
        assert!(s.merchants.iter().all(|m| m.logins.len() == 4));
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM merchants WHERE status = 'ACTIVE'"
            )
            .await,
            4
        );
        assert_eq!(count(&pool, "SELECT count(*) FROM users").await, 16);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM transactions").await,
            3_000
        );

        // Children belong to their original's merchant and come after it.
        let orphans = "SELECT count(*) FROM transactions c JOIN transactions p ON p.id = c.original_id
                       WHERE p.merchant_id <> c.merchant_id OR p.id >= c.id OR p.created_at >= c.created_at
                          OR p.currency <> c.currency OR p.transaction_id <> c.original_transaction_id";
        assert_eq!(count(&pool, orphans).await, 0);
        let over_refunded = "SELECT count(*) FROM (
                SELECT p.id FROM transactions p
                JOIN transactions r ON r.original_id = p.id AND r.transaction_type = 'REFUND' AND r.status = 'SUCCESS'
                GROUP BY p.id, p.amount_minor HAVING sum(r.amount_minor) > p.amount_minor) x";
        assert_eq!(count(&pool, over_refunded).await, 0);
        assert!(
            count(
                &pool,
                "SELECT count(*) FROM transactions WHERE transaction_type = 'REFUND'"
            )
            .await
                > 50
        );
        // Every converted amount has the day's rate to show next to it.
        let unrated = "SELECT count(*) FROM transactions t WHERE t.currency <> t.settlement_currency
                AND t.settlement_quote IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM exchange_rates r
                    WHERE r.rate_date = (coalesce(t.finished_at, t.created_at) AT TIME ZONE 'UTC')::date
                      AND r.base_currency = t.currency AND r.quote_currency = t.settlement_currency
                      AND r.rate = t.settlement_quote)";
        assert_eq!(count(&pool, unrated).await, 0);
        let low = "SELECT b.available_minor FROM merchant_balances b JOIN merchants m ON m.id = b.merchant_id
                   WHERE m.name = 'Harbour Books' AND b.currency = 'USD'";
        assert_eq!(count(&pool, low).await, 25_000);

        // Every row found its month: none fell through to the default partition.
        assert_eq!(
            count(&pool, "SELECT count(*) FROM transactions_default").await,
            0
        );

        // The bulk load kept the daily totals and their rollups (docs/RULES.md, "Daily totals").
        for totals in ["daily_totals", "daily_activity", "monthly_totals"] {
            let uncounted = format!(
                "SELECT count(*) FROM ((TABLE {totals}_recount EXCEPT TABLE {totals})
                         UNION ALL (TABLE {totals} EXCEPT TABLE {totals}_recount)) d"
            );
            assert_eq!(count(&pool, &uncounted).await, 0, "{totals}");
        }

        // The load put back exactly the indexes and constraints the migrations define,
        // and new rows get fresh ids.
        let indexes_after: Vec<(String, String)> =
            sqlx::query_as(index_sql).fetch_all(&pool).await.unwrap();
        assert_eq!(indexes_before, indexes_after);
        assert!(
            count(
                &pool,
                "SELECT nextval(pg_get_serial_sequence('transactions', 'id'))"
            )
            .await
                > count(&pool, "SELECT max(id) FROM transactions").await
        );

        // Demo users can sign in with the published password.
        let hash: String = sqlx::query_scalar(
            "SELECT password_hash FROM users WHERE email = 'finance@sakura.example'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(app::auth::password::verify_blocking(DEMO_PASSWORD, &hash));

        // A second seed without reset changes nothing.
        let before = fingerprint(&pool).await;
        let again = run(&pool, &args(5_000, false)).await.unwrap();
        assert!(again.skipped);
        assert_eq!(again.transactions, 3_000);
        assert_eq!(again.merchants, s.merchants);
        assert_eq!(fingerprint(&pool).await, before);

        // A reset clears sessions and throttling state and reproduces the same data.
        sqlx::query(
            "INSERT INTO tower_sessions.session VALUES ('s1', '\\x00', now() + interval '1 day')",
        )
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO sign_in_failures (email, address) VALUES ('admin@lotus.example', '127.0.0.1')")
            .execute(&pool)
            .await
            .unwrap();
        let reset = run(&pool, &args(3_000, true)).await.unwrap();
        assert!(!reset.skipped);
        assert_eq!(fingerprint(&pool).await, before);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM tower_sessions.session").await,
            0
        );
        assert_eq!(
            count(&pool, "SELECT count(*) FROM sign_in_failures").await,
            0
        );
    }

    /// A payment made just now, through the merchant's own channel, settled at the day's
    /// rate: refundable in full by the engine.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_seeded_payment_is_new_and_refundable(pool: PgPool) {
        use payment::{create, PaymentArgs};
        run(&pool, &args(500, false)).await.unwrap();
        let pay = |merchant: &str, method: &str, acquirer: Option<&str>, amount: Option<&str>| {
            PaymentArgs {
                merchant: merchant.into(),
                method: method.into(),
                acquirer: acquirer.map(Into::into),
                amount: amount.map(Into::into),
                refund: None,
            }
        };
        let id = create(&pool, &pay("lotus", "ALIPAY_CN", None, Some("88.80")))
            .await
            .unwrap()
            .payment_id;
        let row: (String, i64, String, Option<i64>, String) = sqlx::query_as(
            "SELECT status, amount_minor, currency::text, settlement_amount_minor, acquirer_code
               FROM transactions WHERE transaction_id = $1",
        )
        .bind(&id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(
            row,
            (
                "SUCCESS".into(),
                8880,
                "CNY".into(),
                Some(8880),
                "ANTOM".into()
            )
        );
        // A card payment in US dollars for a merchant settling in yuan is converted.
        let card = create(
            &pool,
            &pay("Lotus Tea House", "VISA", Some("2C2P_HK"), None),
        )
        .await
        .unwrap()
        .payment_id;
        let (currency, settled): (String, Option<i64>) = sqlx::query_as(
            "SELECT currency::text, settlement_amount_minor FROM transactions WHERE transaction_id = $1",
        )
        .bind(&card)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(currency, "HKD");
        assert!(settled.is_some_and(|s| s > 0));
        assert!(create(&pool, &pay("lotus", "PAYPAY", None, None))
            .await
            .is_err());
        assert!(create(&pool, &pay("nobody", "ALIPAY_CN", None, None))
            .await
            .is_err());

        let merchant: uuid::Uuid =
            sqlx::query_scalar("SELECT merchant_id FROM transactions WHERE transaction_id = $1")
                .bind(&id)
                .fetch_one(&pool)
                .await
                .unwrap();
        use app::refunds::engine::{refund, RefundCommand, RefundSource};
        use app::refunds::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};
        let record = refund(
            &pool,
            merchant,
            RefundCommand {
                refund_request_id: RefundRequestId::parse("R-1").unwrap(),
                payment_id: TransactionRef::parse("paymentId", &id).unwrap(),
                currency: CurrencyCode::parse("CNY").unwrap(),
                amount: MinorAmount::new(8880).unwrap(),
                reason: None,
                notify_url: None,
                source: RefundSource::Dashboard(app::audit::Actor::system(merchant)),
            },
        )
        .await;
        assert!(record.is_ok(), "{record:?}");
        // With --refund, the refund is made too.
        let both = create(
            &pool,
            &PaymentArgs {
                refund: Some("10".into()),
                ..pay("sakura", "PAYPAY", None, Some("1000"))
            },
        )
        .await
        .unwrap();
        let status: String = sqlx::query_scalar(
            "SELECT status FROM transactions WHERE transaction_id = $1 AND transaction_type = 'REFUND'",
        )
        .bind(both.refund_id.unwrap())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(status, "PROCESSING", "PayPay refunds are asynchronous");
    }
}
