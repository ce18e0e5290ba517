//! The simulated acquirer: answers asynchronous refunds after a delay.
//!
//! Steering, for tests and demos (like test card numbers): a refund whose reason
//! contains `SIMULATE_FAIL` (any case) fails; every other refund succeeds.

use std::time::Duration;

use app::refunds::engine::{self, PendingRefund, RefundRecord};
use app::refunds::types::RefundStatus;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::{Stop, WorkerConfig};
use crate::api::wire;

/// Refunds decided per transaction.
const BATCH: i64 = 50;

/// What the simulated acquirer answers for `reason`.
pub fn succeeds(reason: Option<&str>) -> bool {
    !reason.is_some_and(|r| r.to_ascii_uppercase().contains("SIMULATE_FAIL"))
}

pub async fn run(pool: PgPool, config: WorkerConfig, mut stop: Stop) {
    loop {
        // A batch runs to its commit; the stop is looked at between batches.
        match run_once(&pool, config.async_refund_delay, Utc::now()).await {
            Ok(n) if n as i64 == BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "deciding asynchronous refunds failed; retrying"),
        }
        tokio::select! {
            () = stop.requested() => return,
            () = tokio::time::sleep(config.poll_interval) => {}
        }
    }
}

/// Decides the refunds that have waited `delay` at `now`, one batch; returns how many.
/// The status change, the balance and the notification to send commit together, so a
/// crash loses none of them.
pub async fn run_once(pool: &PgPool, delay: Duration, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await?;
    let due = engine::lock_due_refunds(&mut tx, now, delay, BATCH).await?;
    for pending in &due {
        let succeeded = succeeds(pending.reason.as_deref());
        let record = engine::finish_pending(&mut tx, pending, succeeded, now).await?;
        enqueue_notification(&mut tx, pending, &record, now).await?;
        tracing::info!(refund_id = %record.refund_id, status = record.status.as_str(), "asynchronous refund decided");
    }
    tx.commit().await?;
    Ok(due.len())
}

/// Puts notifyRefund for a final refund into the outbox: to the request's
/// refundNotifyUrl, else the merchant's URL; signed under the requesting client id,
/// else any of the merchant's (a merchant without a client id cannot verify a
/// notification, so none is sent). It is due at `now`.
async fn enqueue_notification(
    conn: &mut PgConnection,
    pending: &PendingRefund,
    record: &RefundRecord,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    if record.status == RefundStatus::Processing {
        return Ok(());
    }
    let Some(url) = pending.notify_url.as_deref() else {
        return Ok(());
    };
    let client_id = match &pending.client_id {
        Some(c) => Some(c.clone()),
        None => {
            sqlx::query_scalar!(
            "SELECT client_id FROM api_clients WHERE merchant_id = $1 ORDER BY created_at LIMIT 1",
            pending.merchant_id
        )
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let Some(client_id) = client_id else {
        tracing::info!(refund_id = %record.refund_id, "no client id to sign notifyRefund with; not sent");
        return Ok(());
    };
    let body = String::from_utf8(wire::to_body(&wire::notify_body(record))).expect("JSON is UTF-8");
    sqlx::query!(
        "INSERT INTO refund_notifications (merchant_id, refund_id, refund_created_at, url,
             client_id, body, next_attempt_at)
         VALUES ($1, $2, $7, $3, $4, $5, $6)",
        pending.merchant_id,
        record.row_id,
        url,
        client_id,
        body,
        now as DateTime<Utc>,
        record.created_at as DateTime<Utc>
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steering() {
        assert!(succeeds(None));
        assert!(succeeds(Some("Customer returned the goods")));
        assert!(!succeeds(Some("SIMULATE_FAIL")));
        assert!(!succeeds(Some("test simulate_fail please")));
    }
}
