//! Refund receipts through HTTP: each language's PDF read back as text, the public
//! verification of its code, and who may download what.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use sqlx::PgPool;
use support::{merchant_with_user, TestApp, PASSWORD};
use uuid::Uuid;

const REFUND: &str = "RFD-2026-0001";
const PAYMENT: &str = "PAY-2026-0001";

async fn reference(pool: &PgPool) {
    support::antom_and_method(pool, "PIX", "Pix", 90, "ASYNC").await;
}

/// A payment of 12,345.67 USD and its refund of 1,234.56 USD with `status`, settled
/// in CNY; returns nothing, the IDs are `payment_id` and `refund_id`.
async fn payment_and_refund(
    pool: &PgPool,
    merchant: Uuid,
    payment_id: &str,
    refund_id: &str,
    status: &str,
) {
    let payment: i64 = sqlx::query_scalar(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type, status,
             amount_minor, currency, payment_method_type, acquirer_code, created_at, finished_at)
         VALUES ($1, $2, '1', 'PAYMENT', 'SUCCESS', 1234567, 'USD', 'PIX', 'ANTOM',
                 '2026-11-28 10:00:00+00', '2026-11-28 10:00:05+00') RETURNING id",
    )
    .bind(merchant)
    .bind(payment_id)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, transaction_request_id, serial_no,
             transaction_type, status, amount_minor, currency, settlement_amount_minor,
             settlement_currency, settlement_quote, payment_method_type, acquirer_code,
             original_id, reason, created_at, finished_at)
         VALUES ($1, $2, 'REQ-' || $2, '1', 'REFUND', $3, 123456, 'USD', 879432, 'CNY', 7.1234,
                 'PIX', 'ANTOM', $4, 'Produto danificado — devolução', '2026-11-29 18:05:00+00',
                 '2026-11-29 18:05:11+00')",
    )
    .bind(merchant)
    .bind(refund_id)
    .bind(status)
    .bind(payment)
    .execute(pool)
    .await
    .unwrap();
}

async fn signed_in(pool: PgPool) -> (TestApp, reqwest::Client, Uuid) {
    reference(&pool).await;
    let lotus = merchant_with_user(
        &pool,
        "莲花茶馆 Lotus Tea House",
        "ada@lotus.example",
        "viewer",
    )
    .await;
    payment_and_refund(&pool, lotus, PAYMENT, REFUND, "SUCCESS").await;
    let app = TestApp::spawn(pool).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    (app, browser, lotus)
}

async fn download(
    app: &TestApp,
    client: &reqwest::Client,
    refund: &str,
    lang: &str,
) -> reqwest::Response {
    app.get(&client, &format!("/receipts/{refund}.pdf?lang={lang}"))
        .await
}

async fn pdf(app: &TestApp, client: &reqwest::Client, lang: &str) -> Vec<u8> {
    let response = download(app, client, REFUND, lang).await;
    assert_eq!(response.status(), 200, "{lang}");
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;")
            && disposition.contains(&format!("{REFUND}-{lang}.pdf")),
        "{disposition}"
    );
    response.bytes().await.unwrap().to_vec()
}

/// The text of a PDF's first page, whitespace collapsed.
fn text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("a valid PDF");
    assert_eq!(doc.get_pages().len(), 1);
    let raw = doc.extract_text(&[1]).unwrap();
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[sqlx::test(migrations = "../migrations")]
async fn each_language_has_its_labels_amounts_and_characters(pool: PgPool) {
    let (app, browser, _) = signed_in(pool).await;
    let cases: [(&str, &[&str]); 3] = [
        (
            "en",
            &[
                "Refund receipt",
                "Merchant",
                "莲花茶馆 Lotus Tea House",
                "Refund ID",
                REFUND,
                "Refund request ID",
                "REQ-RFD-2026-0001",
                "Original payment ID",
                PAYMENT,
                "Original payment amount",
                "12,345.67 USD",
                "Refund amount",
                "1,234.56 USD",
                "Payment method",
                "Pix (PIX)",
                "Refund time (merchant time zone)",
                "2026-11-30 02:05:11 (UTC+08:00, Asia/Shanghai)",
                "Refund time (UTC)",
                "2026-11-29 18:05:11 UTC",
                "Status",
                "Successful",
                "Refund reason",
                "Produto danificado — devolução",
                "Settlement amount",
                "8,794.32 CNY",
                "Settlement quote",
                "1 USD = 7.1234 CNY",
                "Verification code",
            ],
        ),
        (
            "zh-CN",
            &[
                "退款回单",
                "商户",
                "莲花茶馆",
                "退款编号",
                "退款请求编号",
                "原支付编号",
                "原支付金额",
                "12,345.67 USD",
                "退款金额",
                "1,234.56 USD",
                "支付方式",
                "退款时间（商户时区）",
                "2026年11月30日 02:05:11",
                "退款时间（UTC）",
                "状态",
                "成功",
                "退款原因",
                "结算金额",
                "8,794.32 CNY",
                "结算汇率",
                "验证码",
            ],
        ),
        (
            "pt-BR",
            &[
                "Comprovante de reembolso",
                "Estabelecimento",
                "ID do reembolso",
                "Valor do pagamento original",
                "12.345,67 USD",
                "Valor do reembolso",
                "1.234,56 USD",
                "Método de pagamento",
                "30/11/2026 02:05:11",
                "Situação",
                "Concluído com sucesso",
                "Motivo do reembolso",
                "Produto danificado — devolução",
                "Valor de liquidação",
                "8.794,32 CNY",
                "Cotação de liquidação",
                "1 USD = 7,1234 CNY",
                "Código de verificação",
            ],
        ),
    ];
    for (lang, expected) in cases {
        let bytes = pdf(&app, &browser, lang).await;
        assert!(bytes.len() < 200 * 1024, "{lang}: {} bytes", bytes.len());
        // The same refund and language always give the same bytes.
        assert_eq!(
            bytes,
            pdf(&app, &browser, lang).await,
            "{lang} is not reproducible"
        );
        let text = text(&bytes);
        for e in expected {
            assert!(text.contains(e), "{lang}: {e:?} missing from {text}");
        }
        // Fonts are embedded (subset), not left to the viewer.
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.contains("/FontFile"), "{lang}: no embedded font");
    }
}

/// The verification URL printed on a receipt, relative to the application.
fn printed_verify_path(text: &str) -> String {
    let start = text.find("/receipts/verify?").expect("a verification URL");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_printed_code_verifies_and_an_altered_one_does_not(pool: PgPool) {
    let (app, browser, _) = signed_in(pool).await;
    let text_en = text(&pdf(&app, &browser, "en").await);
    let path = printed_verify_path(&text_en);
    assert!(
        text_en.contains(&format!("{}{path}", app.base)),
        "the URL is absolute: {text_en}"
    );
    let code = path.split("code=").nth(1).unwrap().to_owned();
    assert_eq!(code.len(), 20);
    // The code is the same whatever the language, and printed grouped.
    let text_zh = text(&pdf(&app, &browser, "zh-CN").await);
    assert!(text_zh.contains(&code));
    let grouped = format!(
        "{}-{}-{}-{}",
        &code[..5],
        &code[5..10],
        &code[10..15],
        &code[15..]
    );
    assert!(text_zh.contains(&grouped), "{text_zh}");

    // Anyone may check, without a session.
    let anyone = app.browser();
    // The page's server function answers the same query in JSON.
    let json_path = path.replace("/receipts/verify?", "/api/verify_receipt?");
    let page = app.get(&anyone, &path).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h2>Genuine</h2>"), "{html}");
    assert!(
        html.contains("1,234.56 USD") && html.contains(REFUND),
        "{html}"
    );

    // The grouped, lower-case form as a person types it is accepted too.
    let typed = anyone
        .get(app.url("/receipts/verify"))
        .query(&[("refund", REFUND), ("code", &grouped.to_lowercase())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(typed.contains("<h2>Genuine</h2>"));

    // Signed out, the page follows the browser's language, facts written in it.
    let portuguese = anyone
        .get(app.url(&path))
        .header("accept-language", "pt-BR,pt;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(portuguese.contains("<h2>Autêntico</h2>"), "{portuguese}");
    assert!(portuguese.contains("1.234,56 USD"), "{portuguese}");
    assert!(!portuguese.contains("Genuine"), "{portuguese}");

    let flip = |c: char| if c == 'A' { 'B' } else { 'A' };
    let altered_code: String = code
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 7 { flip(c) } else { c })
        .collect();
    for (refund, code) in [
        (REFUND, altered_code.as_str()),
        (PAYMENT, code.as_str()),
        ("NO-SUCH", code.as_str()),
        (REFUND, ""),
    ] {
        let html = anyone
            .get(app.url("/receipts/verify"))
            .query(&[("refund", refund), ("code", code)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Not genuine") || code.is_empty(),
            "{refund} {code}: {html}"
        );
        assert!(!html.contains("<h2>Genuine</h2>"), "{refund} {code}");
        assert!(
            !html.contains("1,234.56"),
            "facts shown without a valid code"
        );
    }

    let json: serde_json::Value = anyone
        .get(app.url(&json_path))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["genuine"], true);
    assert_eq!(json["refundAmount"]["value"], "123456");

    // A receipt whose facts no longer match the record (here the amount) is not genuine.
    sqlx::query("UPDATE transactions SET amount_minor = 123457 WHERE transaction_id = $1")
        .bind(REFUND)
        .execute(&app.pool)
        .await
        .unwrap();
    let json: serde_json::Value = anyone
        .get(app.url(&json_path))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["genuine"], false);
}

/// The verification page at `query`, as a browser without a session gets it.
async fn verify_page(app: &TestApp, query: &[(&str, &str)]) -> String {
    let response = app
        .browser()
        .get(app.url("/receipts/verify"))
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_code_of_the_wrong_shape_is_not_genuine(pool: PgPool) {
    let (app, browser, _) = signed_in(pool).await;
    let path = printed_verify_path(&text(&pdf(&app, &browser, "en").await));
    let code = path.split("code=").nth(1).unwrap();
    for bad in [
        "not-a-code",
        &code[..19],
        &format!("{code}A"),
        "\"><b>forged</b>",
    ] {
        let html = verify_page(&app, &[("refund", REFUND), ("code", bad)]).await;
        assert!(html.contains("<h2>Not genuine</h2>"), "{bad}: {html}");
        assert!(!html.contains("1,234.56"), "{bad}: facts shown");
        assert!(
            !html.contains("<b>forged</b>"),
            "{bad}: the input is escaped"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_missing_field_is_named_next_to_it_and_nothing_is_checked(pool: PgPool) {
    let (app, _, _) = signed_in(pool).await;
    let first = verify_page(&app, &[]).await;
    assert!(
        first.contains("<label for=\"refund\">Refund ID</label>"),
        "{first}"
    );
    assert!(first.contains("<label for=\"code\">Verification code</label>"));
    assert!(!first.contains("genuine</h2>") && !first.contains("printed on the receipt."));

    let no_code = verify_page(&app, &[("refund", REFUND)]).await;
    assert!(
        no_code.contains("Enter the verification code printed on the receipt."),
        "{no_code}"
    );
    assert!(!no_code.contains("Enter the refund ID printed on the receipt."));
    assert!(!no_code.contains("Genuine</h2>") && !no_code.contains("Not genuine"));
    assert!(
        no_code.contains(&format!("value=\"{REFUND}\"")),
        "the ID stays filled in"
    );

    let blank_id = verify_page(&app, &[("refund", " "), ("code", "AAAAA")]).await;
    assert!(blank_id.contains("Enter the refund ID printed on the receipt."));
    assert!(!blank_id.contains("Enter the verification code"));
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_merchants_own_successful_refunds_have_receipts(pool: PgPool) {
    let (app, browser, lotus) = signed_in(pool.clone()).await;
    let sakura =
        merchant_with_user(&pool, "Sakura Electronics", "ken@sakura.example", "admin").await;
    payment_and_refund(&pool, sakura, "SAKURA-PAY", "SAKURA-REFUND", "SUCCESS").await;
    payment_and_refund(
        &pool,
        lotus,
        "LOTUS-PAY-2",
        "LOTUS-REFUND-PENDING",
        "PROCESSING",
    )
    .await;

    // Another merchant's refund is as absent as one that does not exist.
    let other = download(&app, &browser, "SAKURA-REFUND", "en").await;
    assert_eq!(other.status(), 404);
    let body = other.text().await.unwrap();
    assert!(!body.contains("Sakura"), "{body}");
    assert_eq!(
        download(&app, &browser, "NO-SUCH-REFUND", "en")
            .await
            .status(),
        404
    );

    let pending = download(&app, &browser, "LOTUS-REFUND-PENDING", "en").await;
    assert_eq!(pending.status(), 409);
    assert!(pending
        .text()
        .await
        .unwrap()
        .contains("only successful refunds have receipts"));
    let payment = download(&app, &browser, PAYMENT, "en").await;
    assert_eq!(payment.status(), 409);
    assert!(payment.text().await.unwrap().contains("not a refund"));

    let unknown = download(&app, &browser, REFUND, "fr").await;
    assert_eq!(unknown.status(), 400);
    assert!(unknown.text().await.unwrap().contains("pt-BR"));

    // Without a session the download sends the browser to sign in first.
    let stranger = app.browser();
    let response = download(&app, &stranger, REFUND, "en").await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));

    // Sakura's user gets their own receipt, and not Lotus's.
    let ken = app.browser();
    app.sign_in(&ken, "ken@sakura.example", PASSWORD).await;
    assert_eq!(
        download(&app, &ken, "SAKURA-REFUND", "pt-BR")
            .await
            .status(),
        200
    );
    assert_eq!(download(&app, &ken, REFUND, "en").await.status(), 404);

    // Refusals are in the user's language, whatever the receipt's.
    let saved = app
        .call_with(&browser, "change_language", &[("language", "zh-CN")])
        .await;
    assert!(saved.status().is_success(), "{}", saved.status());
    let pending = download(&app, &browser, "LOTUS-REFUND-PENDING", "en").await;
    assert_eq!(pending.status(), 409);
    assert_eq!(
        pending.text().await.unwrap(),
        "该退款的状态为 PROCESSING：只有成功的退款才有回单。"
    );
}

/// Without a configured key, the first start makes a random one and keeps it: every
/// instance then makes and checks the same codes, and no key is built into Paydesk.
#[sqlx::test(migrations = "../migrations")]
async fn the_receipt_key_is_made_at_random_once_and_kept(pool: PgPool) {
    let (a, b) = tokio::join!(
        server::receipts::stored_key(&pool),
        server::receipts::stored_key(&pool)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b, "instances starting at once agree");
    assert_eq!(a.len(), 32);
    assert_eq!(server::receipts::stored_key(&pool).await.unwrap(), a);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM receipt_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    assert_ne!(&a[..], b"paydesk-development-receipt-key-".as_slice());
}
