//! A fault inside Paydesk (here: a table gone) reaches the user as one fixed sentence with
//! the request's id, and the server log holds the database's own words under that same
//! id, so support can find what went wrong from what the user quotes.

#[allow(dead_code)]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::json;
use sqlx::PgPool;
use support::{merchant_with_user, TestApp, PASSWORD};

/// Everything the test binary logs, as JSON lines. One subscriber for the whole binary:
/// the app's log lines come from tasks on any thread.
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer = log.clone();
        tracing_subscriber::fmt()
            .json()
            .with_writer(move || SharedWriter(writer.clone()))
            .init();
        log
    })
    .clone()
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for SharedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The logged errors of the request `id`: named in the event itself, because the work of
/// a page can run on tasks outside the request's span.
fn errors_of(id: &str) -> Vec<serde_json::Value> {
    let bytes = log().lock().unwrap().clone();
    String::from_utf8(bytes)
        .unwrap()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["level"] == "ERROR" && line["fields"]["request_id"] == id)
        .collect()
}

fn message(id: &str) -> String {
    format!("Paydesk is unavailable; try again shortly. (Reference {id}.)")
}

fn request_id(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

async fn signed_in_admin(pool: &PgPool) -> (TestApp, reqwest::Client) {
    log();
    merchant_with_user(pool, "Lotus Tea House", "admin@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let client = app.browser();
    app.sign_in(&client, "admin@lotus.example", PASSWORD).await;
    (app, client)
}

async fn drop_table(pool: &PgPool, table: &str) {
    sqlx::query(&format!("ALTER TABLE {table} RENAME TO {table}_gone"))
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_page_shows_the_fixed_message_and_the_log_has_the_detail(pool: PgPool) {
    let (app, client) = signed_in_admin(&pool).await;
    drop_table(&pool, "transactions").await;

    let response = app.get(&client, "/transactions").await;
    let id = request_id(&response);
    let page = response.text().await.unwrap();

    assert!(page.contains(&message(&id)), "{page}");
    for leak in ["transactions_gone", "relation", "does not exist", "sqlx"] {
        assert!(!page.contains(leak), "{leak} in the page");
    }
    let errors = errors_of(&id);
    assert!(
        errors.iter().any(|e| {
            let detail = e["fields"]["error"].as_str().unwrap_or_default();
            detail.contains("relation") && detail.contains("does not exist")
        }),
        "no logged database error under request {id}: {errors:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_server_function_answers_the_fixed_message_with_its_request_id(pool: PgPool) {
    let (app, client) = signed_in_admin(&pool).await;
    drop_table(&pool, "audit_events").await;

    let response = app
        .call_json(&client, "admin_search_audit", json!({"params": {}}))
        .await;
    let id = request_id(&response);
    let body = response.text().await.unwrap();

    for leak in ["audit_events", "relation", "does not exist", "sqlx"] {
        assert!(!body.contains(leak), "{leak} in {body}");
    }
    // What the page shows is the error's text.
    let error: app::error::AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(error.to_string(), message(&id));
    let errors = errors_of(&id);
    assert!(
        errors.iter().any(|e| e["fields"]["error"]
            .as_str()
            .is_some_and(|detail| detail.contains("audit_events"))),
        "no logged database error under request {id}: {errors:?}"
    );
}

/// Downloads are plain handlers, not server functions: their faults take the same path.
#[sqlx::test(migrations = "../migrations")]
async fn a_download_answers_the_fixed_message_with_its_request_id(pool: PgPool) {
    let (app, client) = signed_in_admin(&pool).await;
    drop_table(&pool, "export_jobs").await;

    let response = app.get(&client, "/exports/progress?job=job-1").await;
    assert_eq!(response.status(), 503);
    let id = request_id(&response);
    assert_eq!(response.text().await.unwrap(), message(&id));
    assert!(
        errors_of(&id).iter().any(|e| e["fields"]["error"]
            .as_str()
            .is_some_and(|detail| detail.contains("export_jobs"))),
        "no logged database error under request {id}"
    );
}
