//! The open API's envelope: signatures both ways, keys, replay window, unknown paths,
//! the rate limit, inquiryRefund and the OpenAPI document.

#[allow(dead_code)]
mod support;

use chrono::{Duration, Utc};
use serde_json::json;
use server::api::keys::ClientChoice;
use server::api::{signature, ApiConfig};
use sqlx::PgPool;
use support::api::{self, code, status, Client, INQUIRY, REFUND};

async fn client_with(pool: PgPool, config: ApiConfig) -> Client {
    let c = Client::lotus(pool.clone(), config).await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 100_000).await;
    c
}

async fn client(pool: PgPool) -> Client {
    client_with(pool, api::unlimited()).await
}

fn body(id: &str) -> String {
    json!({"refundRequestId": id, "paymentId": "PAY-1", "refundAmount": {"currency": "USD", "value": "100"}}).to_string()
}

fn now() -> String {
    signature::format_time(Utc::now())
}

#[sqlx::test(migrations = "../migrations")]
async fn signed_requests_are_accepted_in_both_time_formats_and_on_sandbox_paths(pool: PgPool) {
    let c = client(pool).await;
    assert_eq!(code(&c.send(REFUND, &body("R-1")).await), "SUCCESS");
    // An offset other than UTC, and epoch milliseconds.
    let t = Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let r = c
        .send_as(REFUND, &body("R-2"), &c.client_id, &c.key, &t.to_rfc3339())
        .await;
    assert_eq!(code(&r), "SUCCESS");
    let ms = Utc::now().timestamp_millis().to_string();
    assert_eq!(
        code(
            &c.send_as(REFUND, &body("R-3"), &c.client_id, &c.key, &ms)
                .await
        ),
        "SUCCESS"
    );
    let r = c
        .send("/ams/sandbox/api/v1/payments/refund", &body("R-4"))
        .await;
    assert_eq!(code(&r), "SUCCESS");
    // A signature whose base64 `+` was left unencoded still verifies.
    let time = now();
    let content =
        signature::signed_content("POST", REFUND, &c.client_id, &time, body("R-5").as_bytes());
    let sig = signature::sign(&c.key, &content);
    use base64::Engine as _;
    let raw = format!(
        "algorithm=RSA256,keyVersion=1,signature={}",
        base64::engine::general_purpose::STANDARD.encode(&sig)
    );
    assert_eq!(
        code(
            &c.send_raw(REFUND, &body("R-5"), &c.client_id, &time, Some(&raw))
                .await
        ),
        "SUCCESS"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_signatures_are_refused(pool: PgPool) {
    let c = client(pool.clone()).await;
    let time = now();
    let content =
        signature::signed_content("POST", REFUND, &c.client_id, &time, body("R-1").as_bytes());
    let good = signature::header_value(1, &signature::sign(&c.key, &content));

    // Tampered body: signed for 100, sent for 9900.
    let tampered = body("R-1").replace("\"100\"", "\"9900\"");
    let r = c
        .send_raw(REFUND, &tampered, &c.client_id, &time, Some(&good))
        .await;
    assert_eq!((code(&r), status(&r)), ("INVALID_SIGNATURE", "F"));
    // Signed for another path.
    let r = c
        .send_raw(INQUIRY, &body("R-1"), &c.client_id, &time, Some(&good))
        .await;
    assert_eq!(code(&r), "INVALID_SIGNATURE");
    // Signed with a key that is not the registered one.
    let r = c
        .send_as(REFUND, &body("R-1"), &c.client_id, &api::other_key(), &time)
        .await;
    assert_eq!(code(&r), "INVALID_SIGNATURE");
    // No signature, or a malformed one.
    assert_eq!(
        code(
            &c.send_raw(REFUND, &body("R-1"), &c.client_id, &time, None)
                .await
        ),
        "INVALID_SIGNATURE"
    );
    let r = c
        .send_raw(
            REFUND,
            &body("R-1"),
            &c.client_id,
            &time,
            Some("algorithm=RSA256,keyVersion=1,signature=%%%"),
        )
        .await;
    assert_eq!(code(&r), "INVALID_SIGNATURE");
    // Stale and future times, correctly signed: a replay of a captured request.
    for t in [
        Utc::now() - Duration::minutes(10),
        Utc::now() + Duration::minutes(10),
    ] {
        let r = c
            .send_as(
                REFUND,
                &body("R-1"),
                &c.client_id,
                &c.key,
                &signature::format_time(t),
            )
            .await;
        assert_eq!(code(&r), "INVALID_SIGNATURE");
        assert!(r["result"]["resultMessage"]
            .as_str()
            .unwrap()
            .contains("Request-Time"));
    }
    // Unknown client id and unknown key version.
    let r = c
        .send_as(REFUND, &body("R-1"), "NO_SUCH_CLIENT", &c.key, &time)
        .await;
    assert_eq!(code(&r), "KEY_NOT_FOUND");
    let content =
        signature::signed_content("POST", REFUND, &c.client_id, &time, body("R-1").as_bytes());
    let v2 = signature::header_value(2, &signature::sign(&c.key, &content));
    assert_eq!(
        code(
            &c.send_raw(REFUND, &body("R-1"), &c.client_id, &time, Some(&v2))
                .await
        ),
        "KEY_NOT_FOUND"
    );

    // None of that refunded anything; the genuine request does.
    let refunds = support::refund_rows(&pool).await;
    assert_eq!(refunds, 0);
    assert_eq!(
        code(
            &c.send_raw(REFUND, &body("R-1"), &c.client_id, &time, Some(&good))
                .await
        ),
        "SUCCESS"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_second_key_version_works_alongside_the_first(pool: PgPool) {
    let c = client(pool.clone()).await;
    let public = signature::public_key_der(&api::other_key());
    server::api::keys::register(
        &pool,
        c.merchant,
        ClientChoice::Own(c.client_id.clone()),
        None,
        &public,
    )
    .await
    .unwrap();
    let time = now();
    let content =
        signature::signed_content("POST", REFUND, &c.client_id, &time, body("R-1").as_bytes());
    let v2 = signature::header_value(2, &signature::sign(&api::other_key(), &content));
    assert_eq!(
        code(
            &c.send_raw(REFUND, &body("R-1"), &c.client_id, &time, Some(&v2))
                .await
        ),
        "SUCCESS"
    );
    // The client id stays with its merchant.
    let other = api::merchant(&pool, "Sakura", "JPY").await;
    assert!(server::api::keys::register(
        &pool,
        other,
        ClientChoice::Claim(c.client_id.clone()),
        None,
        &public
    )
    .await
    .is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_paths_are_no_interface_def(pool: PgPool) {
    let c = client(pool).await;
    for path in [
        "/ams/api/v1/payments/pay",
        "/ams/api/v1/payments/refundX",
        "/ams/nothing",
    ] {
        let r = c.send(path, "{}").await;
        assert_eq!((code(&r), status(&r)), ("NO_INTERFACE_DEF", "F"), "{path}");
    }
    // A known path with the wrong method.
    let r = c.http.get(c.app.url(REFUND)).send().await.unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(code(&v), "NO_INTERFACE_DEF");
}

#[sqlx::test(migrations = "../migrations")]
async fn each_client_is_rate_limited(pool: PgPool) {
    let c = client_with(
        pool.clone(),
        ApiConfig {
            rate_per_second: 1.0,
            rate_burst: 3.0,
            ..ApiConfig::default()
        },
    )
    .await;
    let mut codes = Vec::new();
    for i in 0..5 {
        let r = c
            .inquire(json!({"refundRequestId": format!("R-{i}")}))
            .await;
        codes.push((code(&r).to_string(), status(&r).to_string()));
    }
    assert_eq!(
        codes[..3]
            .iter()
            .filter(|(c, _)| c == "ORDER_NOT_EXIST")
            .count(),
        3
    );
    assert!(
        codes[3..]
            .iter()
            .all(|(c, s)| c == "REQUEST_TRAFFIC_EXCEED_LIMIT" && s == "U"),
        "{codes:?}"
    );
    // Another client of the same merchant has its own budget.
    api::register(&pool, c.merchant, "SANDBOX_LOTUS_2").await;
    let r = c
        .send_as(
            INQUIRY,
            r#"{"refundRequestId":"R-1"}"#,
            "SANDBOX_LOTUS_2",
            &c.key,
            &now(),
        )
        .await;
    assert_eq!(code(&r), "ORDER_NOT_EXIST");
}

#[sqlx::test(migrations = "../migrations")]
async fn inquiries_by_refund_id_and_request_id(pool: PgPool) {
    let c = client(pool.clone()).await;
    let made = c.refund("R-1", "PAY-1", "USD", "700").await;
    let refund_id = made["refundId"].as_str().unwrap();
    c.refund("R-2", "PAY-1", "USD", "800").await;

    let by_id = c.inquire(json!({"refundId": refund_id})).await;
    assert_eq!((code(&by_id), status(&by_id)), ("SUCCESS", "S"));
    assert_eq!(by_id["refundStatus"], "SUCCESS");
    assert_eq!(by_id["refundRequestId"], "R-1");
    assert_eq!(
        by_id["refundAmount"],
        json!({"currency": "USD", "value": "700"})
    );
    assert_eq!(by_id["refundTime"], made["refundTime"]);
    let by_request = c.inquire(json!({"refundRequestId": "R-1"})).await;
    assert_eq!(by_request, by_id);
    // refundId takes precedence.
    let both = c
        .inquire(json!({"refundId": refund_id, "refundRequestId": "R-2"}))
        .await;
    assert_eq!(both["refundRequestId"], "R-1");

    assert_eq!(
        code(&c.inquire(json!({"refundRequestId": "NOPE"})).await),
        "ORDER_NOT_EXIST"
    );
    assert_eq!(code(&c.inquire(json!({})).await), "PARAM_ILLEGAL");
    assert_eq!(
        code(&c.inquire(json!({"refundId": "x".repeat(65)})).await),
        "PARAM_ILLEGAL"
    );
    assert_eq!(
        code(&c.inquire(json!({"refundId": 12})).await),
        "PARAM_ILLEGAL"
    );

    // merchantAccountId names the client's merchant (its id in 32 hex digits).
    let account = c.merchant.simple().to_string();
    let ok = c
        .inquire(json!({"refundId": refund_id, "merchantAccountId": account}))
        .await;
    assert_eq!(code(&ok), "SUCCESS");
    let wrong = c
        .inquire(json!({"refundId": refund_id, "merchantAccountId": "0".repeat(32)}))
        .await;
    assert_eq!(code(&wrong), "ACCESS_DENIED");

    // Another merchant's client cannot see the refund.
    let other = api::merchant(&pool, "Sakura", "JPY").await;
    api::register(&pool, other, "SANDBOX_SAKURA").await;
    let r = c
        .send_as(
            INQUIRY,
            &json!({"refundId": refund_id}).to_string(),
            "SANDBOX_SAKURA",
            &c.key,
            &now(),
        )
        .await;
    assert_eq!(code(&r), "ORDER_NOT_EXIST");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_openapi_document_is_served(pool: PgPool) {
    let c = client(pool).await;
    let doc: serde_json::Value = c
        .http
        .get(c.app.url("/ams/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Generated by utoipa, which writes OpenAPI 3.1.
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        REFUND,
        INQUIRY,
        "/ams/sandbox/api/v1/payments/refund",
        "/ams/sandbox/api/v1/payments/inquiryRefund",
    ] {
        assert!(doc["paths"][path]["post"].is_object(), "{path}");
    }
    assert!(doc["paths"][REFUND]["post"]["description"]
        .as_str()
        .unwrap()
        .contains("REPEAT_REQ_INCONSISTENT"));
}

/// Anyone can send requests without a valid signature: past the per-address limit they
/// are refused before Paydesk verifies or signs anything, with HTTP 429 and no signature.
#[sqlx::test(migrations = "../migrations")]
async fn a_flood_from_one_address_is_refused_before_any_signing(pool: PgPool) {
    let c = client_with(
        pool.clone(),
        ApiConfig {
            address_rate_per_second: 1.0,
            address_burst: 2.0,
            ..api::unlimited()
        },
    )
    .await;
    let mut answers = Vec::new();
    for _ in 0..4 {
        let r = c
            .http
            .post(c.app.url(REFUND))
            .header("client-id", "NOBODY")
            .header("signature", "algorithm=RSA256,keyVersion=1,signature=AAAA")
            .header("request-time", now())
            .body(body("R-1"))
            .send()
            .await
            .unwrap();
        let signed = r.headers().contains_key("signature");
        let status = r.status().as_u16();
        let v: serde_json::Value = r.json().await.unwrap();
        answers.push((status, signed, code(&v).to_owned()));
    }
    assert_eq!(answers[0], (200, true, "KEY_NOT_FOUND".to_owned()));
    assert_eq!(answers[1], (200, true, "KEY_NOT_FOUND".to_owned()));
    for a in &answers[2..] {
        assert_eq!(a, &(429, false, "REQUEST_TRAFFIC_EXCEED_LIMIT".to_owned()));
    }
}

/// A body over the limit is answered like any other illegal request: signed, HTTP 200,
/// PARAM_ILLEGAL; SDKs treat anything else as a broken protocol.
#[sqlx::test(migrations = "../migrations")]
async fn an_oversized_body_gets_a_signed_param_illegal(pool: PgPool) {
    let c = client(pool).await;
    let huge = json!({
        "refundRequestId": "R-1",
        "paymentId": "PAY-1",
        "refundAmount": {"currency": "USD", "value": "100"},
        "refundReason": "x".repeat(100 * 1024),
    })
    .to_string();
    // send checks the answer's signature.
    let r = c.send(REFUND, &huge).await;
    assert_eq!((code(&r), status(&r)), ("PARAM_ILLEGAL", "F"));
    assert!(r["result"]["resultMessage"]
        .as_str()
        .unwrap()
        .contains("larger than 65536 bytes"));
}

/// With the database gone, the answer is still signed and documented: UNKNOWN_EXCEPTION
/// with status U (retry with the same request id), never a bare error page.
#[sqlx::test(migrations = "../migrations")]
async fn a_database_failure_still_gets_a_signed_answer(pool: PgPool) {
    let c = client(pool.clone()).await;
    pool.close().await;
    let r = c.send(REFUND, &body("R-1")).await;
    assert_eq!((code(&r), status(&r)), ("UNKNOWN_EXCEPTION", "U"));
}
