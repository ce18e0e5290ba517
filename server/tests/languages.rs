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

#[sqlx::test(migrations = "../migrations")]
async fn signed_out_visitors_cannot_save_a_language(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let answer = app
        .call_with(&app.browser(), "change_language", &[("language", "pt-BR")])
        .await;
    assert_eq!(answer.status(), 401);
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
