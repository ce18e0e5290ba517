//! Refunds racing each other through the real HTTP stack: the payment amount and the
//! request IDs hold however many arrive at once.

#[allow(dead_code)]
mod support;

use futures_util::future::join_all;
use sqlx::PgPool;
use support::api::{self, code, Client};

async fn client(pool: PgPool) -> Client {
    Client::lotus(pool, api::unlimited()).await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_hundred_concurrent_refunds_never_exceed_the_payment(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 100_000).await;
    let before = api::balance(&pool, c.merchant, "USD").await;
    // 100 refunds of 1.00 to 30.00 (about 15.50 on average): together far more than the
    // 1,000.00 paid, so some must be refused.
    let amounts: Vec<i64> = (0..100).map(|i| 100 + (i * 37 % 30) * 100).collect();
    let asked: i64 = amounts.iter().sum();
    assert!(asked > 100_000);
    let answers = join_all(amounts.iter().enumerate().map(|(i, a)| {
        let c = &c;
        async move {
            (
                *a,
                c.refund(&format!("R-{i}"), "PAY-1", "USD", &a.to_string())
                    .await,
            )
        }
    }))
    .await;
    let mut granted = 0;
    for (amount, r) in &answers {
        match code(r) {
            "SUCCESS" => granted += amount,
            "REFUND_AMOUNT_EXCEED" => {}
            other => panic!("unexpected {other}: {r}"),
        }
    }
    let refunded: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(amount_minor), 0)::bigint FROM transactions
         WHERE transaction_type = 'REFUND' AND status = 'SUCCESS'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(refunded, granted);
    assert!(refunded <= 100_000, "refunded {refunded} of 100000");
    // Refused ones were refused for a reason: each would have gone over what was left
    // when it got its turn, so the payment is nearly used up.
    assert!(refunded > 100_000 - 3_000, "only {refunded} refunded");
    assert_eq!(
        api::balance(&pool, c.merchant, "USD").await,
        before - refunded
    );
    let ledger: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(amount_minor), 0)::bigint FROM balance_entries")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(ledger, -refunded);
}

#[sqlx::test(migrations = "../migrations")]
async fn fifty_concurrent_duplicates_make_one_refund(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 100_000).await;
    let before = api::balance(&pool, c.merchant, "USD").await;
    let answers = join_all((0..50).map(|_| c.refund("SAME-ID", "PAY-1", "USD", "1234"))).await;
    for r in &answers {
        assert_eq!(code(r), "SUCCESS", "{r}");
        assert_eq!(r, &answers[0], "every duplicate gets the same answer");
    }
    let refunds = support::refund_rows(&pool).await;
    assert_eq!(refunds, 1);
    assert_eq!(api::balance(&pool, c.merchant, "USD").await, before - 1234);
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_duplicates_on_different_payments_are_one_refund_and_inconsistencies(
    pool: PgPool,
) {
    let c = client(pool.clone()).await;
    for p in ["PAY-A", "PAY-B"] {
        api::payment(&pool, c.merchant, p, "GCASH", "USD", 100_000).await;
    }
    let answers = join_all((0..20).map(|i| {
        let p = if i % 2 == 0 { "PAY-A" } else { "PAY-B" };
        c.refund("SHARED", p, "USD", "500")
    }))
    .await;
    let ok = answers.iter().filter(|r| code(r) == "SUCCESS").count();
    let inconsistent = answers
        .iter()
        .filter(|r| code(r) == "REPEAT_REQ_INCONSISTENT")
        .count();
    assert_eq!(ok, 10, "the winner's payment's duplicates succeed");
    assert_eq!(
        inconsistent, 10,
        "the other payment's requests are inconsistent"
    );
    let refunds = support::refund_rows(&pool).await;
    assert_eq!(refunds, 1);
}
