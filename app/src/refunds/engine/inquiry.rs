//! inquiryRefund: a merchant's refund by refundId or refundRequestId.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::error::RefundError;
use super::record::{load_record, RefundRecord};
use crate::refunds::types::{RefundRequestId, TransactionRef};

/// How inquiryRefund names a refund.
#[derive(Clone, Debug)]
pub enum RefundLookup {
    RefundId(TransactionRef),
    RefundRequestId(RefundRequestId),
}

/// A refund of the merchant, by refundId or refundRequestId. Refused requests made no
/// refund: they are ORDER_NOT_EXIST here, as are other merchants' refunds.
pub async fn inquire(
    pool: &PgPool,
    merchant_id: Uuid,
    lookup: &RefundLookup,
) -> Result<RefundRecord, RefundError> {
    let mut conn = pool.acquire().await?;
    let Some(row_id) = find_refund(&mut conn, merchant_id, lookup).await? else {
        return Err(RefundError::NotFound);
    };
    load_record(&mut conn, row_id)
        .await?
        .ok_or(RefundError::NotFound)
}

/// The REFUND row `lookup` names among the merchant's.
async fn find_refund(
    conn: &mut PgConnection,
    merchant_id: Uuid,
    lookup: &RefundLookup,
) -> sqlx::Result<Option<i64>> {
    match lookup {
        RefundLookup::RefundId(id) => {
            sqlx::query_scalar!(
                "SELECT id FROM transactions
                 WHERE transaction_id = $1 AND merchant_id = $2 AND transaction_type = 'REFUND'",
                id.as_str(),
                merchant_id
            )
            .fetch_optional(conn)
            .await
        }
        RefundLookup::RefundRequestId(id) => {
            sqlx::query_scalar!(
                "SELECT id FROM transactions
                 WHERE merchant_id = $1 AND transaction_request_id = $2
                   AND transaction_type = 'REFUND'
                 ORDER BY created_at DESC, id DESC LIMIT 1",
                merchant_id,
                id.as_str()
            )
            .fetch_optional(conn)
            .await
        }
    }
}
