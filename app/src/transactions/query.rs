//! The transaction query in SQL: merchant-scoped, newest first, keyset-paginated on
//! (created_at, id) so that page 1,000 costs what page 1 does. No COUNT(*).

use super::filter::{Cursor, Direction, Filter};
use super::row::KeyedRow;
use super::view::Page;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// The columns every listing selects; `o` is the original transaction.
pub const SELECT: &str = "SELECT t.id, t.transaction_id, t.reference_transaction_id, t.transaction_request_id,
        t.acquirer_transaction_id, t.serial_no, t.transaction_type, t.status, t.amount_minor,
        t.currency, t.settlement_amount_minor, t.settlement_currency, t.settlement_quote::text AS quote,
        t.payment_method_type, t.acquirer_code, o.transaction_id AS original_transaction_id,
        t.reason, t.created_at, t.finished_at
   FROM transactions t LEFT JOIN transactions o ON o.id = t.original_id";

/// The start of `date` in `zone`, in UTC (the first instant when a DST gap hides midnight).
pub fn start_of_day(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    zone.from_local_datetime(&midnight)
        .earliest()
        .unwrap_or_else(|| zone.from_utc_datetime(&midnight))
        .with_timezone(&Utc)
}

/// The SQL conditions of `filter` (after `WHERE t.merchant_id = …`), shared by the
/// listing and by exports so both see the same rows.
pub fn push_conditions(q: &mut QueryBuilder<'static, Postgres>, filter: &Filter, zone: Tz) {
    // Refunds in progress or failed are not listed (docs/RULES.md); the payment's details
    // page shows them among its related transactions.
    q.push(" AND NOT (t.transaction_type = 'REFUND' AND t.status <> 'SUCCESS')");
    if let Some((id_type, value)) = &filter.id {
        // An exact ID is found whatever the other filters say.
        q.push(format_args!(" AND t.{} = ", id_type.column()))
            .push_bind(value.clone());
        return;
    }
    let from = start_of_day(filter.from, zone);
    let until = start_of_day(filter.to.succ_opt().unwrap_or(filter.to), zone);
    q.push(" AND t.created_at >= ").push_bind(from);
    q.push(" AND t.created_at < ").push_bind(until);
    if let Some(c) = filter.currency {
        q.push(" AND t.currency = ").push_bind(c.code());
    }
    if let Some(s) = &filter.serial {
        q.push(" AND t.serial_no = ").push_bind(s.clone());
    }
    if let Some(k) = filter.kind {
        q.push(" AND t.transaction_type = ").push_bind(k.as_str());
    }
    if let Some(m) = &filter.method {
        q.push(" AND t.payment_method_type = ").push_bind(m.clone());
    }
    if let Some(a) = &filter.acquirer {
        q.push(" AND t.acquirer_code = ").push_bind(a.clone());
    }
    if let Some(s) = filter.status {
        q.push(" AND t.status = ").push_bind(s.as_str());
    }
    if let Some(min) = filter.min_minor {
        q.push(" AND t.amount_minor >= ").push_bind(min);
    }
    if let Some(max) = filter.max_minor {
        q.push(" AND t.amount_minor <= ").push_bind(max);
    }
}

fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

/// The statement behind one page of [`search`]: `page_size + 1` rows, to know whether
/// another page follows. Benchmarks time it bare, next to the full server function.
pub fn page_query(merchant: Uuid, filter: &Filter, zone: Tz) -> QueryBuilder<'static, Postgres> {
    let mut q = QueryBuilder::<Postgres>::new(SELECT);
    q.push(" WHERE t.merchant_id = ").push_bind(merchant);
    push_conditions(&mut q, filter, zone);
    push_keyset(&mut q, "t", filter.direction, filter.page_size);
    q
}

/// The keyset condition, order and limit of one newest-first page of the rows of
/// `table` (an alias with `created_at` and `id` columns): `page_size + 1` rows, to
/// know whether another page follows.
pub fn push_keyset(
    q: &mut QueryBuilder<'static, Postgres>,
    table: &str,
    direction: Direction,
    page_size: i64,
) {
    match direction {
        Direction::After(c) => {
            q.push(format_args!(" AND ({table}.created_at, {table}.id) < ("))
                .push_bind(from_micros(c.created_micros));
            q.push(", ").push_bind(c.id).push(")");
        }
        Direction::Before(c) => {
            q.push(format_args!(" AND ({table}.created_at, {table}.id) > ("))
                .push_bind(from_micros(c.created_micros));
            q.push(", ").push_bind(c.id).push(")");
        }
        Direction::First => {}
    }
    let order = match direction {
        Direction::Before(_) => "ASC",
        _ => "DESC",
    };
    q.push(format_args!(
        " ORDER BY {table}.created_at {order}, {table}.id {order}"
    ));
    q.push(" LIMIT ").push_bind(page_size + 1);
}

/// One page of `filter`'s transactions of `merchant`, formatted for `zone`.
pub async fn search(
    pool: &PgPool,
    merchant: Uuid,
    filter: &Filter,
    zone: Tz,
) -> Result<Page, sqlx::Error> {
    let mut q = page_query(merchant, filter, zone);
    let rows: Vec<KeyedRow> = q.build_query_as().fetch_all(pool).await?;
    let (rows, next, prev) = paginate(rows, filter.direction, filter.page_size, |keyed| {
        keyed.row.into_view(zone)
    });
    Ok(Page { rows, next, prev })
}

/// A row of a [`push_keyset`] query.
pub trait Keyed {
    /// The row's `created_at` and `id`: its place in the order.
    fn key(&self) -> (DateTime<Utc>, i64);
}

fn cursor(row: &impl Keyed) -> Cursor {
    let (created_at, id) = row.key();
    Cursor {
        created_micros: created_at.timestamp_micros(),
        id,
    }
}

/// The rows of a [`push_keyset`] query as one page, newest first, with the `after`
/// cursor of the next page and the `before` cursor of the previous one.
pub fn paginate<R: Keyed, T>(
    rows: Vec<R>,
    direction: Direction,
    page_size: i64,
    view: impl Fn(R) -> T,
) -> (Vec<T>, Option<String>, Option<String>) {
    let more = rows.len() as i64 > page_size;
    let mut keyed: Vec<(Cursor, T)> = rows
        .into_iter()
        .take(page_size as usize)
        .map(|row| (cursor(&row), view(row)))
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
        let (rows, next, prev) = paginate(newest_first, Direction::First, 2, |r| r.0);
        assert_eq!(rows, [5, 4]);
        assert_eq!(next.as_deref(), Some("4000.4"));
        assert_eq!(prev, None);

        let (rows, next, _) = paginate(vec![At(5), At(4)], Direction::First, 2, |r| r.0);
        assert_eq!(rows, [5, 4]);
        assert_eq!(next, None);
    }

    #[test]
    fn a_page_before_a_cursor_comes_oldest_first_and_is_shown_newest_first() {
        let before = Direction::Before(Cursor {
            created_micros: 3_000,
            id: 3,
        });
        let oldest_first = vec![At(4), At(5), At(6)];
        let (rows, next, prev) = paginate(oldest_first, before, 2, |r| r.0);
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
