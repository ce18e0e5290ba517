//! The payment a refund belongs to: found by a payment's or a capture's transaction ID,
//! with what its method and acquirer allow, and the facts the refund rules decide on.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::timing::{RefundMode, Timing};
use crate::refunds::rules::{MethodRules, PaymentFacts};
use crate::transactions::kind::{TransactionStatus, TransactionType};

/// A payment (or authorisation) as refunds see it.
#[derive(Clone, Debug)]
pub(super) struct Payment {
    /// `transactions.id`.
    pub row_id: i64,
    /// Paydesk's transaction ID of the payment (never the capture's).
    pub transaction_id: String,
    pub transaction_type: TransactionType,
    pub status: TransactionStatus,
    pub amount_minor: i64,
    pub currency: String,
    /// When the payment was made: with `row_id`, its key (the month that holds it).
    pub created_at: DateTime<Utc>,
    /// When the payment reached its status; for a successful one, when it succeeded.
    pub finished_at: Option<DateTime<Utc>>,
    /// The merchant's order reference, carried over to the payment's refunds.
    pub reference_transaction_id: Option<String>,
    pub payment_method_type: String,
    /// The method's name as pages show it (Alipay for ALIPAY_CN).
    pub payment_method_name: String,
    pub acquirer_code: String,
    pub rules: MethodRules,
    pub timing: Timing,
    /// Whether the merchant may refund at all (it is active).
    pub merchant_active: bool,
    /// The merchant's settlement currency.
    pub settles_in: String,
}

/// The payment with its method's and acquirer's columns, as selected.
struct PaymentRow {
    id: i64,
    transaction_id: String,
    transaction_type: TransactionType,
    status: TransactionStatus,
    amount_minor: i64,
    currency: String,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    reference_transaction_id: Option<String>,
    payment_method_type: String,
    payment_method_name: String,
    acquirer_code: String,
    is_card: bool,
    refund_supported: bool,
    partial_refund_supported: bool,
    multiple_refunds_supported: bool,
    refund_window_days: i32,
    min_refund_minor: i64,
    refund_mode: RefundMode,
    sync_card_refunds: bool,
    merchant_active: bool,
    settlement_currency: String,
}

impl From<PaymentRow> for Payment {
    fn from(r: PaymentRow) -> Payment {
        Payment {
            row_id: r.id,
            transaction_id: r.transaction_id,
            transaction_type: r.transaction_type,
            status: r.status,
            amount_minor: r.amount_minor,
            currency: r.currency,
            created_at: r.created_at,
            finished_at: r.finished_at,
            reference_transaction_id: r.reference_transaction_id,
            payment_method_type: r.payment_method_type,
            payment_method_name: r.payment_method_name,
            acquirer_code: r.acquirer_code,
            rules: MethodRules {
                refund_supported: r.refund_supported,
                partial_refund_supported: r.partial_refund_supported,
                multiple_refunds_supported: r.multiple_refunds_supported,
                refund_window_days: r.refund_window_days,
                min_refund_minor: r.min_refund_minor,
                is_card: r.is_card,
            },
            timing: Timing::of(r.refund_mode, r.is_card, r.sync_card_refunds),
            merchant_active: r.merchant_active,
            settles_in: r.settlement_currency.trim().to_string(),
        }
    }
}

/// Selects the payment `$1` stands for, of merchant `$2`, with its merchant's state,
/// followed by `$lock` (a lock
/// clause or nothing). One statement serves both lookups: the SQL must be a literal to
/// be checked at compile time, so the lock clause is appended here.
macro_rules! select_payment {
    ($lock:literal, $conn:expr, $merchant_id:expr, $transaction_id:expr) => {
        sqlx::query_as!(
            PaymentRow,
            r#"SELECT t.id, t.transaction_id,
                      t.transaction_type AS "transaction_type: TransactionType",
                      t.status AS "status: TransactionStatus",
                      t.amount_minor, t.currency, t.created_at AS "created_at: DateTime<Utc>",
                      t.finished_at AS "finished_at: DateTime<Utc>", t.reference_transaction_id,
                      t.payment_method_type, m.name AS payment_method_name, t.acquirer_code,
                      m.is_card, m.refund_supported, m.partial_refund_supported,
                      m.multiple_refunds_supported, m.refund_window_days, m.min_refund_minor,
                      m.refund_mode AS "refund_mode: RefundMode", a.sync_card_refunds,
                      mr.status = 'ACTIVE' AS "merchant_active!", mr.settlement_currency
               FROM transactions t
               JOIN payment_methods m ON m.code = t.payment_method_type
               JOIN acquirers a ON a.code = t.acquirer_code
               JOIN merchants mr ON mr.id = t.merchant_id
               WHERE t.merchant_id = $2
                 AND t.id = (SELECT CASE WHEN f.transaction_type = 'CAPTURE'
                                              AND f.original_id IS NOT NULL
                                         THEN f.original_id ELSE f.id END
                               FROM transactions f
                              WHERE f.transaction_id = $1 AND f.merchant_id = $2)
            "#
                + $lock,
            $transaction_id,
            $merchant_id
        )
        .fetch_optional($conn)
    };
}

impl Payment {
    /// The payment `transaction_id` stands for (a capture's ID gives its payment); None
    /// when the merchant has no such transaction.
    pub(super) async fn find(
        conn: &mut PgConnection,
        merchant_id: Uuid,
        transaction_id: &str,
    ) -> sqlx::Result<Option<Payment>> {
        let row = select_payment!("", conn, merchant_id, transaction_id).await?;
        Ok(row.map(Payment::from))
    }

    /// [`Payment::find`], with the payment row locked `FOR UPDATE` until the transaction
    /// ends, so that refunds of one payment are decided one after another.
    pub(super) async fn lock(
        conn: &mut PgConnection,
        merchant_id: Uuid,
        transaction_id: &str,
    ) -> sqlx::Result<Option<Payment>> {
        let row = select_payment!("FOR UPDATE OF t", conn, merchant_id, transaction_id).await?;
        Ok(row.map(Payment::from))
    }

    /// What the refund rules need to know: the payment with what its captures, refunds
    /// and chargebacks have done to it so far.
    pub(super) async fn facts(&self, conn: &mut PgConnection) -> sqlx::Result<PaymentFacts> {
        let related = sqlx::query_as!(
            Related,
            r#"SELECT refunded_minor AS "refunded_minor!", refund_count AS "refund_count!",
                      captured AS "captured!", chargeback_pending AS "chargeback_pending!",
                      charged_back_minor AS "charged_back_minor!"
               FROM payment_refund_facts($1)"#,
            self.row_id
        )
        .fetch_one(conn)
        .await?;
        Ok(self.facts_with(related))
    }

    /// The rules' view of the payment, given what its related transactions did.
    pub(super) fn facts_with(&self, related: Related) -> PaymentFacts {
        PaymentFacts {
            transaction_type: self.transaction_type,
            status: self.status,
            amount_minor: self.amount_minor,
            currency: self.currency.clone(),
            succeeded_at: self.finished_at,
            captured: related.captured,
            chargeback_pending: related.chargeback_pending,
            refunded_minor: related.refunded_minor,
            refund_count: related.refund_count,
            charged_back_minor: related.charged_back_minor,
        }
    }
}

/// What a payment's captures, refunds and chargebacks have done to it: a row of the SQL
/// function `payment_refund_facts` (one definition for the details page and the engine).
pub(super) struct Related {
    pub refunded_minor: i64,
    pub refund_count: i64,
    pub captured: bool,
    pub chargeback_pending: bool,
    pub charged_back_minor: i64,
}
