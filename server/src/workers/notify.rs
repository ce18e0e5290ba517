//! Delivers notifyRefund from the outbox until the merchant acknowledges it.
//!
//! Each worker takes one due notification with `FOR UPDATE SKIP LOCKED` and keeps the
//! row locked while it sends, so no two workers (of this or another instance) send the
//! same attempt. The attempt is recorded and the next one scheduled in the same
//! transaction. A crash while sending rolls back and the attempt is made again later:
//! delivery is at least once, as with Antom, and merchants deduplicate by refundId.

use std::time::{Duration, Instant};

use chrono::Utc;
use sqlx::{PgPool, Row};

use super::WorkerConfig;
use crate::api::{keys, signature};

pub async fn run(pool: PgPool, config: WorkerConfig) {
    let client = http_client(config.notify_timeout);
    let key = loop {
        match keys::platform_key(&pool).await {
            Ok(k) => break k,
            Err(e) => {
                tracing::warn!(error = %e, "the platform key is unavailable; retrying");
                tokio::time::sleep(config.poll_interval.max(Duration::from_secs(1))).await;
            }
        }
    };
    loop {
        match deliver_one(&pool, &client, &key, &config).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "notifyRefund delivery failed; retrying"),
        }
        tokio::time::sleep(config.poll_interval).await;
    }
}

pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        // A notification URL is the merchant's endpoint itself; redirects are not
        // followed, so the signed path is the one that receives the body.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client builds")
}

/// Delivers everything due now; returns how many attempts were made. For tests and
/// one-off runs.
pub async fn deliver_due(pool: &PgPool, config: &WorkerConfig) -> anyhow::Result<usize> {
    let client = http_client(config.notify_timeout);
    let key = keys::platform_key(pool).await?;
    let mut n = 0;
    while deliver_one(pool, &client, &key, config).await? {
        n += 1;
    }
    Ok(n)
}

/// Makes one attempt of one due notification; false when none is due. The key is
/// loaded by the caller: the row lock holds a connection, and taking a second one per
/// delivery could exhaust a small pool.
pub async fn deliver_one(
    pool: &PgPool,
    client: &reqwest::Client,
    key: &keys::PlatformKey,
    config: &WorkerConfig,
) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(
        "SELECT id, url, client_id, body, attempts FROM refund_notifications
         WHERE status = 'PENDING' AND next_attempt_at <= now()
         ORDER BY next_attempt_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED",
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.commit().await?;
        return Ok(false);
    };
    let id: i64 = row.get("id");
    let url: String = row.get("url");
    let client_id: String = row.get("client_id");
    let body: String = row.get("body");
    let attempt_no: i32 = row.get::<i32, _>("attempts") + 1;

    let attempted_at = Utc::now();
    let started = Instant::now();
    let outcome = send(client, key, &url, &client_id, &body).await;
    let latency_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
    let (http_status, delivered, error) = match outcome {
        Ok((status, acknowledged)) => (
            Some(i32::from(status)),
            acknowledged,
            (!acknowledged).then(|| format!("HTTP {status} without the SUCCESS acknowledgement")),
        ),
        Err(e) => (None, false, Some(e)),
    };
    sqlx::query(
        "INSERT INTO refund_notification_attempts
             (notification_id, attempt_no, attempted_at, http_status, latency_ms, error)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(attempt_no)
    .bind(attempted_at)
    .bind(http_status)
    .bind(latency_ms)
    .bind(error.as_deref())
    .execute(&mut *tx)
    .await?;
    // Attempt k (1-based) failed: the next waits schedule[k]; after the last, give up.
    let next_delay = config.notify_schedule.get(attempt_no as usize).copied();
    let status = match (delivered, next_delay) {
        (true, _) => "DELIVERED",
        (false, Some(_)) => "PENDING",
        (false, None) => "GAVE_UP",
    };
    sqlx::query(
        "UPDATE refund_notifications
         SET attempts = $2, status = $3,
             next_attempt_at = CASE WHEN $3 = 'PENDING' THEN now() + make_interval(secs => $4) END,
             delivered_at = CASE WHEN $3 = 'DELIVERED' THEN now() END
         WHERE id = $1",
    )
    .bind(id)
    .bind(attempt_no)
    .bind(status)
    .bind(next_delay.unwrap_or_default().as_secs_f64())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(
        notification = id,
        attempt_no,
        status,
        ?http_status,
        "notifyRefund attempt"
    );
    Ok(true)
}

/// POSTs the signed notification; Ok((HTTP status, acknowledged)). Acknowledged means
/// HTTP 200 with `result.resultStatus` "S" (../WIRE.md).
async fn send(
    client: &reqwest::Client,
    key: &keys::PlatformKey,
    url: &str,
    client_id: &str,
    body: &str,
) -> Result<(u16, bool), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("bad URL: {e}"))?;
    let time = signature::format_time(Utc::now());
    let content =
        signature::signed_content("POST", parsed.path(), client_id, &time, body.as_bytes());
    let sig = signature::sign(&key.pair, &content);
    let response = client
        .post(parsed)
        .header("content-type", "application/json; charset=UTF-8")
        .header("client-id", client_id)
        .header("request-time", &time)
        .header("signature", signature::header_value(key.key_version, &sig))
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let acknowledged = status == 200
        && serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v.pointer("/result/resultStatus")
                    .and_then(|s| s.as_str())
                    .map(|s| s == "S")
            })
            .unwrap_or(false);
    Ok((status, acknowledged))
}
