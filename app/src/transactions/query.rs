//! The transaction query in SQL: merchant-scoped, in the order chosen, keyset-paginated
//! on ([amount,] created_at, id) so that page 1,000 costs what page 1 does. The count
//! of matching rows stops at [`COUNT_BOUND`].

use super::filter::{Cursor, Direction, Filter, Sort};
use super::row::KeyedRow;
use super::view::{Page, COUNT_BOUND};
use crate::locale::Language;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// The table every listing reads: `t`, the transaction. Its original's ID is a column of
/// its own, so a listing reads one table (migration `original_transaction_ids`).
macro_rules! from_transactions {
    () => {
        " FROM transactions t"
    };
}

/// [`SELECT`]'s table, for statements that choose their own columns.
pub const FROM: &str = from_transactions!();

/// The columns every listing selects.
pub const SELECT: &str = concat!(
    "SELECT t.id, t.transaction_id, t.reference_transaction_id, t.transaction_request_id,
        t.acquirer_transaction_id, t.serial_no, t.transaction_type, t.status, t.amount_minor,
        t.currency, t.settlement_amount_minor, t.settlement_currency, t.settlement_quote::text AS quote,
        t.payment_method_type, t.acquirer_code, t.original_transaction_id,
        t.reason, t.created_at, t.finished_at",
    from_transactions!()
);

/// The start of `date` in `zone`, in UTC (the first instant when a DST gap hides midnight).
pub fn start_of_day(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    zone.from_local_datetime(&midnight)
        .earliest()
        .unwrap_or_else(|| zone.from_utc_datetime(&midnight))
        .with_timezone(&Utc)
}

/// A value a condition of the transaction query compares with.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Text(String),
    /// A code kept as `char(3)` (a currency): bound as text, it is cast to the column's
    /// type, or PostgreSQL would compare as text and no index on the column would apply.
    Code(String),
    Time(DateTime<Utc>),
    Int(i64),
}

/// One piece of the query's conditions: SQL text, then the value it compares with.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub sql: String,
    pub value: Option<Param>,
}

fn condition(sql: impl Into<String>, value: Param) -> Condition {
    Condition {
        sql: sql.into(),
        value: Some(value),
    }
}

/// The SQL conditions of `filter` (after `WHERE t.merchant_id = …`), shared by the
/// listing and by exports so both see the same rows. The values are kept apart from the
/// SQL: queries bind them ([`push_conditions`]); the CSV export's `COPY`, which takes no
/// parameters, writes them as literals (crate::reports::csv_copy).
pub fn conditions(filter: &Filter, zone: Tz) -> Vec<Condition> {
    // Refunds in progress or failed are not listed (docs/RULES.md); the payment's details
    // page shows them among its related transactions.
    let mut out = vec![Condition {
        sql: " AND NOT (t.transaction_type = 'REFUND' AND t.status <> 'SUCCESS')".to_owned(),
        value: None,
    }];
    if let Some((id_type, value)) = &filter.id {
        // An exact ID is found whatever the other filters say.
        out.push(condition(
            format!(" AND t.{} = ", id_type.column()),
            Param::Text(value.clone()),
        ));
        return out;
    }
    let from = start_of_day(filter.from, zone);
    let until = start_of_day(filter.to.succ_opt().unwrap_or(filter.to), zone);
    out.push(condition(" AND t.created_at >= ", Param::Time(from)));
    out.push(condition(" AND t.created_at < ", Param::Time(until)));
    let text = |sql: &str, value: Option<String>| value.map(|v| condition(sql, Param::Text(v)));
    let int = |sql: &str, value: Option<i64>| value.map(|v| condition(sql, Param::Int(v)));
    out.extend(
        [
            filter
                .currency
                .map(|c| condition(" AND t.currency = ", Param::Code(c.code()))),
            text(" AND t.serial_no = ", filter.serial.clone()),
            text(
                " AND t.transaction_type = ",
                filter.kind.map(|k| k.as_str().to_owned()),
            ),
            text(" AND t.payment_method_type = ", filter.method.clone()),
            text(" AND t.acquirer_code = ", filter.acquirer.clone()),
            text(
                " AND t.status = ",
                filter.status.map(|s| s.as_str().to_owned()),
            ),
            int(" AND t.amount_minor >= ", filter.min_minor),
            int(" AND t.amount_minor <= ", filter.max_minor),
        ]
        .into_iter()
        .flatten(),
    );
    out
}

/// [`conditions`] with their values bound.
pub fn push_conditions(q: &mut QueryBuilder<'static, Postgres>, filter: &Filter, zone: Tz) {
    for c in conditions(filter, zone) {
        q.push(c.sql);
        match c.value {
            Some(Param::Text(v)) => q.push_bind(v),
            Some(Param::Code(v)) => q.push_bind(v).push("::bpchar"),
            Some(Param::Time(v)) => q.push_bind(v),
            Some(Param::Int(v)) => q.push_bind(v),
            None => q,
        };
    }
}

fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

/// The statement behind one page of [`search`]: `page_size + 1` rows, to know whether
/// another page follows. Benchmarks time it bare ([`fetch_page`]), next to the full
/// server function.
pub fn page_query(merchant: Uuid, filter: &Filter, zone: Tz) -> QueryBuilder<'static, Postgres> {
    prefixed_page_query("", merchant, filter, zone)
}

/// [`page_query`] after `prefix`: the query benchmark puts `EXPLAIN (ANALYZE, …)` there,
/// to show the plan of the very statement and parameters a page sends.
pub fn prefixed_page_query(
    prefix: &str,
    merchant: Uuid,
    filter: &Filter,
    zone: Tz,
) -> QueryBuilder<'static, Postgres> {
    let mut q = QueryBuilder::<Postgres>::new(format!("{prefix}{SELECT}"));
    q.push(" WHERE t.merchant_id = ").push_bind(merchant);
    push_conditions(&mut q, filter, zone);
    push_keyset(&mut q, "t", filter.sort, filter.direction, filter.page_size);
    q
}

/// The keyset condition, order and limit of one page of the rows of `table` (an alias
/// with `created_at` and `id` columns, and `amount_minor` for the amount orders) in
/// `sort`'s order: `page_size + 1` rows, to know whether another page follows. The
/// page before a cursor is read in the opposite order ([`paginate`] turns it round).
pub fn push_keyset(
    q: &mut QueryBuilder<'static, Postgres>,
    table: &str,
    sort: Sort,
    direction: Direction,
    page_size: i64,
) {
    let descending = sort.descending() != matches!(direction, Direction::Before(_));
    let (beyond, order) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Direction::After(c) | Direction::Before(c) = direction {
        match c.amount_minor.filter(|_| sort.by_amount()) {
            Some(amount) => {
                // The plain bound lets an index on the amount start at the cursor; the
                // row comparison then breaks ties by time and id.
                q.push(format_args!(" AND {table}.amount_minor {beyond}= "))
                    .push_bind(amount);
                q.push(format_args!(
                    " AND ({table}.amount_minor, {table}.created_at, {table}.id) {beyond} ("
                ))
                .push_bind(amount)
                .push(", ");
            }
            None => {
                q.push(format_args!(
                    " AND ({table}.created_at, {table}.id) {beyond} ("
                ));
            }
        }
        q.push_bind(from_micros(c.created_micros))
            .push(", ")
            .push_bind(c.id)
            .push(")");
    }
    q.push(" ORDER BY ");
    if sort.by_amount() {
        q.push(format_args!("{table}.amount_minor {order}, "));
    }
    q.push(format_args!(
        "{table}.created_at {order}, {table}.id {order}"
    ));
    q.push(" LIMIT ").push_bind(page_size + 1);
}

/// How many transactions match `filter`, up to [`COUNT_BOUND`] + 1 (shown "10,000+").
pub async fn count_matching(
    pool: &PgPool,
    merchant: Uuid,
    filter: &Filter,
    zone: Tz,
) -> Result<i64, sqlx::Error> {
    let mut q = QueryBuilder::<Postgres>::new(concat!(
        "SELECT count(*) FROM (SELECT 1",
        from_transactions!()
    ));
    q.push(" WHERE t.merchant_id = ").push_bind(merchant);
    push_conditions(&mut q, filter, zone);
    q.push(" LIMIT ")
        .push_bind(COUNT_BOUND + 1)
        .push(") matching");
    q.build_query_scalar().fetch_one(pool).await
}

/// The rows of [`page_query`], as [`search`] reads them. A page with an amount range is
/// planned for its own bounds each time: a plan kept for any bounds cannot tell a range
/// that matches half the rows from one that matches none, and for the second it walked
/// every entry of the period in time order (36 ms instead of 0.5 ms at 20,000,000 rows,
/// docs/PERFORMANCE.md) where the amount index finds nothing at once.
pub async fn fetch_page(
    pool: &PgPool,
    merchant: Uuid,
    filter: &Filter,
    zone: Tz,
) -> Result<Vec<KeyedRow>, sqlx::Error> {
    let has_amount_range = filter.min_minor.is_some() || filter.max_minor.is_some();
    page_query(merchant, filter, zone)
        .build_query_as()
        .persistent(!has_amount_range)
        .fetch_all(pool)
        .await
}

/// One page of `filter`'s transactions of `merchant`, formatted for `zone` in English
/// (see [`search_in`]).
pub async fn search(
    pool: &PgPool,
    merchant: Uuid,
    filter: &Filter,
    zone: Tz,
) -> Result<Page, sqlx::Error> {
    search_in(pool, merchant, filter, zone, Language::En).await
}

/// One page of `filter`'s transactions of `merchant`, formatted for `zone` and
/// `language`, with the count of all that match. Both statements run at once, on two
/// connections.
pub async fn search_in(
    pool: &PgPool,
    merchant: Uuid,
    filter: &Filter,
    zone: Tz,
    language: Language,
) -> Result<Page, sqlx::Error> {
    // `join!`, not `try_join!`: a sqlx query dropped in flight can spoil its connection.
    let (rows, matching) = tokio::join!(
        fetch_page(pool, merchant, filter, zone),
        count_matching(pool, merchant, filter, zone)
    );
    let (rows, next, prev) = paginate(
        rows?,
        filter.sort,
        filter.direction,
        filter.page_size,
        |keyed| keyed.row.into_view(zone, language),
    );
    Ok(Page::new(rows, next, prev, matching?, language))
}

/// A row of a [`push_keyset`] query.
pub trait Keyed {
    /// The row's `created_at` and `id`: its place in time order.
    fn key(&self) -> (DateTime<Utc>, i64);

    /// The row's amount, in lists that can be sorted by it.
    fn amount_minor(&self) -> Option<i64> {
        None
    }
}

fn cursor(row: &impl Keyed, sort: Sort) -> Cursor {
    let (created_at, id) = row.key();
    Cursor {
        amount_minor: row.amount_minor().filter(|_| sort.by_amount()),
        created_micros: created_at.timestamp_micros(),
        id,
    }
}

/// The rows of a [`push_keyset`] query as one page in `sort`'s order, with the `after`
/// cursor of the next page and the `before` cursor of the previous one.
pub fn paginate<R: Keyed, T>(
    rows: Vec<R>,
    sort: Sort,
    direction: Direction,
    page_size: i64,
    view: impl Fn(R) -> T,
) -> (Vec<T>, Option<String>, Option<String>) {
    let more = rows.len() as i64 > page_size;
    let mut keyed: Vec<(Cursor, T)> = rows
        .into_iter()
        .take(page_size as usize)
        .map(|row| (cursor(&row, sort), view(row)))
        .collect();
    if matches!(direction, Direction::Before(_)) {
        keyed.reverse();
    }
    let first = keyed.first().map(|(c, _)| c.encode());
    let last = keyed.last().map(|(c, _)| c.encode());
    let (next, prev) = match direction {
        Direction::First => (last.filter(|_| more), None),
        Direction::After(_) => (last.filter(|_| more), first),
        Direction::Before(_) => (last, first.filter(|_| more)),
    };
    (keyed.into_iter().map(|(_, v)| v).collect(), next, prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row that is only its place in the order: created `id` milliseconds after 1970.
    struct At(i64);

    impl Keyed for At {
        fn key(&self) -> (DateTime<Utc>, i64) {
            let created_at = DateTime::from_timestamp_millis(self.0).expect("in range");
            (created_at, self.0)
        }
    }

    #[test]
    fn the_first_page_links_to_the_next_only_when_more_follow() {
        let newest_first = vec![At(5), At(4), At(3)];
        let (rows, next, prev) = paginate(newest_first, Sort::Newest, Direction::First, 2, |r| r.0);
        assert_eq!(rows, [5, 4]);
        assert_eq!(next.as_deref(), Some("4000.4"));
        assert_eq!(prev, None);

        let (rows, next, _) =
            paginate(vec![At(5), At(4)], Sort::Newest, Direction::First, 2, |r| {
                r.0
            });
        assert_eq!(rows, [5, 4]);
        assert_eq!(next, None);
    }

    #[test]
    fn a_page_before_a_cursor_comes_oldest_first_and_is_shown_newest_first() {
        let before = Direction::Before(Cursor {
            amount_minor: None,
            created_micros: 3_000,
            id: 3,
        });
        let oldest_first = vec![At(4), At(5), At(6)];
        let (rows, next, prev) = paginate(oldest_first, Sort::Newest, before, 2, |r| r.0);
        assert_eq!(rows, [5, 4]);
        assert_eq!(next.as_deref(), Some("4000.4"));
        assert_eq!(prev.as_deref(), Some("5000.5"));
    }

    #[test]
    fn days_start_at_local_midnight() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(
            start_of_day(d, chrono_tz::Asia::Shanghai).to_rfc3339(),
            "2026-11-28T16:00:00+00:00"
        );
        assert_eq!(
            start_of_day(d, chrono_tz::America::Sao_Paulo).to_rfc3339(),
            "2026-11-29T03:00:00+00:00"
        );
    }
}
