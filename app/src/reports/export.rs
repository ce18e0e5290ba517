//! Export files: the columns of an export, one transaction as a CSV record or an XLSX
//! row, and the writers. Rows arrive one at a time so that no writer holds more than
//! the row in hand (the XLSX writer is in constant-memory mode).

use crate::money::{Currency, Money};
use crate::transactions::columns::Column;
use crate::transactions::filter::Filter;
use crate::transactions::query::{push_conditions, SELECT};
use crate::transactions::row::TransactionRow;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use sqlx::{Postgres, QueryBuilder};
use std::io::Write;
use uuid::Uuid;

/// XLSX sheets end at 1,048,576 rows; one is the header.
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

/// One column of an export file. An amount field brings its minor-unit value and
/// currency along, so a file never holds an amount without its currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Out {
    Text(Column),
    Amount,
    AmountMinor,
    Currency,
    SettlementAmount,
    SettlementAmountMinor,
    SettlementCurrency,
    SettlementQuote,
    CreatedAt,
    FinishedAt,
}

/// The file's columns for the chosen `fields` (order kept, duplicates dropped; none
/// chosen means the defaults).
pub fn layout(fields: &[Column]) -> Vec<Out> {
    let fields = if fields.is_empty() {
        &Column::EXPORT_DEFAULT[..]
    } else {
        fields
    };
    let mut out: Vec<Out> = Vec::new();
    let mut add = |o: Out| {
        if !out.contains(&o) {
            out.push(o);
        }
    };
    for f in fields {
        match f {
            Column::Amount => {
                add(Out::Amount);
                add(Out::AmountMinor);
                add(Out::Currency);
            }
            Column::Currency => add(Out::Currency),
            Column::SettlementAmount => {
                add(Out::SettlementAmount);
                add(Out::SettlementAmountMinor);
                add(Out::SettlementCurrency);
            }
            Column::SettlementCurrency => add(Out::SettlementCurrency),
            Column::SettlementQuote => add(Out::SettlementQuote),
            Column::CreatedAt => add(Out::CreatedAt),
            Column::FinishedAt => add(Out::FinishedAt),
            other => add(Out::Text(*other)),
        }
    }
    out
}

/// `fields=a,b,c` from a URL, each field once in the order given; none means the
/// default fields. An unknown key is refused with the list of the known ones: an export
/// silently missing a column a script asked for would be worse than no export.
pub fn parse_fields(value: Option<&str>) -> Result<Vec<Column>, String> {
    let mut fields = Vec::new();
    for key in value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        let Some(c) = Column::parse(key) else {
            let known: Vec<&str> = Column::ALL.iter().map(|c| c.key()).collect();
            return Err(format!(
                "Unknown field {key:?}. Fields are: {}.",
                known.join(", ")
            ));
        };
        if !fields.contains(&c) {
            fields.push(c);
        }
    }
    Ok(fields)
}

impl Out {
    /// The column's header, in English whatever the user's language: chosen on purpose
    /// rather than offered per download. Headers are what spreadsheets, scripts and
    /// accounting imports find columns by (as `fields=` takes stable keys); a daily or
    /// monthly report is made once for every user of the merchant and published with
    /// its SHA-256, so its bytes cannot depend on who asked for it first; and the values
    /// themselves (plain decimals, ISO 8601 times, codes) are written for machines, not
    /// in any language's format.
    pub fn header(self, zone: &str) -> String {
        match self {
            Out::Text(c) => c.label().to_owned(),
            Out::Amount => "Amount".to_owned(),
            Out::AmountMinor => "Amount (minor units)".to_owned(),
            Out::Currency => "Currency".to_owned(),
            Out::SettlementAmount => "Settlement amount".to_owned(),
            Out::SettlementAmountMinor => "Settlement amount (minor units)".to_owned(),
            Out::SettlementCurrency => "Settlement currency".to_owned(),
            Out::SettlementQuote => "Settlement quote".to_owned(),
            Out::CreatedAt => format!("Creation time ({zone})"),
            Out::FinishedAt => format!("Finish time ({zone})"),
        }
    }

    /// Column width in characters for XLSX.
    fn width(self) -> f64 {
        match self {
            Out::Text(Column::Reason) => 30.0,
            Out::Text(Column::TransactionType | Column::Status) => 16.0,
            Out::Text(Column::PaymentMethod | Column::Acquirer) => 18.0,
            Out::Text(_) => 28.0,
            Out::Currency | Out::SettlementCurrency => 10.0,
            Out::Amount | Out::SettlementAmount => 16.0,
            Out::AmountMinor | Out::SettlementAmountMinor => 20.0,
            Out::SettlementQuote => 16.0,
            Out::CreatedAt | Out::FinishedAt => 30.0,
        }
    }
}

/// The text of a plain `column` of `row`; money and times have their own `Out` columns.
fn text(row: &TransactionRow, column: Column) -> Option<&str> {
    fn o(v: &Option<String>) -> Option<&str> {
        v.as_deref()
    }
    match column {
        Column::TransactionId => Some(&row.transaction_id),
        Column::ReferenceTransactionId => o(&row.reference_transaction_id),
        Column::TransactionRequestId => o(&row.transaction_request_id),
        Column::AcquirerTransactionId => o(&row.acquirer_transaction_id),
        Column::SerialNo => Some(&row.serial_no),
        Column::TransactionType => Some(row.transaction_type.as_str()),
        Column::Status => Some(row.status.as_str()),
        Column::PaymentMethod => Some(&row.payment_method),
        Column::Acquirer => Some(&row.acquirer),
        Column::OriginalTransactionId => o(&row.original_transaction_id),
        Column::Reason => o(&row.reason),
        Column::Amount
        | Column::Currency
        | Column::SettlementAmount
        | Column::SettlementCurrency
        | Column::SettlementQuote
        | Column::CreatedAt
        | Column::FinishedAt => None,
    }
}

/// Decimals of a currency code; an unknown code counts as 0 so minor units show as is.
pub fn decimals(code: &str) -> u32 {
    Currency::parse(code).map_or(0, |c| c.minor_units())
}

/// ISO 8601 with the zone's offset, to the second, e.g. `2026-11-29T20:05:11+08:00`.
pub fn iso_local(at: DateTime<Utc>, zone: Tz) -> String {
    // RFC 3339 is the ISO 8601 profile wanted; this avoids parsing a format per call.
    at.with_timezone(&zone)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The name of an export's server-side cursor (one per transaction).
pub const CURSOR: &str = "export_rows";

/// The cursor of an export: the query page's conditions (so an export holds exactly
/// the rows the page lists) for `merchant`, newest first like the page, or oldest first
/// for reports.
pub fn export_query(
    merchant: Uuid,
    filter: &Filter,
    zone: Tz,
    oldest_first: bool,
) -> QueryBuilder<'static, Postgres> {
    let mut q =
        QueryBuilder::<Postgres>::new(format!("DECLARE {CURSOR} NO SCROLL CURSOR FOR {SELECT}"));
    q.push(" WHERE t.merchant_id = ").push_bind(merchant);
    push_conditions(&mut q, filter, zone);
    q.push(if oldest_first {
        " ORDER BY t.created_at ASC, t.id ASC"
    } else {
        " ORDER BY t.created_at DESC, t.id DESC"
    });
    q
}

/// The number of rows [`export_query`] returns, for progress.
pub fn count_query(merchant: Uuid, filter: &Filter, zone: Tz) -> QueryBuilder<'static, Postgres> {
    let mut q =
        QueryBuilder::<Postgres>::new("SELECT count(*) FROM transactions t WHERE t.merchant_id = ");
    q.push_bind(merchant);
    push_conditions(&mut q, filter, zone);
    q
}

/// A CSV writer into an in-memory buffer that the caller empties after each batch.
pub struct CsvSink {
    writer: csv::Writer<Shared>,
    out: Shared,
    layout: Vec<Out>,
    zone: Tz,
    field: String,
}

impl CsvSink {
    /// RFC 4180: comma-separated, CRLF line ends, fields quoted when needed. A UTF-8
    /// byte-order mark first, so that spreadsheet programs read non-ASCII text right.
    pub fn new(layout: Vec<Out>, zone: Tz) -> Result<CsvSink, csv::Error> {
        let out = Shared::default();
        out.0
            .lock()
            .expect("fresh")
            .extend_from_slice("\u{feff}".as_bytes());
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(64 * 1024)
            .from_writer(out.clone());
        writer.write_record(layout.iter().map(|o| o.header(zone.name())))?;
        Ok(CsvSink {
            writer,
            out,
            layout,
            zone,
            field: String::with_capacity(64),
        })
    }

    pub fn write(&mut self, row: &TransactionRow) -> Result<(), csv::Error> {
        // One reused buffer per field: no allocation per cell on the hot path.
        for o in &self.layout {
            self.field.clear();
            csv_value(*o, row, self.zone, &mut self.field);
            self.writer.write_field(self.field.as_bytes())?;
        }
        self.writer.write_record(None::<&[u8]>)
    }

    /// The bytes written since the last call.
    pub fn take(&mut self) -> Result<Vec<u8>, std::io::Error> {
        self.writer.flush()?;
        Ok(std::mem::take(
            &mut *self.out.0.lock().expect("not poisoned"),
        ))
    }

    /// Bytes handed over by the CSV writer and not yet taken.
    pub fn buffered(&self) -> usize {
        self.out.0.lock().expect("not poisoned").len()
    }
}

/// The CSV writer's output, shared with [`CsvSink::take`]; the writer buffers 64 KiB
/// itself, so the lock is taken once per 64 KiB.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn csv_value(o: Out, row: &TransactionRow, zone: Tz, out: &mut String) {
    match o {
        Out::Text(c) => out.push_str(&crate::text::formula_safe(text(row, c).unwrap_or_default())),
        Out::Amount => push_major(out, row.amount_minor, &row.currency),
        Out::AmountMinor => push_int(out, row.amount_minor),
        Out::Currency => out.push_str(&row.currency),
        Out::SettlementAmount => {
            if let (Some(m), Some(c)) = (
                row.settlement_amount_minor,
                row.settlement_currency.as_deref(),
            ) {
                push_major(out, m, c);
            }
        }
        Out::SettlementAmountMinor => {
            if let Some(m) = row.settlement_amount_minor {
                push_int(out, m);
            }
        }
        Out::SettlementCurrency => {
            out.push_str(row.settlement_currency.as_deref().unwrap_or_default())
        }
        Out::SettlementQuote => out.push_str(row.settlement_quote.as_deref().unwrap_or_default()),
        Out::CreatedAt => out.push_str(&iso_local(row.created_at, zone)),
        Out::FinishedAt => {
            if let Some(t) = row.finished_at {
                out.push_str(&iso_local(t, zone));
            }
        }
    }
}

fn push_int(out: &mut String, n: i64) {
    use std::fmt::Write as _;
    let _ = write!(out, "{n}");
}

/// Minor units of `code` as a plain major-unit decimal, e.g. `1234.56`; an unknown code
/// writes the minor units as they are.
fn push_major(out: &mut String, minor: i64, code: &str) {
    match Money::of(minor, code) {
        Ok(money) => money.write_plain(out),
        Err(_) => push_int(out, minor),
    }
}

/// Writes `rows` as one XLSX sheet to `out`: a bold frozen header (`headers`, one per
/// column of `layout`) with an autofilter, amounts as numbers with their currency's
/// decimals, times as dates in `zone`. `rows` yields `None` to stop early (a cancelled
/// export); returns the rows written.
pub fn write_xlsx<W: Write + Send>(
    rows: impl Iterator<Item = TransactionRow>,
    layout: &[Out],
    headers: &[String],
    zone: Tz,
    title: &str,
    out: W,
) -> Result<u64, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_align(FormatAlign::Center);
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let money: Vec<Format> = (0..=4)
        .map(|d| {
            let pattern = if d == 0 {
                "#,##0".to_owned()
            } else {
                format!("#,##0.{}", "0".repeat(d))
            };
            Format::new().set_num_format(pattern)
        })
        .collect();
    let integer = Format::new().set_num_format("0");
    let quote = Format::new().set_num_format("0.0000######");
    let money_of = |code: &str| &money[(decimals(code) as usize).min(4)];
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(&title.chars().take(31).collect::<String>())?;
    for (i, (o, text)) in layout.iter().zip(headers).enumerate() {
        let col = i as u16;
        sheet.set_column_width(col, o.width())?;
        sheet.write_string_with_format(0, col, text, &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut written: u64 = 0;
    for row in rows {
        if written >= XLSX_MAX_ROWS {
            break;
        }
        let r = (written + 1) as u32;
        for (i, o) in layout.iter().enumerate() {
            let col = i as u16;
            match *o {
                Out::Text(c) => {
                    if let Some(v) = text(&row, c) {
                        sheet.write_string(r, col, v)?;
                    }
                }
                Out::Amount => {
                    let d = decimals(&row.currency);
                    sheet.write_number_with_format(
                        r,
                        col,
                        row.amount_minor as f64 / 10f64.powi(d as i32),
                        money_of(&row.currency),
                    )?;
                }
                Out::AmountMinor => {
                    sheet.write_number_with_format(r, col, row.amount_minor as f64, &integer)?;
                }
                Out::Currency => {
                    sheet.write_string(r, col, &row.currency)?;
                }
                Out::SettlementAmount => {
                    if let (Some(m), Some(c)) = (
                        row.settlement_amount_minor,
                        row.settlement_currency.as_deref(),
                    ) {
                        sheet.write_number_with_format(
                            r,
                            col,
                            m as f64 / 10f64.powi(decimals(c) as i32),
                            money_of(c),
                        )?;
                    }
                }
                Out::SettlementAmountMinor => {
                    if let Some(m) = row.settlement_amount_minor {
                        sheet.write_number_with_format(r, col, m as f64, &integer)?;
                    }
                }
                Out::SettlementCurrency => {
                    if let Some(c) = &row.settlement_currency {
                        sheet.write_string(r, col, c)?;
                    }
                }
                Out::SettlementQuote => {
                    if let Some(q) = row
                        .settlement_quote
                        .as_deref()
                        .and_then(|q| q.parse::<f64>().ok())
                    {
                        sheet.write_number_with_format(r, col, q, &quote)?;
                    }
                }
                Out::CreatedAt => {
                    sheet.write_datetime_with_format(
                        r,
                        col,
                        row.created_at.with_timezone(&zone).naive_local(),
                        &date,
                    )?;
                }
                Out::FinishedAt => {
                    if let Some(t) = row.finished_at {
                        sheet.write_datetime_with_format(
                            r,
                            col,
                            t.with_timezone(&zone).naive_local(),
                            &date,
                        )?;
                    }
                }
            }
        }
        written += 1;
    }
    if !layout.is_empty() {
        sheet.autofilter(0, 0, written as u32, (layout.len() - 1) as u16)?;
    }
    workbook.save_to_writer(out)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_bring_their_minor_units_and_currency() {
        assert_eq!(
            layout(&[Column::TransactionId, Column::Amount, Column::Currency]),
            [
                Out::Text(Column::TransactionId),
                Out::Amount,
                Out::AmountMinor,
                Out::Currency
            ]
        );
        assert_eq!(layout(&[]).len(), 14);
        assert_eq!(
            parse_fields(Some("status, amount,status,")),
            Ok(vec![Column::Status, Column::Amount])
        );
        assert_eq!(parse_fields(None), Ok(vec![]));
        let bogus = parse_fields(Some("status,bogus")).unwrap_err();
        assert!(
            bogus.starts_with("Unknown field \"bogus\". Fields are: "),
            "{bogus}"
        );
        assert!(bogus.contains("transaction_id"), "{bogus}");
    }

    #[test]
    fn major_units_follow_the_currency() {
        let plain = |minor, code| {
            let mut out = String::new();
            push_major(&mut out, minor, code);
            out
        };
        assert_eq!(plain(123456, "USD"), "1234.56");
        assert_eq!(plain(5, "USD"), "0.05");
        assert_eq!(plain(123456, "JPY"), "123456");
        assert_eq!(plain(1234, "KWD"), "1.234");
        assert_eq!(plain(1234, "XYZ"), "1234");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let row = TransactionRow {
            transaction_id: "T1".into(),
            reference_transaction_id: None,
            transaction_request_id: None,
            acquirer_transaction_id: None,
            serial_no: "1".into(),
            transaction_type: crate::transactions::kind::TransactionType::Refund,
            status: crate::transactions::kind::TransactionStatus::Success,
            amount_minor: 1050,
            currency: "USD".into(),
            settlement_amount_minor: None,
            settlement_currency: None,
            settlement_quote: None,
            payment_method: "ALIPAY_CN".into(),
            acquirer: "A".into(),
            original_transaction_id: None,
            reason: Some("Damaged, \"returned\"\nby post".into()),
            created_at: DateTime::from_timestamp(1_764_446_711, 0).unwrap(),
            finished_at: None,
        };
        let mut sink = CsvSink::new(
            layout(&[
                Column::TransactionId,
                Column::Reason,
                Column::Amount,
                Column::CreatedAt,
            ]),
            chrono_tz::Asia::Shanghai,
        )
        .unwrap();
        sink.write(&row).unwrap();
        let text = String::from_utf8(sink.take().unwrap()).unwrap();
        assert_eq!(
            text,
            "\u{feff}Transaction ID,Reason,Amount,Amount (minor units),Currency,Creation time (Asia/Shanghai)\r\n\
             T1,\"Damaged, \"\"returned\"\"\nby post\",10.50,1050,USD,2025-11-30T04:05:11+08:00\r\n"
        );
    }
}
