//! The answer to a refundRequestId used before: merchants retry on timeouts, and a
//! repeat gets the first answer, or REPEAT_REQ_INCONSISTENT when it asks for another
//! refund (docs/RULES.md, "Results").

use sqlx::PgPool;
use uuid::Uuid;

use super::command::RefundCommand;
use super::error::RefundError;
use super::record::{load_record, RefundRecord};
use crate::refunds::types::RefundRequestId;

/// What a refund request asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestedRefund {
    pub payment_ref: String,
    pub amount_minor: i64,
    pub currency: String,
}

impl RequestedRefund {
    /// Whether `cmd` asks for this refund again: the same paymentId, amount and
    /// currency (the reason and notify URL may differ).
    fn is_asked_again_by(&self, cmd: &RefundCommand) -> bool {
        self.payment_ref == cmd.payment_id.as_str()
            && self.amount_minor == cmd.amount.get()
            && self.currency == cmd.currency.as_str()
    }
}

/// What was asked and answered under `refund_request_id`: the refund made (in its
/// current status) or the refusal. None if the merchant never used the ID.
pub async fn answer(
    pool: &PgPool,
    merchant_id: Uuid,
    refund_request_id: &RefundRequestId,
) -> Result<Option<(RequestedRefund, Result<RefundRecord, RefundError>)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT payment_ref, amount_minor, currency, result_code, result_message, refund_id
         FROM refund_requests WHERE merchant_id = $1 AND refund_request_id = $2",
        merchant_id,
        refund_request_id.as_str()
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let request = RequestedRefund {
        payment_ref: row.payment_ref,
        amount_minor: row.amount_minor,
        currency: row.currency,
    };
    let answer = match row.refund_id {
        Some(row_id) => {
            let mut conn = pool.acquire().await?;
            load_record(&mut conn, row_id)
                .await?
                .ok_or(RefundError::NotFound)
        }
        None => Err(RefundError::Refused {
            code: row.result_code,
            message: row.result_message,
        }),
    };
    Ok(Some((request, answer)))
}

/// The answer to `cmd` if its request ID was used before; None for a new one.
pub(super) async fn replay(
    pool: &PgPool,
    merchant_id: Uuid,
    cmd: &RefundCommand,
) -> Result<Option<Result<RefundRecord, RefundError>>, sqlx::Error> {
    let answered = answer(pool, merchant_id, &cmd.refund_request_id).await?;
    Ok(answered.map(|(request, first)| replayed(&request, cmd, first)))
}

/// What `cmd` gets when its request ID first asked for `request` and was answered
/// `first`.
fn replayed(
    request: &RequestedRefund,
    cmd: &RefundCommand,
    first: Result<RefundRecord, RefundError>,
) -> Result<RefundRecord, RefundError> {
    if request.is_asked_again_by(cmd) {
        first
    } else {
        Err(RefundError::Inconsistent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refunds::engine::RefundSource;
    use crate::refunds::types::{CurrencyCode, MinorAmount, RefundStatus, TransactionRef};
    use chrono::{TimeZone, Utc};

    fn command(payment: &str, currency: &str, amount: i64) -> RefundCommand {
        RefundCommand {
            refund_request_id: RefundRequestId::parse("R-1").unwrap(),
            payment_id: TransactionRef::parse("paymentId", payment).unwrap(),
            currency: CurrencyCode::parse(currency).unwrap(),
            amount: MinorAmount::new(amount).unwrap(),
            reason: None,
            notify_url: None,
            source: RefundSource::Api {
                client_id: "C".into(),
            },
        }
    }

    fn asked() -> RequestedRefund {
        RequestedRefund {
            payment_ref: "PAY-1".into(),
            amount_minor: 2_000,
            currency: "USD".into(),
        }
    }

    fn made() -> RefundRecord {
        RefundRecord {
            row_id: 7,
            refund_id: "2026112911900000000000000001".into(),
            refund_request_id: "R-1".into(),
            payment_id: "PAY-1".into(),
            amount_minor: 2_000,
            currency: "USD".into(),
            status: RefundStatus::Processing,
            created_at: Utc.with_ymd_and_hms(2026, 11, 29, 1, 2, 3).unwrap(),
            finished_at: None,
            settlement: None,
            reason: None,
        }
    }

    #[test]
    fn the_same_request_gets_the_refund_made_the_first_time() {
        let again = replayed(&asked(), &command("PAY-1", "USD", 2_000), Ok(made()));
        assert_eq!(again.unwrap(), made());
    }

    #[test]
    fn the_same_request_gets_the_first_refusal() {
        let first = Err(RefundError::Refused {
            code: "REFUND_AMOUNT_EXCEED".into(),
            message: "too much".into(),
        });
        let again = replayed(&asked(), &command("PAY-1", "USD", 2_000), first);
        assert_eq!(again.unwrap_err().result_code(), "REFUND_AMOUNT_EXCEED");
    }

    #[test]
    fn another_payment_amount_or_currency_is_inconsistent() {
        for cmd in [
            command("PAY-2", "USD", 2_000),
            command("PAY-1", "USD", 2_001),
            command("PAY-1", "EUR", 2_000),
        ] {
            let again = replayed(&asked(), &cmd, Ok(made()));
            assert!(matches!(again, Err(RefundError::Inconsistent)), "{cmd:?}");
        }
    }
}
