//! The background refunds of confirmed batches, kept in PostgreSQL so any instance can
//! run them and a restart loses nothing.
//!
//! An instance takes one running batch with a lease (`FOR UPDATE SKIP LOCKED`, then a
//! time until which it is theirs) and refunds its next rows in file order, each through
//! the refund engine under the row's refund request ID, then records the answer on the
//! row. Should it stop anywhere in between (a crash, a kill, a deploy), the lease runs
//! out and the next instance starts at the first row without an answer: a row whose
//! refund was made but not yet recorded is asked again under the same ID, and the engine
//! answers with the refund it made instead of making another. A pause or a cancel is
//! read before each row.

use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use crate::audit::Actor;
use crate::refunds::engine::{self, RefundCommand, RefundError, RefundSource};
use crate::refunds::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};

/// One batch taken by this instance.
struct Taken {
    merchant_id: Uuid,
    id: i64,
    actor: Actor,
}

/// Refunds up to `rows` rows of one running batch; how many rows got an answer (0: no
/// batch has work, or its rows are taken by another instance).
pub async fn work(pool: &PgPool, rows: i64, lease: Duration) -> sqlx::Result<usize> {
    let Some(taken) = take(pool, lease).await? else {
        return Ok(0);
    };
    let next = sqlx::query!(
        r#"SELECT line, payment_id AS "payment_id!", planned_minor AS "planned_minor!",
                  upper(currency) AS "currency!", reason, refund_request_id
           FROM refund_batch_rows
           WHERE merchant_id = $1 AND batch_id = $2 AND result_code IS NULL
             AND planned_code IS NULL
           ORDER BY line LIMIT $3"#,
        taken.merchant_id,
        taken.id,
        rows
    )
    .fetch_all(pool)
    .await?;
    let mut done = 0;
    for row in &next {
        if !still_running(pool, &taken).await? {
            break;
        }
        let command = RefundCommand {
            refund_request_id: parsed(RefundRequestId::parse(&row.refund_request_id))?,
            payment_id: parsed(TransactionRef::parse("paymentId", &row.payment_id))?,
            currency: parsed(CurrencyCode::parse(&row.currency))?,
            amount: parsed(MinorAmount::new(row.planned_minor))?,
            reason: row.reason.clone(),
            notify_url: None,
            source: RefundSource::Dashboard(taken.actor.clone()),
        };
        let (code, message, refund_id) =
            match engine::refund(pool, taken.merchant_id, command).await {
                Ok(record) => (
                    record.status.as_str().to_owned(),
                    String::new(),
                    Some(record.refund_id),
                ),
                Err(RefundError::Database(e)) => return Err(e),
                Err(e) => (e.result_code().to_owned(), e.message(), None),
            };
        sqlx::query!(
            "WITH answered AS (
                 UPDATE refund_batch_rows
                 SET result_code = $4, result_message = $5, refund_id = $6, done_at = now()
                 WHERE merchant_id = $1 AND batch_id = $2 AND line = $3 AND result_code IS NULL
                 RETURNING 1)
             UPDATE refund_batches SET done_rows = done_rows + (SELECT count(*) FROM answered)::int
             WHERE merchant_id = $1 AND id = $2",
            taken.merchant_id,
            taken.id,
            row.line,
            code,
            message,
            refund_id
        )
        .execute(pool)
        .await?;
        done += 1;
    }
    release(pool, &taken).await?;
    Ok(done)
}

fn parsed<T, E>(value: Result<T, E>) -> sqlx::Result<T> {
    // Every value was checked by the dry run; one that no longer parses is a fault.
    value.map_err(|_| sqlx::Error::Protocol("a checked batch row no longer parses".into()))
}

/// Takes the running batch confirmed first whose lease is free or expired.
async fn take(pool: &PgPool, lease: Duration) -> sqlx::Result<Option<Taken>> {
    let row = sqlx::query!(
        r#"UPDATE refund_batches b
           SET lease_until = now() + make_interval(secs => $1)
           FROM (SELECT merchant_id, id FROM refund_batches
                 WHERE status = 'RUNNING' AND (lease_until IS NULL OR lease_until < now())
                 ORDER BY confirmed_at LIMIT 1
                 FOR UPDATE SKIP LOCKED) free
           JOIN users u ON true
           WHERE b.merchant_id = free.merchant_id AND b.id = free.id AND u.id = b.confirmed_by
           RETURNING b.merchant_id, b.id, b.confirmed_by AS "confirmed_by!", u.email,
                     b.confirmed_address"#,
        lease.as_secs_f64()
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Taken {
        merchant_id: r.merchant_id,
        id: r.id,
        actor: Actor {
            merchant_id: r.merchant_id,
            user_id: Some(r.confirmed_by),
            name: r.email,
            address: r.confirmed_address,
        },
    }))
}

async fn still_running(pool: &PgPool, taken: &Taken) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT status = 'RUNNING' AS "running!" FROM refund_batches
           WHERE merchant_id = $1 AND id = $2"#,
        taken.merchant_id,
        taken.id
    )
    .fetch_one(pool)
    .await
}

/// Gives the batch back (to this instance or another), marking it done once every row
/// has its answer.
async fn release(pool: &PgPool, taken: &Taken) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE refund_batches
         SET lease_until = NULL,
             status = CASE WHEN done_rows = total_rows AND status = 'RUNNING' THEN 'DONE'
                           ELSE status END,
             finished_at = CASE WHEN done_rows = total_rows AND status = 'RUNNING' THEN now()
                                ELSE finished_at END
         WHERE merchant_id = $1 AND id = $2",
        taken.merchant_id,
        taken.id
    )
    .execute(pool)
    .await?;
    Ok(())
}
