//! Every transaction field a user can show in the query table (display settings) or
//! put in an export, in one list.

use crate::i18n::td_string;
use crate::locale::Language;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Column {
    TransactionId,
    ReferenceTransactionId,
    TransactionRequestId,
    AcquirerTransactionId,
    SerialNo,
    TransactionType,
    Status,
    Amount,
    Currency,
    SettlementAmount,
    SettlementCurrency,
    SettlementQuote,
    PaymentMethod,
    Acquirer,
    OriginalTransactionId,
    Reason,
    CreatedAt,
    FinishedAt,
}

impl Column {
    pub const ALL: [Column; 18] = [
        Column::TransactionId,
        Column::ReferenceTransactionId,
        Column::TransactionRequestId,
        Column::AcquirerTransactionId,
        Column::SerialNo,
        Column::TransactionType,
        Column::Status,
        Column::Amount,
        Column::Currency,
        Column::SettlementAmount,
        Column::SettlementCurrency,
        Column::SettlementQuote,
        Column::PaymentMethod,
        Column::Acquirer,
        Column::OriginalTransactionId,
        Column::Reason,
        Column::CreatedAt,
        Column::FinishedAt,
    ];

    /// What a new user sees until they choose.
    pub const DEFAULT: [Column; 8] = [
        Column::TransactionId,
        Column::CreatedAt,
        Column::TransactionType,
        Column::Status,
        Column::Amount,
        Column::PaymentMethod,
        Column::Acquirer,
        Column::ReferenceTransactionId,
    ];

    /// The fields an export offers ticked before the user chooses.
    pub const EXPORT_DEFAULT: [Column; 10] = [
        Column::TransactionId,
        Column::ReferenceTransactionId,
        Column::TransactionType,
        Column::Status,
        Column::Amount,
        Column::SettlementAmount,
        Column::PaymentMethod,
        Column::Acquirer,
        Column::CreatedAt,
        Column::FinishedAt,
    ];

    /// The stable name stored in settings and used in forms.
    pub fn key(self) -> &'static str {
        match self {
            Column::TransactionId => "transaction_id",
            Column::ReferenceTransactionId => "reference_transaction_id",
            Column::TransactionRequestId => "transaction_request_id",
            Column::AcquirerTransactionId => "acquirer_transaction_id",
            Column::SerialNo => "serial_no",
            Column::TransactionType => "transaction_type",
            Column::Status => "status",
            Column::Amount => "amount",
            Column::Currency => "currency",
            Column::SettlementAmount => "settlement_amount",
            Column::SettlementCurrency => "settlement_currency",
            Column::SettlementQuote => "settlement_quote",
            Column::PaymentMethod => "payment_method",
            Column::Acquirer => "acquirer",
            Column::OriginalTransactionId => "original_transaction_id",
            Column::Reason => "reason",
            Column::CreatedAt => "created_at",
            Column::FinishedAt => "finished_at",
        }
    }

    /// The English name, as export files head their columns by default.
    pub fn label(self) -> &'static str {
        self.label_in(Language::En)
    }

    /// The name pages show, in `language`.
    pub fn label_in(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            Column::TransactionId => td_string!(l, columns.transaction_id),
            Column::ReferenceTransactionId => td_string!(l, columns.reference_transaction_id),
            Column::TransactionRequestId => td_string!(l, columns.transaction_request_id),
            Column::AcquirerTransactionId => td_string!(l, columns.acquirer_transaction_id),
            Column::SerialNo => td_string!(l, columns.serial_no),
            Column::TransactionType => td_string!(l, columns.transaction_type),
            Column::Status => td_string!(l, columns.status),
            Column::Amount => td_string!(l, columns.amount),
            Column::Currency => td_string!(l, columns.currency),
            Column::SettlementAmount => td_string!(l, columns.settlement_amount),
            Column::SettlementCurrency => td_string!(l, columns.settlement_currency),
            Column::SettlementQuote => td_string!(l, columns.settlement_quote),
            Column::PaymentMethod => td_string!(l, columns.payment_method),
            Column::Acquirer => td_string!(l, columns.acquirer),
            Column::OriginalTransactionId => td_string!(l, columns.original_transaction_id),
            Column::Reason => td_string!(l, columns.reason),
            Column::CreatedAt => td_string!(l, columns.created_at),
            Column::FinishedAt => td_string!(l, columns.finished_at),
        }
    }

    pub fn parse(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Numbers are right-aligned with tabular figures.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Column::Amount | Column::SettlementAmount | Column::SettlementQuote
        )
    }
}

/// Stored column keys back to columns: unknown keys (from an older version) are
/// dropped, duplicates kept once, and an empty choice falls back to the defaults.
pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<Column> {
    let mut columns = Vec::new();
    for column in keys.into_iter().filter_map(Column::parse) {
        if !columns.contains(&column) {
            columns.push(column);
        }
    }
    if columns.is_empty() {
        Column::DEFAULT.to_vec()
    } else {
        columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_round_trips_through_its_key() {
        for c in Column::ALL {
            assert_eq!(Column::parse(c.key()), Some(c));
        }
    }

    #[test]
    fn labels_are_in_each_language() {
        assert_eq!(Column::FinishedAt.label(), "Finish time");
        assert_eq!(Column::Currency.label_in(Language::ZhCn), "币种");
        assert_eq!(Column::Amount.label_in(Language::PtBr), "Valor");
    }

    #[test]
    fn stored_choices_are_cleaned() {
        assert_eq!(
            from_keys(["status", "bogus", "status", "amount"]),
            [Column::Status, Column::Amount]
        );
        assert_eq!(from_keys([]), Column::DEFAULT.to_vec());
    }
}

/// A change to the chosen columns, as the display settings buttons send it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Show(Column),
    Hide(Column),
    MoveUp(Column),
    MoveDown(Column),
    Reset,
}

impl Change {
    /// `show:amount`, `hide:amount`, `up:amount`, `down:amount` or `reset`.
    pub fn parse(s: &str) -> Option<Change> {
        if s == "reset" {
            return Some(Change::Reset);
        }
        let (verb, key) = s.split_once(':')?;
        let column = Column::parse(key)?;
        match verb {
            "show" => Some(Change::Show(column)),
            "hide" => Some(Change::Hide(column)),
            "up" => Some(Change::MoveUp(column)),
            "down" => Some(Change::MoveDown(column)),
            _ => None,
        }
    }
}

/// `columns` after `change`. The Transaction ID stays: it is the link to the details.
pub fn apply(mut columns: Vec<Column>, change: Change) -> Vec<Column> {
    let position = |columns: &[Column], c: Column| columns.iter().position(|x| *x == c);
    match change {
        Change::Reset => return Column::DEFAULT.to_vec(),
        Change::Show(c) if position(&columns, c).is_none() => columns.push(c),
        Change::Hide(c) if c != Column::TransactionId => columns.retain(|x| *x != c),
        Change::MoveUp(c) => {
            if let Some(i) = position(&columns, c).filter(|i| *i > 0) {
                columns.swap(i, i - 1);
            }
        }
        Change::MoveDown(c) => {
            if let Some(i) = position(&columns, c).filter(|i| i + 1 < columns.len()) {
                columns.swap(i, i + 1);
            }
        }
        _ => {}
    }
    columns
}

#[cfg(test)]
mod change_tests {
    use super::*;

    #[test]
    fn columns_are_shown_hidden_and_moved() {
        let start = vec![Column::TransactionId, Column::Status];
        let shown = apply(start.clone(), Change::parse("show:amount").unwrap());
        assert_eq!(
            shown,
            [Column::TransactionId, Column::Status, Column::Amount]
        );
        let moved = apply(shown, Change::parse("up:amount").unwrap());
        assert_eq!(
            moved,
            [Column::TransactionId, Column::Amount, Column::Status]
        );
        let moved = apply(moved, Change::MoveUp(Column::TransactionId));
        assert_eq!(
            moved[0],
            Column::TransactionId,
            "the first column cannot move up"
        );
        assert_eq!(
            apply(moved.clone(), Change::Hide(Column::Amount)),
            [Column::TransactionId, Column::Status]
        );
        assert_eq!(
            apply(moved, Change::Hide(Column::TransactionId))[0],
            Column::TransactionId
        );
        assert_eq!(Change::parse("drop:amount"), None);
        assert_eq!(Change::parse("show:nope"), None);
    }
}
