//! Reading a refund's notifications and scheduling one again.

use super::{AttemptView, NotificationView};
use crate::audit::{self, Actor, AuditAction, Event};
use crate::time::format_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

/// The notifications of the refund with `refund_id` (its transaction ID), oldest first;
/// None when the merchant has no refund with that ID.
pub async fn for_refund(
    pool: &PgPool,
    merchant_id: Uuid,
    refund_id: &str,
    zone: Tz,
) -> sqlx::Result<Option<Vec<NotificationView>>> {
    let refund: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM transactions
          WHERE transaction_id = $1 AND merchant_id = $2 AND transaction_type = 'REFUND'",
    )
    .bind(refund_id)
    .bind(merchant_id)
    .fetch_optional(pool)
    .await?;
    let Some(refund) = refund else {
        return Ok(None);
    };
    let rows: Vec<(i64, String, String, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT id, url, status, next_attempt_at FROM refund_notifications
          WHERE refund_id = $1 ORDER BY id",
    )
    .bind(refund)
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let attempts: Vec<(i64, i32, DateTime<Utc>, Option<i32>, i32, Option<String>)> =
        sqlx::query_as(
            "SELECT notification_id, attempt_no, attempted_at, http_status, latency_ms, error
           FROM refund_notification_attempts WHERE notification_id = ANY($1)
          ORDER BY notification_id, attempt_no",
        )
        .bind(&ids)
        .fetch_all(pool)
        .await?;
    Ok(Some(
        rows.into_iter()
            .map(|(id, url, status, next)| NotificationView {
                id,
                url,
                next_attempt_at: next
                    .filter(|_| status == "PENDING")
                    .map(|at| format_local(at, zone)),
                status,
                attempts: attempts
                    .iter()
                    .filter(|a| a.0 == id)
                    .map(|a| AttemptView {
                        attempt_no: a.1,
                        attempted_at: format_local(a.2, zone),
                        http_status: a.3,
                        latency_ms: a.4,
                        error: a.5.clone(),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// Makes the notification due now, whatever its status: the worker sends it once more
/// (a delivered one too, for a merchant whose server lost it). False when the merchant
/// has no such notification.
pub async fn resend(pool: &PgPool, actor: &Actor, notification_id: i64) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let refund: Option<String> = sqlx::query_scalar(
        "UPDATE refund_notifications n SET status = 'PENDING', next_attempt_at = now()
           FROM transactions t
          WHERE n.id = $1 AND n.merchant_id = $2 AND t.id = n.refund_id
          RETURNING t.transaction_id",
    )
    .bind(notification_id)
    .bind(actor.merchant_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(refund) = refund else {
        return Ok(false);
    };
    audit::record(
        &mut *tx,
        actor,
        Event::new(AuditAction::NotificationResent).subject(refund),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
