//! The admin settings: users, roles and payment passwords, API keys and the audit log.
//! Only admins reach them, and only for their own merchant.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use sqlx::PgPool;
use support::{add_user, merchant_with_user, TestApp, PASSWORD};
use uuid::Uuid;

const NEW_PASSWORD: &str = "a long enough password";

async fn user_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// (role, disabled, payment password set, refunds locked) of the user with `email`.
async fn user_state(pool: &PgPool, email: &str) -> (String, bool, bool, bool) {
    sqlx::query_as(
        "SELECT role, disabled, payment_password_hash IS NOT NULL, refunds_locked_until IS NOT NULL
           FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// (action, actor, subject, detail) of the merchant's events other than sign-ins, oldest first.
async fn events(
    pool: &PgPool,
    merchant: Uuid,
) -> Vec<(String, String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT action, actor, subject, detail FROM audit_events
          WHERE merchant_id = $1 AND action NOT LIKE 'SIGN_%' ORDER BY id",
    )
    .bind(merchant)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn lock_refunds(pool: &PgPool, email: &str) {
    sqlx::query(
        "UPDATE users SET refunds_locked_until = now() + interval '20 minutes' WHERE email = $1",
    )
    .bind(email)
    .execute(pool)
    .await
    .unwrap();
}

/// Posts a form to a server function as the page does; returns where it sends the
/// browser back to.
async fn submit(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    args: &[(&str, &str)],
) -> String {
    let response = app.call_with(client, endpoint, args).await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{endpoint} answered {}",
        response.status()
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.browser();
    app.sign_in(&client, email, PASSWORD).await;
    client
}

/// Every admin server function with arguments aimed at `target` (a user id).
fn admin_calls(target: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let t = target.to_owned();
    vec![
        ("admin_list_users", vec![]),
        ("admin_api_keys", vec![]),
        (
            "admin_add_api_key",
            vec![
                ("client_id", "MALLORY".into()),
                ("public_key", public_pem()),
            ],
        ),
        (
            "admin_create_user",
            vec![
                ("email", "mallory@lotus.example".into()),
                ("name", "Mallory".into()),
                ("role", "admin".into()),
                ("password", NEW_PASSWORD.into()),
            ],
        ),
        (
            "admin_change_role",
            vec![("user_id", t.clone()), ("role", "admin".into())],
        ),
        (
            "admin_set_user_disabled",
            vec![("user_id", t.clone()), ("disabled", "true".into())],
        ),
        (
            "admin_payment_password_action",
            vec![("user_id", t.clone()), ("action", "unlock".into())],
        ),
        (
            "admin_payment_password_action",
            vec![("user_id", t.clone()), ("action", "reset".into())],
        ),
        (
            "admin_set_payment_password",
            vec![
                ("user_id", t),
                ("new_password", "pay-2468-x".into()),
                ("confirm_password", "pay-2468-x".into()),
            ],
        ),
    ]
}

#[sqlx::test(migrations = "../migrations")]
async fn only_admins_may_call_the_admin_functions(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    for role in ["operator", "finance", "viewer"] {
        add_user(&pool, lotus, &format!("{role}@lotus.example"), role).await;
    }
    sqlx::query(
        "UPDATE users SET payment_password_hash = 'x' WHERE email = 'viewer@lotus.example'",
    )
    .execute(&pool)
    .await
    .unwrap();
    lock_refunds(&pool, "viewer@lotus.example").await;
    let target = user_id(&pool, "viewer@lotus.example").await.to_string();
    let app = TestApp::spawn(pool.clone()).await;
    for role in ["operator", "finance", "viewer"] {
        let client = signed_in(&app, &format!("{role}@lotus.example")).await;
        for (endpoint, args) in admin_calls(&target) {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = app.call_with(&client, endpoint, &args).await;
            assert_eq!(response.status(), 403, "{role} called {endpoint}");
        }
        let audit = app
            .call_json(
                &client,
                "admin_search_audit",
                serde_json::json!({ "params": {} }),
            )
            .await;
        assert_eq!(audit.status(), 403, "{role} searched the audit log");
        // The pages themselves answer 403 too, with the page that says why.
        for page in ["/settings/users", "/settings/api-keys", "/settings/audit"] {
            let response = app.get(&client, page).await;
            assert_eq!(response.status(), 403, "{role} opened {page}");
            assert!(response
                .text()
                .await
                .unwrap()
                .contains("Not available for your role"));
        }
    }
    assert_eq!(
        user_state(&pool, "viewer@lotus.example").await,
        ("viewer".into(), false, true, true)
    );
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 4);
    assert!(events(&pool, lotus).await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_cannot_touch_another_merchants_users(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "viewer").await;
    sqlx::query("UPDATE users SET payment_password_hash = 'x' WHERE email = 'ada@lotus.example'")
        .execute(&pool)
        .await
        .unwrap();
    lock_refunds(&pool, "ada@lotus.example").await;
    let sakura =
        merchant_with_user(&pool, "Sakura Electronics", "ken@sakura.example", "admin").await;
    let ada = user_id(&pool, "ada@lotus.example").await.to_string();
    let app = TestApp::spawn(pool.clone()).await;
    let ken = signed_in(&app, "ken@sakura.example").await;

    let list = app.call_text(&ken, "admin_list_users").await;
    assert!(
        list.contains("ken@sakura.example") && !list.contains("ada@lotus.example"),
        "{list}"
    );
    let aimed_at_ada = admin_calls(&ada)
        .into_iter()
        .filter(|(_, args)| args.iter().any(|(k, _)| *k == "user_id"));
    for (endpoint, args) in aimed_at_ada {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let back = submit(&app, &ken, endpoint, &args).await;
        assert!(back.contains("error=unknown_user"), "{endpoint}: {back}");
    }
    assert_eq!(
        user_state(&pool, "ada@lotus.example").await,
        ("viewer".into(), false, true, true)
    );
    assert!(events(&pool, lotus).await.is_empty());
    assert!(events(&pool, sakura).await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_create_users_who_can_then_sign_in(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let admin = signed_in(&app, "admin@lotus.example").await;
    let as_admin =
        async |endpoint: &str, args: &[(&str, &str)]| submit(&app, &admin, endpoint, args).await;
    let create = |email: &'static str, password: &'static str| {
        [
            ("email", email),
            ("name", " Bea Tan "),
            ("role", "finance"),
            ("password", password),
        ]
    };

    let back = as_admin(
        "admin_create_user",
        &create("bea@lotus.example", "too short"),
    )
    .await;
    assert!(
        back.starts_with("/settings/users?error=short_password&email=bea%40lotus.example"),
        "{back}"
    );
    let back = as_admin(
        "admin_create_user",
        &create("bea@lotus.example", NEW_PASSWORD),
    )
    .await;
    let bea = user_id(&pool, "bea@lotus.example").await;
    assert_eq!(back, format!("/settings/users?done=created&user={bea}"));
    let back = as_admin(
        "admin_create_user",
        &create("BEA@lotus.example", NEW_PASSWORD),
    )
    .await;
    assert!(back.contains("error=email_taken"), "{back}");

    let (name, role): (String, String) =
        sqlx::query_as("SELECT display_name, role FROM users WHERE id = $1")
            .bind(bea)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((name.as_str(), role.as_str()), ("Bea Tan", "finance"));
    assert_eq!(
        events(&pool, lotus).await,
        [(
            "USER_CREATED".into(),
            "admin@lotus.example".into(),
            Some("bea@lotus.example".into()),
            Some("finance".into())
        )]
    );
    let client = app.browser();
    assert_eq!(
        app.sign_in(&client, "bea@lotus.example", NEW_PASSWORD)
            .await,
        "/"
    );
    let list = app.call_text(&admin, "admin_list_users").await;
    assert!(list.contains("Bea Tan"), "{list}");
}

#[sqlx::test(migrations = "../migrations")]
async fn roles_change_but_the_last_admin_stays(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    add_user(&pool, lotus, "op@lotus.example", "operator").await;
    let admin_id = user_id(&pool, "admin@lotus.example").await.to_string();
    let op = user_id(&pool, "op@lotus.example").await.to_string();
    let app = TestApp::spawn(pool.clone()).await;
    let admin = signed_in(&app, "admin@lotus.example").await;
    let as_admin =
        async |endpoint: &str, args: &[(&str, &str)]| submit(&app, &admin, endpoint, args).await;

    let back = as_admin("admin_change_role", &[("user_id", &op), ("role", "viewer")]).await;
    assert_eq!(back, format!("/settings/users?done=role_changed&user={op}"));
    assert_eq!(user_state(&pool, "op@lotus.example").await.0, "viewer");

    // The only admin can neither step down nor disable themselves.
    let back = as_admin(
        "admin_change_role",
        &[("user_id", &admin_id), ("role", "viewer")],
    )
    .await;
    assert!(back.contains("error=last_admin"), "{back}");
    let back = as_admin(
        "admin_set_user_disabled",
        &[("user_id", &admin_id), ("disabled", "true")],
    )
    .await;
    assert!(back.contains("error=disable_self"), "{back}");
    let back = as_admin("admin_change_role", &[("user_id", &op), ("role", "root")]).await;
    assert!(back.contains("error=unknown_role"), "{back}");
    assert_eq!(
        user_state(&pool, "admin@lotus.example").await,
        ("admin".into(), false, false, false)
    );

    // With a second admin, the first may step down.
    as_admin("admin_change_role", &[("user_id", &op), ("role", "admin")]).await;
    let back = as_admin(
        "admin_change_role",
        &[("user_id", &admin_id), ("role", "finance")],
    )
    .await;
    assert!(back.contains("done=role_changed"), "{back}");
    let details: Vec<Option<String>> = events(&pool, lotus)
        .await
        .into_iter()
        .map(|e| e.3)
        .collect();
    assert_eq!(
        details,
        [
            Some("operator → viewer".into()),
            Some("viewer → admin".into()),
            Some("admin → finance".into())
        ]
    );
    // The demoted admin's next call is refused.
    assert_eq!(app.call(&admin, "admin_list_users").await.status(), 403);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_disabled_user_loses_their_session_until_enabled(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    add_user(&pool, lotus, "second-admin@lotus.example", "admin").await;
    add_user(&pool, lotus, "viewer@lotus.example", "viewer").await;
    let viewer_id = user_id(&pool, "viewer@lotus.example").await.to_string();
    let second = user_id(&pool, "second-admin@lotus.example")
        .await
        .to_string();
    let app = TestApp::spawn(pool.clone()).await;
    let admin = signed_in(&app, "admin@lotus.example").await;
    let as_admin =
        async |endpoint: &str, args: &[(&str, &str)]| submit(&app, &admin, endpoint, args).await;
    let viewer = signed_in(&app, "viewer@lotus.example").await;
    assert_eq!(app.call(&viewer, "load_overview").await.status(), 200);

    let back = as_admin(
        "admin_set_user_disabled",
        &[("user_id", &viewer_id), ("disabled", "true")],
    )
    .await;
    assert!(back.contains("done=disabled"), "{back}");
    assert_eq!(app.call(&viewer, "load_overview").await.status(), 401);
    let again = app.browser();
    assert!(app
        .sign_in(&again, "viewer@lotus.example", PASSWORD)
        .await
        .contains("error=invalid"));

    // Another admin may be disabled while one stays active.
    let back = as_admin(
        "admin_set_user_disabled",
        &[("user_id", &second), ("disabled", "true")],
    )
    .await;
    assert!(back.contains("done=disabled"), "{back}");

    as_admin(
        "admin_set_user_disabled",
        &[("user_id", &viewer_id), ("disabled", "false")],
    )
    .await;
    assert_eq!(
        app.sign_in(&again, "viewer@lotus.example", PASSWORD).await,
        "/"
    );
    let actions: Vec<String> = events(&pool, lotus)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(actions, ["USER_DISABLED", "USER_DISABLED", "USER_ENABLED"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_unlock_reset_and_set_payment_passwords(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    add_user(&pool, lotus, "op@lotus.example", "operator").await;
    lock_refunds(&pool, "op@lotus.example").await;
    let op = user_id(&pool, "op@lotus.example").await.to_string();
    let app = TestApp::spawn(pool.clone()).await;
    let admin = signed_in(&app, "admin@lotus.example").await;
    let as_admin =
        async |endpoint: &str, args: &[(&str, &str)]| submit(&app, &admin, endpoint, args).await;

    let list = app.call_text(&admin, "admin_list_users").await;
    assert!(list.contains(r#""refunds_locked_until":""#), "{list}");
    let back = as_admin(
        "admin_payment_password_action",
        &[("user_id", &op), ("action", "unlock")],
    )
    .await;
    assert_eq!(back, format!("/settings/users?done=unlocked&user={op}"));
    assert_eq!(
        user_state(&pool, "op@lotus.example").await,
        ("operator".into(), false, false, false)
    );

    let set = |new: &'static str, confirm: &'static str| {
        [
            ("user_id", op.as_str()),
            ("new_password", new),
            ("confirm_password", confirm),
        ]
    };
    let back = as_admin(
        "admin_set_payment_password",
        &set("pay-2468-x", "pay-2468-y"),
    )
    .await;
    assert!(back.contains("error=payment_password_mismatch"), "{back}");
    let back = as_admin("admin_set_payment_password", &set("short", "short")).await;
    assert!(back.contains("error=payment_password_invalid"), "{back}");
    let back = as_admin(
        "admin_set_payment_password",
        &set("pay-2468-x", "pay-2468-x"),
    )
    .await;
    assert!(back.contains("done=payment_password_set"), "{back}");
    assert!(user_state(&pool, "op@lotus.example").await.2);

    let back = as_admin(
        "admin_payment_password_action",
        &[("user_id", &op), ("action", "reset")],
    )
    .await;
    assert!(back.contains("done=payment_password_reset"), "{back}");
    assert!(!user_state(&pool, "op@lotus.example").await.2);
    let actions: Vec<String> = events(&pool, lotus)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(
        actions,
        [
            "REFUNDS_UNLOCKED",
            "PAYMENT_PASSWORD_SET_BY_ADMIN",
            "PAYMENT_PASSWORD_RESET"
        ]
    );
}

async fn search_audit(
    app: &TestApp,
    client: &reqwest::Client,
    params: serde_json::Value,
) -> serde_json::Value {
    let response = app
        .call_json(
            client,
            "admin_search_audit",
            serde_json::json!({ "params": params }),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn column(result: &serde_json::Value, name: &str) -> Vec<String> {
    result["page"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[name].as_str().unwrap_or("").to_owned())
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_shows_the_merchants_events_filtered_and_paged(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    add_user(&pool, lotus, "op@lotus.example", "operator").await;
    let sakura =
        merchant_with_user(&pool, "Sakura Electronics", "ken@sakura.example", "admin").await;
    let op = user_id(&pool, "op@lotus.example").await.to_string();
    let app = TestApp::spawn(pool.clone()).await;
    let admin = signed_in(&app, "admin@lotus.example").await;
    let as_admin =
        async |endpoint: &str, args: &[(&str, &str)]| submit(&app, &admin, endpoint, args).await;
    let ken = signed_in(&app, "ken@sakura.example").await;
    as_admin("admin_change_role", &[("user_id", &op), ("role", "viewer")]).await;
    // A refund with an amount, as the refund flow records it.
    sqlx::query(
        "INSERT INTO audit_events (merchant_id, actor, action, subject, amount_minor, currency)
         VALUES ($1, 'API client SANDBOX_A', 'REFUND', 'PAY-1', 123456, 'JPY')",
    )
    .bind(lotus)
    .execute(&pool)
    .await
    .unwrap();

    let all = search_audit(&app, &admin, serde_json::json!({})).await;
    assert_eq!(
        column(&all, "action"),
        ["Refund", "Role changed", "Signed in"]
    );
    assert_eq!(all["page"]["rows"][0]["amount"], "123,456 JPY");
    assert_eq!(all["page"]["rows"][1]["detail"], "Operator → Viewer");
    assert_eq!(all["page"]["rows"][1]["address"], "127.0.0.1");
    // Times are in the merchant's zone, with its offset.
    assert!(
        column(&all, "time").iter().all(|t| t.ends_with("+08:00")),
        "{all}"
    );

    let roles = search_audit(
        &app,
        &admin,
        serde_json::json!({ "action": "ROLE_CHANGED" }),
    )
    .await;
    assert_eq!(column(&roles, "subject"), ["op@lotus.example"]);
    let by_actor = search_audit(&app, &admin, serde_json::json!({ "actor": "ADMIN@" })).await;
    assert_eq!(column(&by_actor, "action"), ["Role changed", "Signed in"]);
    let wildcard = search_audit(&app, &admin, serde_json::json!({ "actor": "%" })).await;
    assert!(column(&wildcard, "action").is_empty());
    let future = search_audit(&app, &admin, serde_json::json!({ "from": "2999-01-01" })).await;
    assert!(column(&future, "action").is_empty());
    let bad = search_audit(
        &app,
        &admin,
        serde_json::json!({ "action": "DROP", "from": "yesterday" }),
    )
    .await;
    assert!(
        bad["page"].is_null() && bad["errors"].to_string().contains("from"),
        "{bad}"
    );

    // Another merchant's admin sees only their own sign-in.
    let other = search_audit(&app, &ken, serde_json::json!({})).await;
    assert_eq!(column(&other, "actor"), ["ken@sakura.example"]);

    sqlx::query(
        "INSERT INTO audit_events (merchant_id, actor, action, created_at)
         SELECT $1, 'Paydesk', 'NOTIFICATION_RESENT', now() - n * interval '1 minute'
           FROM generate_series(1, 60) n",
    )
    .bind(sakura)
    .execute(&pool)
    .await
    .unwrap();
    let first = search_audit(&app, &ken, serde_json::json!({})).await;
    assert_eq!(column(&first, "action").len(), 50);
    let next = first["page"]["next"].as_str().unwrap();
    let second = search_audit(&app, &ken, serde_json::json!({ "after": next })).await;
    assert_eq!(column(&second, "action").len(), 11);
    assert!(second["page"]["next"].is_null());
    let back = search_audit(
        &app,
        &ken,
        serde_json::json!({ "before": second["page"]["prev"] }),
    )
    .await;
    assert_eq!(column(&back, "time"), column(&first, "time"));
}

fn public_pem() -> String {
    use server::api::{keys, signature};
    keys::to_pem(
        "PUBLIC KEY",
        &signature::public_key_der(&support::api::merchant_key()),
    )
}

async fn key_versions(pool: &PgPool) -> Vec<(String, i32)> {
    sqlx::query_as("SELECT client_id, key_version FROM api_clients ORDER BY 1, 2")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_upload_rsa_public_keys_and_see_the_platform_key(pool: PgPool) {
    let lotus = merchant_with_user(&pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    let sakura =
        merchant_with_user(&pool, "Sakura Electronics", "ken@sakura.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let admin = signed_in(&app, "admin@lotus.example").await;
    let pem = public_pem();
    let (app, admin) = (&app, &admin);
    let upload = |client: String, key: String| async move {
        let args = [("client_id", client.as_str()), ("public_key", key.as_str())];
        submit(app, admin, "admin_add_api_key", &args).await
    };

    // A new client id is named by Paydesk; the next upload to it is version 2.
    let first = upload("new-sandbox".into(), pem.clone()).await;
    let lotus_pos = first
        .strip_prefix("/settings/api-keys?version=1&client_id=")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    assert!(
        lotus_pos.starts_with("SANDBOX_") && lotus_pos.len() == 24,
        "{lotus_pos}"
    );
    assert_eq!(
        upload(format!(" {lotus_pos} "), pem.clone()).await,
        format!("/settings/api-keys?version=2&client_id={lotus_pos}")
    );
    let live = upload("new".into(), pem.clone()).await;
    let lotus_live = live
        .strip_prefix("/settings/api-keys?version=1&client_id=")
        .unwrap_or_else(|| panic!("{live}"))
        .to_owned();
    assert!(lotus_live.starts_with("LIVE_"), "{lotus_live}");
    let refused = [
        ("new".to_owned(), "not a key".to_owned(), "not_rsa"),
        (
            "new".to_owned(),
            "-----BEGIN PUBLIC KEY-----\n%%%\n-----END PUBLIC KEY-----".to_owned(),
            "bad_pem",
        ),
        ("LOTUS WEB".to_owned(), pem.clone(), "unknown_client_id"),
        ("a\u{0}b".to_owned(), pem.clone(), "unknown_client_id"),
    ];
    for (client, key, code) in refused {
        let back = upload(client, key).await;
        assert_eq!(back, format!("/settings/api-keys?error={code}"));
    }
    // Another merchant's client id cannot be taken over, and the answer is the one for
    // an id nobody has: the page does not tell which ids exist.
    server::api::keys::register(
        &pool,
        sakura,
        server::api::keys::ClientChoice::Claim("SAKURA_APP".into()),
        None,
        &server::api::signature::public_key_der(&support::api::merchant_key()),
    )
    .await
    .unwrap();
    assert_eq!(
        upload("SAKURA_APP".into(), pem.clone()).await,
        upload("NOBODY_HAS_THIS".into(), pem.clone()).await,
    );
    let mut expected = vec![
        (lotus_pos.clone(), 1),
        (lotus_pos.clone(), 2),
        (lotus_live.clone(), 1),
        ("SAKURA_APP".into(), 1),
    ];
    expected.sort();
    assert_eq!(key_versions(&pool).await, expected);
    let added = |client: &str, version: i32| {
        (
            "API_KEY_ADDED".to_owned(),
            "admin@lotus.example".to_owned(),
            Some(client.to_owned()),
            Some(format!("key version {version}")),
        )
    };
    assert_eq!(
        events(&pool, lotus).await,
        [
            added(&lotus_pos, 1),
            added(&lotus_pos, 2),
            added(&lotus_live, 1)
        ]
    );

    let page = app.call_text(&admin, "admin_api_keys").await;
    assert!(
        page.contains(&lotus_pos) && !page.contains("SAKURA_APP"),
        "{page}"
    );
    assert!(page.contains("BEGIN PUBLIC KEY"), "{page}");
}
