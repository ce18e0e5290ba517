//! Sign-in, sessions and the request guards, through the real HTTP stack.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use app::state::Config;
use sqlx::PgPool;
use std::time::Duration;
use support::{answers_soon, merchant_with_user, TestApp, PASSWORD};

#[sqlx::test(migrations = "../migrations")]
async fn pages_send_visitors_without_a_session_to_the_login(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get(&app.browser(), "/transactions?currency=USD").await;
    assert!(response.status().is_redirection());
    assert_eq!(
        response.headers()["location"],
        "/login?next=%2Ftransactions%3Fcurrency%3DUSD"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_opens_the_dashboard_of_the_users_merchant(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool).await;
    let browser = app.browser();
    assert_eq!(
        app.sign_in(&browser, "ADA@lotus.example", PASSWORD).await,
        "/"
    );
    let page = app.get(&browser, "/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Lotus Tea House"));
    assert!(html.contains("Sign out"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool).await;
    let browser = app.browser();
    let wrong_password = app
        .sign_in(&browser, "ada@lotus.example", "not the password")
        .await;
    let unknown_email = app
        .sign_in(&browser, "nobody@lotus.example", PASSWORD)
        .await;
    assert_eq!(wrong_password, "/login?error=invalid");
    assert_eq!(unknown_email, wrong_password);
    let page = app.get_text(&browser, &wrong_password).await;
    assert!(page.contains("Incorrect email or password."));
}

#[sqlx::test(migrations = "../migrations")]
async fn repeated_failures_pause_sign_ins_for_the_account(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool).await;
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            app.sign_in(&browser, "ada@lotus.example", "guess").await,
            "/login?error=invalid"
        );
    }
    // Even the right password is refused while the account is paused.
    let location = app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    assert!(
        location.starts_with("/login?error=throttled&retry="),
        "{location}"
    );
}

/// X-Forwarded-For names the client only when a trusted proxy sent the request:
/// otherwise every guess could claim a fresh address and dodge the per-address limit.
#[sqlx::test(migrations = "../migrations")]
async fn forwarded_addresses_count_only_from_trusted_proxies(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let guess = |app: &TestApp| {
        app.browser()
            .post(app.url("/api/sign_in"))
            .header("origin", &app.base)
            .header("accept", "text/html")
            .header("x-forwarded-for", "6.6.6.6, 203.0.113.9")
            .form(&[
                ("email", "ada@lotus.example"),
                ("password", "guess"),
                ("next", ""),
            ])
            .send()
    };
    let addresses = |pool: PgPool| async move {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT address FROM sign_in_failures ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        rows
    };
    let direct = TestApp::spawn(pool.clone()).await;
    guess(&direct).await.unwrap();
    assert_eq!(addresses(pool.clone()).await, ["127.0.0.1"]);

    let config = Config {
        trusted_proxies: app::client_address::TrustedProxies::parse("127.0.0.1").unwrap(),
        ..Config::default()
    };
    let behind_proxy = TestApp::spawn_with(pool.clone(), config).await;
    guess(&behind_proxy).await.unwrap();
    assert_eq!(addresses(pool.clone()).await, ["127.0.0.1", "203.0.113.9"]);
    let audited: Vec<Option<String>> =
        sqlx::query_scalar("SELECT address FROM audit_events ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        audited,
        [Some("127.0.0.1".into()), Some("203.0.113.9".into())]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_again_replaces_the_session_id(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    let first: Vec<String> = sqlx::query_scalar("SELECT id FROM tower_sessions.session")
        .fetch_all(&pool)
        .await
        .unwrap();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    let second: Vec<String> = sqlx::query_scalar("SELECT id FROM tower_sessions.session")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(second.len(), 1);
    assert_ne!(first, second, "the session id must change at sign-in");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_session_cookie_is_http_only_and_same_site(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn_with(
        pool,
        Config {
            secure_cookies: true,
            ..Config::default()
        },
    )
    .await;
    let response = app
        .browser()
        .post(app.url("/api/sign_in"))
        .header("origin", &app.base)
        .form(&[
            ("email", "ada@lotus.example"),
            ("password", PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("paydesk_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_out_ends_the_session(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    let out = app.call(&browser, "sign_out").await;
    assert!(out.status().is_redirection() || out.status().is_success());
    let page = app.get(&browser, "/").await;
    assert!(page.status().is_redirection());
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

/// Disabled in the database directly (as `server user disable` does): the instance that
/// has the session cached learns it from the change notice.
#[sqlx::test(migrations = "../migrations")]
async fn a_disabled_user_loses_their_session_at_once(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    assert_eq!(app.call(&browser, "load_overview").await.status(), 200);
    sqlx::query("UPDATE users SET disabled = true")
        .execute(&pool)
        .await
        .unwrap();
    answers_soon(&app, &browser, "load_overview", 401).await;
    let page = app.get(&browser, "/").await;
    assert!(page.status().is_redirection());
}

/// The idle limit counts from the last request, not from sign-in: a user who keeps
/// working stays signed in past it, and one who stops is signed out after it.
#[sqlx::test(migrations = "../migrations")]
async fn an_active_session_outlives_the_idle_limit_and_an_idle_one_does_not(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let config = Config {
        session_idle: Duration::from_secs(2),
        ..Config::default()
    };
    let app = TestApp::spawn_with(pool.clone(), config).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    // Twice the idle limit of activity, a request every 400 ms.
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(app.call(&browser, "load_overview").await.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(app.call(&browser, "load_overview").await.status(), 401);
}

/// A session signed out on one instance is refused by another that had it in memory,
/// even when its cookie is sent again (a copied cookie is worth nothing after sign-out).
#[sqlx::test(migrations = "../migrations")]
async fn a_signed_out_session_is_refused_on_every_instance(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let (a, b) = (
        TestApp::spawn(pool.clone()).await,
        TestApp::spawn(pool.clone()).await,
    );
    let browser = a.browser();
    a.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    let id: String = sqlx::query_scalar("SELECT id FROM tower_sessions.session")
        .fetch_one(&pool)
        .await
        .unwrap();
    let copy = a.browser_with_session(&id);
    assert_eq!(a.call(&copy, "load_overview").await.status(), 200);
    let out = b.call(&browser, "sign_out").await;
    assert!(out.status().is_redirection() || out.status().is_success());
    answers_soon(&a, &copy, "load_overview", 401).await;
}

/// While the connection that brings change notices is down, notices are lost: the
/// instance must drop what it had in memory, not pick up where it left off.
#[sqlx::test(migrations = "../migrations")]
async fn changes_made_while_notices_were_lost_still_hold(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    assert_eq!(app.call(&browser, "admin_list_users").await.status(), 200);
    // One connection of our own to the test's database (no new one can open while it
    // refuses them) and one to `postgres` to switch that on and off.
    use sqlx::Connection;
    let mut db = pool.acquire().await.unwrap();
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut *db)
        .await
        .unwrap();
    let maintenance = (*pool.connect_options()).clone().database("postgres");
    let mut admin = sqlx::PgConnection::connect_with(&maintenance)
        .await
        .unwrap();
    let allow = |yes: bool| format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {yes}");
    sqlx::query(&allow(false))
        .execute(&mut admin)
        .await
        .unwrap();
    let cut: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
          WHERE datname = $1 AND query LIKE 'LISTEN%' AND pg_terminate_backend(pid)",
    )
    .bind(&name)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(cut, 1, "one listener per instance");
    // Its notice goes out while the instance cannot listen.
    sqlx::query("UPDATE users SET role = 'viewer'")
        .execute(&mut *db)
        .await
        .unwrap();
    sqlx::query(&allow(true)).execute(&mut admin).await.unwrap();
    drop(db);
    answers_soon(&app, &browser, "admin_list_users", 403).await;
}

/// The lifetime counts from sign-in, whatever the activity since. Two instances share the
/// sessions: one allowing a day lets the session in, one allowing none ends it (for both),
/// so no test has to wait for a clock.
#[sqlx::test(migrations = "../migrations")]
async fn sessions_end_after_their_absolute_lifetime(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let a_day = Config {
        session_max_age: Duration::from_secs(24 * 3600),
        ..Config::default()
    };
    let lenient = TestApp::spawn_with(pool.clone(), a_day).await;
    let none = Config {
        session_max_age: Duration::ZERO,
        ..Config::default()
    };
    let strict = TestApp::spawn_with(pool, none).await;
    let browser = lenient.browser();
    lenient
        .sign_in(&browser, "ada@lotus.example", PASSWORD)
        .await;
    assert_eq!(lenient.get(&browser, "/").await.status(), 200);
    assert!(strict.get(&browser, "/").await.status().is_redirection());
    assert!(lenient.get(&browser, "/").await.status().is_redirection());
}

#[sqlx::test(migrations = "../migrations")]
async fn server_functions_refuse_callers_without_a_session(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.call(&app.browser(), "load_overview").await;
    assert_eq!(response.status(), 401);
}

#[sqlx::test(migrations = "../migrations")]
async fn requests_from_another_origin_are_refused(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let response = app
        .browser()
        .post(app.url("/api/sign_in"))
        .header("origin", "https://evil.example")
        .form(&[
            ("email", "ada@lotus.example"),
            ("password", PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "a refused request must change nothing");
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_carry_security_headers_and_a_csp_with_their_nonce(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = reqwest::get(app.url("/login")).await.unwrap();
    let headers = response.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts must carry the CSP nonce"
    );
    // A second page gets a fresh nonce.
    let again = reqwest::get(app.url("/login")).await.unwrap();
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(nonce));
}

/// Pages and server-function answers hold a merchant's data: no browser or shared cache
/// may keep them. Static files may be cached. HSTS is sent when Paydesk is on https.
#[sqlx::test(migrations = "../migrations")]
async fn signed_in_answers_are_never_cached_and_https_is_pinned(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    for response in [
        app.get(&browser, "/transactions").await,
        app.get(&browser, "/login").await,
        app.call(&browser, "fetch_current_user").await,
    ] {
        assert_eq!(
            response.headers()["cache-control"],
            "no-store",
            "{}",
            response.url()
        );
        assert!(!response.headers().contains_key("strict-transport-security"));
    }
    let icon = app.get(&browser, "/favicon.ico").await;
    assert_ne!(
        icon.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );

    let https = TestApp::spawn_with(
        pool,
        Config {
            secure_cookies: true,
            ..Config::default()
        },
    )
    .await;
    let page = reqwest::get(https.url("/login")).await.unwrap();
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

/// A role change or a closed merchant, even one written straight into the database, is
/// in force on every instance as soon as its change notice arrives.
#[sqlx::test(migrations = "../migrations")]
async fn a_role_change_or_a_closed_merchant_holds_at_once_on_every_instance(pool: PgPool) {
    let merchant = merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let a = TestApp::spawn(pool.clone()).await;
    let b = TestApp::spawn(pool.clone()).await;
    let browser = a.browser();
    a.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    for app in [&a, &b] {
        assert_eq!(app.call(&browser, "admin_list_users").await.status(), 200);
    }
    sqlx::query("UPDATE users SET role = 'viewer'")
        .execute(&pool)
        .await
        .unwrap();
    for app in [&b, &a] {
        answers_soon(app, &browser, "admin_list_users", 403).await;
        assert_eq!(app.call(&browser, "load_overview").await.status(), 200);
    }
    sqlx::query("UPDATE merchants SET status = 'CLOSED' WHERE id = $1")
        .bind(merchant)
        .execute(&pool)
        .await
        .unwrap();
    answers_soon(&b, &browser, "load_overview", 401).await;
    answers_soon(&a, &browser, "load_overview", 401).await;
    assert!(a.get(&browser, "/").await.status().is_redirection());
}

/// The session row names its user in a column (what lets a request read both at once);
/// the user read with it is handed to the request but never written back.
#[sqlx::test(migrations = "../migrations")]
async fn the_session_row_names_its_user_and_never_stores_what_was_read_with_it(pool: PgPool) {
    use std::str::FromStr;
    use tower_sessions::session::Id;
    use tower_sessions::SessionStore;

    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    app.sign_in(&app.browser(), "ada@lotus.example", PASSWORD)
        .await;
    let (id, user_id, data): (String, uuid::Uuid, Vec<u8>) =
        sqlx::query_as("SELECT id, user_id, data FROM tower_sessions.session")
            .fetch_one(&pool)
            .await
            .unwrap();
    let ada: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(user_id, ada);

    let cache = app::cache::Cache::start(pool.clone());
    let store = app::auth::session_store::PgSessions::new(pool.clone(), cache);
    let record = store
        .load(&Id::from_str(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    let user = &record.data[app::auth::session_store::USER];
    assert_eq!(user["email"], "ada@lotus.example");
    assert_eq!(user["role"], "admin");
    store.save(&record).await.unwrap();
    let saved: Vec<u8> = sqlx::query_scalar("SELECT data FROM tower_sessions.session")
        .fetch_one(&pool)
        .await
        .unwrap();
    let json = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
    assert_eq!(
        json(&saved),
        json(&data),
        "the data is stored as it was, without the user read with it"
    );
    assert!(!String::from_utf8(saved)
        .unwrap()
        .contains("ada@lotus.example"));
}
