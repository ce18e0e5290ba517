//! The audit log query: merchant-scoped, newest first, keyset-paginated on
//! (created_at, id) like the transaction query.

use super::filter::{AuditFilter, AuditPage, AuditRow, PAGE_SIZE};
use super::AuditAction;
use crate::money::format_money;
use crate::time::format_local;
use crate::transactions::query::{paginate, push_keyset, start_of_day};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use uuid::Uuid;

/// One page of `merchant`'s events that pass `filter`, times in `zone`.
pub async fn search(
    pool: &PgPool,
    merchant: Uuid,
    filter: &AuditFilter,
    zone: Tz,
) -> Result<AuditPage, sqlx::Error> {
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT e.id, e.created_at, e.actor, e.action, e.subject, e.amount_minor, e.currency::text AS currency,
                e.detail, e.address
           FROM audit_events e WHERE e.merchant_id = ",
    );
    q.push_bind(merchant);
    if let Some(action) = filter.action {
        q.push(" AND e.action = ").push_bind(action.as_str());
    }
    if let Some(actor) = &filter.actor {
        // The text is matched literally: % and _ typed by the user are not wildcards.
        let escaped = actor
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND e.actor ILIKE ")
            .push_bind(format!("%{escaped}%"));
    }
    if let Some(from) = filter.from {
        q.push(" AND e.created_at >= ")
            .push_bind(start_of_day(from, zone));
    }
    if let Some(to) = filter.to {
        let end = to.succ_opt().unwrap_or(to);
        q.push(" AND e.created_at < ")
            .push_bind(start_of_day(end, zone));
    }
    push_keyset(&mut q, "e", filter.direction, PAGE_SIZE);
    let rows = q.build().fetch_all(pool).await?;
    let (rows, next, prev) = paginate(&rows, filter.direction, PAGE_SIZE, |row| {
        Ok(to_row(row, zone))
    })?;
    Ok(AuditPage { rows, next, prev })
}

fn to_row(row: &sqlx::postgres::PgRow, zone: Tz) -> AuditRow {
    let action: String = row.get("action");
    let amount_minor: Option<i64> = row.get("amount_minor");
    let currency: Option<String> = row.get("currency");
    AuditRow {
        time: format_local(row.get::<DateTime<Utc>, _>("created_at"), zone),
        actor: row.get("actor"),
        action: AuditAction::parse(&action).map_or(action, |a| a.label().to_owned()),
        subject: row.get("subject"),
        amount: amount_minor
            .zip(currency)
            .map(|(minor, code)| format_money(minor, &code)),
        detail: row.get("detail"),
        address: row.get("address"),
    }
}
