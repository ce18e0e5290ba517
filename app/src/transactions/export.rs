//! What the transaction export says, for the download handlers (server/src/exports.rs):
//! its column headers in a language, and its refusals in the user's.

use crate::auth::Role;
use crate::i18n::{td_display, td_string};
use crate::locale::Language;
use crate::reports::export::Out;
use crate::transactions::columns::Column;

/// The language an export's columns are headed in, from `headers=` on the export form
/// or in a link; `None` for a value the form does not offer. English unless the user
/// asks for theirs (`headers=language`): the scripts and spreadsheets that read exports
/// find their columns by these headers, so by default they stay the same whoever
/// exports, whatever their language. The .csv and the .xlsx follow the choice alike.
pub fn header_language(choice: Option<&str>, user: Language) -> Option<Language> {
    match choice.map(str::trim) {
        None | Some("" | "en") => Some(Language::En),
        Some("language") => Some(user),
        Some(_) => None,
    }
}

/// The header of export column `o` in `language`, with `zone` the name of the file's
/// time zone. English is `Out::header`, what files have always been headed with.
pub fn header(o: Out, zone: &str, language: Language) -> String {
    let l = language.locale();
    let label = |c: Column| c.label_in(language).to_owned();
    match o {
        _ if language == Language::En => o.header(zone),
        Out::Text(c) => label(c),
        Out::Amount => label(Column::Amount),
        Out::AmountMinor => td_string!(l, exports.amount_minor).to_owned(),
        Out::Currency => label(Column::Currency),
        Out::SettlementAmount => label(Column::SettlementAmount),
        Out::SettlementAmountMinor => td_string!(l, exports.settlement_amount_minor).to_owned(),
        Out::SettlementCurrency => label(Column::SettlementCurrency),
        Out::SettlementQuote => label(Column::SettlementQuote),
        Out::CreatedAt => td_display!(l, exports.created_at_zone, zone).to_string(),
        Out::FinishedAt => td_display!(l, exports.finished_at_zone, zone).to_string(),
    }
}

/// The headers of `layout` in `language`, one per column.
pub fn headers(layout: &[Out], zone: &str, language: Language) -> Vec<String> {
    layout.iter().map(|o| header(*o, zone, language)).collect()
}

/// The start of a CSV file with `layout` headed in `language`: the byte-order mark and
/// the header line, as `crate::reports::csv_copy::Records::start` writes the English one.
pub fn csv_start(layout: &[Out], zone: &str, language: Language) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record(headers(layout, zone, language))?;
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// Why a download is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    SignedOut,
    /// The user's role may not download.
    Forbidden(Role),
    NoSuchExport,
    NotRunning,
    UnknownZone,
    UnknownHeaders,
    Cancelled,
    /// A fault the user may overcome by trying again.
    FailedTryAgain,
    Failed,
    /// More rows than an .xlsx sheet holds (the most it holds).
    TooManyRows(u64),
    NoReport,
    /// A report of a day or month not closed yet, or before the merchant's first day.
    NoReportYet,
    ReportFailed,
}

impl Refusal {
    /// The answer's HTTP status.
    pub fn status(self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            Refusal::SignedOut => S::UNAUTHORIZED,
            Refusal::Forbidden(_) => S::FORBIDDEN,
            Refusal::NoSuchExport | Refusal::NotRunning => S::NOT_FOUND,
            Refusal::NoReport | Refusal::NoReportYet => S::NOT_FOUND,
            Refusal::UnknownZone | Refusal::UnknownHeaders => S::BAD_REQUEST,
            Refusal::Cancelled => S::CONFLICT,
            Refusal::TooManyRows(_) => S::UNPROCESSABLE_ENTITY,
            Refusal::FailedTryAgain | Refusal::Failed | Refusal::ReportFailed => {
                S::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// What the user reads, in `language`.
    pub fn message(self, language: Language) -> String {
        let l = language.locale();
        match self {
            Refusal::SignedOut => td_string!(l, exports.sign_in_again).to_owned(),
            Refusal::Forbidden(role) => {
                let role = role.label(language);
                td_display!(l, exports.forbidden, role).to_string()
            }
            Refusal::NoSuchExport => td_string!(l, exports.no_such_export).to_owned(),
            Refusal::NotRunning => td_string!(l, exports.not_running).to_owned(),
            Refusal::UnknownZone => td_string!(l, exports.choose_zone).to_owned(),
            Refusal::UnknownHeaders => td_string!(l, exports.headers_choice).to_owned(),
            Refusal::Cancelled => td_string!(l, exports.export_cancelled).to_owned(),
            Refusal::FailedTryAgain => td_string!(l, exports.export_failed_retry).to_owned(),
            Refusal::Failed => td_string!(l, exports.export_failed).to_owned(),
            Refusal::TooManyRows(max) => {
                let max = language.integer(max);
                td_display!(l, exports.too_many_rows, max).to_string()
            }
            Refusal::NoReport => td_string!(l, exports.no_report).to_owned(),
            Refusal::NoReportYet => td_string!(l, exports.no_report_yet).to_owned(),
            Refusal::ReportFailed => td_string!(l, exports.report_failed).to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::export::layout;

    #[test]
    fn files_are_headed_in_english_unless_the_user_asks() {
        assert_eq!(header_language(None, Language::PtBr), Some(Language::En));
        assert_eq!(
            header_language(Some("en"), Language::PtBr),
            Some(Language::En)
        );
        assert_eq!(
            header_language(Some("language"), Language::ZhCn),
            Some(Language::ZhCn)
        );
        assert_eq!(header_language(Some("fr"), Language::En), None);
    }

    #[test]
    fn headers_are_written_in_the_language_chosen() {
        let columns = layout(&[Column::TransactionId, Column::Amount, Column::CreatedAt]);
        let line = |language| {
            let bytes = csv_start(&columns, "Asia/Shanghai", language).unwrap();
            String::from_utf8(bytes).unwrap()
        };
        assert_eq!(
            line(Language::En),
            "\u{feff}Transaction ID,Amount,Amount (minor units),Currency,Creation time (Asia/Shanghai)\r\n"
        );
        assert_eq!(
            line(Language::PtBr),
            "\u{feff}ID da transação,Valor,Valor (unidades menores),Moeda,Data de criação (Asia/Shanghai)\r\n"
        );
        assert_eq!(
            line(Language::ZhCn),
            "\u{feff}交易 ID,金额,金额（最小单位）,币种,创建时间（Asia/Shanghai）\r\n"
        );
        // English is the header every export had, word for word.
        for o in &columns {
            let english = o.header("UTC");
            assert_eq!(header(*o, "UTC", Language::En), english);
        }
    }

    #[test]
    fn refusals_are_in_the_users_language() {
        assert_eq!(
            Refusal::Forbidden(Role::Viewer).message(Language::En),
            "Your role (Viewer) does not allow downloads."
        );
        assert_eq!(
            Refusal::TooManyRows(1_048_575).message(Language::PtBr),
            "Mais de 1.048.575 linhas: uma planilha .xlsx não comporta. Restrinja o filtro ou exporte em .csv."
        );
        assert_eq!(Refusal::SignedOut.message(Language::ZhCn), "请重新登录。");
        assert_eq!(Refusal::SignedOut.status(), http::StatusCode::UNAUTHORIZED);
        assert_eq!(Refusal::Cancelled.status(), http::StatusCode::CONFLICT);
    }
}
