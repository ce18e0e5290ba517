//! What can be refunded of a payment, as the details page and the refund dialog show
//! it before any refund is asked for.

use sqlx::PgPool;
use uuid::Uuid;

use super::payment::Payment;
use crate::refunds::rules::{MethodRules, PaymentFacts};

/// What the dashboard shows before a refund of a payment.
#[derive(Clone, Debug)]
pub struct RefundFacts {
    /// The payment's transaction ID (a capture's payment).
    pub payment_id: String,
    /// The payment method's name, as the details page shows it.
    pub payment_method: String,
    pub facts: PaymentFacts,
    pub rules: MethodRules,
    /// Whether a refund answers at once (SUCCESS) or waits for the acquirer.
    pub sync: bool,
}

/// The rules' view of a payment, for showing what can be refunded (the details page
/// and the refund dialog). None when the merchant has no such transaction; a capture's
/// ID gives its payment. Nothing is locked: a refund decides again under the lock.
pub async fn refund_facts(
    pool: &PgPool,
    merchant_id: Uuid,
    transaction_id: &str,
) -> sqlx::Result<Option<RefundFacts>> {
    let mut conn = pool.acquire().await?;
    let Some(payment) = Payment::find(&mut conn, merchant_id, transaction_id).await? else {
        return Ok(None);
    };
    let facts = payment.facts(&mut conn).await?;
    Ok(Some(RefundFacts {
        sync: payment.timing.is_sync(),
        payment_id: payment.transaction_id,
        payment_method: payment.payment_method_name,
        rules: payment.rules,
        facts,
    }))
}
