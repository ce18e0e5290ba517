//! Bad bytes and foreign text through the real HTTP stack: NUL and control characters
//! get a clear refusal and change nothing, and Chinese, Portuguese and emoji come back
//! exactly as they were typed. (A fault's own text never shows: error_log.rs.)

#[allow(dead_code)]
mod support;

use serde_json::json;
use sqlx::PgPool;
use support::api::{self, code, Client, REFUND};
use support::{add_user, merchant_with_user, TestApp, PASSWORD};

const FOREIGN: &str = "Devolução parcial 退款 🎁";

async fn admin(app: &TestApp) -> reqwest::Client {
    let client = app.browser();
    app.sign_in(&client, "admin@lotus.example", PASSWORD).await;
    client
}

#[sqlx::test(migrations = "../migrations")]
async fn nul_bytes_get_a_message_and_no_database_text(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = admin(&app).await;

    let audit = app
        .call_json(
            &client,
            "admin_search_audit",
            json!({"params": {"actor": "a\u{0}b"}}),
        )
        .await;
    assert_eq!(audit.status(), 200);
    let body: serde_json::Value = audit.json().await.unwrap();
    assert_eq!(
        body["errors"],
        json!([[
            "actor",
            "The actor must be one line, without control characters."
        ]])
    );

    let verify = app
        .get_text(&app.browser(), "/receipts/verify?refund=%00&code=x")
        .await;
    assert!(verify.contains("Not genuine"), "{verify}");
    let receipt = app.get(&client, "/receipts/%00.pdf").await;
    assert_eq!(receipt.status(), 404);

    // A NUL in the e-mail address is a wrong sign-in like any other.
    let back = app
        .sign_in(&app.browser(), "ada\u{0}@lotus.example", PASSWORD)
        .await;
    assert!(back.starts_with("/login?error=invalid"), "{back}");

    let created = app
        .call_with(
            &client,
            "admin_create_user",
            &[
                ("email", "new@lotus.example"),
                ("name", "Ze\u{0}"),
                ("role", "viewer"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    let to = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.contains("error=invalid_name"), "{to}");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 1, "nothing was created");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_refund_api_refuses_control_and_direction_characters(pool: PgPool) {
    let c = Client::lotus(pool.clone(), api::unlimited()).await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 100_000).await;
    let refund = |id: &str, extra: serde_json::Value| {
        let mut body = json!({
            "refundRequestId": id,
            "paymentId": "PAY-1",
            "refundAmount": {"currency": "USD", "value": "100"},
        });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body.to_string()
    };
    for (i, extra) in [
        json!({"refundReason": "a\u{0}b"}),
        json!({"refundReason": "line\nbreak"}),
        json!({"refundReason": "refund \u{202E}lanigiro"}),
        json!({"referenceRefundId": "ref\u{0}"}),
        json!({"referenceRefundId": "ref\u{2066}x"}),
    ]
    .into_iter()
    .enumerate()
    {
        let answer = c
            .send(REFUND, &refund(&format!("R-{i}"), extra.clone()))
            .await;
        assert_eq!(code(&answer), "PARAM_ILLEGAL", "{extra}");
    }
    let refunds = support::refund_rows(&pool).await;
    assert_eq!(refunds, 0);

    // Foreign text goes through whole, byte for byte.
    let ok = c
        .send(
            REFUND,
            &refund(
                "R-ok",
                json!({"refundReason": FOREIGN, "referenceRefundId": "订单-42 ✓"}),
            ),
        )
        .await;
    assert_eq!(code(&ok), "SUCCESS", "{ok}");
    let stored: String =
        sqlx::query_scalar("SELECT reason FROM transactions WHERE transaction_request_id = 'R-ok'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, FOREIGN);
}

#[sqlx::test(migrations = "../migrations")]
async fn foreign_names_and_searches_come_back_as_typed(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    add_user(&pool, lotus, "zhang@lotus.example", "viewer").await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = admin(&app).await;
    let name = "João Zé 张伟 🙂";
    let created = app
        .call_with(
            &client,
            "admin_create_user",
            &[
                ("email", "joao@lotus.example"),
                ("name", name),
                ("role", "viewer"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert!(created.headers()["location"]
        .to_str()
        .unwrap()
        .contains("done=created"));
    let list = app.call_text(&client, "admin_list_users").await;
    assert!(list.contains(name), "{list}");
    let direction = app
        .call_with(
            &client,
            "admin_create_user",
            &[
                ("email", "x@lotus.example"),
                ("name", "Zé \u{202E}nimda"),
                ("role", "viewer"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert!(direction.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error=invalid_name"));
    // A search in another script finds nothing rather than failing.
    let search = app
        .call_json(
            &client,
            "admin_search_audit",
            json!({"params": {"actor": "张伟"}}),
        )
        .await;
    assert_eq!(search.status(), 200);
}
