//! The language pages are in: the user's setting, else the browser's Accept-Language,
//! else English; rendered by the server from the first byte, with `<html lang>`.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use sqlx::PgPool;
use support::{merchant_with_user, TestApp, PASSWORD};

/// GETs `path` as `client`, saying the browser prefers `accept_language`.
async fn page_in(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    accept_language: &str,
) -> String {
    client
        .get(app.url(path))
        .header("accept-language", accept_language)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn signed_out_pages_follow_the_browsers_language(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let browser = app.browser();
    let pt = page_in(&app, &browser, "/login", "pt-BR,pt;q=0.9,en;q=0.8").await;
    assert!(pt.contains(r#"<html lang="pt-BR""#), "{pt}");
    let zh = page_in(&app, &browser, "/login", "fr-FR, zh-CN;q=0.7, en;q=0.5").await;
    assert!(zh.contains(r#"<html lang="zh-CN""#));
    // A language Paydesk does not speak, or none at all, is English.
    for header in ["de-DE", ""] {
        let en = page_in(&app, &browser, "/login", header).await;
        assert!(en.contains(r#"<html lang="en""#));
        assert!(en.contains("<h1>Sign in</h1>"));
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_users_choice_wins_over_the_browser_and_is_kept(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;

    // No choice yet: the browser's language.
    let page = page_in(&app, &browser, "/", "pt-BR").await;
    assert!(page.contains(r#"<html lang="pt-BR""#));
    assert!(
        page.contains("Sair"),
        "the sign-out button is in Portuguese"
    );

    let saved = app
        .call_with(&browser, "change_language", &[("language", "zh-CN")])
        .await;
    assert!(saved.status().is_success(), "{}", saved.status());
    let page = page_in(&app, &browser, "/", "pt-BR").await;
    assert!(page.contains(r#"<html lang="zh-CN""#));
    assert!(page.contains("退出登录"));
    assert!(!page.contains("Sair"));
    let stored: Option<String> =
        sqlx::query_scalar("SELECT language FROM users WHERE email = 'ada@lotus.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored.as_deref(), Some("zh-CN"));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unknown_language_is_refused_and_changes_nothing(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    for bad in ["fr", "zh-CN\0", "' OR 1=1 --", "中文", ""] {
        let answer = app
            .call_with(&browser, "change_language", &[("language", bad)])
            .await;
        assert!(!answer.status().is_success(), "{bad:?} was accepted");
        assert!(answer.text().await.unwrap().contains("Unknown language."));
    }
    let stored: Option<String> = sqlx::query_scalar("SELECT language FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, None);
}

/// On the sign-in page, a visitor's choice is kept by their browser (a cookie): the page
/// comes back in it whatever the browser asks for, and the language holds after signing
/// in for a user who has not chosen one. It is saved in no user's row.
#[sqlx::test(migrations = "../migrations")]
async fn signed_out_visitors_choose_a_language_their_browser_keeps(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    // As the menu's plain form posts it: the answer sends the browser back to the page.
    let answer = browser
        .post(app.url("/api/change_language"))
        .header("origin", &app.base)
        .header("referer", app.url("/login"))
        .header("accept", "text/html")
        .form(&[("language", "pt-BR")])
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let back = answer.headers()["location"].to_str().unwrap();
    assert!(back.starts_with(&app.url("/login")), "{back}");
    let cookie = answer.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("paydesk_language=pt-BR;") && cookie.contains("HttpOnly"),
        "{cookie}"
    );

    let page = page_in(&app, &browser, "/login", "zh-CN").await;
    assert!(page.contains(r#"<html lang="pt-BR""#));
    assert!(page.contains("Entrar"));
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    assert!(page_in(&app, &browser, "/", "zh-CN")
        .await
        .contains(r#"<html lang="pt-BR""#));
    let stored: Option<String> = sqlx::query_scalar("SELECT language FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, None);

    // A cookie naming no language Paydesk speaks is ignored.
    let forged = app
        .browser_with_session("none")
        .get(app.url("/login"))
        .header("cookie", "paydesk_language=fr%00; other=1")
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(forged.contains(r#"<html lang="zh-CN""#));
}

/// Each instance keeps the session's user in memory: a language chosen through one
/// instance holds at once on the others, as the balancer may send the next page anywhere.
#[sqlx::test(migrations = "../migrations")]
async fn a_choice_made_on_one_instance_holds_on_every_instance(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    let a = TestApp::spawn(pool.clone()).await;
    let b = TestApp::spawn(pool.clone()).await;
    let browser = a.browser();
    a.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    // Both instances have read the session (and its user, in English) once.
    for app in [&a, &b] {
        assert!(page_in(app, &browser, "/", "en")
            .await
            .contains(r#"<html lang="en""#));
    }
    let saved = a
        .call_with(&browser, "change_language", &[("language", "pt-BR")])
        .await;
    assert!(saved.status().is_success());
    let mut seen = String::new();
    for _ in 0..50 {
        seen = page_in(&b, &browser, "/", "en").await;
        if seen.contains(r#"<html lang="pt-BR""#) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the other instance still shows the old language: {seen}");
}

/// The audit log keeps its details in English, its stable form, and shows them in the
/// reader's language: a failed sign-in and a role change read in Portuguese on the page.
#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_reads_in_the_admins_language(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "ana@lotus.example", "admin").await;
    support::add_user(&pool, lotus, "rui@lotus.example", "viewer").await;
    let rui: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'rui@lotus.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    app.sign_in(&app.browser(), "rui@lotus.example", "not rui's password")
        .await;
    let admin = app.browser();
    app.sign_in(&admin, "ana@lotus.example", PASSWORD).await;
    for (endpoint, args) in [
        (
            "admin_change_role",
            vec![
                ("user_id", rui.to_string()),
                ("role", "operator".to_owned()),
            ],
        ),
        ("change_language", vec![("language", "pt-BR".to_owned())]),
    ] {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = app.call_with(&admin, endpoint, &args).await;
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "{endpoint}: {}",
            response.status()
        );
    }
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE detail IS NOT NULL ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(stored, ["wrong password", "viewer → operator"]);

    let page = page_in(&app, &admin, "/settings/audit", "en").await;
    assert!(page.contains("Senha incorreta"), "{page}");
    assert!(page.contains("Consulta → Operador"), "{page}");
    assert!(!page.contains("wrong password") && !page.contains("viewer → operator"));
}
