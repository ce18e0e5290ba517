//! The audit log query: merchant-scoped, newest first, keyset-paginated on
//! (created_at, id) like the transaction query.

use super::filter::{AuditFilter, AuditPage, AuditRow, PAGE_SIZE};
use super::AuditAction;
use crate::locale::{format::local, Language};
use crate::transactions::filter::Sort;
use crate::transactions::query::{paginate, push_keyset, start_of_day, Keyed};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// One page of `merchant`'s events that pass `filter`, times in `zone`, actions,
/// amounts and times as `language` writes them.
pub async fn search(
    pool: &PgPool,
    merchant: Uuid,
    filter: &AuditFilter,
    zone: Tz,
    language: Language,
) -> Result<AuditPage, sqlx::Error> {
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT e.id, e.created_at, e.actor, e.action, e.subject, e.amount_minor, e.currency::text AS currency,
                e.detail, e.address
           FROM audit_events e WHERE e.merchant_id = ",
    );
    q.push_bind(merchant);
    if let Some(action) = filter.action {
        q.push(" AND e.action = ").push_bind(action);
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
    push_keyset(&mut q, "e", Sort::Newest, filter.direction, PAGE_SIZE);
    let events: Vec<EventRow> = q.build_query_as().fetch_all(pool).await?;
    let (rows, next, prev) = paginate(events, Sort::Newest, filter.direction, PAGE_SIZE, |event| {
        event.into_view(zone, language)
    });
    Ok(AuditPage { rows, next, prev })
}

/// One event as the search reads it.
#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    created_at: DateTime<Utc>,
    actor: String,
    action: AuditAction,
    subject: Option<String>,
    amount_minor: Option<i64>,
    currency: Option<String>,
    detail: Option<String>,
    address: Option<String>,
}

impl Keyed for EventRow {
    fn key(&self) -> (DateTime<Utc>, i64) {
        (self.created_at, self.id)
    }
}

impl EventRow {
    fn into_view(self, zone: Tz, language: Language) -> AuditRow {
        AuditRow {
            time: local(language, self.created_at, zone),
            actor: super::detail::actor_shown(self.actor, language),
            action: self.action.label(language).to_owned(),
            subject: self.subject,
            amount: self
                .amount_minor
                .zip(self.currency)
                .map(|(minor, code)| language.money(minor, &code)),
            detail: self
                .detail
                .map(|text| super::detail::shown(self.action, text, language)),
            address: self.address,
        }
    }
}
