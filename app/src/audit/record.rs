//! Writing audit events.

use super::{AuditAction, Detail};
use crate::auth::session::SessionUser;
use sqlx::PgExecutor;
use uuid::Uuid;

/// Who acted, as the audit log shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub merchant_id: Uuid,
    pub user_id: Option<Uuid>,
    /// An e-mail address, "API client <id>" or "Paydesk".
    pub name: String,
    /// The client's IP address, for dashboard users.
    pub address: Option<String>,
}

impl Actor {
    /// A signed-in dashboard user, from `address`.
    pub fn user(user: &SessionUser, address: &str) -> Actor {
        Actor {
            merchant_id: user.merchant_id,
            user_id: Some(user.id),
            name: user.email.clone(),
            address: Some(address.to_owned()),
        }
    }

    /// Paydesk itself, or an operator at its command line, acting on `merchant_id`.
    pub fn system(merchant_id: Uuid) -> Actor {
        Actor {
            merchant_id,
            user_id: None,
            name: "Paydesk".to_owned(),
            address: None,
        }
    }

    /// An open-API client of `merchant_id`.
    pub fn api_client(merchant_id: Uuid, client_id: &str) -> Actor {
        Actor {
            merchant_id,
            user_id: None,
            name: super::detail::api_client(client_id),
            address: None,
        }
    }
}

/// One audit event; the optional parts default to none.
#[derive(Clone, Debug)]
pub struct Event {
    pub action: AuditAction,
    pub subject: Option<String>,
    /// An amount in minor units with its currency.
    pub amount: Option<(i64, String)>,
    pub detail: Option<String>,
}

impl Event {
    pub fn new(action: AuditAction) -> Event {
        Event {
            action,
            subject: None,
            amount: None,
            detail: None,
        }
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Event {
        self.subject = Some(subject.into());
        self
    }

    pub fn amount(mut self, amount_minor: i64, currency: impl Into<String>) -> Event {
        self.amount = Some((amount_minor, currency.into()));
        self
    }

    pub fn detail(mut self, detail: Detail) -> Event {
        self.detail = Some(detail.stored());
        self
    }
}

/// Adds `event` by `actor` to the log, on `db` (a pool, or the transaction that makes
/// the change, so that the change and its record commit together).
pub async fn record<'e>(db: impl PgExecutor<'e>, actor: &Actor, event: Event) -> sqlx::Result<()> {
    let (amount_minor, currency) = event.amount.unzip();
    sqlx::query!(
        "INSERT INTO audit_events
           (merchant_id, actor_user_id, actor, action, subject, amount_minor, currency, detail, address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        actor.merchant_id,
        actor.user_id,
        actor.name,
        event.action as AuditAction,
        event.subject,
        amount_minor,
        currency,
        event.detail,
        actor.address
    )
    .execute(db)
    .await?;
    Ok(())
}
