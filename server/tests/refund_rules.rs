//! Every refund rule of docs/RULES.md through the real API and PostgreSQL: each result
//! code, idempotent replays and what a refund leaves in the database.

#[allow(dead_code)]
mod support;

use chrono::{Duration, Utc};
use serde_json::json;
use sqlx::PgPool;
use support::api::{self, code, status, Client, REFUND};
use support::TestApp;
use uuid::Uuid;

async fn client(pool: PgPool) -> Client {
    Client::lotus(pool, api::unlimited()).await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_synchronous_refund_succeeds_and_is_recorded(pool: PgPool) {
    let c = client(pool.clone()).await;
    let pay = api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 10_000).await;
    let before = api::balance(&pool, c.merchant, "USD").await;

    let r = c.refund("R-1", "PAY-1", "USD", "2500").await;
    assert_eq!(code(&r), "SUCCESS", "{r}");
    assert_eq!(status(&r), "S");
    assert_eq!(r["refundRequestId"], "R-1");
    assert_eq!(r["paymentId"], "PAY-1");
    assert_eq!(
        r["refundAmount"],
        json!({"currency": "USD", "value": "2500"})
    );
    assert!(r["refundTime"].as_str().unwrap().ends_with("+00:00"));
    // Same currency as the settlement: no conversion to report.
    assert!(r.get("grossSettlementAmount").is_none());
    let refund_id = r["refundId"].as_str().unwrap();

    // A REFUND row of the payment, for the transaction pages.
    let (kind, st, original, request_id, amount): (String, String, i64, String, i64) =
        sqlx::query_as(
            "SELECT transaction_type, status, original_id, transaction_request_id, amount_minor
         FROM transactions WHERE transaction_id = $1",
        )
        .bind(refund_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (
            kind.as_str(),
            st.as_str(),
            original,
            request_id.as_str(),
            amount
        ),
        ("REFUND", "SUCCESS", pay, "R-1", 2500)
    );
    // The balance paid for it, and the ledger says so.
    assert_eq!(api::balance(&pool, c.merchant, "USD").await, before - 2500);
    let (entry, after): (i64, i64) = sqlx::query_as(
        "SELECT amount_minor, balance_after_minor FROM balance_entries WHERE merchant_id = $1",
    )
    .bind(c.merchant)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((entry, after), (-2500, before - 2500));

    // What is left can be refunded, in parts, down to zero.
    assert_eq!(
        c.refund_code("R-2", "PAY-1", "USD", "7000").await,
        "SUCCESS"
    );
    assert_eq!(
        c.refund_code("R-3", "PAY-1", "USD", "501").await,
        "REFUND_AMOUNT_EXCEED"
    );
    assert_eq!(c.refund_code("R-4", "PAY-1", "USD", "500").await, "SUCCESS");
    let r = c.refund("R-5", "PAY-1", "USD", "100").await;
    assert_eq!(code(&r), "REFUND_AMOUNT_EXCEED");
    assert_eq!(status(&r), "F");
}

#[sqlx::test(migrations = "../migrations")]
async fn repeats_answer_the_same_and_changed_repeats_are_inconsistent(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 10_000).await;
    api::payment(&pool, c.merchant, "PAY-2", "GCASH", "USD", 10_000).await;

    let first = c.refund("R-1", "PAY-1", "USD", "1000").await;
    let again = c.refund("R-1", "PAY-1", "USD", "1000").await;
    assert_eq!(first, again);
    for (payment, currency, value) in [
        ("PAY-1", "USD", "1001"),
        ("PAY-1", "EUR", "1000"),
        ("PAY-2", "USD", "1000"),
    ] {
        let r = c.refund("R-1", payment, currency, value).await;
        assert_eq!(
            code(&r),
            "REPEAT_REQ_INCONSISTENT",
            "{payment} {currency} {value}"
        );
    }
    let refunds = support::refund_rows(&pool).await;
    assert_eq!(refunds, 1);

    // A refusal is kept too: the same request is refused the same way, even after the
    // reason went away (a new refundRequestId is the way to try again).
    api::set_balance(&pool, c.merchant, "USD", 10).await;
    let refused = c.refund("R-2", "PAY-2", "USD", "1000").await;
    assert_eq!(code(&refused), "MERCHANT_BALANCE_NOT_ENOUGH");
    api::set_balance(&pool, c.merchant, "USD", 1_000_000).await;
    assert_eq!(c.refund("R-2", "PAY-2", "USD", "1000").await, refused);
    assert_eq!(
        c.refund_code("R-3", "PAY-2", "USD", "1000").await,
        "SUCCESS"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn currency_and_amount_rules(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 10_000).await;
    assert_eq!(
        c.refund_code("R-1", "PAY-1", "EUR", "1000").await,
        "CURRENCY_NOT_SUPPORT"
    );
    assert_eq!(
        c.refund_code("R-2", "PAY-1", "USD", "10001").await,
        "REFUND_AMOUNT_EXCEED"
    );
    // GCash's minimum refund is 1.00.
    assert_eq!(
        c.refund_code("R-3", "PAY-1", "USD", "99").await,
        "REFUND_AMOUNT_EXCEED"
    );
    assert_eq!(c.refund_code("R-4", "PAY-1", "USD", "100").await, "SUCCESS");
}

#[sqlx::test(migrations = "../migrations")]
async fn payment_status_rules(pool: PgPool) {
    let c = client(pool.clone()).await;
    let m = c.merchant;
    let ago = Some(Utc::now() - Duration::hours(2));
    for (id, st) in [
        ("PAY-FAIL", "FAIL"),
        ("PAY-PROC", "PROCESSING"),
        ("PAY-CLOSED", "CLOSED"),
    ] {
        api::transaction(
            &pool, m, id, "PAYMENT", st, "GCASH", "ANTOM", "USD", 5_000, None, ago,
        )
        .await;
        assert_eq!(
            code(&c.refund(&format!("R-{id}"), id, "USD", "1000").await),
            "ORDER_STATUS_INVALID",
            "{st}"
        );
    }

    // A card payment is refundable only once captured; a capture's ID stands for its
    // payment.
    let auth = api::transaction(
        &pool, m, "CARD-1", "PAYMENT", "SUCCESS", "VISA", "ADYEN", "USD", 5_000, None, ago,
    )
    .await;
    assert_eq!(
        c.refund_code("R-C1", "CARD-1", "USD", "1000").await,
        "ORDER_STATUS_INVALID"
    );
    api::transaction(
        &pool,
        m,
        "CAP-1",
        "CAPTURE",
        "FAIL",
        "VISA",
        "ADYEN",
        "USD",
        5_000,
        Some(auth),
        ago,
    )
    .await;
    assert_eq!(
        c.refund_code("R-C2", "CARD-1", "USD", "1000").await,
        "ORDER_STATUS_INVALID"
    );
    api::transaction(
        &pool,
        m,
        "CAP-2",
        "CAPTURE",
        "SUCCESS",
        "VISA",
        "ADYEN",
        "USD",
        5_000,
        Some(auth),
        ago,
    )
    .await;
    let r = c.refund("R-C3", "CAP-2", "USD", "1000").await;
    assert_eq!(code(&r), "REFUND_IN_PROCESS", "{r}");
    assert_eq!(r["paymentId"], "CARD-1");

    // An undecided chargeback blocks refunds; a decided one the merchant won does not.
    let cb = api::transaction(
        &pool,
        m,
        "CB-1",
        "CHARGEBACK",
        "PROCESSING",
        "VISA",
        "ADYEN",
        "USD",
        5_000,
        Some(auth),
        None,
    )
    .await;
    assert_eq!(
        c.refund_code("R-C4", "CARD-1", "USD", "1000").await,
        "ORDER_STATUS_INVALID"
    );
    sqlx::query("UPDATE transactions SET status = 'FAIL', finished_at = now() WHERE id = $1")
        .bind(cb)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        c.refund_code("R-C5", "CARD-1", "USD", "1000").await,
        "REFUND_IN_PROCESS"
    );
    // One the cardholder won took the money back already.
    sqlx::query("UPDATE transactions SET status = 'SUCCESS' WHERE id = $1")
        .bind(cb)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        c.refund_code("R-C6", "CARD-1", "USD", "100").await,
        "REFUND_AMOUNT_EXCEED"
    );

    // Only payments are refunded: not a refund itself.
    let refund_id = r["refundId"].as_str().unwrap();
    assert_eq!(
        c.refund_code("R-C7", refund_id, "USD", "100").await,
        "ORDER_STATUS_INVALID"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn card_refunds_are_synchronous_through_2c2p(pool: PgPool) {
    let c = client(pool.clone()).await;
    let ago = Some(Utc::now() - Duration::hours(2));
    let auth = api::transaction(
        &pool, c.merchant, "CARD-HK", "PAYMENT", "SUCCESS", "VISA", "2C2P_HK", "USD", 5_000, None,
        ago,
    )
    .await;
    api::transaction(
        &pool,
        c.merchant,
        "CAP-HK",
        "CAPTURE",
        "SUCCESS",
        "VISA",
        "2C2P_HK",
        "USD",
        5_000,
        Some(auth),
        ago,
    )
    .await;
    let r = c.refund("R-1", "CARD-HK", "USD", "5000").await;
    assert_eq!((code(&r), status(&r)), ("SUCCESS", "S"), "{r}");
}

#[sqlx::test(migrations = "../migrations")]
async fn window_and_method_rules(pool: PgPool) {
    let c = client(pool.clone()).await;
    let m = c.merchant;
    // DANA refunds within 7 days of payment success.
    let old = Some(Utc::now() - Duration::days(8));
    api::transaction(
        &pool, m, "DANA-OLD", "PAYMENT", "SUCCESS", "DANA", "ANTOM", "USD", 5_000, None, old,
    )
    .await;
    let r = c.refund("R-1", "DANA-OLD", "USD", "1000").await;
    assert_eq!(code(&r), "REFUND_WINDOW_EXCEED");
    assert!(r["result"]["resultMessage"]
        .as_str()
        .unwrap()
        .contains("refund window ended"));
    let recent = Some(Utc::now() - Duration::days(6));
    api::transaction(
        &pool, m, "DANA-NEW", "PAYMENT", "SUCCESS", "DANA", "ANTOM", "USD", 5_000, None, recent,
    )
    .await;
    api::payment(&pool, m, "KONBINI-1", "KONBINI", "JPY", 5_000).await;
    api::payment(&pool, m, "GRAB-1", "GRABPAY", "SGD", 5_000).await;
    api::payment(&pool, m, "PIX-1", "PIX", "USD", 5_000).await;
    // In order: each request sees the refunds before it.
    let cases = [
        ("R-2", "DANA-NEW", "USD", "1000", "SUCCESS"),
        (
            "R-3",
            "KONBINI-1",
            "JPY",
            "5000",
            "PAYMENT_METHOD_NOT_SUPPORTED",
        ),
        // GrabPay: full refunds only, once.
        (
            "R-4",
            "GRAB-1",
            "SGD",
            "4000",
            "PARTIAL_REFUND_NOT_SUPPORTED",
        ),
        ("R-5", "GRAB-1", "SGD", "5000", "REFUND_IN_PROCESS"),
        // Pix: partial, but only one refund.
        ("R-6", "PIX-1", "USD", "1000", "REFUND_IN_PROCESS"),
        (
            "R-7",
            "PIX-1",
            "USD",
            "1000",
            "MULTIPLE_REFUNDS_NOT_SUPPORTED",
        ),
    ];
    for (request, payment, currency, value, expected) in cases {
        let got = c.refund_code(request, payment, currency, value).await;
        assert_eq!(got, expected, "{request} of {payment}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn merchant_and_order_rules(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 10_000).await;
    assert_eq!(
        c.refund_code("R-1", "NO-SUCH-PAYMENT", "USD", "1000").await,
        "ORDER_NOT_EXIST"
    );

    // Another merchant's payment does not exist for this one.
    let other = api::merchant(&pool, "Sakura Electronics", "JPY").await;
    api::payment(&pool, other, "SAKURA-1", "GCASH", "USD", 10_000).await;
    assert_eq!(
        c.refund_code("R-2", "SAKURA-1", "USD", "1000").await,
        "ORDER_NOT_EXIST"
    );

    api::set_balance(&pool, c.merchant, "USD", 999).await;
    assert_eq!(
        c.refund_code("R-3", "PAY-1", "USD", "1000").await,
        "MERCHANT_BALANCE_NOT_ENOUGH"
    );
    assert_eq!(c.refund_code("R-4", "PAY-1", "USD", "999").await, "SUCCESS");
    assert_eq!(api::balance(&pool, c.merchant, "USD").await, 0);
    // No balance in a currency at all is not enough either.
    sqlx::query("DELETE FROM merchant_balances WHERE merchant_id = $1 AND currency = 'EUR'")
        .bind(c.merchant)
        .execute(&pool)
        .await
        .unwrap();
    api::payment(&pool, c.merchant, "PAY-EUR", "GCASH", "EUR", 10_000).await;
    assert_eq!(
        c.refund_code("R-5", "PAY-EUR", "EUR", "1000").await,
        "MERCHANT_BALANCE_NOT_ENOUGH"
    );
    // The write statement that takes the balance wrote nothing else either: no refund,
    // no ledger entry; the refusal is kept and audited.
    let (refunds, entries, refused): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM transactions r JOIN transactions p ON p.id = r.original_id
                  WHERE p.transaction_id = 'PAY-EUR'),
                (SELECT count(*) FROM balance_entries WHERE currency = 'EUR'),
                (SELECT count(*) FROM audit_events
                  WHERE action = 'REFUND_REFUSED' AND subject = 'PAY-EUR')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((refunds, entries, refused), (0, 0, 1));

    sqlx::query("UPDATE merchants SET status = 'SUSPENDED' WHERE id = $1")
        .bind(c.merchant)
        .execute(&pool)
        .await
        .unwrap();
    api::set_balance(&pool, c.merchant, "USD", 1_000_000).await;
    assert_eq!(
        c.refund_code("R-6", "PAY-1", "USD", "1000").await,
        "INVALID_MERCHANT_STATUS"
    );
    // Also for a payment the merchant does not have: the status is the first answer.
    assert_eq!(
        c.refund_code("R-7", "NO-SUCH-PAYMENT", "USD", "1000").await,
        "INVALID_MERCHANT_STATUS"
    );
    sqlx::query("UPDATE merchants SET status = 'ACTIVE' WHERE id = $1")
        .bind(c.merchant)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        c.refund_code("R-8", "NO-SUCH-PAYMENT", "USD", "1000").await,
        "ORDER_NOT_EXIST"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn malformed_requests_are_param_illegal(pool: PgPool) {
    let c = client(pool.clone()).await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 10_000).await;
    let long = "x".repeat(65);
    let bodies = [
        "not json".to_string(),
        json!({"paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "100"}}).to_string(),
        json!({"refundRequestId": "R", "refundAmount": {"currency": "USD", "value": "100"}}).to_string(),
        json!({"refundRequestId": "R", "paymentId": "PAY-1"}).to_string(),
        json!({"refundRequestId": long, "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "100"}}).to_string(),
        json!({"refundRequestId": "R", "paymentId": long, "refundAmount": {"currency": "USD", "value": "100"}}).to_string(),
        json!({"refundRequestId": "R", "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "ten"}}).to_string(),
        json!({"refundRequestId": "R", "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": 100}}).to_string(),
        json!({"refundRequestId": "R", "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "1.5"}}).to_string(),
        json!({"refundRequestId": "R", "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "0"}}).to_string(),
        json!({"refundRequestId": "R", "paymentId": "PAY-1", "refundAmount": {"currency": "US", "value": "100"}}).to_string(),
        json!({"refundRequestId": "R <1>", "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "100"}}).to_string(),
        json!({"refundRequestId": "R", "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "100"}, "refundNotifyUrl": "not a url"}).to_string(),
        json!({"refundRequestId": "R", "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "100"}, "refundReason": "x".repeat(257)}).to_string(),
        json!({"refundRequestId": "R", "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "100"}, "merchantAccountId": "x".repeat(33)}).to_string(),
    ];
    for body in &bodies {
        let r = c.send(REFUND, body).await;
        assert_eq!((code(&r), status(&r)), ("PARAM_ILLEGAL", "F"), "{body}");
    }
    // None of them used the request ID up.
    assert_eq!(c.refund_code("R", "PAY-1", "USD", "100").await, "SUCCESS");
}

#[sqlx::test(migrations = "../migrations")]
async fn settlement_in_another_currency_uses_the_day_rate(pool: PgPool) {
    api::reference_data(&pool).await;
    let merchant = api::merchant(&pool, "Merlion Goods", "SGD").await;
    let app = TestApp::spawn_api(pool.clone(), api::unlimited()).await;
    let c = Client::new(app, merchant, "SANDBOX_MERLION").await;
    // Today's rate and an older one; today's is used.
    sqlx::query(
        "INSERT INTO exchange_rates (rate_date, base_currency, quote_currency, rate) VALUES
            (current_date, 'USD', 'SGD', 1.3456789), (current_date - 3, 'USD', 'SGD', 1.2),
            (current_date, 'JPY', 'SGD', 0.0089)",
    )
    .execute(&pool)
    .await
    .unwrap();
    api::payment(&pool, merchant, "PAY-USD", "GCASH", "USD", 10_000).await;
    let refund = json!({
        "refundRequestId": "R-1",
        "paymentId": "PAY-USD",
        "refundAmount": {"currency": "USD", "value": "1001"},
    });
    let text = c.send_text(REFUND, &refund.to_string()).await;
    // The quote is a JSON number with exactly the rate's digits (Go's SDK reads a float,
    // Java's a BigDecimal; a string breaks the first).
    assert!(text.contains(r#""quotePrice":1.3456789}"#), "{text}");
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(code(&r), "SUCCESS", "{r}");
    // 10.01 USD × 1.3456789 = 13.4702458… SGD → 13.47 (half away from zero).
    assert_eq!(
        r["grossSettlementAmount"],
        json!({"currency": "SGD", "value": "1347"})
    );
    assert_eq!(r["settlementQuote"]["quoteCurrencyPair"], "USD/SGD");
    // JPY has no minor unit: 12345 JPY × 0.0089 = 109.8705 SGD → 109.87 = 10987 cents.
    api::payment(&pool, merchant, "PAY-JPY", "GCASH", "JPY", 20_000).await;
    let r = c.refund("R-2", "PAY-JPY", "JPY", "12345").await;
    assert_eq!(
        r["grossSettlementAmount"],
        json!({"currency": "SGD", "value": "10987"})
    );
    let (settled, quote): (i64, String) = sqlx::query_as(
        "SELECT settlement_amount_minor, settlement_quote::text FROM transactions WHERE transaction_request_id = 'R-2'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((settled, quote.as_str()), (10987, "0.0089000000"));
}

/// The dashboard uses the same engine with its own request IDs and no client id.
#[sqlx::test(migrations = "../migrations")]
async fn the_engine_serves_the_dashboard_too(pool: PgPool) {
    use app::refunds::engine::{self, RefundCommand, RefundError, RefundSource};
    use app::refunds::types::*;
    api::reference_data(&pool).await;
    let merchant = api::merchant(&pool, "Lotus Tea House", "USD").await;
    api::payment(&pool, merchant, "PAY-1", "GCASH", "USD", 10_000).await;
    let cmd = |id: &str, amount: i64| RefundCommand {
        refund_request_id: RefundRequestId::parse(id).unwrap(),
        payment_id: TransactionRef::parse("paymentId", "PAY-1").unwrap(),
        currency: CurrencyCode::parse("USD").unwrap(),
        amount: MinorAmount::new(amount).unwrap(),
        reason: Some("Damaged in transit".into()),
        notify_url: None,
        source: RefundSource::Dashboard(app::audit::Actor {
            merchant_id: merchant,
            user_id: None,
            name: "ada@lotus.example".into(),
            address: Some("127.0.0.1".into()),
        }),
    };
    let id = format!("DASH-{}", Uuid::new_v4().simple());
    let record = engine::refund(&pool, merchant, cmd(&id, 4_000))
        .await
        .unwrap();
    assert_eq!(record.status, RefundStatus::Success);
    assert_eq!(record.reason.as_deref(), Some("Damaged in transit"));
    let err = engine::refund(&pool, merchant, cmd("DASH-2", 6_001))
        .await
        .unwrap_err();
    assert!(matches!(err, RefundError::Refused { ref code, .. } if code == "REFUND_AMOUNT_EXCEED"));
    assert_eq!(
        err.message(),
        "The refund amount exceeds the refundable amount of 60.00 USD."
    );
    // What the details page shows.
    let facts = engine::refund_facts(&pool, merchant, "PAY-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app::refunds::rules::availability(&facts.facts, &facts.rules, Utc::now()),
        Ok(6_000)
    );
    assert!(facts.sync, "GCash refunds synchronously");
    let found = engine::inquire(
        &pool,
        merchant,
        &engine::RefundLookup::RefundRequestId(RefundRequestId::parse(&id).unwrap()),
    )
    .await
    .unwrap();
    assert_eq!(found.refund_id, record.refund_id);
}

/// The rate of the refund's day is used, else the nearest day's before it, else after
/// it; a refund in the settlement currency needs none, and a pair without rates has no
/// settlement.
#[sqlx::test(migrations = "../migrations")]
async fn settlement_takes_the_nearest_rate(pool: PgPool) {
    use app::refunds::engine::settlement;
    use chrono::NaiveDate;
    sqlx::query(
        "INSERT INTO exchange_rates (rate_date, base_currency, quote_currency, rate) VALUES
            ('2026-11-20', 'USD', 'SGD', 1.3), ('2026-11-25', 'USD', 'SGD', 1.35)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    // (day of the refund) → (rate's day, quote, 10.01 USD in SGD cents)
    for (refund_day, rate_day, quote, amount) in [
        (25, 25, "1.35", 1351), // 13.5135
        (27, 25, "1.35", 1351),
        (22, 20, "1.3", 1301), // 13.013
        (10, 20, "1.3", 1301),
    ] {
        let s = settlement(&mut conn, 1001, "USD", "SGD", day(refund_day))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                s.rate_date,
                s.quote.as_str(),
                s.amount_minor,
                s.currency.as_str()
            ),
            (Some(day(rate_day)), quote, amount, "SGD"),
            "refund on the {refund_day}th"
        );
    }
    let same = settlement(&mut conn, 1001, "USD", "USD", day(25))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((same.amount_minor, same.quote.as_str()), (1001, "1"));
    assert_eq!(
        settlement(&mut conn, 1001, "USD", "EUR", day(25))
            .await
            .unwrap(),
        None
    );
}
