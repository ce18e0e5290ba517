//! Report generation and storage: one zip holding the .csv and .xlsx of a day or a
//! month, made once and kept in PostgreSQL with its SHA-256. Rows flow from a cursor
//! through a bounded channel to a blocking thread that writes both files at once.

use super::calendar::{report_stem, Period};
use super::export::{layout, write_xlsx, CsvSink};
use crate::transactions::columns::Column;
use crate::transactions::filter::{Direction, Filter, Sort};
use crate::transactions::kind::TransactionStatus;
use crate::transactions::row::TransactionRow;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, QueryBuilder};
use std::io::{Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use uuid::Uuid;

/// Rows per message between the cursor and the file writer: small enough that the rows
/// in flight stay a few MB (docs/PERFORMANCE.md, "Exports"), large enough that a
/// `FETCH` costs little per row.
pub const BATCH: usize = 1000;

/// Batches the channel between the cursor and the file writer holds.
pub const BATCHES_IN_FLIGHT: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("the writer stopped")]
    Writer,
}

/// The filter of a report: every transaction the query page lists by default (successful
/// ones, refunds only once successful) created in the period's local days.
pub fn report_filter(period: Period) -> Filter {
    let (from, to) = period.days();
    Filter {
        from,
        to,
        currency: None,
        serial: None,
        kind: None,
        method: None,
        acquirer: None,
        status: Some(TransactionStatus::Success),
        min_minor: None,
        max_minor: None,
        id: None,
        page_size: 20,
        sort: Sort::Newest,
        direction: Direction::First,
    }
}

/// An export's rows from a server-side cursor, a batch at a time. The cursor lives in
/// its own transaction: dropping this (a cancelled download) rolls it back, so
/// PostgreSQL stops after the batch in hand instead of computing the rest.
pub struct RowCursor {
    tx: sqlx::Transaction<'static, Postgres>,
    finished: bool,
}

impl RowCursor {
    /// Opens the cursor `declare` (from [`super::export::export_query`]) declares.
    pub async fn open(
        pool: &PgPool,
        mut declare: QueryBuilder<'static, Postgres>,
    ) -> Result<RowCursor, sqlx::Error> {
        let mut tx = pool.begin().await?;
        declare.build().execute(&mut *tx).await?;
        Ok(RowCursor {
            tx,
            finished: false,
        })
    }

    /// The next rows, or None at the end.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<TransactionRow>>, sqlx::Error> {
        if self.finished {
            return Ok(None);
        }
        let rows: Vec<TransactionRow> = sqlx::query_as(&format!(
            "FETCH FORWARD {BATCH} FROM {}",
            super::export::CURSOR
        ))
        .fetch_all(&mut *self.tx)
        .await?;
        if rows.len() < BATCH {
            self.finished = true;
        }
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(rows))
    }
}

/// Sends the rows of the cursor `declare` declares in batches to `tx`, counting them in
/// `done`. Returns false, without error, when the receiver is gone (the download was
/// cancelled) and the cursor was closed early.
pub async fn pump_rows(
    pool: &PgPool,
    declare: QueryBuilder<'static, Postgres>,
    tx: mpsc::Sender<Vec<TransactionRow>>,
    done: Arc<AtomicU64>,
) -> Result<bool, sqlx::Error> {
    let mut cursor = RowCursor::open(pool, declare).await?;
    while let Some(batch) = cursor.next_batch().await? {
        let n = batch.len() as u64;
        if tx.send(batch).await.is_err() {
            return Ok(false);
        }
        done.fetch_add(n, Ordering::Relaxed);
    }
    Ok(true)
}

/// The rows of a channel as a blocking iterator, for the writer thread.
pub struct RowsOf {
    rx: mpsc::Receiver<Vec<TransactionRow>>,
    batch: std::vec::IntoIter<TransactionRow>,
}

impl RowsOf {
    pub fn new(rx: mpsc::Receiver<Vec<TransactionRow>>) -> RowsOf {
        RowsOf {
            rx,
            batch: Vec::new().into_iter(),
        }
    }
}

impl Iterator for RowsOf {
    type Item = TransactionRow;
    fn next(&mut self) -> Option<TransactionRow> {
        loop {
            if let Some(row) = self.batch.next() {
                return Some(row);
            }
            self.batch = self.rx.blocking_recv()?.into_iter();
        }
    }
}

/// A report as stored.
#[derive(Clone, Debug)]
pub struct StoredReport {
    pub file_name: String,
    pub content: Vec<u8>,
    pub sha256: String,
    pub row_count: i64,
    pub created_at: DateTime<Utc>,
}

/// Builds the zip of `period`'s report for `merchant` in `zone`: `<stem>.csv` and
/// `<stem>.xlsx`, every field, oldest first. Returns the zip's name, bytes and rows.
pub async fn build(
    pool: &PgPool,
    merchant: Uuid,
    merchant_name: &str,
    zone: Tz,
    period: Period,
) -> Result<(String, Vec<u8>, i64), ReportError> {
    let stem = report_stem(merchant_name, period, zone.name());
    let query = super::export::export_query(merchant, &report_filter(period), zone, true);
    let (tx, rx) = mpsc::channel::<Vec<TransactionRow>>(BATCHES_IN_FLIGHT);
    let writer_stem = stem.clone();
    let writer =
        tokio::task::spawn_blocking(move || write_zip(RowsOf::new(rx), zone, &writer_stem));
    let pumped = pump_rows(pool, query, tx, Arc::new(AtomicU64::new(0))).await;
    let written = writer.await.map_err(|_| ReportError::Writer)?;
    pumped?;
    let (bytes, rows) = written?;
    Ok((format!("{stem}.zip"), bytes, rows as i64))
}

fn write_zip(rows: RowsOf, zone: Tz, stem: &str) -> Result<(Vec<u8>, u64), ReportError> {
    let columns = layout(&Column::ALL);
    let mut csv_file = tempfile::tempfile()?;
    let mut xlsx_file = tempfile::tempfile()?;
    let mut csv = CsvSink::new(columns.clone(), zone)?;
    let mut csv_error = None;
    let rows = rows.inspect(|row| {
        if csv_error.is_some() {
            return;
        }
        let result = csv.write(row).map_err(ReportError::from).and_then(|_| {
            if csv.buffered() >= 256 * 1024 {
                csv_file.write_all(&csv.take()?)?;
            }
            Ok(())
        });
        if let Err(e) = result {
            csv_error = Some(e);
        }
    });
    // Reports are published with their checksum: headed in English whoever downloads.
    let headers: Vec<String> = columns.iter().map(|o| o.header(zone.name())).collect();
    let count = write_xlsx(
        rows,
        &columns,
        &headers,
        zone,
        stem,
        std::io::BufWriter::new(&mut xlsx_file),
    )?;
    if let Some(e) = csv_error {
        return Err(e);
    }
    csv_file.write_all(&csv.take()?)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // A fixed timestamp keeps the zip's bytes a function of its contents.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, file) in [
        (format!("{stem}.csv"), &mut csv_file),
        (format!("{stem}.xlsx"), &mut xlsx_file),
    ] {
        file.seek(SeekFrom::Start(0))?;
        zip.start_file(name, options)?;
        std::io::copy(file, &mut zip)?;
    }
    Ok((zip.finish()?.into_inner(), count))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored report of `period`, if made.
pub async fn stored(
    pool: &PgPool,
    merchant: Uuid,
    period: Period,
) -> Result<Option<StoredReport>, sqlx::Error> {
    sqlx::query_as!(
        StoredReport,
        r#"SELECT file_name, content, sha256, row_count,
                  created_at AS "created_at: DateTime<Utc>"
             FROM reports WHERE merchant_id = $1 AND kind = $2 AND period_start = $3"#,
        merchant,
        period.kind(),
        period.start() as NaiveDate
    )
    .fetch_optional(pool)
    .await
}

/// The merchant's first day in `zone`: the day it signed up, or of its first
/// transaction if that came earlier (history moved over from elsewhere).
pub async fn first_day(pool: &PgPool, merchant: Uuid, zone: Tz) -> sqlx::Result<NaiveDate> {
    sqlx::query_scalar!(
        r#"SELECT (least(m.created_at,
                         (SELECT min(t.created_at) FROM transactions t WHERE t.merchant_id = m.id))
                   AT TIME ZONE $2)::date AS "first_day!: NaiveDate"
             FROM merchants m WHERE m.id = $1"#,
        merchant,
        zone.name()
    )
    .fetch_one(pool)
    .await
}

/// Makes `period`'s report unless it exists. Two instances racing both build it, but
/// the primary key keeps the first one stored and both answer with that one.
pub async fn get_or_create(
    pool: &PgPool,
    merchant: Uuid,
    period: Period,
) -> Result<StoredReport, ReportError> {
    if let Some(report) = stored(pool, merchant, period).await? {
        return Ok(report);
    }
    create(pool, merchant, period).await?;
    stored(pool, merchant, period)
        .await?
        .ok_or(ReportError::Writer)
}

/// Builds and inserts `period`'s report; a report already stored is left as it is.
pub async fn create(pool: &PgPool, merchant: Uuid, period: Period) -> Result<bool, ReportError> {
    let owner = sqlx::query!(
        "SELECT name, time_zone FROM merchants WHERE id = $1",
        merchant
    )
    .fetch_one(pool)
    .await?;
    let tz = crate::time::zone_named(&owner.time_zone);
    let (file_name, content, rows) = build(pool, merchant, &owner.name, tz, period).await?;
    let sha = sha256_hex(&content);
    let inserted = sqlx::query!(
        "INSERT INTO reports (merchant_id, kind, period_start, time_zone, file_name, content, sha256, row_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (merchant_id, kind, period_start) DO NOTHING",
        merchant,
        period.kind(),
        period.start() as NaiveDate,
        tz.name(),
        file_name,
        content,
        sha,
        rows
    )
    .execute(pool)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Checksums of the stored reports of `kind` whose periods start in `from..=to`.
pub async fn checksums(
    pool: &PgPool,
    merchant: Uuid,
    kind: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, String)>, sqlx::Error> {
    let stored = sqlx::query!(
        r#"SELECT period_start AS "period_start: NaiveDate", sha256 FROM reports
            WHERE merchant_id = $1 AND kind = $2 AND period_start BETWEEN $3 AND $4
            ORDER BY period_start"#,
        merchant,
        kind,
        from as NaiveDate,
        to as NaiveDate
    )
    .fetch_all(pool)
    .await?;
    Ok(stored
        .into_iter()
        .map(|r| (r.period_start, r.sha256))
        .collect())
}
