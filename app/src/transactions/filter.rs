//! The transaction query's filters as they arrive in the URL, and their parsing into a
//! [`Filter`] the database query can trust. Every bad value becomes a message for the
//! field it came from; nothing from the URL reaches SQL unparsed.

use super::columns::Column;
use super::kind::{TransactionStatus, TransactionType};
use crate::i18n::{td_display, td_string};
use crate::locale::Language;
use crate::money::Currency;
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// The longest creation-time range one query may span (docs/RULES.md).
pub const MAX_RANGE_DAYS: u64 = 40;
/// The range a query spans when the URL names none: the last 7 days.
pub const DEFAULT_RANGE_DAYS: u64 = 7;
pub const PAGE_SIZES: [i64; 3] = [20, 50, 100];

/// The query string of the transaction query page, as typed or linked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub currency: Option<String>,
    pub serial: Option<String>,
    pub kind: Option<String>,
    pub method: Option<String>,
    pub acquirer: Option<String>,
    pub status: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub id_type: Option<String>,
    pub id: Option<String>,
    pub size: Option<String>,
    pub sort: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
}

impl QueryParams {
    /// The names used in the URL, paired with their values, in a stable order.
    pub fn pairs(&self) -> Vec<(&'static str, &Option<String>)> {
        vec![
            ("from", &self.from),
            ("to", &self.to),
            ("currency", &self.currency),
            ("serial", &self.serial),
            ("kind", &self.kind),
            ("method", &self.method),
            ("acquirer", &self.acquirer),
            ("status", &self.status),
            ("min", &self.min),
            ("max", &self.max),
            ("id_type", &self.id_type),
            ("id", &self.id),
            ("size", &self.size),
            ("sort", &self.sort),
            ("after", &self.after),
            ("before", &self.before),
        ]
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> QueryParams {
        QueryParams {
            from: get("from"),
            to: get("to"),
            currency: get("currency"),
            serial: get("serial"),
            kind: get("kind"),
            method: get("method"),
            acquirer: get("acquirer"),
            status: get("status"),
            min: get("min"),
            max: get("max"),
            id_type: get("id_type"),
            id: get("id"),
            size: get("size"),
            sort: get("sort"),
            after: get("after"),
            before: get("before"),
        }
    }
}

#[cfg(test)]
impl QueryParams {
    /// The query a URL with `pairs` gives (for tests).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> QueryParams {
        QueryParams::from_lookup(|k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }
}

/// The four IDs a transaction can be found by (docs/RULES.md), named in the URL by
/// their column's key.
pub const ID_TYPES: [Column; 4] = [
    Column::TransactionId,
    Column::ReferenceTransactionId,
    Column::TransactionRequestId,
    Column::AcquirerTransactionId,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdType {
    TransactionId,
    ReferenceTransactionId,
    TransactionRequestId,
    AcquirerTransactionId,
}

impl IdType {
    pub fn column(self) -> &'static str {
        match self {
            IdType::TransactionId => "transaction_id",
            IdType::ReferenceTransactionId => "reference_transaction_id",
            IdType::TransactionRequestId => "transaction_request_id",
            IdType::AcquirerTransactionId => "acquirer_transaction_id",
        }
    }
}

/// The creation-date ranges offered beside the date fields, each ending no later than
/// today in the merchant's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePreset {
    Today,
    Yesterday,
    Last7Days,
    ThisMonth,
    LastMonth,
}

impl DatePreset {
    pub const ALL: [DatePreset; 5] = [
        DatePreset::Today,
        DatePreset::Yesterday,
        DatePreset::Last7Days,
        DatePreset::ThisMonth,
        DatePreset::LastMonth,
    ];

    pub fn label(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            DatePreset::Today => td_string!(l, filters.today),
            DatePreset::Yesterday => td_string!(l, filters.yesterday),
            DatePreset::Last7Days => td_string!(l, filters.last_7_days),
            DatePreset::ThisMonth => td_string!(l, filters.this_month),
            DatePreset::LastMonth => td_string!(l, filters.last_month),
        }
    }

    /// The first and last dates of the range, both inclusive, when today is `today`.
    /// Every range is within [`MAX_RANGE_DAYS`].
    pub fn range(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let yesterday = today.pred_opt().unwrap_or(today);
        let first_of_month = today.with_day(1).unwrap_or(today);
        match self {
            DatePreset::Today => (today, today),
            DatePreset::Yesterday => (yesterday, yesterday),
            DatePreset::Last7Days => (
                today
                    .checked_sub_days(Days::new(DEFAULT_RANGE_DAYS - 1))
                    .unwrap_or(today),
                today,
            ),
            DatePreset::ThisMonth => (first_of_month, today),
            DatePreset::LastMonth => {
                let last = first_of_month.pred_opt().unwrap_or(first_of_month);
                (last.with_day(1).unwrap_or(last), last)
            }
        }
    }
}

/// The order of a list. Every order ends on the creation time and the row id, so that
/// rows never tie and a page boundary is one exact position (docs/RULES.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    LargestAmount,
    SmallestAmount,
}

impl Sort {
    pub const ALL: [Sort; 4] = [
        Sort::Newest,
        Sort::Oldest,
        Sort::LargestAmount,
        Sort::SmallestAmount,
    ];

    /// Its value in the URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::LargestAmount => "amount_desc",
            Sort::SmallestAmount => "amount_asc",
        }
    }

    pub fn label(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            Sort::Newest => td_string!(l, filters.newest),
            Sort::Oldest => td_string!(l, filters.oldest),
            Sort::LargestAmount => td_string!(l, filters.largest),
            Sort::SmallestAmount => td_string!(l, filters.smallest),
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|sort| sort.as_str() == s)
    }

    pub fn by_amount(self) -> bool {
        matches!(self, Sort::LargestAmount | Sort::SmallestAmount)
    }

    pub fn descending(self) -> bool {
        matches!(self, Sort::Newest | Sort::LargestAmount)
    }
}

/// A position in a sorted list: the amount (in amount orders only), the creation time
/// (µs since the epoch) and the row id of the last row seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub amount_minor: Option<i64>,
    pub created_micros: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(self) -> String {
        match self.amount_minor {
            Some(amount) => format!("{amount}.{}.{}", self.created_micros, self.id),
            None => format!("{}.{}", self.created_micros, self.id),
        }
    }

    pub fn parse(s: &str) -> Option<Cursor> {
        let parts: Vec<i64> = s
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        match parts[..] {
            [created_micros, id] => Some(Cursor {
                amount_minor: None,
                created_micros,
                id,
            }),
            [amount, created_micros, id] => Some(Cursor {
                amount_minor: Some(amount),
                created_micros,
                id,
            }),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Older rows than the cursor (the next page).
    After(Cursor),
    /// Newer rows than the cursor (the previous page).
    Before(Cursor),
    First,
}

/// A filter that has been checked field by field.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// Creation dates in the merchant's zone, both inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: Option<Currency>,
    pub serial: Option<String>,
    pub kind: Option<TransactionType>,
    pub method: Option<String>,
    pub acquirer: Option<String>,
    /// None: any status.
    pub status: Option<TransactionStatus>,
    pub min_minor: Option<i64>,
    pub max_minor: Option<i64>,
    /// An exact ID: when present the other filters do not apply.
    pub id: Option<(IdType, String)>,
    pub page_size: i64,
    pub sort: Sort,
    pub direction: Direction,
}

/// Messages for the fields that were not understood, by field name, in the language of
/// the person who reads them: the parsers here ([`parse_date`], [`parse_direction`])
/// write theirs in it. `default()` writes English.
/// On the wire, the list of (field, message) pairs alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldErrors {
    messages: Vec<(String, String)>,
    /// Only needed while the messages are written, on the server.
    #[serde(skip)]
    language: Language,
}

impl FieldErrors {
    pub fn new(language: Language) -> FieldErrors {
        FieldErrors {
            messages: Vec::new(),
            language,
        }
    }

    /// The language the messages are to be written in.
    pub fn language(&self) -> Language {
        self.language
    }

    pub fn get(&self, field: &str) -> Option<String> {
        self.messages
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.messages.push((field.to_owned(), message.into()));
    }

    /// Every (field, message), in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.messages.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

/// Trimmed, and None when empty: an empty form field means "no filter".
pub fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The dates a filter may name. Payments are from this century; the bounds keep every
/// date sum and time-zone conversion far from the ends of the calendar.
pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
pub const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2999, 12, 31).expect("a date");

/// A YYYY-MM-DD date field from 2000 to 2999; None when empty, or when malformed
/// (noted in `errors`).
pub fn parse_date(
    field: &str,
    value: &Option<String>,
    errors: &mut FieldErrors,
) -> Option<NaiveDate> {
    let l = errors.language().locale();
    present(value).and_then(|v| match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) if (EARLIEST_DATE..=LATEST_DATE).contains(&d) => Some(d),
        Ok(_) => {
            errors.add(field, td_string!(l, filters.date_out_of_range));
            None
        }
        Err(_) => {
            errors.add(field, td_string!(l, filters.date_format));
            None
        }
    })
}

fn damaged_link(language: Language) -> &'static str {
    td_string!(language.locale(), filters.damaged_link)
}

/// The page asked for by the `after` / `before` cursors of a keyset-paged list; a
/// damaged cursor is noted in `errors` under "page".
pub fn parse_direction(
    after: &Option<String>,
    before: &Option<String>,
    errors: &mut FieldErrors,
) -> Direction {
    let mut cursor = |value: &Option<String>| {
        present(value).and_then(|v| {
            let c = Cursor::parse(v);
            if c.is_none() {
                errors.add("page", damaged_link(errors.language()));
            }
            c
        })
    };
    match (cursor(after), cursor(before)) {
        (Some(c), _) => Direction::After(c),
        (None, Some(c)) => Direction::Before(c),
        (None, None) => Direction::First,
    }
}

/// A code from one of the option lists: capitals, digits and underscores.
fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// An ID as merchants and acquirers write them: up to 64 visible ASCII characters.
fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_graphic())
}

/// Parses `params`, with `today` the current date in the merchant's zone; messages in
/// English (see [`parse_in`]).
pub fn parse(params: &QueryParams, today: NaiveDate) -> Result<Filter, FieldErrors> {
    parse_in(params, today, Language::En)
}

/// [`parse`] for a user of `language`: the messages are in it, and amounts may be typed
/// with its decimal separator.
pub fn parse_in(
    params: &QueryParams,
    today: NaiveDate,
    language: Language,
) -> Result<Filter, FieldErrors> {
    let l = language.locale();
    let mut errors = FieldErrors::new(language);
    let to = parse_date("to", &params.to, &mut errors).unwrap_or(today);
    let from = parse_date("from", &params.from, &mut errors).unwrap_or_else(|| {
        to.checked_sub_days(Days::new(DEFAULT_RANGE_DAYS - 1))
            .unwrap_or(to)
    });
    if from > to {
        errors.add("from", td_string!(l, filters.start_after_end));
    } else if (to - from).num_days() as u64 + 1 > MAX_RANGE_DAYS {
        errors.add(
            "from",
            td_display!(l, filters.range_too_long, days = MAX_RANGE_DAYS).to_string(),
        );
    }

    let currency = present(&params.currency).and_then(|c| match Currency::parse(c) {
        Ok(c) => Some(c),
        Err(_) => {
            errors.add("currency", td_string!(l, filters.currency));
            None
        }
    });
    let serial = present(&params.serial).and_then(|s| {
        if s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit()) {
            Some(s.to_owned())
        } else {
            errors.add("serial", td_string!(l, filters.serial));
            None
        }
    });
    fn pick<T: std::str::FromStr>(
        field: &str,
        value: &Option<String>,
        errors: &mut FieldErrors,
    ) -> Option<T> {
        present(value).and_then(|v| match v.parse() {
            Ok(t) => Some(t),
            Err(_) => {
                errors.add(
                    field,
                    td_string!(errors.language().locale(), filters.from_list),
                );
                None
            }
        })
    }
    let kind = pick("kind", &params.kind, &mut errors);
    // Successful transactions unless the user asks for another status or any.
    let status = match present(&params.status) {
        Some("ANY") => None,
        None => Some(TransactionStatus::Success),
        Some(_) => pick("status", &params.status, &mut errors),
    };
    let code = |field: &str, value: &Option<String>, errors: &mut FieldErrors| {
        present(value).and_then(|v| {
            if is_code(v) {
                Some(v.to_owned())
            } else {
                errors.add(
                    field,
                    td_string!(errors.language().locale(), filters.from_list),
                );
                None
            }
        })
    };
    let method = code("method", &params.method, &mut errors);
    let acquirer = code("acquirer", &params.acquirer, &mut errors);

    let amount = |field: &str, value: &Option<String>, errors: &mut FieldErrors| {
        let v = present(value)?;
        let Some(currency) = currency else {
            if present(&params.currency).is_none() {
                errors.add(field, td_string!(l, filters.amount_needs_currency));
            }
            return None;
        };
        let typed = language.decimal_input(v);
        match crate::money::Money::parse_major(&typed, currency).map(|m| m.minor()) {
            Ok(minor) => Some(minor),
            Err(_) => {
                errors.add(field, amount_problem(language, &typed, currency));
                None
            }
        }
    };
    let min_minor = amount("min", &params.min, &mut errors);
    let max_minor = amount("max", &params.max, &mut errors);
    if let (Some(min), Some(max)) = (min_minor, max_minor) {
        if min > max {
            errors.add("max", td_string!(l, filters.max_below_min));
        }
    }

    let id = match (present(&params.id_type), present(&params.id)) {
        (_, None) => None,
        (id_type, Some(value)) => {
            let id_type = match id_type.unwrap_or("transaction_id") {
                "transaction_id" => Some(IdType::TransactionId),
                "reference_transaction_id" => Some(IdType::ReferenceTransactionId),
                "transaction_request_id" => Some(IdType::TransactionRequestId),
                "acquirer_transaction_id" => Some(IdType::AcquirerTransactionId),
                _ => {
                    errors.add("id_type", td_string!(l, filters.id_type));
                    None
                }
            };
            if !is_id(value) {
                errors.add("id", td_string!(l, filters.id));
            }
            id_type
                .filter(|_| is_id(value))
                .map(|t| (t, value.to_owned()))
        }
    };

    let page_size = match present(&params.size) {
        None => PAGE_SIZES[0],
        Some(s) => match s.parse::<i64>().ok().filter(|n| PAGE_SIZES.contains(n)) {
            Some(n) => n,
            None => {
                errors.add("size", td_string!(l, filters.size));
                PAGE_SIZES[0]
            }
        },
    };
    let sort = present(&params.sort).map_or(Some(Sort::default()), Sort::parse);
    match sort {
        None => errors.add("sort", td_string!(l, filters.sort)),
        // Amounts of two currencies do not compare, and sorting every currency's rows
        // of a period would read them all (docs/PERFORMANCE.md).
        Some(s) if s.by_amount() && present(&params.currency).is_none() => {
            errors.add("sort", td_string!(l, filters.sort_needs_currency))
        }
        Some(_) => {}
    }
    let sort = sort.unwrap_or_default();
    let direction = parse_direction(&params.after, &params.before, &mut errors);
    // A page link carries the amount exactly when its list is sorted by amount.
    if let Direction::After(c) | Direction::Before(c) = direction {
        if c.amount_minor.is_some() != sort.by_amount() {
            errors.add("page", damaged_link(language));
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Filter {
        from,
        to,
        currency,
        serial,
        kind,
        method,
        acquirer,
        status,
        min_minor,
        max_minor,
        id,
        page_size,
        sort,
        direction,
    })
}

/// Why `Money::parse_major` refused `typed` (already through `decimal_input`), in
/// `language`: its own messages are English. The checks follow its order.
fn amount_problem(language: Language, typed: &str, currency: Currency) -> String {
    let l = language.locale();
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = match typed.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (typed, None),
    };
    if !plain(whole) || fraction.is_some_and(|f| !plain(f)) {
        let example = language.decimal("12.50");
        return td_display!(l, filters.amount_format, example).to_string();
    }
    let code = currency.code();
    match currency.minor_units() {
        digits if fraction.map_or(0, str::len) as u32 <= digits => {
            td_string!(l, filters.amount_too_large).to_owned()
        }
        0 => td_display!(l, filters.amount_no_decimals, code).to_string(),
        count => td_display!(l, filters.amount_decimals, code, count).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn params(pairs: &[(&str, &str)]) -> QueryParams {
        QueryParams::from_pairs(pairs)
    }

    #[test]
    fn no_filter_means_the_last_seven_days_of_successful_transactions() {
        let f = parse(&QueryParams::default(), today()).unwrap();
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(f.to, today());
        assert_eq!(f.status, Some(TransactionStatus::Success));
        assert_eq!(f.page_size, 20);
        assert_eq!(f.direction, Direction::First);
    }

    #[test]
    fn a_range_over_forty_days_is_refused() {
        let ok = parse(
            &params(&[("from", "2026-10-21"), ("to", "2026-11-29")]),
            today(),
        );
        assert!(ok.is_ok(), "40 days are allowed");
        let err = parse(
            &params(&[("from", "2026-10-20"), ("to", "2026-11-29")]),
            today(),
        )
        .unwrap_err();
        assert_eq!(
            err.get("from").unwrap(),
            "The creation time range can be at most 40 days."
        );
    }

    #[test]
    fn hostile_and_malformed_values_get_messages_beside_their_fields() {
        let err = parse(
            &params(&[
                ("from", "2026-13-01"),
                ("currency", "XXX' OR 1=1"),
                ("serial", "12a"),
                ("kind", "<script>"),
                ("method", "alipay; drop table"),
                ("size", "100000"),
                ("after", "not-a-cursor"),
                ("id", "has space"),
            ]),
            today(),
        )
        .unwrap_err();
        for field in [
            "from", "currency", "serial", "kind", "method", "size", "page", "id",
        ] {
            assert!(err.get(field).is_some(), "no message for {field}: {err:?}");
        }
    }

    #[test]
    fn dates_at_the_edges_of_the_calendar_are_refused_beside_their_field() {
        for (from, to) in [
            ("0000-01-01", "0000-01-31"),
            ("-262143-01-01", "-262143-01-02"),
            ("+262142-12-01", "+262142-12-31"),
            ("9999-12-01", "9999-12-31"),
        ] {
            let err = parse(&params(&[("from", from), ("to", to)]), today()).unwrap_err();
            assert!(err.get("from").is_some(), "{from}: {err:?}");
        }
        assert!(parse(
            &params(&[("from", "2000-01-01"), ("to", "2000-01-31")]),
            today()
        )
        .is_ok());
    }

    #[test]
    fn an_amount_range_needs_a_currency() {
        let err = parse(&params(&[("min", "10")]), today()).unwrap_err();
        assert_eq!(
            err.get("min").unwrap(),
            "Choose a currency to filter by amount."
        );
        let f = parse(
            &params(&[("currency", "KRW"), ("min", "1000"), ("max", "5000")]),
            today(),
        )
        .unwrap();
        assert_eq!((f.min_minor, f.max_minor), (Some(1000), Some(5000)));
    }

    #[test]
    fn id_search_defaults_to_the_transaction_id_and_cursors_round_trip() {
        let f = parse(&params(&[("id", "2026112900001")]), today()).unwrap();
        assert_eq!(
            f.id,
            Some((IdType::TransactionId, "2026112900001".to_owned()))
        );
        let c = Cursor {
            amount_minor: None,
            created_micros: 1_764_000_000_000_000,
            id: 42,
        };
        let f = parse(&params(&[("before", &c.encode())]), today()).unwrap();
        assert_eq!(f.direction, Direction::Before(c));
    }

    #[test]
    fn date_presets_cross_years_and_february() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let new_year = day(2027, 1, 1);
        assert_eq!(
            DatePreset::Yesterday.range(new_year),
            (day(2026, 12, 31), day(2026, 12, 31))
        );
        assert_eq!(
            DatePreset::LastMonth.range(new_year),
            (day(2026, 12, 1), day(2026, 12, 31))
        );
        assert_eq!(
            DatePreset::Last7Days.range(new_year),
            (day(2026, 12, 26), new_year)
        );
        assert_eq!(DatePreset::ThisMonth.range(new_year), (new_year, new_year));
        assert_eq!(
            DatePreset::LastMonth.range(day(2028, 3, 31)),
            (day(2028, 2, 1), day(2028, 2, 29))
        );
        assert_eq!(
            DatePreset::ThisMonth.range(day(2026, 3, 31)),
            (day(2026, 3, 1), day(2026, 3, 31))
        );
        // Each one is a range a query accepts.
        for today in [new_year, day(2028, 3, 31), LATEST_DATE] {
            for preset in DatePreset::ALL {
                let (from, to) = preset.range(today);
                let query = params(&[("from", &from.to_string()), ("to", &to.to_string())]);
                assert!(parse(&query, today).is_ok(), "{preset:?} on {today}");
            }
        }
    }

    #[test]
    fn a_page_link_of_one_order_is_refused_in_another() {
        let by_amount = Cursor {
            amount_minor: Some(-250),
            created_micros: 1_764_000_000_000_000,
            id: 42,
        };
        let link = by_amount.encode();
        let f = parse(
            &params(&[
                ("currency", "USD"),
                ("sort", "amount_asc"),
                ("after", &link),
            ]),
            today(),
        )
        .unwrap();
        assert_eq!(f.sort, Sort::SmallestAmount);
        assert_eq!(f.direction, Direction::After(by_amount));
        let err = parse(&params(&[("after", &link)]), today()).unwrap_err();
        assert!(err.get("page").is_some(), "{err:?}");
        let err = parse(
            &params(&[
                ("currency", "USD"),
                ("sort", "amount_desc"),
                ("after", "1.2"),
            ]),
            today(),
        )
        .unwrap_err();
        assert!(err.get("page").is_some(), "{err:?}");
        let err = parse(&params(&[("sort", "amount_desc")]), today()).unwrap_err();
        assert_eq!(
            err.get("sort").unwrap(),
            "Choose a currency to sort by amount."
        );
        let err = parse(&params(&[("sort", "cheapest")]), today()).unwrap_err();
        assert!(err.get("sort").is_some(), "{err:?}");
        for damaged in ["1.2.3.4", "1..2", ".", "1.x"] {
            assert_eq!(Cursor::parse(damaged), None, "{damaged}");
        }
    }

    #[test]
    fn messages_are_in_the_users_language_and_amounts_take_its_comma() {
        let pt = |pairs: &[(&str, &str)]| parse_in(&params(pairs), today(), Language::PtBr);
        let f = pt(&[("currency", "BRL"), ("min", "12,50"), ("max", "1000")]).unwrap();
        assert_eq!((f.min_minor, f.max_minor), (Some(1250), Some(100_000)));
        let err = pt(&[("from", "2026-10-01")]).unwrap_err();
        assert_eq!(
            err.get("from").unwrap(),
            "O período de criação pode ter no máximo 40 dias."
        );
        let err = pt(&[("currency", "BRL"), ("min", "1.234,56"), ("max", "1,234")]).unwrap_err();
        assert_eq!(err.get("min").unwrap(), "Informe um valor como 12,50.");
        assert_eq!(err.get("max").unwrap(), "BRL tem 2 casas decimais.");
        let zh = parse_in(
            &params(&[("currency", "JPY"), ("min", "1.5"), ("after", "x")]),
            today(),
            Language::ZhCn,
        )
        .unwrap_err();
        assert_eq!(zh.get("min").unwrap(), "JPY 没有小数位。");
        assert_eq!(
            zh.get("page").unwrap(),
            "此分页链接已损坏，请从第一页重新开始。"
        );
        // English, as before.
        let en = parse(
            &params(&[("currency", "USD"), ("min", "99999999999999999999")]),
            today(),
        )
        .unwrap_err();
        assert_eq!(en.get("min").unwrap(), "The amount is too large.");
        let en = parse(&params(&[("currency", "USD"), ("min", "12,50")]), today()).unwrap_err();
        assert_eq!(en.get("min").unwrap(), "Enter an amount like 12.50.");
    }

    #[test]
    fn presets_and_orders_are_named_in_each_language() {
        assert_eq!(DatePreset::Last7Days.label(Language::En), "Last 7 days");
        assert_eq!(DatePreset::LastMonth.label(Language::ZhCn), "上月");
        assert_eq!(
            Sort::LargestAmount.label(Language::PtBr),
            "Maior valor primeiro"
        );
    }

    #[test]
    fn any_status_lifts_the_default() {
        assert_eq!(
            parse(&params(&[("status", "ANY")]), today())
                .unwrap()
                .status,
            None
        );
        assert_eq!(
            parse(&params(&[("status", "FAIL")]), today())
                .unwrap()
                .status,
            Some(TransactionStatus::Fail)
        );
    }
}
