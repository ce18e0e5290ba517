//! One transaction with everything around it: its related transactions and whether it
//! can be refunded, and if not, why.

use super::kind::TransactionType;
use super::query::SELECT;
use super::row::{KeyedRow, TransactionRow};
use super::view::{Details, RefundState};
use crate::locale::Language;
use crate::money::Money;
use crate::refunds::dashboard::refundable;
use crate::refunds::form::PreviewProblem;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

/// The details of `transaction_id` if it belongs to `merchant`; another merchant's
/// transaction is as absent as one that does not exist.
pub async fn load(
    pool: &PgPool,
    merchant: Uuid,
    transaction_id: &str,
    zone: Tz,
    language: Language,
    now: DateTime<Utc>,
) -> Result<Option<Details>, sqlx::Error> {
    // The listing's SELECT, so that details show the fields exactly as the query page
    // and exports do.
    let sql = format!("{SELECT} WHERE t.merchant_id = $1 AND t.transaction_id = $2");
    let Some(KeyedRow { id, row }) = sqlx::query_as(&sql)
        .bind(merchant)
        .bind(transaction_id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let transaction = row.into_view(zone, language);
    let kind = transaction.transaction_type;
    let is_payment = kind.is_payment();
    let related_sql = if is_payment {
        format!(
            "{SELECT} WHERE t.merchant_id = $1 AND (t.original_id = $2
                 OR t.original_id IN (SELECT r.id FROM transactions r WHERE r.original_id = $2))
              ORDER BY t.created_at, t.id"
        )
    } else {
        format!("{SELECT} WHERE t.merchant_id = $1 AND t.id = (SELECT original_id FROM transactions WHERE id = $2)")
    };
    let related: Vec<TransactionRow> = sqlx::query_as(&related_sql)
        .bind(merchant)
        .bind(id)
        .fetch_all(pool)
        .await?;
    let related = related
        .into_iter()
        .map(|r| r.into_view(zone, language))
        .collect();
    let refund = match kind {
        // The engine's own facts, so the page offers exactly what a refund would accept;
        // a capture is refunded as its payment.
        _ if is_payment || kind == TransactionType::Capture => {
            refund_state(pool, merchant, transaction_id, zone, now, language).await?
        }
        // Refunds, cancels, chargebacks and reversals: the button is there, greyed out
        // with the reason, as for any payment that cannot be refunded.
        _ => RefundState::Blocked {
            reason: crate::i18n::td_string!(
                language.locale(),
                transactions.only_payments_refundable
            )
            .to_owned(),
        },
    };
    Ok(Some(Details {
        transaction,
        related,
        refund,
    }))
}

/// What can still be refunded of this payment or capture, or why nothing can.
async fn refund_state(
    pool: &PgPool,
    merchant: Uuid,
    transaction_id: &str,
    zone: Tz,
    now: DateTime<Utc>,
    language: Language,
) -> Result<RefundState, sqlx::Error> {
    Ok(
        match refundable(pool, merchant, transaction_id, zone, language, now).await? {
            Ok(r) => RefundState::Available {
                refundable_minor: r.left,
                refundable: language.amount(Money::new(r.left, r.currency)),
                currency: r.currency.code(),
            },
            Err(PreviewProblem::Blocked(reason)) => RefundState::Blocked { reason },
            Err(_) => RefundState::NotOffered,
        },
    )
}
