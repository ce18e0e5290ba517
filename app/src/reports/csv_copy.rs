//! The query page's CSV export made by PostgreSQL itself: `COPY (SELECT …) TO STDOUT
//! WITH (FORMAT csv)` formats amounts, times and fields in SQL, and each record it sends
//! is turned into the bytes [`CsvSink`] would write for the same row (docs/RULES.md, "The
//! CSV file"). Reports keep writing their CSV with [`CsvSink`], from the rows that also
//! feed their XLSX; the tests compare both writers byte for byte.

use super::export::{CsvSink, Out};
use crate::money::Currency;
use crate::transactions::columns::Column;
use crate::transactions::filter::Filter;
use crate::transactions::query::{conditions, Param, FROM};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;
use std::sync::OnceLock;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// A text value PostgreSQL cannot hold (filters refuse these before they get here).
    #[error("a filter value holds a NUL character")]
    Nul,
    /// A record that does not end the way the statement makes every record end.
    #[error("PostgreSQL sent a CSV record that does not end in \",\\n\"")]
    Record,
}

/// The `COPY` statement of an export of `merchant`'s transactions that `filter` lists,
/// newest first like the page, with the columns of `layout`.
///
/// `COPY` takes no bound parameters, so the filter's values are written as SQL string
/// literals: quotes doubled, NUL refused, and [`prepare_session`] makes sure backslashes
/// are plain characters (`standard_conforming_strings`). Each record ends with an extra
/// empty column, so that PostgreSQL never treats a lone value as special (a single
/// column holding `\.` would be quoted) and every record ends in `,\n`.
pub fn copy_statement(
    merchant: Uuid,
    filter: &Filter,
    zone: Tz,
    layout: &[Out],
) -> Result<String, CopyError> {
    let mut sql = String::from("COPY (SELECT ");
    for o in layout {
        sql.push_str(&expression(*o));
        sql.push_str(", ");
    }
    sql.push_str("NULL");
    sql.push_str(FROM);
    sql.push_str(&format!(" WHERE t.merchant_id = '{merchant}'::uuid"));
    for c in conditions(filter, zone) {
        sql.push_str(&c.sql);
        if let Some(value) = &c.value {
            push_literal(&mut sql, value)?;
        }
    }
    sql.push_str(" ORDER BY t.created_at DESC, t.id DESC) TO STDOUT WITH (FORMAT csv)");
    Ok(sql)
}

/// Settings the statement relies on, for this connection: times are written in `zone`,
/// and string literals take backslashes literally.
pub async fn prepare_session(conn: &mut PgConnection, zone: Tz) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"SELECT set_config('TimeZone', $1, false) AS "zone!",
                  set_config('standard_conforming_strings', 'on', false) AS "strings!""#,
        zone.name()
    )
    .fetch_one(conn)
    .await
    .map(|_| ())
}

fn push_literal(sql: &mut String, value: &Param) -> Result<(), CopyError> {
    match value {
        // A quoted literal takes the column's type, char(3) for a code.
        Param::Text(text) | Param::Code(text) => {
            if text.contains('\0') {
                return Err(CopyError::Nul);
            }
            sql.push('\'');
            sql.push_str(&text.replace('\'', "''"));
            sql.push('\'');
        }
        Param::Time(at) => sql.push_str(&format!("'{}'::timestamptz", timestamp(*at))),
        Param::Int(n) => sql.push_str(&n.to_string()),
    }
    Ok(())
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The SQL of one file column, giving what [`CsvSink`] writes for it. NULL is written as
/// nothing, so empty text becomes NULL: PostgreSQL would quote an empty string.
fn expression(o: Out) -> String {
    const LOCAL_TIME: &str = "'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'";
    match o {
        Out::Text(c) => format!("NULLIF({}, '')", formula_safe(text_column(c))),
        Out::Amount => format!("t.amount_minor * {}", unit("t.currency")),
        Out::AmountMinor => "t.amount_minor".to_owned(),
        Out::Currency => "t.currency".to_owned(),
        // Only with its currency, like the amount above.
        Out::SettlementAmount => format!(
            "CASE WHEN t.settlement_currency IS NOT NULL THEN t.settlement_amount_minor * {} END",
            unit("t.settlement_currency")
        ),
        Out::SettlementAmountMinor => "t.settlement_amount_minor".to_owned(),
        Out::SettlementCurrency => "t.settlement_currency".to_owned(),
        // What `Quote` reads: the numeric without the zeros its scale pads it with.
        Out::SettlementQuote => "trim_scale(t.settlement_quote)".to_owned(),
        Out::CreatedAt => format!("to_char(t.created_at, {LOCAL_TIME})"),
        Out::FinishedAt => format!("to_char(t.finished_at, {LOCAL_TIME})"),
    }
}

/// `column` marked as text where it would start a formula, as
/// [`crate::text::formula_safe`] does: a leading `'`.
fn formula_safe(column: &str) -> String {
    let starts: Vec<String> = crate::text::FORMULA_STARTS
        .iter()
        .map(|c| format!("chr({})", u32::from(*c)))
        .collect();
    format!(
        "CASE WHEN left({column}, 1) IN ({}) THEN '''' || {column} ELSE {column} END",
        starts.join(", ")
    )
}

/// The column of a plain text field; money and times are not plain.
fn text_column(c: Column) -> &'static str {
    match c {
        Column::TransactionId => "t.transaction_id",
        Column::ReferenceTransactionId => "t.reference_transaction_id",
        Column::TransactionRequestId => "t.transaction_request_id",
        Column::AcquirerTransactionId => "t.acquirer_transaction_id",
        Column::SerialNo => "t.serial_no",
        Column::TransactionType => "t.transaction_type",
        Column::Status => "t.status",
        Column::PaymentMethod => "t.payment_method_type",
        Column::Acquirer => "t.acquirer_code",
        Column::OriginalTransactionId => "t.original_transaction_id",
        Column::Reason => "t.reason",
        Column::Amount
        | Column::Currency
        | Column::SettlementAmount
        | Column::SettlementCurrency
        | Column::SettlementQuote
        | Column::CreatedAt
        | Column::FinishedAt => "NULL",
    }
}

/// One minor unit of the currency in `column` as an SQL numeric (0.01 for USD, 1 for
/// JPY, 0.001 for BHD): minor units times it is the plain decimal, with exactly the
/// currency's decimals. Codes outside ISO 4217 get 1, so their minor units show as is,
/// as [`Money`](crate::money::Money) formats them.
fn unit(column: &str) -> String {
    let groups = currencies_by_decimals();
    let mut sql = String::from("CASE");
    for (decimals, codes) in groups.iter().enumerate().skip(1) {
        if codes.is_empty() {
            continue;
        }
        let list: Vec<String> = codes.iter().map(|c| format!("'{c}'")).collect();
        sql.push_str(&format!(
            " WHEN {column} IN ({}) THEN 0.{}1",
            list.join(", "),
            "0".repeat(decimals - 1)
        ));
    }
    sql.push_str(" ELSE 1 END");
    sql
}

/// ISO 4217 codes by their number of decimals (index 0 to 4). The currency crate offers
/// no list without another dependency, so every three-letter code is asked once.
fn currencies_by_decimals() -> &'static [Vec<String>; 5] {
    static GROUPS: OnceLock<[Vec<String>; 5]> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut groups: [Vec<String>; 5] = Default::default();
        let letters = b'A'..=b'Z';
        for a in letters.clone() {
            for b in letters.clone() {
                for c in letters.clone() {
                    let code = String::from_utf8(vec![a, b, c]).expect("ASCII");
                    if let Ok(currency) = Currency::parse(&code) {
                        let decimals = (currency.minor_units() as usize).min(4);
                        groups[decimals].push(code);
                    }
                }
            }
        }
        groups
    })
}

/// Turns PostgreSQL's CSV records into the export's bytes.
pub struct Records {
    single_column: bool,
}

impl Records {
    /// The records of a file with `layout`, and the file's start: the byte-order mark
    /// and the header line, as [`CsvSink`] writes them.
    pub fn start(layout: &[Out], zone: Tz) -> Result<(Records, Vec<u8>), csv::Error> {
        let header = CsvSink::new(layout.to_vec(), zone)?.take()?;
        Ok((
            Records {
                single_column: layout.len() == 1,
            },
            header,
        ))
    }

    /// Appends one record as `COPY` sent it (one record per message: fields, the extra
    /// empty column and `\n`) to `out`, ending it with CRLF like the rest of the file.
    /// Newlines inside quoted fields stay as they are, as the CSV writer leaves them.
    pub fn push(&self, record: &[u8], out: &mut Vec<u8>) -> Result<(), CopyError> {
        let fields = record.strip_suffix(b",\n").ok_or(CopyError::Record)?;
        if fields.is_empty() && self.single_column {
            // A record of one empty field is written quoted, or it would be a blank line.
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(fields);
        out.extend_from_slice(b"\r\n");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::export::layout;

    #[test]
    fn records_end_in_crlf_and_a_lone_empty_field_is_quoted() {
        let zone = chrono_tz::Asia::Shanghai;
        let (records, header) = Records::start(&layout(&[Column::Reason]), zone).unwrap();
        assert_eq!(header, "\u{feff}Reason\r\n".as_bytes());
        let mut out = Vec::new();
        records.push(b",\n", &mut out).unwrap();
        records.push(b"\"a\nb\",\n", &mut out).unwrap();
        records.push(b"\\.,\n", &mut out).unwrap();
        assert_eq!(out, b"\"\"\r\n\"a\nb\"\r\n\\.\r\n");
        assert!(matches!(
            records.push(b"no end", &mut out),
            Err(CopyError::Record)
        ));

        let (two, _) =
            Records::start(&layout(&[Column::TransactionId, Column::Reason]), zone).unwrap();
        let mut out = Vec::new();
        two.push(b"T1,,\n", &mut out).unwrap();
        assert_eq!(out, b"T1,\r\n");
    }

    #[test]
    fn literals_double_quotes_and_refuse_nul() {
        let mut sql = String::new();
        push_literal(&mut sql, &Param::Text("O'Brien \\' 茶".into())).unwrap();
        assert_eq!(sql, "'O''Brien \\'' 茶'");
        assert!(matches!(
            push_literal(&mut sql, &Param::Text("a\0b".into())),
            Err(CopyError::Nul)
        ));
        let mut sql = String::new();
        let at = DateTime::from_timestamp_micros(1_764_446_711_000_123).unwrap();
        push_literal(&mut sql, &Param::Time(at)).unwrap();
        push_literal(&mut sql, &Param::Int(-5)).unwrap();
        assert_eq!(sql, "'2025-11-29T20:05:11.000123Z'::timestamptz-5");
    }

    #[test]
    fn units_follow_the_currency_decimals() {
        let groups = currencies_by_decimals();
        assert!(groups[2].contains(&"USD".to_owned()));
        assert!(groups[0].contains(&"JPY".to_owned()));
        assert!(groups[3].contains(&"KWD".to_owned()));
        let case = unit("c");
        assert!(case.starts_with("CASE WHEN c IN ('"), "{case}");
        assert!(case.contains("THEN 0.01 WHEN"), "{case}");
        assert!(case.contains("THEN 0.001"), "{case}");
        assert!(case.ends_with(" ELSE 1 END"), "{case}");
    }
}
