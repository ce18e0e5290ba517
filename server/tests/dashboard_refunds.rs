//! Refunds from the dashboard, through the server functions the refund dialog posts to:
//! the payment password (first set-up, lock, unlock), partial refunds up to the
//! remainder, double submits, and refusals by role and by merchant.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use app::audit::Actor;
use serde_json::Value;
use sqlx::PgPool;
use support::api::{merchant, payment, reference_data};
use support::{add_user, TestApp, PASSWORD};
use uuid::Uuid;

const PAYMENT_PASSWORD: &str = "pay-2468-ok";

/// A merchant with an operator (ada@), a viewer, a finance user and an admin, and a
/// 100.00 USD GCash payment `PAY-1` (refunds synchronously).
async fn lotus(pool: &PgPool) -> Uuid {
    reference_data(pool).await;
    let lotus = merchant(pool, "Lotus Tea House", "USD").await;
    for (email, role) in [
        ("ada@lotus.example", "operator"),
        ("vic@lotus.example", "viewer"),
        ("fin@lotus.example", "finance"),
        ("root@lotus.example", "admin"),
    ] {
        add_user(pool, lotus, email, role).await;
    }
    payment(pool, lotus, "PAY-1", "GCASH", "USD", 10_000).await;
    lotus
}

/// Posts a form as a browser without JavaScript does; returns the status and the
/// redirect's target.
async fn post_form(
    app: &TestApp,
    browser: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let response = browser
        .post(app.url(&format!("/api/{endpoint}")))
        .header("origin", app.url(""))
        .header("accept", "text/html")
        .form(form)
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status().as_u16(), location)
}

async fn submit(
    app: &TestApp,
    browser: &reqwest::Client,
    payment: &str,
    rid: &str,
    amount: &str,
    password: &str,
) -> (u16, String) {
    post_form(
        app,
        browser,
        "submit_refund",
        &[
            ("transaction_id", payment),
            ("refund_request_id", rid),
            ("amount", amount),
            ("reason", "Returned"),
            ("payment_password", password),
        ],
    )
    .await
}

async fn set_payment_password(
    app: &TestApp,
    browser: &reqwest::Client,
    login_password: &str,
) -> (u16, String) {
    post_form(
        app,
        browser,
        "set_payment_password",
        &[
            ("login_password", login_password),
            ("new_password", PAYMENT_PASSWORD),
            ("confirm_password", PAYMENT_PASSWORD),
            ("next", "/transactions/PAY-1?refund=confirm"),
        ],
    )
    .await
}

/// What the confirmation step would show for `amount` of `payment`.
async fn check_refund(
    app: &TestApp,
    browser: &reqwest::Client,
    payment: &str,
    amount: &str,
) -> Value {
    app.call_with(
        browser,
        "check_refund",
        &[
            ("transaction_id", payment),
            ("amount", amount),
            ("reason", ""),
        ],
    )
    .await
    .json()
    .await
    .unwrap()
}

async fn result(app: &TestApp, browser: &reqwest::Client, rid: &str) -> Value {
    app.call_with(browser, "refund_result", &[("refund_request_id", rid)])
        .await
        .json()
        .await
        .unwrap()
}

/// (count, total) of the refunds of `payment`.
async fn refunds_of(pool: &PgPool, payment: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*), coalesce(sum(r.amount_minor), 0)::bigint
           FROM transactions r JOIN transactions p ON p.id = r.original_id
          WHERE p.transaction_id = $1 AND r.transaction_type = 'REFUND'",
    )
    .bind(payment)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let browser = app.browser();
    app.sign_in(&browser, email, PASSWORD).await;
    browser
}

#[sqlx::test(migrations = "../migrations")]
async fn a_first_refund_sets_the_payment_password_then_refunds_up_to_the_remainder(pool: PgPool) {
    lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let ada = signed_in(&app, "ada@lotus.example").await;

    // The confirmation names the method as pages do, not by its code.
    let check: Value = check_refund(&app, &ada, "PAY-1", "40.00").await;
    assert_eq!(check["Ok"]["payment_method"], "GCash", "{check}");

    // No payment password yet: the form comes back asking for one, nothing is refunded.
    let (_, to) = submit(&app, &ada, "PAY-1", "DASH-1", "40.00", "anything").await;
    assert!(
        to.contains("refund=confirm") && to.contains("error=not_set"),
        "{to}"
    );
    assert_eq!(refunds_of(&pool, "PAY-1").await, (0, 0));

    // Setting it needs the sign-in password, then returns to the refund.
    let (_, to) = set_payment_password(&app, &ada, "not my password").await;
    assert!(to.contains("error=wrong_login"), "{to}");
    let (_, to) = set_payment_password(&app, &ada, PASSWORD).await;
    assert_eq!(to, "/transactions/PAY-1?refund=confirm");
    // A second first-time set-up is refused: changing needs the old payment password.
    let (_, to) = set_payment_password(&app, &ada, PASSWORD).await;
    assert!(to.contains("error=already_set"), "{to}");

    let (_, to) = submit(&app, &ada, "PAY-1", "DASH-1", "40.00", PAYMENT_PASSWORD).await;
    assert_eq!(to, "/transactions/PAY-1?refund=result&rid=DASH-1");
    let made = result(&app, &ada, "DASH-1").await;
    assert_eq!(made["Made"]["status"], "Success", "{made}");
    assert_eq!(made["Made"]["amount"], "40.00 USD");

    // More than the remaining 60.00 is refused next to the amount, and refunds nothing.
    let (_, to) = submit(&app, &ada, "PAY-1", "DASH-2", "60.01", PAYMENT_PASSWORD).await;
    assert!(
        to.contains("refund=confirm") && !to.contains("error="),
        "{to}"
    );
    let check: Value = check_refund(&app, &ada, "PAY-1", "60.01").await;
    assert_eq!(
        check["Err"]["Field"]["code"], "REFUND_AMOUNT_EXCEED",
        "{check}"
    );
    assert_eq!(
        check["Err"]["Field"]["message"],
        "The most you can refund is 60.00 USD."
    );
    assert_eq!(refunds_of(&pool, "PAY-1").await, (1, 4_000));

    // Exactly the remainder goes through; then nothing is left.
    let (_, to) = submit(&app, &ada, "PAY-1", "DASH-3", "60.00", PAYMENT_PASSWORD).await;
    assert!(to.ends_with("refund=result&rid=DASH-3"), "{to}");
    assert_eq!(refunds_of(&pool, "PAY-1").await, (2, 10_000));

    // The audit log has both refunds with their amounts and the password set-up.
    let audit: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT action, amount_minor FROM audit_events
          WHERE actor = 'ada@lotus.example' AND action IN ('REFUND', 'PAYMENT_PASSWORD_SET')
          ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        audit,
        [
            ("PAYMENT_PASSWORD_SET".to_owned(), None),
            ("REFUND".to_owned(), Some(4_000)),
            ("REFUND".to_owned(), Some(6_000)),
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn five_wrong_payment_passwords_lock_refunds_until_an_admin_unlocks(pool: PgPool) {
    let lotus = lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let ada = signed_in(&app, "ada@lotus.example").await;
    set_payment_password(&app, &ada, PASSWORD).await;

    for attempt in 1..=4 {
        let (_, to) = submit(&app, &ada, "PAY-1", "DASH-1", "1.00", "wrong-password").await;
        assert!(to.contains("error=wrong"), "attempt {attempt}: {to}");
    }
    let (_, to) = submit(&app, &ada, "PAY-1", "DASH-1", "1.00", "wrong-password").await;
    assert!(to.contains("error=locked"), "{to}");
    // Locked: even the right password refunds nothing.
    let (_, to) = submit(&app, &ada, "PAY-1", "DASH-1", "1.00", PAYMENT_PASSWORD).await;
    assert!(to.contains("error=locked"), "{to}");
    assert_eq!(refunds_of(&pool, "PAY-1").await, (0, 0));
    let locked: Value = app
        .call(&ada, "payment_password_status")
        .await
        .json()
        .await
        .unwrap();
    assert!(locked["state"]["Locked"].is_object(), "{locked}");

    let (admin, ada_id): (Uuid, Uuid) = sqlx::query_as(
        "SELECT (SELECT id FROM users WHERE email = 'root@lotus.example'),
                (SELECT id FROM users WHERE email = 'ada@lotus.example')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let admin = Actor {
        merchant_id: lotus,
        user_id: Some(admin),
        name: "root@lotus.example".into(),
        address: Some("127.0.0.1".into()),
    };
    app::payment_password::store::unlock(&pool, &admin, ada_id)
        .await
        .unwrap();

    let (_, to) = submit(&app, &ada, "PAY-1", "DASH-1", "1.00", PAYMENT_PASSWORD).await;
    assert!(to.ends_with("refund=result&rid=DASH-1"), "{to}");
    assert_eq!(refunds_of(&pool, "PAY-1").await, (1, 100));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE action IN ('REFUNDS_LOCKED', 'REFUNDS_UNLOCKED') ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(actions, ["REFUNDS_LOCKED", "REFUNDS_UNLOCKED"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_double_submit_refunds_once(pool: PgPool) {
    lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let ada = signed_in(&app, "ada@lotus.example").await;
    set_payment_password(&app, &ada, PASSWORD).await;

    let (first, second) = tokio::join!(
        submit(&app, &ada, "PAY-1", "DASH-TWICE", "25.00", PAYMENT_PASSWORD),
        submit(&app, &ada, "PAY-1", "DASH-TWICE", "25.00", PAYMENT_PASSWORD),
    );
    assert_eq!(first.1, second.1);
    assert!(
        first.1.ends_with("refund=result&rid=DASH-TWICE"),
        "{first:?}"
    );
    // Resubmitting later (the back button) answers the same refund again.
    let (_, again) = submit(&app, &ada, "PAY-1", "DASH-TWICE", "25.00", PAYMENT_PASSWORD).await;
    assert_eq!(again, first.1);
    assert_eq!(refunds_of(&pool, "PAY-1").await, (1, 2_500));
}

#[sqlx::test(migrations = "../migrations")]
async fn viewers_and_finance_are_refused_by_the_server(pool: PgPool) {
    lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    for email in ["vic@lotus.example", "fin@lotus.example"] {
        let browser = signed_in(&app, email).await;
        let (status, _) = submit(&app, &browser, "PAY-1", "DASH-1", "1.00", PAYMENT_PASSWORD).await;
        assert_eq!(status, 403, "{email}");
        let check = app
            .call_with(
                &browser,
                "check_refund",
                &[("transaction_id", "PAY-1"), ("amount", "1"), ("reason", "")],
            )
            .await;
        assert_eq!(check.status(), 403, "{email}");
        let (status, _) = set_payment_password(&app, &browser, PASSWORD).await;
        assert_eq!(status, 403, "{email}");
    }
    assert_eq!(refunds_of(&pool, "PAY-1").await, (0, 0));
}

#[sqlx::test(migrations = "../migrations")]
async fn another_merchants_payment_cannot_be_refunded(pool: PgPool) {
    lotus(&pool).await;
    let sakura = merchant(&pool, "Sakura Electronics", "JPY").await;
    add_user(&pool, sakura, "ken@sakura.example", "operator").await;
    let app = TestApp::spawn(pool.clone()).await;
    let ken = signed_in(&app, "ken@sakura.example").await;
    set_payment_password(&app, &ken, PASSWORD).await;

    // A forged form naming Lotus's payment: no refund, and the dialog says not found.
    let (_, to) = submit(&app, &ken, "PAY-1", "DASH-FORGED", "1.00", PAYMENT_PASSWORD).await;
    assert!(!to.contains("refund=result"), "{to}");
    let check: Value = check_refund(&app, &ken, "PAY-1", "1").await;
    assert_eq!(check["Err"], "NotFound", "{check}");
    assert_eq!(refunds_of(&pool, "PAY-1").await, (0, 0));

    // Nor can Lotus's refund results be read by request ID.
    let ada = signed_in(&app, "ada@lotus.example").await;
    set_payment_password(&app, &ada, PASSWORD).await;
    submit(&app, &ada, "PAY-1", "DASH-LOTUS", "1.00", PAYMENT_PASSWORD).await;
    assert!(result(&app, &ada, "DASH-LOTUS").await.is_object());
    assert!(result(&app, &ken, "DASH-LOTUS").await.is_null());
}

#[sqlx::test(migrations = "../migrations")]
async fn an_asynchronous_refund_shows_as_processing(pool: PgPool) {
    let lotus = lotus(&pool).await;
    payment(&pool, lotus, "PAY-ASYNC", "PAYPAY", "JPY", 5_000).await;
    let app = TestApp::spawn(pool.clone()).await;
    let ada = signed_in(&app, "ada@lotus.example").await;
    set_payment_password(&app, &ada, PASSWORD).await;

    let check: Value = check_refund(&app, &ada, "PAY-ASYNC", "1500").await;
    assert_eq!(check["Ok"]["sync"], false, "{check}");
    assert_eq!(check["Ok"]["remaining_after"], "3,500 JPY");
    // JPY has no minor units: decimals are refused next to the amount.
    let check: Value = check_refund(&app, &ada, "PAY-ASYNC", "15.5").await;
    assert_eq!(
        check["Err"]["Field"]["message"], "JPY has no decimals.",
        "{check}"
    );

    let (_, to) = submit(&app, &ada, "PAY-ASYNC", "DASH-A", "1500", PAYMENT_PASSWORD).await;
    assert!(to.ends_with("refund=result&rid=DASH-A"), "{to}");
    let made = result(&app, &ada, "DASH-A").await;
    assert_eq!(made["Made"]["status"], "Processing", "{made}");
}

/// A refund or a cancel has the Refund button too, greyed out with the reason.
#[sqlx::test(migrations = "../migrations")]
async fn refunds_and_cancels_show_why_they_cannot_be_refunded(pool: PgPool) {
    let lotus = lotus(&pool).await;
    let pay =
        sqlx::query_scalar::<_, i64>("SELECT id FROM transactions WHERE transaction_id = 'PAY-1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    for (id, kind) in [("REF-1", "REFUND"), ("CAN-1", "CANCEL")] {
        support::api::transaction(
            &pool,
            lotus,
            id,
            kind,
            "SUCCESS",
            "GCASH",
            "ANTOM",
            "USD",
            100,
            Some(pay),
            None,
        )
        .await;
    }
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    for id in ["REF-1", "CAN-1"] {
        let details = app
            .call_with(&browser, "transaction_details", &[("transaction_id", id)])
            .await
            .text()
            .await
            .unwrap();
        assert!(
            details.contains(
                r#""refund":{"Blocked":{"reason":"Only payments and captures can be refunded."}}"#
            ),
            "{id}: {details}"
        );
    }
}

/// The payment password page sends the user back to the refund exactly as it was: a
/// reason in Portuguese and Chinese comes back encoded once, not mangled.
#[sqlx::test(migrations = "../migrations")]
async fn the_return_to_the_refund_keeps_foreign_text(pool: PgPool) {
    lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    let back = app::url::with_query(
        "/transactions/PAY-1",
        &[
            ("refund", "confirm"),
            ("amount", "1.00"),
            ("reason", "Devolução parcial 退款 🎁"),
        ],
    );
    let (_, location) = post_form(
        &app,
        &browser,
        "set_payment_password",
        &[
            ("login_password", PASSWORD),
            ("new_password", PAYMENT_PASSWORD),
            ("confirm_password", PAYMENT_PASSWORD),
            ("next", &back),
        ],
    )
    .await;
    assert_eq!(location, back);
    assert!(location.is_ascii());
}

/// A user reading Portuguese types the amount with a decimal comma and reads the dialog's
/// amounts, problems and result in Portuguese; the refund is the same.
#[sqlx::test(migrations = "../migrations")]
async fn the_refund_dialog_speaks_the_users_language(pool: PgPool) {
    lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let ada = signed_in(&app, "ada@lotus.example").await;
    let saved = app
        .call_with(&ada, "change_language", &[("language", "pt-BR")])
        .await;
    assert!(saved.status().is_success(), "{}", saved.status());
    set_payment_password(&app, &ada, PASSWORD).await;

    let start: Value = app
        .call_with(&ada, "open_refund_form", &[("transaction_id", "PAY-1")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        start["Ok"]["limits"]["refundable_plain"], "100,00",
        "{start}"
    );
    assert_eq!(start["Ok"]["limits"]["refundable"], "100,00 USD", "{start}");

    let check: Value = check_refund(&app, &ada, "PAY-1", "12,50").await;
    assert_eq!(check["Ok"]["amount"], "12,50 USD", "{check}");
    assert_eq!(check["Ok"]["remaining_after"], "87,50 USD", "{check}");
    let check: Value = check_refund(&app, &ada, "PAY-1", "100,01").await;
    assert_eq!(
        check["Err"]["Field"]["message"], "O máximo que você pode reembolsar é 100,00 USD.",
        "{check}"
    );

    let (_, to) = submit(&app, &ada, "PAY-1", "DASH-PT", "12,50", PAYMENT_PASSWORD).await;
    assert!(to.ends_with("refund=result&rid=DASH-PT"), "{to}");
    assert_eq!(refunds_of(&pool, "PAY-1").await, (1, 1_250));
    let made = result(&app, &ada, "DASH-PT").await;
    assert_eq!(made["Made"]["amount"], "12,50 USD", "{made}");
}
