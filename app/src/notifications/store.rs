//! Reading a refund's notifications and scheduling one again.

use super::{AttemptView, DeliveryStatus, NotificationView};
use crate::audit::{self, Actor, AuditAction, Event};
use crate::locale::{format::local, Language};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

/// The notifications of the refund with `refund_id` (its transaction ID), oldest first,
/// times in `zone` written in `language`; None when the merchant has no refund with
/// that ID.
pub async fn for_refund(
    pool: &PgPool,
    merchant_id: Uuid,
    refund_id: &str,
    zone: Tz,
    language: Language,
) -> sqlx::Result<Option<Vec<NotificationView>>> {
    let refund = sqlx::query_scalar!(
        "SELECT id FROM transactions
          WHERE transaction_id = $1 AND merchant_id = $2 AND transaction_type = 'REFUND'",
        refund_id,
        merchant_id
    )
    .fetch_optional(pool)
    .await?;
    let Some(refund) = refund else {
        return Ok(None);
    };
    let notifications = sqlx::query!(
        r#"SELECT id, url, status AS "status: DeliveryStatus",
                  next_attempt_at AS "next_attempt_at: DateTime<Utc>"
           FROM refund_notifications WHERE refund_id = $1 ORDER BY id"#,
        refund
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = notifications.iter().map(|n| n.id).collect();
    let attempts = sqlx::query!(
        r#"SELECT notification_id, attempt_no,
                  attempted_at AS "attempted_at: DateTime<Utc>", http_status, latency_ms, error
           FROM refund_notification_attempts WHERE notification_id = ANY($1)
           ORDER BY notification_id, attempt_no"#,
        &ids
    )
    .fetch_all(pool)
    .await?;
    Ok(Some(
        notifications
            .into_iter()
            .map(|n| NotificationView {
                id: n.id,
                url: n.url,
                next_attempt_at: n
                    .next_attempt_at
                    .filter(|_| n.status == DeliveryStatus::Pending)
                    .map(|at| local(language, at, zone)),
                status: n.status,
                attempts: attempts
                    .iter()
                    .filter(|a| a.notification_id == n.id)
                    .map(|a| AttemptView {
                        attempt_no: a.attempt_no,
                        attempted_at: local(language, a.attempted_at, zone),
                        http_status: a.http_status,
                        latency_ms: a.latency_ms,
                        error: a.error.clone(),
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
    let refund = sqlx::query_scalar!(
        "UPDATE refund_notifications n SET status = 'PENDING', next_attempt_at = now()
           FROM transactions t
          WHERE n.id = $1 AND n.merchant_id = $2 AND t.id = n.refund_id
          RETURNING t.transaction_id",
        notification_id,
        actor.merchant_id
    )
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
