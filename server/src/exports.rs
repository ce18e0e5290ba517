//! Downloads for finance and admins: the query page's filter exported as .csv or .xlsx
//! (`/exports/transactions.{csv,xlsx}`), the progress of an export and its cancel, and
//! the calendar's report zips (`/reports/{daily|monthly}/{period}.zip`).
//!
//! CSV is written by PostgreSQL (`COPY … TO STDOUT`, see app::reports::csv_copy) and
//! flows through a bounded channel out as the response body: memory holds one 64 KiB
//! chunk per slot whatever the row count, and a closed connection closes the channel,
//! which stops the query. XLSX is written in constant-memory mode on a blocking thread
//! into a temporary file, then streamed.
//! Progress lives in PostgreSQL (see [`progress`]), so any instance answers the page.
//! Refusals are in the user's language (the browser's when signed out); files are
//! headed in English unless the user asks for theirs
//! (app::transactions::export::header_language).

pub mod progress;

use app::auth::session::SessionUser;
use app::error::{AppError, RequestId};
use app::locale::Language;
use app::reports::calendar::{export_file_name, Period};
use app::reports::csv_copy;
use app::reports::export::{count_query, export_query, layout, parse_fields, Out};
use app::reports::store::{first_day, get_or_create, pump_rows, RowsOf, BATCHES_IN_FLIGHT};
use app::state::AppState;
use app::transactions::export::{csv_start, header_language, Refusal};
use app::transactions::filter::{self, Filter, QueryParams};
use app::transactions::row::TransactionRow;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono_tz::Tz;
use futures_util::StreamExt;
use progress::{Counters, JobId, JobState, Tracker};
use serde::Deserialize;
use sqlx::PgPool;
use std::io::{Seek, SeekFrom};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// Chunks of CSV in flight between the writer and the connection.
const CHANNEL_CHUNKS: usize = 8;
/// CSV bytes gathered before a chunk is sent.
const CHUNK_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/exports/transactions.csv", get(export_csv))
        .route("/exports/transactions.xlsx", get(export_xlsx))
        .route("/exports/progress", get(read_progress))
        .route("/exports/cancel", post(cancel))
        .route("/reports/{kind}/{file}", get(report_zip))
        .with_state(state)
}

#[derive(Deserialize)]
struct JobQuery {
    job: Option<String>,
}

/// The signed-in user, or the answer asking to sign in again, in the browser's
/// language: the only one known without a session.
fn signed_in(
    user: Option<Extension<SessionUser>>,
    headers: &HeaderMap,
) -> Result<SessionUser, Response> {
    match user {
        Some(Extension(user)) => Ok(user),
        None => {
            let language = headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
                .unwrap_or_default();
            Err(refused(Refusal::SignedOut, language))
        }
    }
}

/// The signed-in user and the job of `/exports/progress` and `/exports/cancel`.
fn job_of(
    user: Option<Extension<SessionUser>>,
    headers: &HeaderMap,
    query: &JobQuery,
) -> Result<(SessionUser, JobId), Response> {
    let user = signed_in(user, headers)?;
    match query.job.as_deref().and_then(JobId::parse) {
        Some(job) => Ok((user, job)),
        None => Err(refused(Refusal::NoSuchExport, user.language)),
    }
}

/// A fault: its detail goes to the log under the request's id, the user gets the id.
fn unavailable(id: &RequestId, language: Language, err: impl std::fmt::Display) -> Response {
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        AppError::internal_for(id, err).message(language),
    )
}

async fn read_progress(
    State(state): State<AppState>,
    Extension(id): Extension<RequestId>,
    user: Option<Extension<SessionUser>>,
    headers: HeaderMap,
    Query(query): Query<JobQuery>,
) -> Response {
    let (user, job) = match job_of(user, &headers, &query) {
        Ok(found) => found,
        Err(r) => return r,
    };
    match progress::read(&state.pool, &user, &job).await {
        Ok(Some(view)) => Json(view).into_response(),
        Ok(None) => refused(Refusal::NoSuchExport, user.language),
        Err(err) => unavailable(&id, user.language, err),
    }
}

/// Stops the user's running export, whichever instance runs it.
async fn cancel(
    State(state): State<AppState>,
    Extension(id): Extension<RequestId>,
    user: Option<Extension<SessionUser>>,
    headers: HeaderMap,
    Query(query): Query<JobQuery>,
) -> Response {
    let (user, job) = match job_of(user, &headers, &query) {
        Ok(found) => found,
        Err(r) => return r,
    };
    match progress::cancel(&state.pool, &user, &job).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => refused(Refusal::NotRunning, user.language),
        Err(err) => unavailable(&id, user.language, err),
    }
}

/// An export request checked: who, which rows, which columns, which zone.
struct Export {
    pool: PgPool,
    merchant: Uuid,
    filter: Filter,
    zone: Tz,
    layout: Vec<Out>,
    /// The language of the CSV file's column headers.
    headers: Language,
    /// The user's, for refusals.
    language: Language,
    file_name: String,
    counters: Arc<Counters>,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let mut r = (status, message.into()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn refused(refusal: Refusal, language: Language) -> Response {
    refuse(refusal.status(), refusal.message(language))
}

/// The signed-in user, if their role may download reports.
fn allowed(
    user: Option<Extension<SessionUser>>,
    headers: &HeaderMap,
) -> Result<SessionUser, Response> {
    let user = signed_in(user, headers)?;
    if !user.role.can_download_reports() {
        let refusal = Refusal::Forbidden(user.role);
        return Err(refused(refusal, user.language));
    }
    Ok(user)
}

async fn prepare(
    state: &AppState,
    id: &RequestId,
    user: Option<Extension<SessionUser>>,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    ext: &str,
) -> Result<(Export, Tracker), Response> {
    let user = allowed(user, headers)?;
    let language = user.language;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let merchant = user.merchant_id;
    // The merchant's zone unless the user chose another for this file.
    let zone: Tz = match get("tz").filter(|z| !z.trim().is_empty()) {
        None => user.zone,
        Some(name) => name
            .trim()
            .parse()
            .map_err(|_| refused(Refusal::UnknownZone, language))?,
    };
    let headers_in = header_language(get("headers").as_deref(), language)
        .ok_or_else(|| refused(Refusal::UnknownHeaders, language))?;
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    // Paging does not apply: an export holds every row of the filter.
    let params = QueryParams {
        size: None,
        after: None,
        before: None,
        ..QueryParams::from_lookup(|k| get(k))
    };
    let filter = filter::parse_in(&params, today, language).map_err(|errors| {
        let text: Vec<String> = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        refuse(StatusCode::BAD_REQUEST, text.join("\n"))
    })?;
    // `fields=a,b` from a link, or one `fields=a` per ticked box from the form.
    let chosen: Vec<&str> = pairs
        .iter()
        .filter(|(n, _)| n == "fields")
        .map(|(_, v)| v.as_str())
        .collect();
    let fields = parse_fields(Some(&chosen.join(",")))
        .map_err(|unknown| refuse(StatusCode::BAD_REQUEST, unknown))?;
    // A job id the page did not choose well is no job: the export runs untracked.
    let job = get("job").as_deref().and_then(JobId::parse);
    let tracker = Tracker::start(&state.pool, &user, job)
        .await
        .map_err(|err| unavailable(id, language, err))?;
    let export = Export {
        // The rows may come from a replica; the job's progress is written to the primary.
        pool: state.reads.pool(app::replica::written(headers)).clone(),
        merchant,
        file_name: export_file_name(
            &user.merchant_name,
            filter.from,
            filter.to,
            zone.name(),
            ext,
        ),
        filter,
        zone,
        layout: layout(&fields),
        headers: headers_in,
        language,
        counters: tracker.counters(),
    };
    Ok((export, tracker))
}

/// Counts the export's rows for its progress, alongside the export itself.
fn count_in_background(e: &Export) {
    let (pool, counters) = (e.pool.clone(), e.counters.clone());
    let mut q = count_query(e.merchant, &e.filter, e.zone);
    tokio::spawn(async move {
        match q.build_query_scalar::<i64>().fetch_one(&pool).await {
            Ok(n) => counters.set_total(n),
            Err(err) => tracing::warn!(error = %err, "export count failed"),
        }
    });
}

fn attachment(content_type: &'static str, file_name: &str, body: Body) -> Response {
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn export_csv(
    State(state): State<AppState>,
    Extension(id): Extension<RequestId>,
    user: Option<Extension<SessionUser>>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let (e, tracker) = match prepare(&state, &id, user, &headers, &pairs, "csv").await {
        Ok(prepared) => prepared,
        Err(r) => return r,
    };
    count_in_background(&e);
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(CHANNEL_CHUNKS);
    let (started_tx, started) = oneshot::channel();
    let (file_name, language) = (e.file_name.clone(), e.language);
    // A cancel stops the writer even while it waits for a client that stopped reading;
    // dropping it closes its connection, which stops PostgreSQL.
    let cancel = tracker.cancel_token();
    tokio::spawn(async move {
        cancel
            .run_until_cancelled(write_csv(e, tx, started_tx))
            .await
    });
    // The response starts once PostgreSQL has taken the statement, so that a fault
    // before the first row is an error page rather than a broken download.
    match started.await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => {
            tracker.end(JobState::Failed);
            return unavailable(&id, language, err);
        }
        Err(_) => return refused(Refusal::Cancelled, language),
    }
    let chunks = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    attachment("text/csv; charset=utf-8", &file_name, tracker.body(chunks))
}

type Fault = Box<dyn std::error::Error + Send + Sync>;

/// Writes the export's CSV to `tx`: its header once the `COPY` has started (reported on
/// `started`), then PostgreSQL's records in chunks of about [`CHUNK_BYTES`].
async fn write_csv(
    e: Export,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    started: oneshot::Sender<Result<(), Fault>>,
) {
    let mut conn = match e.pool.acquire().await {
        Ok(conn) => conn,
        Err(err) => {
            let _ = started.send(Err(err.into()));
            return;
        }
    };
    // A connection left in the middle of a COPY cannot serve anyone else; closing it is
    // also what stops PostgreSQL when the download ends early.
    conn.close_on_drop();
    let began = async {
        let (records, mut header) = csv_copy::Records::start(&e.layout, e.zone)?;
        if e.headers != Language::En {
            header = csv_start(&e.layout, e.zone.name(), e.headers)?;
        }
        let statement = csv_copy::copy_statement(e.merchant, &e.filter, e.zone, &e.layout)?;
        csv_copy::prepare_session(&mut conn, e.zone).await?;
        let rows = conn.copy_out_raw(&statement).await?;
        Ok::<_, Fault>((records, header, rows))
    };
    let (records, header, mut rows) = match began.await {
        Ok(began) => began,
        Err(err) => {
            let _ = started.send(Err(err));
            return;
        }
    };
    let _ = started.send(Ok(()));
    let mut chunk = header;
    let mut written = 0u64;
    let copied = async {
        while let Some(record) = rows.next().await {
            records.push(&record?, &mut chunk)?;
            written += 1;
            if chunk.len() >= CHUNK_BYTES {
                e.counters.set_done(written);
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES * 2));
                if tx.send(Ok(Bytes::from(full))).await.is_err() {
                    tracing::info!(rows = written, "CSV export cancelled by the client");
                    return Ok(false);
                }
            }
        }
        Ok::<_, Fault>(true)
    };
    let outcome = copied.await;
    match outcome {
        // Counted before the last chunk goes: the body's end marks the job finished.
        Ok(true) => {
            e.counters.set_done(written);
            let _ = tx.send(Ok(Bytes::from(chunk))).await;
        }
        Ok(false) => {}
        Err(err) => {
            tracing::error!(error = %err, "CSV export failed");
            // An error in the body aborts the response: the download fails visibly
            // rather than ending as a file that looks complete.
            let _ = tx.send(Err(std::io::Error::other(err.to_string()))).await;
        }
    }
}

async fn export_xlsx(
    State(state): State<AppState>,
    Extension(id): Extension<RequestId>,
    user: Option<Extension<SessionUser>>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let (e, tracker) = match prepare(&state, &id, user, &headers, &pairs, "xlsx").await {
        Ok(prepared) => prepared,
        Err(r) => return r,
    };
    count_in_background(&e);
    let language = e.language;
    // If the client goes away meanwhile, this handler is dropped with the tracker: the
    // job ends CANCELLED.
    let built = tokio::select! {
        biased;
        () = tracker.cancelled() => Err(refused(Refusal::Cancelled, language)),
        built = build_xlsx(&e) => built,
    };
    let mut file = match built {
        Ok(file) => file,
        Err(response) => {
            tracker.end(JobState::Failed);
            return response;
        }
    };
    let length = file.seek(SeekFrom::End(0)).ok();
    if file.seek(SeekFrom::Start(0)).is_err() {
        tracker.end(JobState::Failed);
        return refused(Refusal::Failed, language);
    }
    let stream =
        tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 64 * 1024);
    let mut r = attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &e.file_name,
        tracker.body(stream),
    );
    if let Some(n) = length.and_then(|n| HeaderValue::from_str(&n.to_string()).ok()) {
        r.headers_mut().insert(header::CONTENT_LENGTH, n);
    }
    r
}

/// The workbook of `e` in a temporary file, or the answer saying why there is none.
async fn build_xlsx(e: &Export) -> Result<std::fs::File, Response> {
    let file = tempfile::tempfile()
        .map_err(|err| refuse(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    let (tx, rx) = mpsc::channel::<Vec<TransactionRow>>(BATCHES_IN_FLIGHT);
    let (layout, zone) = (e.layout.clone(), e.zone);
    let headers = app::transactions::export::headers(&layout, zone.name(), e.headers);
    // When this is dropped (a cancel, a closed connection) so is `tx`: the writer sees
    // the channel end, closes the workbook early and the temporary file is deleted.
    let writer = tokio::task::spawn_blocking(move || {
        let mut file = file;
        let rows = app::reports::export::write_xlsx(
            RowsOf::new(rx),
            &layout,
            &headers,
            zone,
            "Transactions",
            std::io::BufWriter::new(&mut file),
        );
        rows.map(|_| file)
    });
    let pumped = pump_rows(
        &e.pool,
        export_query(e.merchant, &e.filter, e.zone, false),
        tx,
        e.counters.rows_done(),
    )
    .await;
    let written = writer.await;
    match pumped {
        Err(err) => {
            tracing::error!(error = %err, "XLSX export failed");
            return Err(refused(Refusal::FailedTryAgain, e.language));
        }
        // The writer stopped taking rows before the end: the sheet is full. A cut-off
        // file would pass for a complete one, so there is none.
        Ok(false) => {
            return Err(refused(
                Refusal::TooManyRows(app::reports::export::XLSX_MAX_ROWS),
                e.language,
            ))
        }
        Ok(true) => {}
    }
    match written {
        Ok(Ok(f)) => Ok(f),
        Ok(Err(err)) => {
            tracing::error!(error = %err, "XLSX export failed");
            Err(refused(Refusal::FailedTryAgain, e.language))
        }
        Err(_) => Err(refused(Refusal::Failed, e.language)),
    }
}

/// A calendar report's zip, made now if the scheduled job has not made it yet.
async fn report_zip(
    State(state): State<AppState>,
    Extension(id): Extension<RequestId>,
    user: Option<Extension<SessionUser>>,
    headers: HeaderMap,
    Path((kind, file)): Path<(String, String)>,
) -> Response {
    let user = match allowed(user, &headers) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let language = user.language;
    let Some(period) = file
        .strip_suffix(".zip")
        .and_then(|key| Period::parse(&kind, key))
    else {
        return refused(Refusal::NoReport, language);
    };
    let (merchant, zone) = (user.merchant_id, user.zone);
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let first_day = match first_day(&state.pool, merchant, zone).await {
        Ok(d) => d,
        Err(err) => return unavailable(&id, language, err),
    };
    if !period.available(first_day, today) {
        return refused(Refusal::NoReportYet, language);
    }
    match get_or_create(&state.pool, merchant, period).await {
        Ok(report) => {
            let mut r = attachment(
                "application/zip",
                &report.file_name,
                Body::from(report.content),
            );
            if let Ok(v) = HeaderValue::from_str(&report.sha256) {
                r.headers_mut().insert("x-checksum-sha256", v);
            }
            r
        }
        Err(err) => {
            tracing::error!(error = %err, "report generation failed");
            refused(Refusal::ReportFailed, language)
        }
    }
}
