//! `PAYDESK_LOG_FORMAT=json`: the real binary writes one JSON object a line, and the
//! lines of a request carry the id it sent back in `x-request-id`, so a log collector
//! finds a request's lines from what a client quotes.

use sqlx::PgPool;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;

#[sqlx::test(migrations = "../migrations")]
async fn the_binary_logs_json_lines_that_carry_the_request_id(pool: PgPool) {
    let options = pool.connect_options();
    let database_url = format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap()
    );
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("PAYDESK_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,tower_http=debug")
        .env_remove("PAYDESK_METRICS_ADDR")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    server::tls::use_aws_lc_rs();
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            ready = r.status() == 200;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the server did not start");
    let response = client.get(format!("{base}/login")).send().await.unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.start_kill().unwrap();
    let mut out = String::new();
    server
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty(), "nothing logged");
    let of_request = lines.iter().filter(|l| {
        l["spans"]
            .as_array()
            .is_some_and(|spans| spans.iter().any(|s| s["request_id"] == id.as_str()))
    });
    assert!(of_request.count() > 0, "no line names request {id}: {out}");
}
