//! The notifyRefund delivery log on a refund's details page, and "Resend now".

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use serde_json::Value;
use sqlx::PgPool;
use support::api::{merchant, payment, reference_data, transaction};
use support::{add_user, TestApp, PASSWORD};
use uuid::Uuid;

/// A refund `REF-1` of Lotus whose notification gave up after two failed attempts.
async fn gave_up_notification(pool: &PgPool) -> (Uuid, i64) {
    reference_data(pool).await;
    let lotus = merchant(pool, "Lotus Tea House", "USD").await;
    add_user(pool, lotus, "ada@lotus.example", "operator").await;
    add_user(pool, lotus, "vic@lotus.example", "viewer").await;
    let pay = payment(pool, lotus, "PAY-1", "PAYPAY", "JPY", 5_000).await;
    let refund = transaction(
        pool,
        lotus,
        "REF-1",
        "REFUND",
        "SUCCESS",
        "PAYPAY",
        "ANTOM",
        "JPY",
        1_000,
        Some(pay),
        None,
    )
    .await;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO refund_notifications (merchant_id, refund_id, url, client_id, body, status, attempts)
         VALUES ($1, $2, 'https://merchant.example/notify', 'CLIENT-1', '{}', 'GAVE_UP', 2)
         RETURNING id",
    )
    .bind(lotus)
    .bind(refund)
    .fetch_one(pool)
    .await
    .unwrap();
    for (no, status) in [(1, Some(500)), (2, None)] {
        sqlx::query(
            "INSERT INTO refund_notification_attempts
               (notification_id, merchant_id, attempt_no, attempted_at, http_status, latency_ms,
                error)
             VALUES ($1, $4, $2, now(), $3, 120, CASE WHEN $3 IS NULL THEN 'connection refused' END)",
        )
        .bind(id)
        .bind(no)
        .bind(status)
        .bind(lotus)
        .execute(pool)
        .await
        .unwrap();
    }
    (lotus, id)
}

async fn status_of(pool: &PgPool, id: i64) -> (String, bool) {
    sqlx::query_as("SELECT status, coalesce(next_attempt_at <= now(), false) FROM refund_notifications WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn operators_see_each_attempt_and_resend_now(pool: PgPool) {
    let (_, id) = gave_up_notification(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let ada = app.browser();
    app.sign_in(&ada, "ada@lotus.example", PASSWORD).await;

    let log: Value = app
        .call_with(&ada, "notification_log", &[("refund_id", "REF-1")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log[0]["status"], "GAVE_UP", "{log}");
    assert_eq!(log[0]["attempts"][0]["http_status"], 500);
    assert_eq!(log[0]["attempts"][1]["error"], "connection refused");

    let id_text = id.to_string();
    let resent = app
        .call_with(
            &ada,
            "resend_notification",
            &[("notification_id", &id_text), ("refund_id", "REF-1")],
        )
        .await;
    assert!(resent.status().is_success(), "{}", resent.status());
    assert_eq!(status_of(&pool, id).await, ("PENDING".into(), true));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'NOTIFICATION_RESENT' AND subject = 'REF-1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn viewers_and_other_merchants_cannot_resend(pool: PgPool) {
    let (_, id) = gave_up_notification(&pool).await;
    let sakura = merchant(&pool, "Sakura Electronics", "JPY").await;
    add_user(&pool, sakura, "ken@sakura.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let id_text = id.to_string();
    let form = [
        ("notification_id", id_text.as_str()),
        ("refund_id", "REF-1"),
    ];

    let vic = app.browser();
    app.sign_in(&vic, "vic@lotus.example", PASSWORD).await;
    assert_eq!(
        app.call_with(&vic, "resend_notification", &form)
            .await
            .status(),
        403
    );
    assert_eq!(
        app.call_with(&vic, "notification_log", &[("refund_id", "REF-1")])
            .await
            .status(),
        403
    );

    let ken = app.browser();
    app.sign_in(&ken, "ken@sakura.example", PASSWORD).await;
    assert_eq!(
        app.call_with(&ken, "resend_notification", &form)
            .await
            .status(),
        404
    );
    let log: Value = app
        .call_with(&ken, "notification_log", &[("refund_id", "REF-1")])
        .await
        .json()
        .await
        .unwrap();
    assert!(log.is_null(), "{log}");
    assert_eq!(status_of(&pool, id).await.0, "GAVE_UP");
}
