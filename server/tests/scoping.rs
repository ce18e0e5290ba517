//! A user of one merchant can reach nothing of another.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use sqlx::PgPool;
use support::{merchant_with_user, TestApp, PASSWORD};
use uuid::Uuid;

async fn payment(pool: &PgPool, merchant: Uuid, transaction_id: &str, currency: &str, amount: i64) {
    support::antom_and_method(pool, "GCASH", "GCash", 365, "SYNC").await;
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type, status,
             amount_minor, currency, payment_method_type, acquirer_code, created_at, finished_at)
         VALUES ($1, $2, '1', 'PAYMENT', 'SUCCESS', $3, $4, 'GCASH', 'ANTOM', now(), now())",
    )
    .bind(merchant)
    .bind(transaction_id)
    .bind(amount)
    .bind(currency)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO merchant_balances (merchant_id, currency, available_minor) VALUES ($1, $2, $3)
         ON CONFLICT (merchant_id, currency) DO NOTHING",
    )
    .bind(merchant)
    .bind(currency)
    .bind(amount * 10)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_sees_only_their_own_merchants_data(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "viewer").await;
    let sakura =
        merchant_with_user(&pool, "Sakura Electronics", "ken@sakura.example", "admin").await;
    payment(&pool, lotus, "LOTUS-PAYMENT-1", "USD", 12_345).await;
    payment(&pool, sakura, "SAKURA-PAYMENT-1", "JPY", 98_000).await;
    let app = TestApp::spawn(pool).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;

    let overview = app.call_text(&browser, "load_overview").await;
    assert!(overview.contains("USD"), "{overview}");
    assert!(
        !overview.contains("JPY"),
        "another merchant's balance leaked: {overview}"
    );

    let own = app
        .call_json(
            &browser,
            "search_transactions",
            serde_json::json!({ "params": { "status": "ANY" } }),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(own.contains("LOTUS-PAYMENT-1"), "{own}");
    assert!(!own.contains("SAKURA-PAYMENT-1"));
    // Even an exact ID search does not reach another merchant's payment.
    let other = app
        .call_json(
            &browser,
            "search_transactions",
            serde_json::json!({ "params": { "id_type": "transaction_id", "id": "SAKURA-PAYMENT-1" } }),
        )
        .await;
    assert_eq!(other.status(), 200);
    assert!(!other.text().await.unwrap().contains("SAKURA-PAYMENT-1"));
    let details = app.get(&browser, "/transactions/SAKURA-PAYMENT-1").await;
    assert_eq!(details.status(), 404);
    assert!(!details.text().await.unwrap().contains("98,000"));
    let own_details = app.get(&browser, "/transactions/LOTUS-PAYMENT-1").await;
    assert_eq!(own_details.status(), 200);
    assert!(own_details.text().await.unwrap().contains("123.45 USD"));

    for path in ["/", "/transactions", "/settings"] {
        let html = app.get_text(&browser, path).await;
        assert!(html.contains("Lotus Tea House"), "{path}");
        assert!(!html.contains("Sakura"), "{path} shows another merchant");
        assert!(
            !html.contains("SAKURA-PAYMENT-1"),
            "{path} shows another merchant's payment"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn reports_are_refused_to_roles_without_them(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "viewer@lotus.example", "viewer").await;
    let app = TestApp::spawn(pool).await;
    let browser = app.browser();
    app.sign_in(&browser, "viewer@lotus.example", PASSWORD)
        .await;
    let response = app.get(&browser, "/reports").await;
    assert_eq!(response.status(), 403);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Not available for your role"));
}
