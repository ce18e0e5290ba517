//! Batch refunds from a file: the dry run checks every row with the refund rules and
//! writes nothing; a confirmed batch is refunded row by row by the job, once per row
//! across restarts, pauses and competing instances; the same file again refunds
//! nothing twice. Against a real PostgreSQL, through the functions the pages and the
//! upload route call.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use std::time::Duration;

use app::audit::Actor;
use app::locale::Language;
use app::refunds::batch::job;
use app::refunds::batch::store::{self, Control, ControlProblem, UploadProblem};
use app::refunds::batch::{BatchStatus, FileProblem, MAX_ROWS};
use sqlx::PgPool;
use support::api::{self, merchant, payment, reference_data};
use support::{dashboard_user, PAYMENT_PASSWORD};
use uuid::Uuid;

const LEASE: Duration = Duration::from_secs(60);

/// Lotus with an operator who has a payment password, a balance to refund from, and
/// `n` GCash payments PAY-0… of 100.00 USD (refunded at once, partial and repeated
/// refunds allowed) with references ORD-0….
async fn lotus(pool: &PgPool, n: usize) -> (Uuid, Actor) {
    reference_data(pool).await;
    let lotus = merchant(pool, "Lotus Tea House", "USD").await;
    api::set_balance(pool, lotus, "USD", 1_000_000_000).await;
    for i in 0..n {
        payment(pool, lotus, &format!("PAY-{i}"), "GCASH", "USD", 10_000).await;
    }
    sqlx::query(
        "UPDATE transactions SET reference_transaction_id = 'ORD-' || substr(transaction_id, 5)",
    )
    .execute(pool)
    .await
    .unwrap();
    let ada = dashboard_user(pool, lotus, "ada@lotus.example", "operator").await;
    (lotus, ada)
}

async fn upload(pool: &PgPool, actor: &Actor, csv: &str) -> Result<i64, UploadProblem> {
    store::upload(pool, actor, "refunds.csv", csv.as_bytes(), Language::En).await
}

/// What would change money: refunds, refund requests, ledger entries.
async fn money_rows(pool: &PgPool) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM transactions WHERE transaction_type = 'REFUND'),
                (SELECT count(*) FROM refund_requests),
                (SELECT count(*) FROM balance_entries)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// (line, planned amount, planned code) of every row, in file order.
async fn planned(pool: &PgPool, batch: i64) -> Vec<(i32, Option<i64>, Option<String>)> {
    sqlx::query_as(
        "SELECT line, planned_minor, planned_code FROM refund_batch_rows
         WHERE batch_id = $1 ORDER BY line",
    )
    .bind(batch)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn run_to_the_end(pool: &PgPool) {
    while job::work(pool, 50, LEASE).await.unwrap() > 0 {}
}

async fn status(pool: &PgPool, batch: i64) -> (String, i32, i32) {
    sqlx::query_as("SELECT status, done_rows, total_rows FROM refund_batches WHERE id = $1")
        .bind(batch)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_dry_run_says_what_each_row_would_do_and_writes_nothing(pool: PgPool) {
    let (_, ada) = lotus(&pool, 3).await;
    let before = money_rows(&pool).await;
    let balance = api::balance(&pool, ada.merchant_id, "USD").await;
    let batch = upload(
        &pool,
        &ada,
        "Transaction ID,Amount,Currency,Reason,Refund Request ID\n\
         PAY-0,12.50,USD,Recall 召回 🙂,\n\
         ORD-1,,usd,Evento cancelado,MY-1\n\
         PAY-2,60.00,USD,,\n\
         PAY-2,50.00,USD,,\n\
         PAY-2,12,EUR,,\n\
         PAY-9,1.00,USD,,\n\
         PAY-0,1.234,USD,,\n\
         PAY-0,1.00,XYZ,,\n\
         PAY-0,1.00,USD,,MY-1\n\
         PAY-0,=1+1,USD,,\n",
    )
    .await
    .unwrap();
    assert_eq!(
        money_rows(&pool).await,
        before,
        "the dry run refunds nothing"
    );
    assert_eq!(api::balance(&pool, ada.merchant_id, "USD").await, balance);
    let code = |c: &str| Some(c.to_owned());
    assert_eq!(
        planned(&pool, batch).await,
        vec![
            (2, Some(1_250), None),
            // Blank amount: everything left; found by the merchant's reference.
            (3, Some(10_000), None),
            (4, Some(6_000), None),
            // The row above took 60.00 of this payment's 100.00.
            (5, None, code("REFUND_AMOUNT_EXCEED")),
            (6, None, code("CURRENCY_NOT_SUPPORT")),
            (7, None, code("ORDER_NOT_EXIST")),
            (8, None, code("PARAM_ILLEGAL")),
            (9, None, code("PARAM_ILLEGAL")),
            (10, None, code("DUPLICATE_ROW")),
            (11, None, code("PARAM_ILLEGAL")),
        ]
    );
    let view = store::view(&pool, ada.merchant_id, batch, chrono_tz::UTC, Language::En)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.status, BatchStatus::Checked);
    assert_eq!((view.good_rows, view.bad_rows), (3, 7));
    assert_eq!(view.totals, ["172.50 USD"]);
    // Rows naming one payment more than once are listed with their lines.
    assert!(
        view.duplicates
            .contains(&("PAY-2".to_owned(), vec![4, 5, 6])),
        "{:?}",
        view.duplicates
    );
    // A bad cell names its column.
    let amount = view.rows.iter().find(|r| r.line == 8).unwrap();
    assert!(
        matches!(&amount.planned, Err((_, why)) if why.starts_with("amount: ")),
        "{amount:?}"
    );
    let currency = view.rows.iter().find(|r| r.line == 9).unwrap();
    assert!(
        matches!(&currency.planned, Err((_, why)) if why.contains("XYZ")),
        "{currency:?}"
    );
    // The results file writes the file's text as text, never as a spreadsheet formula.
    let results = store::results_csv(&pool, ada.merchant_id, batch)
        .await
        .unwrap()
        .unwrap();
    let formula = results.lines().find(|l| l.starts_with("11,")).unwrap();
    assert!(formula.starts_with("11,PAY-0,'=1+1,USD,"), "{formula}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_file_that_cannot_be_read_is_refused_whole(pool: PgPool) {
    let (_, ada) = lotus(&pool, 1).await;
    let refused = |r: Result<i64, UploadProblem>| match r {
        Err(UploadProblem::File(p)) => p,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(upload(&pool, &ada, "paymentId,amount,currency\nPAY-0,1,USD\n").await),
        FileProblem::UnknownColumn("paymentId".into())
    );
    assert_eq!(
        refused(upload(&pool, &ada, "transaction_id,currency\nPAY-0,USD\n").await),
        FileProblem::MissingColumn("amount".into())
    );
    let mut big = String::from("transaction_id,amount,currency\n");
    for i in 0..=MAX_ROWS {
        big.push_str(&format!("PAY-{i},1.00,USD\n"));
    }
    assert_eq!(
        refused(upload(&pool, &ada, &big).await),
        FileProblem::TooManyRows(MAX_ROWS + 1)
    );
    let bytes = vec![b'x'; 5 * 1024 * 1024 + 1];
    let huge = store::upload(&pool, &ada, "big.csv", &bytes, Language::En).await;
    assert!(matches!(
        huge,
        Err(UploadProblem::File(FileProblem::TooLarge))
    ));
    let latin1 = store::upload(
        &pool,
        &ada,
        "a.csv",
        b"transaction_id,amount,currency\nS\xe3o,1,BRL\n",
        Language::En,
    )
    .await;
    assert!(
        matches!(
            latin1,
            Err(UploadProblem::File(FileProblem::Malformed {
                line: Some(2),
                ..
            }))
        ),
        "{latin1:?}"
    );
    let batches: i64 = sqlx::query_scalar("SELECT count(*) FROM refund_batches")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(batches, 0, "nothing of a refused file is kept");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_thousand_rows_of_good_and_bad_give_exact_outcomes_and_refund_once(pool: PgPool) {
    let (merchant, ada) = lotus(&pool, 700).await;
    // Row i (line i + 2): payments 0..600 refunded 10.00, 600..700 twice (70.00 then
    // 40.00: the second is over), then rows naming nothing, bad amounts and currencies.
    let mut csv = String::from("transaction_id,amount,currency,reason\n");
    let mut expected = Vec::new();
    for i in 0..600 {
        csv.push_str(&format!("PAY-{i},10.00,USD,Recall\n"));
        expected.push(None);
    }
    for i in 600..700 {
        csv.push_str(&format!("PAY-{i},70.00,USD,\nPAY-{i},40.00,USD,\n"));
        expected.push(None);
        expected.push(Some("REFUND_AMOUNT_EXCEED"));
    }
    for i in 0..100 {
        csv.push_str(&format!("NOPE-{i},1.00,USD,\n"));
        expected.push(Some("ORDER_NOT_EXIST"));
    }
    for i in 0..50 {
        csv.push_str(&format!("PAY-{i},1.001,USD,\nPAY-{i},1.00,ZZZ,\n"));
        expected.push(Some("PARAM_ILLEGAL"));
        expected.push(Some("PARAM_ILLEGAL"));
    }
    assert_eq!(expected.len(), 1_000);
    let batch = upload(&pool, &ada, &csv).await.unwrap();
    let got: Vec<Option<String>> = planned(&pool, batch)
        .await
        .into_iter()
        .map(|p| p.2)
        .collect();
    assert_eq!(
        got,
        expected
            .iter()
            .map(|e| e.map(str::to_owned))
            .collect::<Vec<_>>()
    );

    store::confirm(&pool, &ada, batch, PAYMENT_PASSWORD)
        .await
        .unwrap();
    assert_eq!(status(&pool, batch).await, ("RUNNING".into(), 300, 1_000));
    run_to_the_end(&pool).await;
    assert_eq!(status(&pool, batch).await, ("DONE".into(), 1_000, 1_000));
    let (refunds, requests, _) = money_rows(&pool).await;
    assert_eq!((refunds, requests), (700, 700));
    let refunded: i64 = sqlx::query_scalar(
        "SELECT sum(amount_minor)::bigint FROM transactions WHERE transaction_type = 'REFUND'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(refunded, 600 * 1_000 + 100 * 7_000);
    let csv = store::results_csv(&pool, merchant, batch)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(csv.lines().count(), 1_001);
    assert!(
        csv.lines().nth(1).unwrap().contains(",SUCCESS,"),
        "{}",
        csv.lines().nth(1).unwrap()
    );
    // Each refund is audited as any refund, by the person who confirmed.
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'REFUND' AND actor = 'ada@lotus.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 700);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_run_killed_midway_resumes_where_it_stopped_and_refunds_no_row_twice(pool: PgPool) {
    let (_, ada) = lotus(&pool, 300).await;
    let mut csv = String::from("transaction_id,amount,currency\n");
    for i in 0..300 {
        csv.push_str(&format!("PAY-{i},1.00,USD\n"));
    }
    let batch = upload(&pool, &ada, &csv).await.unwrap();
    store::confirm(&pool, &ada, batch, PAYMENT_PASSWORD)
        .await
        .unwrap();
    // The job's task is killed partway through a chunk.
    let worker = {
        let pool = pool.clone();
        tokio::spawn(async move { run_to_the_end(&pool).await })
    };
    loop {
        if status(&pool, batch).await.1 >= 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    worker.abort();
    let _ = worker.await;
    let done = status(&pool, batch).await.1;
    assert!(done < 300, "killed before the end ({done})");
    // A row whose refund was made but not recorded when it stopped.
    sqlx::query(
        "WITH last AS (SELECT line FROM refund_batch_rows WHERE batch_id = $1 AND result_code IS NOT NULL
                       ORDER BY line DESC LIMIT 1)
         UPDATE refund_batch_rows SET result_code = NULL, refund_id = NULL
         WHERE batch_id = $1 AND line = (SELECT line FROM last)",
    )
    .bind(batch)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE refund_batches SET done_rows = done_rows - 1 WHERE id = $1")
        .bind(batch)
        .execute(&pool)
        .await
        .unwrap();
    // The lease keeps another instance away until it runs out…
    assert_eq!(job::work(&pool, 50, LEASE).await.unwrap(), 0);
    sqlx::query("UPDATE refund_batches SET lease_until = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    // …then two instances at once share the rest, each row once.
    let (a, b) = tokio::join!(run_to_the_end(&pool), run_to_the_end(&pool));
    let _ = (a, b);
    assert_eq!(status(&pool, batch).await, ("DONE".into(), 300, 300));
    let (refunds, requests, _) = money_rows(&pool).await;
    assert_eq!((refunds, requests), (300, 300), "no row refunded twice");
    let distinct: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT refund_id) FROM refund_batch_rows WHERE batch_id = $1",
    )
    .bind(batch)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(distinct, 300);
}

#[sqlx::test(migrations = "../migrations")]
async fn pause_resume_cancel_and_the_same_file_again(pool: PgPool) {
    let (_, ada) = lotus(&pool, 120).await;
    let mut csv = String::from("transaction_id,amount,currency\n");
    for i in 0..120 {
        csv.push_str(&format!("PAY-{i},1.00,USD\n"));
    }
    let batch = upload(&pool, &ada, &csv).await.unwrap();
    // Nothing runs before the confirmation, and a wrong password confirms nothing.
    assert_eq!(job::work(&pool, 50, LEASE).await.unwrap(), 0);
    let wrong = store::confirm(&pool, &ada, batch, "not-the-one-1").await;
    assert!(matches!(wrong, Err(ControlProblem::Password(_))));
    assert_eq!(status(&pool, batch).await.0, "CHECKED");
    store::confirm(&pool, &ada, batch, PAYMENT_PASSWORD)
        .await
        .unwrap();
    assert!(matches!(
        store::confirm(&pool, &ada, batch, PAYMENT_PASSWORD).await,
        Err(ControlProblem::NotNow)
    ));
    assert_eq!(job::work(&pool, 50, LEASE).await.unwrap(), 50);
    store::control(&pool, &ada, batch, Control::Pause)
        .await
        .unwrap();
    assert_eq!(job::work(&pool, 50, LEASE).await.unwrap(), 0, "paused");
    store::control(&pool, &ada, batch, Control::Resume)
        .await
        .unwrap();
    assert_eq!(job::work(&pool, 50, LEASE).await.unwrap(), 50);
    store::control(&pool, &ada, batch, Control::Cancel)
        .await
        .unwrap();
    assert_eq!(job::work(&pool, 50, LEASE).await.unwrap(), 0, "cancelled");
    assert_eq!(status(&pool, batch).await, ("CANCELLED".into(), 100, 120));
    assert!(matches!(
        store::control(&pool, &ada, batch, Control::Resume).await,
        Err(ControlProblem::NotNow)
    ));
    assert_eq!(money_rows(&pool).await.0, 100);

    // The same file again: the 100 rows already refunded are refused as repeats, the 20
    // never run are refunded now.
    let again = upload(&pool, &ada, &csv).await.unwrap();
    let codes: Vec<Option<String>> = planned(&pool, again)
        .await
        .into_iter()
        .map(|p| p.2)
        .collect();
    assert_eq!(
        codes
            .iter()
            .filter(|c| c.as_deref() == Some("REPEAT_REQUEST"))
            .count(),
        100
    );
    assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 20);
    store::confirm(&pool, &ada, again, PAYMENT_PASSWORD)
        .await
        .unwrap();
    run_to_the_end(&pool).await;
    assert_eq!(money_rows(&pool).await.0, 120);
}
