//! Starts the real Paydesk application on a free port against the test's own database.

use app::state::{AppState, Config};
use reqwest::redirect::Policy;
use server::api::ApiConfig;
use sqlx::PgPool;
use std::net::SocketAddr;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> TestApp {
        TestApp::spawn_with(pool, Config::default()).await
    }

    pub async fn spawn_with(pool: PgPool, config: Config) -> TestApp {
        TestApp::spawn_state(AppState::new(pool, config)).await
    }

    /// The application with `state` (for instance one that reads from a replica).
    pub async fn spawn_state(state: AppState) -> TestApp {
        let pool = state.pool.clone();
        TestApp::serve(
            server::serve::local_router(state, ApiConfig::default())
                .await
                .unwrap(),
            pool,
        )
        .await
    }

    /// Serves `app` on a free port of the loopback address.
    pub async fn serve(app: axum::Router, pool: PgPool) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap()
        });
        TestApp {
            base: format!("http://{addr}"),
            pool,
        }
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            // A request that never ends fails its test instead of holding the whole
            // run; every request here finishes in seconds.
            .timeout(std::time::Duration::from_secs(300))
            .build()
            .unwrap()
    }

    /// A browser holding a copy of the session cookie `id`, as someone who copied it.
    pub fn browser_with_session(&self, id: &str) -> reqwest::Client {
        let jar = reqwest::cookie::Jar::default();
        jar.add_cookie_str(
            &format!("paydesk_session={id}; Path=/"),
            &self.base.parse().unwrap(),
        );
        reqwest::Client::builder()
            .cookie_provider(std::sync::Arc::new(jar))
            .redirect(Policy::none())
            .timeout(std::time::Duration::from_secs(300))
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Posts the login form as a browser without JavaScript would; returns the redirect.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str, password: &str) -> String {
        let response = client
            .post(self.url("/api/sign_in"))
            .header("origin", &self.base)
            .header("accept", "text/html")
            .form(&[("email", email), ("password", password), ("next", "")])
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "sign-in answered {}",
            response.status()
        );
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// GETs `path` (a page, a download) as `client`.
    pub async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    /// The body of [`get`](Self::get) as text.
    pub async fn get_text(&self, client: &reqwest::Client, path: &str) -> String {
        self.get(client, path).await.text().await.unwrap()
    }

    /// Calls a server function without arguments the way the hydrated page does.
    pub async fn call(&self, client: &reqwest::Client, endpoint: &str) -> reqwest::Response {
        self.call_with(client, endpoint, &[]).await
    }

    /// The body of [`call`](Self::call) as text.
    pub async fn call_text(&self, client: &reqwest::Client, endpoint: &str) -> String {
        self.call(client, endpoint).await.text().await.unwrap()
    }

    /// Calls a server function that takes JSON.
    pub async fn call_json(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        args: serde_json::Value,
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("origin", &self.base)
            .header("accept", "application/json")
            .json(&args)
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function with form-encoded arguments (`params[from]` for fields of
    /// a struct argument).
    pub async fn call_with(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        args: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("origin", &self.base)
            .header("accept", "application/json")
            .form(args)
            .send()
            .await
            .unwrap()
    }
}

/// How many refund rows there are, whatever their merchant or status.
pub async fn refund_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM transactions WHERE transaction_type = 'REFUND'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A merchant with one user of `role`; returns the merchant's id.
/// Calls `endpoint` as `client` until it answers `expected`, for at most two seconds, and
/// fails the test if it never does. For changes made outside an instance: it learns of
/// them from PostgreSQL's change notice, milliseconds after the commit, not at once.
pub async fn answers_soon(app: &TestApp, client: &reqwest::Client, endpoint: &str, expected: u16) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let status = app.call(client, endpoint).await.status().as_u16();
        if status == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{endpoint} on {} still answers {status}, not {expected}",
            app.base
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

pub async fn merchant_with_user(pool: &PgPool, name: &str, email: &str, role: &str) -> Uuid {
    let merchant = Uuid::new_v4();
    sqlx::query("INSERT INTO merchants (id, name, time_zone, settlement_currency) VALUES ($1, $2, 'Asia/Shanghai', 'USD')")
        .bind(merchant)
        .bind(name)
        .execute(pool)
        .await
        .unwrap();
    add_user(pool, merchant, email, role).await;
    merchant
}

pub async fn add_user(pool: &PgPool, merchant: Uuid, email: &str, role: &str) {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = HASH.get_or_init(|| app::auth::password::hash_blocking(PASSWORD));
    sqlx::query(
        "INSERT INTO users (id, merchant_id, email, display_name, password_hash, role)
         VALUES ($1, $2, $3, $3, $4, $5)",
    )
    .bind(Uuid::new_v4())
    .bind(merchant)
    .bind(email)
    .bind(hash)
    .bind(role)
    .execute(pool)
    .await
    .unwrap();
}

/// The payment password the tests' dashboard users set.
pub const PAYMENT_PASSWORD: &str = "pay-2468-ok";

/// A new user of `merchant` with `role` and a payment password, as the audit log's
/// actor (from the loopback address).
pub async fn dashboard_user(
    pool: &PgPool,
    merchant: Uuid,
    email: &str,
    role: &str,
) -> app::audit::Actor {
    use app::payment_password::{store, PaymentPassword};
    add_user(pool, merchant, email, role).await;
    let id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap();
    let actor = app::audit::Actor {
        merchant_id: merchant,
        user_id: Some(id),
        name: email.to_owned(),
        address: Some("127.0.0.1".to_owned()),
    };
    let new = PaymentPassword::parse(PAYMENT_PASSWORD).unwrap();
    store::set_first(pool, &actor, PASSWORD, &new)
        .await
        .unwrap();
    actor
}

pub mod notify;

/// The open API: a test merchant with a registered key pair, payments to refund, and a
/// client that signs requests and checks every response's signature.
#[allow(dead_code)]
pub mod api {
    use super::TestApp;
    use app::state::{AppState, Config};
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::RsaKeyPair;
    use chrono::{DateTime, Duration, Utc};
    use serde_json::Value;
    use server::api::{keys, signature, ApiConfig};
    use sqlx::PgPool;
    use std::sync::Arc;
    use uuid::Uuid;

    pub const REFUND: &str = "/ams/api/v1/payments/refund";
    pub const INQUIRY: &str = "/ams/api/v1/payments/inquiryRefund";

    impl TestApp {
        /// The application with the given open-API settings (rate limit, clock skew).
        pub async fn spawn_api(pool: PgPool, api: ApiConfig) -> TestApp {
            let state = AppState::new(pool.clone(), Config::default());
            let app = server::serve::local_router(state, api).await.unwrap();
            TestApp::serve(app, pool).await
        }
    }

    /// No rate limit (most tests send many requests at once), and notification URLs
    /// on the loopback address, where the tests' receivers listen.
    pub fn unlimited() -> ApiConfig {
        ApiConfig {
            rate_per_second: 0.0,
            notify_targets: app::notifications::target::TargetPolicy {
                allow_private: true,
            },
            ..ApiConfig::default()
        }
    }

    /// A key pair shared by the tests of one binary (generating one takes a while).
    pub fn merchant_key() -> Arc<RsaKeyPair> {
        static KEY: std::sync::OnceLock<Arc<RsaKeyPair>> = std::sync::OnceLock::new();
        KEY.get_or_init(|| Arc::new(RsaKeyPair::generate(KeySize::Rsa2048).unwrap()))
            .clone()
    }

    pub fn other_key() -> Arc<RsaKeyPair> {
        static KEY: std::sync::OnceLock<Arc<RsaKeyPair>> = std::sync::OnceLock::new();
        KEY.get_or_init(|| Arc::new(RsaKeyPair::generate(KeySize::Rsa2048).unwrap()))
            .clone()
    }

    /// Acquirers and payment methods as in the demo data (their refund capabilities, docs/RULES.md).
    pub async fn reference_data(pool: &PgPool) {
        sqlx::query(
            "INSERT INTO acquirers (code, name, sync_card_refunds) VALUES
                ('2C2P_HK', '2C2P HK', true), ('ADYEN', 'Adyen', false), ('ANTOM', 'Antom', false)
             ON CONFLICT DO NOTHING",
        )
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO payment_methods (code, name, is_card, refund_supported,
                 partial_refund_supported, multiple_refunds_supported, refund_window_days,
                 refund_mode, min_refund_minor) VALUES
                ('GCASH', 'GCash', false, true, true, true, 180, 'SYNC', 100),
                ('DANA', 'DANA', false, true, true, true, 7, 'SYNC', 100),
                ('VISA', 'Visa', true, true, true, true, 180, 'ASYNC', 100),
                ('PAYPAY', 'PayPay', false, true, true, true, 365, 'ASYNC', 1),
                ('GRABPAY', 'GrabPay', false, true, false, false, 30, 'ASYNC', 100),
                ('PIX', 'Pix', false, true, true, false, 90, 'ASYNC', 1),
                ('KONBINI', 'Konbini', false, false, false, false, 30, 'ASYNC', 1)
             ON CONFLICT DO NOTHING",
        )
        .execute(pool)
        .await
        .unwrap();
    }

    /// An active merchant settling in `settlement` with a large balance in USD, EUR,
    /// SGD and JPY.
    pub async fn merchant(pool: &PgPool, name: &str, settlement: &str) -> Uuid {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO merchants (id, name, time_zone, settlement_currency) VALUES ($1, $2, 'Asia/Singapore', $3)",
        )
        .bind(id)
        .bind(name)
        .bind(settlement)
        .execute(pool)
        .await
        .unwrap();
        for c in ["USD", "EUR", "SGD", "JPY"] {
            set_balance(pool, id, c, 1_000_000_000).await;
        }
        id
    }

    pub async fn set_balance(pool: &PgPool, merchant: Uuid, currency: &str, minor: i64) {
        sqlx::query(
            "INSERT INTO merchant_balances (merchant_id, currency, available_minor) VALUES ($1, $2, $3)
             ON CONFLICT (merchant_id, currency) DO UPDATE SET available_minor = EXCLUDED.available_minor",
        )
        .bind(merchant)
        .bind(currency)
        .bind(minor)
        .execute(pool)
        .await
        .unwrap();
    }

    pub async fn balance(pool: &PgPool, merchant: Uuid, currency: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT available_minor FROM merchant_balances WHERE merchant_id = $1 AND currency = $2",
        )
        .bind(merchant)
        .bind(currency)
        .fetch_one(pool)
        .await
        .unwrap()
    }

    /// Inserts a transaction row; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn transaction(
        pool: &PgPool,
        merchant: Uuid,
        transaction_id: &str,
        kind: &str,
        status: &str,
        method: &str,
        acquirer: &str,
        currency: &str,
        amount: i64,
        original: Option<i64>,
        finished_at: Option<DateTime<Utc>>,
    ) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO transactions (merchant_id, transaction_id, reference_transaction_id,
                 serial_no, transaction_type, status, amount_minor, currency,
                 payment_method_type, acquirer_code, original_id, created_at, finished_at)
             VALUES ($1, $2, 'ORDER-' || $2, '1', $3, $4, $5, $6, $7, $8, $9,
                     coalesce($10, now()) - interval '5 seconds', $10)
             RETURNING id",
        )
        .bind(merchant)
        .bind(transaction_id)
        .bind(kind)
        .bind(status)
        .bind(amount)
        .bind(currency)
        .bind(method)
        .bind(acquirer)
        .bind(original)
        .bind(finished_at)
        .fetch_one(pool)
        .await
        .unwrap()
    }

    /// A payment that succeeded an hour ago.
    pub async fn payment(
        pool: &PgPool,
        merchant: Uuid,
        transaction_id: &str,
        method: &str,
        currency: &str,
        amount: i64,
    ) -> i64 {
        let acquirer = if method == "VISA" { "ADYEN" } else { "ANTOM" };
        transaction(
            pool,
            merchant,
            transaction_id,
            "PAYMENT",
            "SUCCESS",
            method,
            acquirer,
            currency,
            amount,
            None,
            Some(Utc::now() - Duration::hours(1)),
        )
        .await
    }

    /// A merchant API client: its id, the key it signs with and the application.
    pub struct Client {
        pub app: TestApp,
        pub merchant: Uuid,
        pub client_id: String,
        pub key: Arc<RsaKeyPair>,
        pub http: reqwest::Client,
        pub platform_public_key: Vec<u8>,
    }

    /// Registers `merchant_key()` for `merchant` under `client_id`.
    pub async fn register(pool: &PgPool, merchant: Uuid, client_id: &str) {
        let public = signature::public_key_der(&merchant_key());
        let client = keys::ClientChoice::Claim(client_id.to_owned());
        keys::register(pool, merchant, client, Some(1), &public)
            .await
            .unwrap();
    }

    impl Client {
        /// Lotus Tea House (settling in USD) with the demo payment methods, behind an
        /// API configured by `config`, as the client SANDBOX_LOTUS.
        pub async fn lotus(pool: PgPool, config: ApiConfig) -> Client {
            reference_data(&pool).await;
            let merchant = merchant(&pool, "Lotus Tea House", "USD").await;
            let app = TestApp::spawn_api(pool, config).await;
            Client::new(app, merchant, "SANDBOX_LOTUS").await
        }

        pub async fn new(app: TestApp, merchant: Uuid, client_id: &str) -> Client {
            register(&app.pool, merchant, client_id).await;
            let platform = keys::platform_key(&app.pool).await.unwrap();
            Client {
                merchant,
                client_id: client_id.to_string(),
                key: merchant_key(),
                http: reqwest::Client::new(),
                platform_public_key: platform.public_der,
                app,
            }
        }

        /// POSTs `body` to `path` signed as `client_id` with `key` at `time`; returns
        /// the answer after checking its signature.
        pub async fn send_as(
            &self,
            path: &str,
            body: &str,
            client_id: &str,
            key: &RsaKeyPair,
            time: &str,
        ) -> Value {
            let bytes = self.signed_bytes(path, body, client_id, key, time).await;
            serde_json::from_slice(&bytes).unwrap()
        }

        /// [`send_as`](Self::send_as), the answer's bytes unparsed.
        async fn signed_bytes(
            &self,
            path: &str,
            body: &str,
            client_id: &str,
            key: &RsaKeyPair,
            time: &str,
        ) -> Vec<u8> {
            let content = signature::signed_content("POST", path, client_id, time, body.as_bytes());
            let sig = signature::header_value(1, &signature::sign(key, &content));
            self.send_for_bytes(path, body, client_id, time, Some(&sig))
                .await
        }

        /// POSTs with exactly these headers (None: no Signature header).
        pub async fn send_raw(
            &self,
            path: &str,
            body: &str,
            client_id: &str,
            time: &str,
            signature_header: Option<&str>,
        ) -> Value {
            let bytes = self
                .send_for_bytes(path, body, client_id, time, signature_header)
                .await;
            serde_json::from_slice(&bytes).unwrap()
        }

        /// The answer's exact text, for tests of how values are written.
        pub async fn send_text(&self, path: &str, body: &str) -> String {
            let time = signature::format_time(Utc::now());
            let bytes = self
                .signed_bytes(path, body, &self.client_id, &self.key, &time)
                .await;
            String::from_utf8(bytes).unwrap()
        }

        /// [`send_raw`](Self::send_raw), the body unparsed.
        async fn send_for_bytes(
            &self,
            path: &str,
            body: &str,
            client_id: &str,
            time: &str,
            signature_header: Option<&str>,
        ) -> Vec<u8> {
            let mut req = self
                .http
                .post(self.app.url(path))
                .header("content-type", "application/json; charset=UTF-8")
                .header("client-id", client_id)
                .header("request-time", time)
                .body(body.to_string());
            if let Some(s) = signature_header {
                req = req.header("signature", s);
            }
            let response = req.send().await.unwrap();
            assert_eq!(response.status(), 200, "business results are HTTP 200");
            let headers = response.headers().clone();
            let bytes = response.bytes().await.unwrap();
            // Every answer is signed by the platform, over the exact body.
            let h = |n: &str| {
                headers
                    .get(n)
                    .unwrap_or_else(|| panic!("no {n} header"))
                    .to_str()
                    .unwrap()
                    .to_string()
            };
            assert_eq!(h("client-id"), client_id);
            let parsed = signature::parse_header(&h("signature")).unwrap();
            let content =
                signature::signed_content("POST", path, client_id, &h("response-time"), &bytes);
            assert!(
                signature::verify(&self.platform_public_key, &content, &parsed.signature),
                "the response signature does not verify"
            );
            bytes.to_vec()
        }

        pub async fn send(&self, path: &str, body: &str) -> Value {
            let time = signature::format_time(Utc::now());
            self.send_as(path, body, &self.client_id, &self.key, &time)
                .await
        }

        pub async fn refund(
            &self,
            request_id: &str,
            payment_id: &str,
            currency: &str,
            value: &str,
        ) -> Value {
            let body = serde_json::json!({
                "refundRequestId": request_id,
                "paymentId": payment_id,
                "refundAmount": {"currency": currency, "value": value},
            });
            self.send(REFUND, &body.to_string()).await
        }

        /// The resultCode of [`refund`](Self::refund).
        pub async fn refund_code(
            &self,
            request_id: &str,
            payment_id: &str,
            currency: &str,
            value: &str,
        ) -> String {
            let answer = self.refund(request_id, payment_id, currency, value).await;
            code(&answer).to_owned()
        }

        pub async fn inquire(&self, body: Value) -> Value {
            self.send(INQUIRY, &body.to_string()).await
        }
    }

    /// `result.resultCode` of an answer.
    pub fn code(v: &Value) -> &str {
        v["result"]["resultCode"]
            .as_str()
            .unwrap_or_else(|| panic!("no result code in {v}"))
    }

    pub fn status(v: &Value) -> &str {
        v["result"]["resultStatus"].as_str().unwrap()
    }
}

/// The acquirer ANTOM and the payment method `code` (refunds of every kind allowed), as
/// test transactions reference them; safe to call more than once.
pub async fn antom_and_method(pool: &PgPool, code: &str, name: &str, window_days: i32, mode: &str) {
    sqlx::query(
        "INSERT INTO acquirers (code, name) VALUES ('ANTOM', 'Antom') ON CONFLICT DO NOTHING",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO payment_methods (code, name, refund_supported, partial_refund_supported,
             multiple_refunds_supported, refund_window_days, refund_mode)
         VALUES ($1, $2, true, true, true, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(code)
    .bind(name)
    .bind(window_days)
    .bind(mode)
    .execute(pool)
    .await
    .unwrap();
}
