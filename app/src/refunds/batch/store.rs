//! Batches in PostgreSQL: the upload with its dry run, the page's view, the
//! confirmation with a payment password, pause, resume and cancel, and the results file.
//!
//! The dry run reads only: each row is checked by the refund rules against the payment
//! as it is now, plus what the rows above it in the same file would take, so a file
//! refunding one payment twice is judged as the job will run it. Then the batch and its
//! rows are stored in one statement each (nothing is refunded until confirmed).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use super::file::read_table;
use super::{check_row, read_rows, BatchLine, BatchStatus, BatchView, FileProblem, RowView};
use crate::audit::{self, Actor, AuditAction, Event};
use crate::locale::{format::local, Language};
use crate::payment_password::{store as payment_password, PaymentPasswordError};
use crate::refunds::dashboard::explain_result_code;
use crate::refunds::engine::{self, refund_facts};
use crate::refunds::rules::{self, availability};

/// Rows shown on a batch's page; the rest are in its results file.
pub const ROWS_SHOWN: i64 = 500;

/// Why an upload was not kept.
#[derive(Debug, thiserror::Error)]
pub enum UploadProblem {
    #[error("{0:?}")]
    File(FileProblem),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What the dry run says of one row.
struct Planned {
    line: i32,
    payment_ref: String,
    amount: String,
    currency: String,
    reason: Option<String>,
    refund_request_id: String,
    payment_id: Option<String>,
    outcome: Result<i64, (String, String)>,
}

/// Reads `bytes`, checks every row (the dry run) and keeps the batch for confirmation;
/// its id. A file that cannot be read is refused whole and nothing is kept.
pub async fn upload(
    pool: &PgPool,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    language: Language,
) -> Result<i64, UploadProblem> {
    let rows = read_table(file_name, bytes)
        .and_then(read_rows)
        .map_err(UploadProblem::File)?;
    let sha = hex(&Sha256::digest(bytes));
    let now: DateTime<Utc> = sqlx::query_scalar!(r#"SELECT now() AS "now!""#)
        .fetch_one(pool)
        .await?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    // What earlier rows of the file take from each payment: amount and count.
    let mut taken: HashMap<String, (i64, i64)> = HashMap::new();
    let mut planned = Vec::with_capacity(rows.len());
    for row in rows {
        let refused = |code: &str, message: String| Err((code.to_owned(), message));
        let mut payment_id = None;
        let mut rid = row.refund_request_id.clone();
        let outcome = match check_row(&row, &sha, language) {
            Err(cell) => refused(
                "PARAM_ILLEGAL",
                format!("{}: {}", cell.column, cell.message),
            ),
            Ok(checked) => {
                rid = checked.refund_request_id.as_str().to_owned();
                if let Some(first) = seen.insert(rid.clone(), row.line) {
                    let line = first;
                    refused(
                        "DUPLICATE_ROW",
                        crate::i18n::td_display!(language.locale(), batches.duplicate_row, line)
                            .to_string(),
                    )
                } else if engine::answer(pool, actor.merchant_id, &checked.refund_request_id)
                    .await?
                    .is_some()
                {
                    refused(
                        "REPEAT_REQUEST",
                        crate::i18n::td_string!(language.locale(), batches.repeat_request)
                            .to_owned(),
                    )
                } else {
                    match find(pool, actor.merchant_id, checked.payment_ref.as_str()).await? {
                        Found::None => {
                            refused("ORDER_NOT_EXIST", code_text("ORDER_NOT_EXIST", language))
                        }
                        Found::Ambiguous => refused(
                            "AMBIGUOUS_REFERENCE",
                            crate::i18n::td_string!(language.locale(), batches.ambiguous_reference)
                                .to_owned(),
                        ),
                        Found::One(facts) => {
                            payment_id = Some(facts.payment_id.clone());
                            let mut f = facts.facts.clone();
                            let (more, count) =
                                taken.get(&facts.payment_id).copied().unwrap_or_default();
                            f.refunded_minor += more;
                            f.refund_count += count;
                            let amount = match checked.amount_minor {
                                Some(a) => Ok(a),
                                None => availability(&f, &facts.rules, now)
                                    .map_err(rules::RefundRefusal::Blocked),
                            };
                            match amount.and_then(|a| {
                                rules::decide(&f, &facts.rules, &checked.currency.code(), a, now)
                                    .map(|()| a)
                            }) {
                                Ok(a) => {
                                    let t = taken.entry(facts.payment_id.clone()).or_default();
                                    t.0 += a;
                                    t.1 += 1;
                                    Ok(a)
                                }
                                Err(refusal) => {
                                    let code = refusal.result_code().to_string();
                                    let text = explain_result_code(&code, language)
                                        .map(str::to_owned)
                                        .unwrap_or_else(|| refusal.to_string());
                                    Err((code, text))
                                }
                            }
                        }
                    }
                }
            }
        };
        planned.push(Planned {
            line: row.line as i32,
            payment_ref: row.payment_ref,
            amount: row.amount,
            currency: row.currency,
            reason: (!row.reason.is_empty()).then_some(row.reason),
            refund_request_id: rid,
            payment_id,
            outcome,
        });
    }
    store(pool, actor, file_name, &sha, &planned).await
}

fn code_text(code: &str, language: Language) -> String {
    explain_result_code(code, language)
        .unwrap_or(code)
        .to_owned()
}

enum Found {
    None,
    Ambiguous,
    One(Box<engine::RefundFacts>),
}

/// The payment a row names: by its transaction ID, else by the merchant's reference
/// (which must name one payment).
async fn find(pool: &PgPool, merchant_id: Uuid, payment_ref: &str) -> sqlx::Result<Found> {
    if let Some(facts) = refund_facts(pool, merchant_id, payment_ref).await? {
        return Ok(Found::One(Box::new(facts)));
    }
    let ids = sqlx::query_scalar!(
        "SELECT transaction_id FROM transactions
         WHERE merchant_id = $1 AND reference_transaction_id = $2
           AND transaction_type = 'PAYMENT'
         LIMIT 2",
        merchant_id,
        payment_ref
    )
    .fetch_all(pool)
    .await?;
    Ok(match ids.as_slice() {
        [id] => match refund_facts(pool, merchant_id, id).await? {
            Some(facts) => Found::One(Box::new(facts)),
            None => Found::None,
        },
        [] => Found::None,
        _ => Found::Ambiguous,
    })
}

async fn store(
    pool: &PgPool,
    actor: &Actor,
    file_name: &str,
    sha: &str,
    planned: &[Planned],
) -> Result<i64, UploadProblem> {
    let uploaded_by = actor.user_id.ok_or(sqlx::Error::RowNotFound)?;
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO refund_batches (merchant_id, file_name, file_sha256, uploaded_by, total_rows)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        actor.merchant_id,
        file_name,
        sha,
        uploaded_by,
        planned.len() as i32
    )
    .fetch_one(&mut *tx)
    .await?;
    let column = |f: fn(&Planned) -> Option<String>| planned.iter().map(f).collect::<Vec<_>>();
    sqlx::query!(
        "INSERT INTO refund_batch_rows (merchant_id, batch_id, line, payment_ref, amount,
             currency, reason, refund_request_id, payment_id, planned_minor, planned_code,
             planned_message)
         SELECT $1, $2, * FROM UNNEST($3::int[], $4::text[], $5::text[], $6::text[],
             $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[])",
        actor.merchant_id,
        id,
        &planned.iter().map(|p| p.line).collect::<Vec<_>>(),
        &planned
            .iter()
            .map(|p| p.payment_ref.clone())
            .collect::<Vec<_>>(),
        &planned.iter().map(|p| p.amount.clone()).collect::<Vec<_>>(),
        &planned
            .iter()
            .map(|p| p.currency.clone())
            .collect::<Vec<_>>(),
        &column(|p| p.reason.clone()) as &[Option<String>],
        &planned
            .iter()
            .map(|p| p.refund_request_id.clone())
            .collect::<Vec<_>>(),
        &column(|p| p.payment_id.clone()) as &[Option<String>],
        &planned
            .iter()
            .map(|p| p.outcome.as_ref().ok().copied())
            .collect::<Vec<_>>() as &[Option<i64>],
        &column(|p| p.outcome.as_ref().err().map(|e| e.0.clone())) as &[Option<String>],
        &column(|p| p.outcome.as_ref().err().map(|e| e.1.clone())) as &[Option<String>],
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Event::new(AuditAction::RefundBatchUploaded).subject(format!("#{id} {file_name}")),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A batch of the merchant as its page shows it; None if it has none with this id.
pub async fn view(
    pool: &PgPool,
    merchant_id: Uuid,
    id: i64,
    zone: Tz,
    language: Language,
) -> sqlx::Result<Option<BatchView>> {
    let Some(b) = sqlx::query!(
        r#"SELECT b.id, b.file_name, u.email, b.uploaded_at, b.status AS "status: BatchStatus",
                  b.total_rows, b.done_rows,
                  (SELECT count(*) FROM refund_batch_rows r
                    WHERE r.merchant_id = b.merchant_id AND r.batch_id = b.id
                      AND r.planned_code IS NULL) AS "good!"
           FROM refund_batches b JOIN users u ON u.id = b.uploaded_by
           WHERE b.merchant_id = $1 AND b.id = $2"#,
        merchant_id,
        id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let totals = sqlx::query!(
        r#"SELECT upper(currency) AS "currency!",
                  sum(planned_minor)::bigint AS "planned!",
                  coalesce(sum(planned_minor) FILTER (WHERE refund_id IS NOT NULL
                           AND result_code IN ('SUCCESS', 'PROCESSING')), 0)::bigint AS "refunded!"
           FROM refund_batch_rows
           WHERE merchant_id = $1 AND batch_id = $2 AND planned_code IS NULL
           GROUP BY 1 ORDER BY 1"#,
        merchant_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT line, payment_ref, upper(currency) AS "currency!", planned_minor,
                  planned_code, planned_message, result_code, result_message, refund_id
           FROM refund_batch_rows
           WHERE merchant_id = $1 AND batch_id = $2
           ORDER BY planned_code IS NULL, line LIMIT $3"#,
        merchant_id,
        id,
        ROWS_SHOWN
    )
    .fetch_all(pool)
    .await?;
    let duplicates = sqlx::query!(
        r#"SELECT payment_id AS "payment_id!", array_agg(line ORDER BY line) AS "lines!"
           FROM refund_batch_rows
           WHERE merchant_id = $1 AND batch_id = $2 AND payment_id IS NOT NULL
           GROUP BY payment_id HAVING count(*) > 1 ORDER BY min(line) LIMIT 100"#,
        merchant_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let l = language.locale();
    Ok(Some(BatchView {
        id: b.id,
        file_name: b.file_name,
        uploaded_by: b.email,
        uploaded_at: local(language, b.uploaded_at, zone),
        status: b.status,
        total_rows: b.total_rows,
        done_rows: b.done_rows,
        good_rows: b.good,
        bad_rows: b.total_rows as i64 - b.good,
        totals: totals
            .iter()
            .map(|t| language.money(t.planned, &t.currency))
            .collect(),
        refunded: totals
            .iter()
            .map(|t| language.money(t.refunded, &t.currency))
            .collect(),
        rows: rows
            .into_iter()
            .map(|r| RowView {
                line: r.line,
                payment_ref: r.payment_ref,
                planned: match (r.planned_minor, r.planned_code) {
                    (Some(minor), None) => Ok(crate::i18n::td_display!(
                        l,
                        batches.would_refund,
                        amount = language.money(minor, &r.currency)
                    )
                    .to_string()),
                    (_, code) => Err((
                        code.unwrap_or_default(),
                        r.planned_message.unwrap_or_default(),
                    )),
                },
                result: r.result_code.map(|code| match r.refund_id {
                    Some(refund) => (code, refund),
                    None => (code, r.result_message.unwrap_or_default()),
                }),
            })
            .collect(),
        duplicates: duplicates
            .into_iter()
            .map(|d| (d.payment_id, d.lines))
            .collect(),
        shown_note: (b.total_rows as i64 > ROWS_SHOWN).then(|| {
            crate::i18n::td_display!(
                l,
                batches.rows_shown,
                shown = ROWS_SHOWN,
                total = language.integer(b.total_rows as u64)
            )
            .to_string()
        }),
        notice: None,
        password_error: None,
    }))
}

/// The merchant's latest batches.
pub async fn list(
    pool: &PgPool,
    merchant_id: Uuid,
    zone: Tz,
    language: Language,
) -> sqlx::Result<Vec<BatchLine>> {
    let rows = sqlx::query!(
        r#"SELECT id, file_name, uploaded_at, status AS "status: BatchStatus", done_rows,
                  total_rows
           FROM refund_batches WHERE merchant_id = $1 ORDER BY id DESC LIMIT 50"#,
        merchant_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BatchLine {
            id: r.id,
            file_name: r.file_name,
            uploaded_at: local(language, r.uploaded_at, zone),
            status: r.status,
            done_rows: r.done_rows,
            total_rows: r.total_rows,
        })
        .collect())
}

/// Why a batch's state did not change.
#[derive(Debug, thiserror::Error)]
pub enum ControlProblem {
    /// No such batch, or not in a state that allows this.
    #[error("the batch cannot do this now")]
    NotNow,
    #[error(transparent)]
    Password(#[from] PaymentPasswordError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Starts the refunds of a checked batch, with the actor's payment password: the rows the
/// dry run refused get their outcome at once, the rest are left for the job.
pub async fn confirm(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
    password: &str,
) -> Result<(), ControlProblem> {
    let user = actor.user_id.ok_or(ControlProblem::NotNow)?;
    payment_password::verify(pool, actor, password).await?;
    let mut tx = pool.begin().await?;
    let skipped = sqlx::query!(
        r#"WITH started AS (
               UPDATE refund_batches SET status = 'RUNNING', confirmed_by = $3,
                      confirmed_address = $4, confirmed_at = now()
               WHERE merchant_id = $1 AND id = $2 AND status = 'CHECKED'
               RETURNING id),
           skipped AS (
               UPDATE refund_batch_rows r
               SET result_code = planned_code, result_message = planned_message, done_at = now()
               FROM started
               WHERE r.merchant_id = $1 AND r.batch_id = started.id AND r.planned_code IS NOT NULL
               RETURNING 1)
           SELECT (SELECT count(*) FROM started) AS "started!",
                  (SELECT count(*) FROM skipped) AS "skipped!""#,
        actor.merchant_id,
        id,
        user,
        actor.address
    )
    .fetch_one(&mut *tx)
    .await?;
    if skipped.started == 0 {
        return Err(ControlProblem::NotNow);
    }
    sqlx::query!(
        "UPDATE refund_batches SET done_rows = $3,
                status = CASE WHEN $3 = total_rows THEN 'DONE' ELSE status END,
                finished_at = CASE WHEN $3 = total_rows THEN now() END
         WHERE merchant_id = $1 AND id = $2",
        actor.merchant_id,
        id,
        skipped.skipped as i32
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        Event::new(AuditAction::RefundBatchConfirmed).subject(format!("#{id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a person may do to a confirmed batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    Cancel,
}

/// Pauses, resumes or cancels a batch; the job looks before each row, so a pause or a
/// cancel takes effect after the row in hand.
pub async fn control(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
    what: Control,
) -> Result<(), ControlProblem> {
    let (from, to, action): (&[&str], &str, AuditAction) = match what {
        Control::Pause => (&["RUNNING"], "PAUSED", AuditAction::RefundBatchPaused),
        Control::Resume => (&["PAUSED"], "RUNNING", AuditAction::RefundBatchResumed),
        Control::Cancel => (
            &["RUNNING", "PAUSED", "CHECKED"],
            "CANCELLED",
            AuditAction::RefundBatchCancelled,
        ),
    };
    let mut tx = pool.begin().await?;
    let changed = sqlx::query!(
        "UPDATE refund_batches SET status = $4,
                finished_at = CASE WHEN $4 = 'CANCELLED' THEN now() END
         WHERE merchant_id = $1 AND id = $2 AND status = ANY($3)",
        actor.merchant_id,
        id,
        &from.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        to
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(ControlProblem::NotNow);
    }
    audit::record(
        &mut *tx,
        actor,
        Event::new(action).subject(format!("#{id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The results file: every row as the file had it, then what the dry run planned and
/// what the run did (refund ID, status or code, message). Text a spreadsheet would take
/// for a formula is written as text.
pub async fn results_csv(
    pool: &PgPool,
    merchant_id: Uuid,
    id: i64,
) -> sqlx::Result<Option<String>> {
    use crate::text::formula_safe;
    let exists = sqlx::query_scalar!(
        r#"SELECT true AS "yes!" FROM refund_batches WHERE merchant_id = $1 AND id = $2"#,
        merchant_id,
        id
    )
    .fetch_optional(pool)
    .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let rows = sqlx::query!(
        r#"SELECT line, payment_ref, amount, currency, reason, refund_request_id, payment_id,
                  planned_minor, planned_code, planned_message, result_code, result_message,
                  refund_id
           FROM refund_batch_rows WHERE merchant_id = $1 AND batch_id = $2 ORDER BY line"#,
        merchant_id,
        id
    )
    .fetch_all(pool)
    .await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "line",
        "transaction_id",
        "amount",
        "currency",
        "reason",
        "refund_request_id",
        "payment_id",
        "planned_amount",
        "planned_code",
        "refund_id",
        "status",
        "message",
    ];
    out.write_record(header).map_err(csv_error)?;
    for r in rows {
        let planned = r
            .planned_minor
            .and_then(|m| crate::money::Money::of(m, &r.currency.to_ascii_uppercase()).ok())
            .map(|m| m.plain())
            .unwrap_or_default();
        let message = r.result_message.or(r.planned_message).unwrap_or_default();
        out.write_record([
            r.line.to_string().as_str(),
            &formula_safe(&r.payment_ref),
            &formula_safe(&r.amount),
            &formula_safe(&r.currency),
            &formula_safe(r.reason.as_deref().unwrap_or_default()),
            &formula_safe(&r.refund_request_id),
            r.payment_id.as_deref().unwrap_or_default(),
            &planned,
            r.planned_code.as_deref().unwrap_or_default(),
            r.refund_id.as_deref().unwrap_or_default(),
            r.result_code.as_deref().unwrap_or_default(),
            &formula_safe(&message),
        ])
        .map_err(csv_error)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| csv_error(e.into_error().into()))?;
    Ok(Some(String::from_utf8(bytes).unwrap_or_default()))
}

fn csv_error(e: csv::Error) -> sqlx::Error {
    sqlx::Error::Protocol(e.to_string())
}
