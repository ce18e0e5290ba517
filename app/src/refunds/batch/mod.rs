//! Batch refunds from a file (docs/RULES.md, "Batch refunds"): the file's layout and
//! each row read into a checked refund (pure, also compiled for the browser), and, on
//! the server, `file` (CSV and XLSX read into rows of text), `store` (the dry run, the
//! batch kept in PostgreSQL, its confirmation, pause, cancel and results) and `job`
//! (the background refunds, row by row through the refund engine).

#[cfg(feature = "ssr")]
pub mod file;
#[cfg(feature = "ssr")]
pub mod job;
#[cfg(feature = "ssr")]
pub mod store;

use crate::i18n::{td_display, td_string};
use crate::locale::Language;
use crate::money::{Currency, Money};
use crate::refunds::types::{RefundRequestId, TransactionRef};
use crate::text::check_line;
use serde::{Deserialize, Serialize};

/// The most rows a file may have, its header aside.
pub const MAX_ROWS: usize = 10_000;
/// The largest file accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most characters of a reason, as in the refund dialog.
const REASON_MAX_CHARS: usize = 256;

/// The columns of a batch file, by the names its header uses (any case; spaces count as
/// underscores). The first three are required.
pub const COLUMNS: [&str; 5] = [
    "transaction_id",
    "amount",
    "currency",
    "reason",
    "refund_request_id",
];

/// The template offered on the page: the header and two example rows.
pub const TEMPLATE_CSV: &str = "transaction_id,amount,currency,reason,refund_request_id\r\n\
    2026120112345678901234,12.50,USD,Damaged in transit,\r\n\
    ORD-1001,,USD,Event cancelled,MY-REFUND-1001\r\n";

/// Why a whole file is refused; nothing of it is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileProblem {
    /// Neither a CSV nor an XLSX file.
    UnknownFormat,
    TooLarge,
    /// No header, or no rows under it.
    Empty,
    TooManyRows(usize),
    /// The file cannot be read (not UTF-8 text, broken quoting, not a workbook): where,
    /// when known.
    Malformed {
        line: Option<usize>,
    },
    MissingColumn(String),
    UnknownColumn(String),
    /// A column named twice.
    RepeatedColumn(String),
}

impl FileProblem {
    pub fn message(&self, language: Language) -> String {
        let l = language.locale();
        match self {
            FileProblem::UnknownFormat => td_string!(l, batches.unknown_format).to_owned(),
            FileProblem::TooLarge => {
                td_display!(l, batches.too_large, mb = MAX_BYTES / 1024 / 1024).to_string()
            }
            FileProblem::Empty => td_string!(l, batches.empty_file).to_owned(),
            FileProblem::TooManyRows(n) => td_display!(
                l,
                batches.too_many_rows,
                n = language.integer(*n as u64),
                max = language.integer(MAX_ROWS as u64)
            )
            .to_string(),
            FileProblem::Malformed { line: Some(line) } => {
                td_display!(l, batches.malformed_line, line = *line).to_string()
            }
            FileProblem::Malformed { line: None } => td_string!(l, batches.malformed).to_owned(),
            FileProblem::MissingColumn(column) => td_display!(
                l,
                batches.missing_column,
                column,
                columns = COLUMNS.join(", ")
            )
            .to_string(),
            FileProblem::UnknownColumn(column) => td_display!(
                l,
                batches.unknown_column,
                column,
                columns = COLUMNS.join(", ")
            )
            .to_string(),
            FileProblem::RepeatedColumn(column) => {
                td_display!(l, batches.repeated_column, column).to_string()
            }
        }
    }
}

/// One row of a file as typed, with its line in the file (the header is line 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRow {
    pub line: usize,
    pub payment_ref: String,
    pub amount: String,
    pub currency: String,
    pub reason: String,
    /// Empty: derived from the file and the line.
    pub refund_request_id: String,
}

/// Reads the header and the rows of a file (already split into cells): the header names
/// the columns, in any order; blank lines are skipped.
pub fn read_rows(table: Vec<Vec<String>>) -> Result<Vec<FileRow>, FileProblem> {
    let mut lines = table.into_iter().enumerate();
    let Some((_, header)) = lines.next() else {
        return Err(FileProblem::Empty);
    };
    let mut at = [None; 5];
    for (i, name) in header.iter().enumerate() {
        let key = name
            .trim()
            .trim_start_matches('\u{feff}')
            .to_lowercase()
            .replace(' ', "_");
        if key.is_empty() {
            continue;
        }
        let Some(c) = COLUMNS.iter().position(|c| *c == key) else {
            // Named back to the user: one line, no longer than a column name needs.
            let shown: String = name
                .trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(40)
                .collect();
            return Err(FileProblem::UnknownColumn(shown));
        };
        if at[c].replace(i).is_some() {
            return Err(FileProblem::RepeatedColumn(key));
        }
    }
    for (c, name) in COLUMNS.iter().enumerate().take(3) {
        if at[c].is_none() {
            return Err(FileProblem::MissingColumn((*name).to_owned()));
        }
    }
    let cell = |row: &[String], c: usize| {
        at[c]
            .and_then(|i| row.get(i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for (i, row) in lines {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            let more = 1 + rows.len();
            return Err(FileProblem::TooManyRows(more));
        }
        rows.push(FileRow {
            line: i + 1,
            payment_ref: cell(&row, 0),
            amount: cell(&row, 1),
            currency: cell(&row, 2),
            reason: cell(&row, 3),
            refund_request_id: cell(&row, 4),
        });
    }
    if rows.is_empty() {
        return Err(FileProblem::Empty);
    }
    Ok(rows)
}

/// A row's refund request ID: its own, or one derived from the file's SHA-256 and the
/// line, so the same file uploaded again asks for the same refunds.
pub fn request_id_for(row: &FileRow, file_sha256: &str) -> String {
    if row.refund_request_id.is_empty() {
        format!(
            "BATCH-{}-{}",
            &file_sha256[..24.min(file_sha256.len())],
            row.line
        )
    } else {
        row.refund_request_id.clone()
    }
}

/// A row whose cells are each well formed: what the dry run checks against the payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedRow {
    pub payment_ref: TransactionRef,
    pub currency: Currency,
    /// None: everything still refundable.
    pub amount_minor: Option<i64>,
    pub reason: Option<String>,
    pub refund_request_id: RefundRequestId,
}

/// A cell that is not well formed: its column and why, in the user's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellProblem {
    pub column: &'static str,
    pub message: String,
}

/// Checks each cell of `row` (amounts in the currency's major units with a point, as
/// files are written whatever the language).
pub fn check_row(
    row: &FileRow,
    file_sha256: &str,
    language: Language,
) -> Result<CheckedRow, CellProblem> {
    let l = language.locale();
    let problem = |column: &'static str, message: String| CellProblem { column, message };
    let payment_ref = TransactionRef::parse("transaction_id", &row.payment_ref).map_err(|_| {
        problem(
            "transaction_id",
            td_string!(l, batches.bad_transaction_id).to_owned(),
        )
    })?;
    let currency = Currency::parse(&row.currency.to_ascii_uppercase()).map_err(|_| {
        let code = &row.currency;
        problem(
            "currency",
            td_display!(l, batches.unknown_currency, code).to_string(),
        )
    })?;
    let amount_minor = if row.amount.is_empty() {
        None
    } else {
        let money = Money::parse_major(&row.amount, currency).map_err(|_| {
            let example = language.money(
                1_250 * 10_i64.pow(currency.minor_units()) / 100,
                &currency.code(),
            );
            problem(
                "amount",
                td_display!(l, batches.bad_amount, example).to_string(),
            )
        })?;
        if money.minor() == 0 {
            return Err(problem(
                "amount",
                td_string!(l, refund.amount_not_positive).to_owned(),
            ));
        }
        Some(money.minor())
    };
    let reason = match row.reason.as_str() {
        "" => None,
        text => {
            check_line(text, REASON_MAX_CHARS).map_err(|_| {
                problem(
                    "reason",
                    td_display!(l, batches.bad_reason, max = REASON_MAX_CHARS).to_string(),
                )
            })?;
            Some(text.to_owned())
        }
    };
    let refund_request_id =
        RefundRequestId::parse(&request_id_for(row, file_sha256)).map_err(|_| {
            problem(
                "refund_request_id",
                td_string!(l, batches.bad_request_id).to_owned(),
            )
        })?;
    Ok(CheckedRow {
        payment_ref,
        currency,
        amount_minor,
        reason,
        refund_request_id,
    })
}

/// Where a batch stands. The names are the `refund_batches.status` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum BatchStatus {
    /// Dry run done; waiting for confirmation.
    Checked,
    Running,
    Paused,
    Cancelled,
    Done,
}

impl BatchStatus {
    pub fn label(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            BatchStatus::Checked => td_string!(l, batches.status_checked),
            BatchStatus::Running => td_string!(l, batches.status_running),
            BatchStatus::Paused => td_string!(l, batches.status_paused),
            BatchStatus::Cancelled => td_string!(l, batches.status_cancelled),
            BatchStatus::Done => td_string!(l, batches.status_done),
        }
    }

    pub fn pill(self) -> &'static str {
        match self {
            BatchStatus::Checked | BatchStatus::Paused | BatchStatus::Running => "processing",
            BatchStatus::Done => "success",
            BatchStatus::Cancelled => "fail",
        }
    }
}

/// A batch as its page shows it, amounts and times in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: i64,
    pub file_name: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub status: BatchStatus,
    pub total_rows: i32,
    pub done_rows: i32,
    /// Rows the dry run found refundable, and refused.
    pub good_rows: i64,
    pub bad_rows: i64,
    /// Per currency: what the good rows would refund (or, once run, refunded).
    pub totals: Vec<String>,
    pub refunded: Vec<String>,
    /// Rows shown on the page (problems first), at most a page of them.
    pub rows: Vec<RowView>,
    /// Payments named by more than one row: (payment, lines).
    pub duplicates: Vec<(String, Vec<i32>)>,
    /// When the page shows only some rows: saying so.
    pub shown_note: Option<String>,
    /// A control the batch refused just now.
    pub notice: Option<String>,
    /// Why the confirmation's payment password was not taken.
    pub password_error: Option<String>,
}

/// One line of the batches page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLine {
    pub id: i64,
    pub file_name: String,
    pub uploaded_at: String,
    pub status: BatchStatus,
    pub done_rows: i32,
    pub total_rows: i32,
}

/// One row of a batch on its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowView {
    pub line: i32,
    pub payment_ref: String,
    /// "Would refund 12.50 USD", or the code and why.
    pub planned: Result<String, (String, String)>,
    /// Once run: the refund ID or the code, with the message.
    pub result: Option<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn the_header_names_the_columns_in_any_order_and_case() {
        let rows = read_rows(table(&[
            &["Currency", "\u{feff}Transaction ID", "AMOUNT"],
            &["USD", "PAY-1", "12.50"],
            &["", "", ""],
            &["usd", "ORD-2", ""],
        ]))
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].payment_ref, "PAY-1");
        assert_eq!(rows[1].line, 4, "blank lines keep the file's numbering");
        assert_eq!(rows[1].amount, "");
    }

    #[test]
    fn a_wrong_header_names_the_column() {
        let missing = read_rows(table(&[&["transaction_id", "amount"], &["PAY-1", "1"]]));
        assert_eq!(missing, Err(FileProblem::MissingColumn("currency".into())));
        let unknown = read_rows(table(&[&["transaction_id", "amount", "currency", "valor"]]));
        assert_eq!(unknown, Err(FileProblem::UnknownColumn("valor".into())));
        let twice = read_rows(table(&[&[
            "transaction_id",
            "amount",
            "currency",
            "Amount",
        ]]));
        assert_eq!(twice, Err(FileProblem::RepeatedColumn("amount".into())));
        assert_eq!(read_rows(vec![]), Err(FileProblem::Empty));
        assert_eq!(
            read_rows(table(&[&["transaction_id", "amount", "currency"]])),
            Err(FileProblem::Empty)
        );
        assert!(FileProblem::MissingColumn("currency".into())
            .message(Language::PtBr)
            .contains("currency"));
    }

    #[test]
    fn more_than_ten_thousand_rows_are_refused() {
        let mut t = table(&[&["transaction_id", "amount", "currency"]]);
        t.extend((0..=MAX_ROWS).map(|i| vec![format!("PAY-{i}"), "1".into(), "USD".into()]));
        assert_eq!(
            read_rows(t.clone()),
            Err(FileProblem::TooManyRows(MAX_ROWS + 1))
        );
        t.pop();
        assert_eq!(read_rows(t).unwrap().len(), MAX_ROWS);
    }

    fn row(payment: &str, amount: &str, currency: &str, reason: &str, rid: &str) -> FileRow {
        FileRow {
            line: 7,
            payment_ref: payment.into(),
            amount: amount.into(),
            currency: currency.into(),
            reason: reason.into(),
            refund_request_id: rid.into(),
        }
    }

    #[test]
    fn each_cell_is_checked_and_a_problem_names_its_column() {
        let sha = "ab".repeat(32);
        let ok = check_row(
            &row("PAY-1", "12.50", "usd", "Recall 召回 🙂", ""),
            &sha,
            Language::En,
        )
        .unwrap();
        assert_eq!(ok.amount_minor, Some(1_250));
        assert_eq!(
            ok.refund_request_id.as_str(),
            format!("BATCH-{}-7", &sha[..24])
        );
        let all = check_row(&row("ORD-9", "", "JPY", "", "MINE-1"), &sha, Language::En).unwrap();
        assert_eq!(
            (all.amount_minor, all.refund_request_id.as_str()),
            (None, "MINE-1")
        );
        for (bad, column) in [
            (row("PAY 1", "1", "USD", "", ""), "transaction_id"),
            (row("", "1", "USD", "", ""), "transaction_id"),
            (row("PAY-1", "1", "XYZ", "", ""), "currency"),
            (row("PAY-1", "12,50", "USD", "", ""), "amount"),
            (row("PAY-1", "1.5", "JPY", "", ""), "amount"),
            (row("PAY-1", "-1", "USD", "", ""), "amount"),
            (row("PAY-1", "0", "USD", "", ""), "amount"),
            (row("PAY-1", "1", "USD", "a\u{0}b", ""), "reason"),
            (
                row("PAY-1", "1", "USD", "", "id with spaces"),
                "refund_request_id",
            ),
        ] {
            let problem = check_row(&bad, &sha, Language::ZhCn).unwrap_err();
            assert_eq!(problem.column, column, "{bad:?}");
            assert!(!problem.message.is_empty());
        }
    }
}
