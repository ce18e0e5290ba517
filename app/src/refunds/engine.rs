//! The refund engine: every refund, from the open API or the dashboard, is decided and
//! recorded here in one database transaction.
//!
//! Concurrency: the payment row is locked `FOR UPDATE` first, so refunds of one payment
//! run one after another and each sees the amounts the previous ones took; the
//! idempotency row `(merchant_id, refund_request_id)` is claimed with `ON CONFLICT DO
//! NOTHING`, which waits for a concurrent claim of the same key to commit, so duplicates
//! find the first request's row instead of making a second refund; the balance is
//! debited with a conditional `UPDATE`, which cannot go below zero.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use super::rules::{self, MethodRules, PaymentFacts, RefundRefusal};
use super::types::{CurrencyCode, MinorAmount, RefundRequestId, RefundStatus, TransactionRef};
use crate::audit::{self, Actor, AuditAction, Event};
use crate::money::{trim_decimal, Currency};
use crate::transactions::kind::TransactionStatus;

/// Who asked for the refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundSource {
    /// The open API, with the client id whose key signed the request.
    Api { client_id: String },
    /// A signed-in user, who has given their payment password.
    Dashboard(Actor),
}

impl RefundSource {
    /// Who the audit log names for this refund.
    fn actor(&self, merchant_id: Uuid) -> Actor {
        match self {
            RefundSource::Api { client_id } => Actor::api_client(merchant_id, client_id),
            RefundSource::Dashboard(actor) => actor.clone(),
        }
    }
}

/// A refund request, already parsed.
#[derive(Clone, Debug)]
pub struct RefundCommand {
    pub refund_request_id: RefundRequestId,
    /// paymentId: a payment's transaction ID, or a capture's (refunds belong to the
    /// payment either way).
    pub payment_id: TransactionRef,
    pub currency: CurrencyCode,
    pub amount: MinorAmount,
    pub reason: Option<String>,
    pub notify_url: Option<String>,
    pub source: RefundSource,
}

/// A refund's settlement into the merchant's settlement currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub amount_minor: i64,
    pub currency: String,
    /// Settlement currency per one unit of the refund currency, as a decimal string
    /// without trailing zeros.
    pub quote: String,
    /// The date of the exchange_rates row used.
    pub rate_date: Option<NaiveDate>,
}

/// A refund as the API and the dashboard show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecord {
    /// `transactions.id` of the REFUND row.
    pub row_id: i64,
    /// Paydesk's refundId.
    pub refund_id: String,
    pub refund_request_id: String,
    /// The payment's transaction ID.
    pub payment_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: RefundStatus,
    pub created_at: DateTime<Utc>,
    /// When the refund reached SUCCESS or FAIL.
    pub finished_at: Option<DateTime<Utc>>,
    pub settlement: Option<Settlement>,
    pub reason: Option<String>,
}

/// Why no refund record is returned.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    /// Refused by the refund rules or the balance; the refusal is kept for the
    /// refundRequestId and a repeat gets it again.
    #[error("{code}: {message}")]
    Refused { code: String, message: String },
    #[error("REPEAT_REQ_INCONSISTENT")]
    Inconsistent,
    #[error("ORDER_NOT_EXIST")]
    NotFound,
    #[error("INVALID_MERCHANT_STATUS")]
    MerchantInactive,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl RefundError {
    pub fn result_code(&self) -> &str {
        match self {
            RefundError::Refused { code, .. } => code,
            RefundError::Inconsistent => "REPEAT_REQ_INCONSISTENT",
            RefundError::NotFound => "ORDER_NOT_EXIST",
            RefundError::MerchantInactive => "INVALID_MERCHANT_STATUS",
            RefundError::Database(_) => "UNKNOWN_EXCEPTION",
        }
    }

    pub fn message(&self) -> String {
        match self {
            RefundError::Refused { message, .. } => message.clone(),
            RefundError::Inconsistent => {
                "The refundRequestId was used before with another paymentId, amount or currency."
                    .into()
            }
            RefundError::NotFound => "The order does not exist.".into(),
            RefundError::MerchantInactive => {
                "The merchant account is not active, so refunds are not accepted.".into()
            }
            // The caller retries with the same refundRequestId; details stay in the log.
            RefundError::Database(_) => "An API call has failed for an unknown reason.".into(),
        }
    }

    fn refused(r: &RefundRefusal) -> RefundError {
        RefundError::Refused {
            code: r.result_code().to_string(),
            message: r.message(),
        }
    }
}

/// Refund IDs look like Antom's: the UTC date, `1190` and a 16-digit serial.
fn refund_transaction_id(now: DateTime<Utc>, n: i64) -> String {
    format!("{}1190{:016}", now.format("%Y%m%d"), n)
}

/// Serial numbers of new refunds: far above the demo data's per-merchant ranges
/// (merchant × 10^9 + n), still digits only.
fn refund_serial_no(n: i64) -> String {
    (9_000_000_000_000_i64 + n).to_string()
}

/// A refund ID at the acquirer, as the simulated acquirer hands it out.
fn acquirer_refund_id(n: i64) -> String {
    format!("SIMR{n:012}")
}

/// Makes a refund, or answers why not. A repeated `refund_request_id` answers with the
/// refund made the first time (in its current status) or the first refusal.
pub async fn refund(
    pool: &PgPool,
    merchant_id: Uuid,
    cmd: RefundCommand,
) -> Result<RefundRecord, RefundError> {
    // Replays are common (merchants retry on timeouts); answer them without a lock.
    if let Some(answer) = replay(pool, merchant_id, &cmd).await? {
        return answer;
    }
    let mut tx = pool.begin().await?;

    let merchant = sqlx::query("SELECT status, settlement_currency::text AS settlement_currency FROM merchants WHERE id = $1")
        .bind(merchant_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(merchant) = merchant else {
        return Err(RefundError::MerchantInactive);
    };
    if merchant.get::<String, _>("status") != "ACTIVE" {
        return Err(RefundError::MerchantInactive);
    }
    let settlement_currency: String = merchant.get("settlement_currency");

    let p = find_payment(&mut tx, merchant_id, cmd.payment_id.as_str(), true)
        .await?
        .ok_or(RefundError::NotFound)?;
    let payment_row: i64 = p.get("id");

    // Claim the request ID. A concurrent claim of the same ID makes this wait for it to
    // commit; then the row is there and the answer is the first request's.
    let claimed = sqlx::query(
        "INSERT INTO refund_requests (merchant_id, refund_request_id, payment_ref, payment_id,
             amount_minor, currency, result_code, result_message, source, client_id, notify_url)
         VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', '', $7, $8, $9)
         ON CONFLICT (merchant_id, refund_request_id) DO NOTHING
         RETURNING 1",
    )
    .bind(merchant_id)
    .bind(cmd.refund_request_id.as_str())
    .bind(cmd.payment_id.as_str())
    .bind(payment_row)
    .bind(cmd.amount.get())
    .bind(cmd.currency.as_str())
    .bind(match cmd.source {
        RefundSource::Api { .. } => "API",
        RefundSource::Dashboard(_) => "DASHBOARD",
    })
    .bind(match &cmd.source {
        RefundSource::Api { client_id } => Some(client_id.as_str()),
        RefundSource::Dashboard(_) => None,
    })
    .bind(cmd.notify_url.as_deref())
    .fetch_optional(&mut *tx)
    .await?;
    if claimed.is_none() {
        tx.rollback().await?;
        return match replay(pool, merchant_id, &cmd).await? {
            Some(answer) => answer,
            // Only possible if the row vanished again (a demo-data reset): say unknown.
            None => Err(RefundError::Database(sqlx::Error::RowNotFound)),
        };
    }

    let now: DateTime<Utc> = sqlx::query_scalar("SELECT now()")
        .fetch_one(&mut *tx)
        .await?;
    let facts = payment_facts(&mut tx, &p).await?;
    let method = method_rules(&p);
    let amount = cmd.amount.get();
    if let Err(refusal) = rules::decide(&facts, &method, cmd.currency.as_str(), amount, now) {
        let err = RefundError::refused(&refusal);
        record_refusal(&mut tx, merchant_id, &cmd, &err).await?;
        tx.commit().await?;
        return Err(err);
    }

    // Refunds are paid out of the merchant's balance in the payment currency.
    let balance: Option<i64> = sqlx::query_scalar(
        "UPDATE merchant_balances SET available_minor = available_minor - $3, updated_at = now()
         WHERE merchant_id = $1 AND currency = $2 AND available_minor >= $3
         RETURNING available_minor",
    )
    .bind(merchant_id)
    .bind(&facts.currency)
    .bind(amount)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(balance_after) = balance else {
        let err = RefundError::Refused {
            code: "MERCHANT_BALANCE_NOT_ENOUGH".into(),
            message: "The merchant balance is insufficient.".into(),
        };
        record_refusal(&mut tx, merchant_id, &cmd, &err).await?;
        tx.commit().await?;
        return Err(err);
    };

    let n: i64 = sqlx::query_scalar("SELECT nextval('refund_number_seq')")
        .fetch_one(&mut *tx)
        .await?;
    let sync = is_sync(&p);
    let settlement = if sync {
        settlement(
            &mut tx,
            amount,
            &facts.currency,
            &settlement_currency,
            now.date_naive(),
        )
        .await?
    } else {
        None
    };
    let refund_id = refund_transaction_id(now, n);
    let row_id: i64 = sqlx::query_scalar(
        "INSERT INTO transactions (merchant_id, transaction_id, reference_transaction_id,
             transaction_request_id, acquirer_transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, settlement_amount_minor, settlement_currency,
             settlement_quote, payment_method_type, acquirer_code, original_id, reason,
             created_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'REFUND', $7, $8, $9, $10, $11, $12::numeric, $13, $14,
                 $15, $16, $17, $18)
         RETURNING id",
    )
    .bind(merchant_id)
    .bind(&refund_id)
    .bind(p.get::<Option<String>, _>("reference_transaction_id"))
    .bind(cmd.refund_request_id.as_str())
    .bind(sync.then(|| acquirer_refund_id(n)))
    .bind(refund_serial_no(n))
    .bind(if sync {
        TransactionStatus::Success
    } else {
        TransactionStatus::Processing
    })
    .bind(amount)
    .bind(&facts.currency)
    .bind(settlement.as_ref().map(|s| s.amount_minor))
    .bind(&settlement_currency)
    .bind(settlement.as_ref().map(|s| s.quote.clone()))
    .bind(p.get::<String, _>("payment_method_type"))
    .bind(p.get::<String, _>("acquirer_code"))
    .bind(payment_row)
    .bind(cmd.reason.as_deref())
    .bind(now)
    .bind(sync.then_some(now))
    .fetch_one(&mut *tx)
    .await?;

    sqlx::query(
        "INSERT INTO balance_entries (merchant_id, currency, amount_minor, balance_after_minor,
             kind, transaction_id, created_at)
         VALUES ($1, $2, $3, $4, 'REFUND', $5, $6)",
    )
    .bind(merchant_id)
    .bind(&facts.currency)
    .bind(-amount)
    .bind(balance_after)
    .bind(row_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;

    sqlx::query(
        "UPDATE refund_requests
         SET result_code = $3, result_message = $4, refund_id = $5, acquirer_pending_since = $6
         WHERE merchant_id = $1 AND refund_request_id = $2",
    )
    .bind(merchant_id)
    .bind(cmd.refund_request_id.as_str())
    .bind(if sync { "SUCCESS" } else { "REFUND_IN_PROCESS" })
    .bind(if sync {
        "Success"
    } else {
        "The refund is being processed."
    })
    .bind(row_id)
    .bind((!sync).then_some(now))
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &cmd.source.actor(merchant_id),
        Event::new(AuditAction::Refund)
            .subject(refund_id.as_str())
            .amount(amount, facts.currency.as_str())
            .detail(format!(
                "Refund of payment {} ({})",
                p.get::<String, _>("transaction_id"),
                if sync { "successful" } else { "processing" }
            )),
    )
    .await?;

    tx.commit().await?;
    Ok(RefundRecord {
        row_id,
        refund_id,
        refund_request_id: cmd.refund_request_id.to_string(),
        payment_id: p.get("transaction_id"),
        amount_minor: amount,
        currency: facts.currency,
        status: if sync {
            RefundStatus::Success
        } else {
            RefundStatus::Processing
        },
        created_at: now,
        finished_at: sync.then_some(now),
        settlement,
        reason: cmd.reason,
    })
}

async fn record_refusal(
    conn: &mut PgConnection,
    merchant_id: Uuid,
    cmd: &RefundCommand,
    err: &RefundError,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE refund_requests SET result_code = $3, result_message = $4
         WHERE merchant_id = $1 AND refund_request_id = $2",
    )
    .bind(merchant_id)
    .bind(cmd.refund_request_id.as_str())
    .bind(err.result_code())
    .bind(err.message())
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        &cmd.source.actor(merchant_id),
        Event::new(AuditAction::RefundRefused)
            .subject(cmd.payment_id.as_str())
            .amount(cmd.amount.get(), cmd.currency.as_str())
            .detail(format!("{}: {}", err.result_code(), err.message())),
    )
    .await?;
    Ok(())
}

/// The answer to a request ID seen before, or None for a new one.
async fn replay(
    pool: &PgPool,
    merchant_id: Uuid,
    cmd: &RefundCommand,
) -> Result<Option<Result<RefundRecord, RefundError>>, sqlx::Error> {
    let Some((request, answer)) = answer(pool, merchant_id, &cmd.refund_request_id).await? else {
        return Ok(None);
    };
    let same = request.payment_ref == cmd.payment_id.as_str()
        && request.amount_minor == cmd.amount.get()
        && request.currency == cmd.currency.as_str();
    if !same {
        return Ok(Some(Err(RefundError::Inconsistent)));
    }
    Ok(Some(answer))
}

/// What a refund request asked for.
pub struct RequestedRefund {
    pub payment_ref: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// What was asked and answered under `refund_request_id`: the refund made (in its
/// current status) or the refusal. None if the merchant never used the ID.
pub async fn answer(
    pool: &PgPool,
    merchant_id: Uuid,
    refund_request_id: &RefundRequestId,
) -> Result<Option<(RequestedRefund, Result<RefundRecord, RefundError>)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT payment_ref, amount_minor, currency::text AS currency, result_code,
                result_message, refund_id
         FROM refund_requests WHERE merchant_id = $1 AND refund_request_id = $2",
    )
    .bind(merchant_id)
    .bind(refund_request_id.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let request = RequestedRefund {
        payment_ref: row.get("payment_ref"),
        amount_minor: row.get("amount_minor"),
        currency: row.get("currency"),
    };
    let answer = match row.get::<Option<i64>, _>("refund_id") {
        Some(row_id) => {
            let mut conn = pool.acquire().await?;
            load_record(&mut conn, row_id)
                .await?
                .ok_or(RefundError::NotFound)
        }
        None => Err(RefundError::Refused {
            code: row.get("result_code"),
            message: row.get("result_message"),
        }),
    };
    Ok(Some((request, answer)))
}

/// What the rules need to know about the locked payment row `p`.
/// The method's refund capabilities from a row that selected them with the payment.
fn method_rules(p: &sqlx::postgres::PgRow) -> MethodRules {
    MethodRules {
        refund_supported: p.get("refund_supported"),
        partial_refund_supported: p.get("partial_refund_supported"),
        multiple_refunds_supported: p.get("multiple_refunds_supported"),
        refund_window_days: p.get("refund_window_days"),
        min_refund_minor: p.get("min_refund_minor"),
        is_card: p.get("is_card"),
    }
}

async fn payment_facts(
    conn: &mut PgConnection,
    p: &sqlx::postgres::PgRow,
) -> sqlx::Result<PaymentFacts> {
    let id: i64 = p.get("id");
    let agg = sqlx::query(
        "SELECT
            coalesce(sum(amount_minor) FILTER (WHERE transaction_type = 'REFUND'
                     AND status IN ('SUCCESS', 'PROCESSING')), 0)::bigint AS refunded,
            count(*) FILTER (WHERE transaction_type = 'REFUND'
                     AND status IN ('SUCCESS', 'PROCESSING')) AS refunds,
            coalesce(bool_or(transaction_type = 'CAPTURE' AND status = 'SUCCESS'), false)
                AS captured,
            coalesce(bool_or(transaction_type = 'CHARGEBACK' AND status = 'PROCESSING'), false)
                AS chargeback_pending,
            coalesce(sum(amount_minor) FILTER (WHERE transaction_type = 'CHARGEBACK'
                     AND status = 'SUCCESS'), 0)::bigint AS charged_back
         FROM transactions WHERE original_id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(PaymentFacts {
        transaction_type: p.get("transaction_type"),
        status: p.get("status"),
        amount_minor: p.get("amount_minor"),
        currency: p.get::<String, _>("currency").trim().to_string(),
        succeeded_at: p.get("finished_at"),
        captured: agg.get("captured"),
        chargeback_pending: agg.get("chargeback_pending"),
        refunded_minor: agg.get("refunded"),
        refund_count: agg.get("refunds"),
        charged_back_minor: agg.get("charged_back"),
    })
}

/// What the dashboard shows before a refund of a payment.
#[derive(Clone, Debug)]
pub struct RefundFacts {
    /// The payment's transaction ID (a capture's payment).
    pub payment_id: String,
    pub payment_method: String,
    pub facts: PaymentFacts,
    pub rules: MethodRules,
    /// Whether a refund answers at once (SUCCESS) or waits for the acquirer.
    pub sync: bool,
}

/// The rules' view of a payment, for showing what can be refunded (the details page
/// and the refund dialog). None when the merchant has no such transaction; a capture's
/// ID gives its payment.
pub async fn refund_facts(
    pool: &PgPool,
    merchant_id: Uuid,
    transaction_id: &str,
) -> sqlx::Result<Option<RefundFacts>> {
    let mut conn = pool.acquire().await?;
    let Some(p) = find_payment(&mut conn, merchant_id, transaction_id, false).await? else {
        return Ok(None);
    };
    Ok(Some(RefundFacts {
        payment_id: p.get("transaction_id"),
        payment_method: p.get("payment_method_type"),
        facts: payment_facts(&mut conn, &p).await?,
        rules: method_rules(&p),
        sync: is_sync(&p),
    }))
}

/// The payment `transaction_id` stands for (a capture's ID gives its payment), with
/// its method's and acquirer's refund capabilities; None when the merchant has no such
/// transaction. `lock` takes the payment row `FOR UPDATE` until the transaction ends.
async fn find_payment(
    conn: &mut PgConnection,
    merchant_id: Uuid,
    transaction_id: &str,
    lock: bool,
) -> sqlx::Result<Option<sqlx::postgres::PgRow>> {
    let sql = format!(
        "SELECT t.id, t.transaction_id, t.transaction_type, t.status, t.amount_minor,
                t.currency::text AS currency, t.finished_at, t.reference_transaction_id,
                t.payment_method_type, t.acquirer_code,
                m.is_card, m.refund_supported, m.partial_refund_supported,
                m.multiple_refunds_supported, m.refund_window_days, m.min_refund_minor,
                m.refund_mode, a.sync_card_refunds
         FROM transactions t
         JOIN payment_methods m ON m.code = t.payment_method_type
         JOIN acquirers a ON a.code = t.acquirer_code
         WHERE t.merchant_id = $2
           AND t.id = (SELECT CASE WHEN f.transaction_type = 'CAPTURE' AND f.original_id IS NOT NULL
                                   THEN f.original_id ELSE f.id END
                         FROM transactions f
                        WHERE f.transaction_id = $1 AND f.merchant_id = $2)
         {}",
        if lock { "FOR UPDATE OF t" } else { "" }
    );
    sqlx::query(&sql)
        .bind(transaction_id)
        .bind(merchant_id)
        .fetch_optional(conn)
        .await
}

/// Whether refunds of the payment row `p` settle at once: the method refunds
/// synchronously, or it is a card through an acquirer whose card refunds do.
fn is_sync(p: &sqlx::postgres::PgRow) -> bool {
    p.get::<String, _>("refund_mode") == "SYNC"
        || (p.get::<bool, _>("is_card") && p.get::<bool, _>("sync_card_refunds"))
}

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
    let row_id: Option<i64> = match lookup {
        RefundLookup::RefundId(id) => {
            sqlx::query_scalar(
                "SELECT id FROM transactions
                 WHERE transaction_id = $1 AND merchant_id = $2 AND transaction_type = 'REFUND'",
            )
            .bind(id.as_str())
            .bind(merchant_id)
            .fetch_optional(&mut *conn)
            .await?
        }
        RefundLookup::RefundRequestId(id) => {
            sqlx::query_scalar(
                "SELECT id FROM transactions
                 WHERE merchant_id = $1 AND transaction_request_id = $2
                   AND transaction_type = 'REFUND'
                 ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(merchant_id)
            .bind(id.as_str())
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let Some(row_id) = row_id else {
        return Err(RefundError::NotFound);
    };
    load_record(&mut conn, row_id)
        .await?
        .ok_or(RefundError::NotFound)
}

/// A REFUND row with its payment's ID.
pub async fn load_record(
    conn: &mut PgConnection,
    row_id: i64,
) -> sqlx::Result<Option<RefundRecord>> {
    let row = sqlx::query(
        "SELECT r.id, r.transaction_id, r.transaction_request_id, p.transaction_id AS payment_id,
                r.amount_minor, r.currency::text AS currency, r.status, r.created_at,
                r.finished_at, r.settlement_amount_minor,
                r.settlement_currency::text AS settlement_currency,
                r.settlement_quote::text AS settlement_quote, r.reason
         FROM transactions r LEFT JOIN transactions p ON p.id = r.original_id
         WHERE r.id = $1 AND r.transaction_type = 'REFUND'",
    )
    .bind(row_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let settlement = match (
            r.get::<Option<i64>, _>("settlement_amount_minor"),
            r.get::<Option<String>, _>("settlement_currency"),
            r.get::<Option<String>, _>("settlement_quote"),
        ) {
            (Some(amount_minor), Some(currency), Some(quote)) => Some(Settlement {
                amount_minor,
                currency: currency.trim().to_string(),
                quote: trim_decimal(&quote),
                rate_date: None,
            }),
            _ => None,
        };
        RefundRecord {
            row_id: r.get("id"),
            refund_id: r.get("transaction_id"),
            refund_request_id: r
                .get::<Option<String>, _>("transaction_request_id")
                .unwrap_or_default(),
            payment_id: r.get::<Option<String>, _>("payment_id").unwrap_or_default(),
            amount_minor: r.get("amount_minor"),
            currency: r.get::<String, _>("currency").trim().to_string(),
            status: RefundStatus::from_transaction_status(r.get("status")),
            created_at: r.get("created_at"),
            finished_at: r.get("finished_at"),
            settlement,
            reason: r.get("reason"),
        }
    }))
}

/// `amount_minor` of `from` in `to` at the reference rate of `day` (or the nearest day
/// before it, else after it). The amount is converted exactly in SQL numeric and
/// rounded half away from zero to the settlement currency's minor unit, the same as the
/// demo data. None when there is no rate for the pair at all.
pub async fn settlement(
    conn: &mut PgConnection,
    amount_minor: i64,
    from: &str,
    to: &str,
    day: NaiveDate,
) -> sqlx::Result<Option<Settlement>> {
    let to = to.trim();
    if from == to {
        return Ok(Some(Settlement {
            amount_minor,
            currency: to.to_string(),
            quote: "1".into(),
            rate_date: None,
        }));
    }
    let (Ok(f), Ok(t)) = (Currency::parse(from), Currency::parse(to)) else {
        return Ok(None);
    };
    let shift = t.minor_units() as i32 - f.minor_units() as i32;
    let row = sqlx::query(
        "WITH r AS (
             (SELECT rate, rate_date FROM exchange_rates
              WHERE base_currency = $1 AND quote_currency = $2 AND rate_date <= $3
              ORDER BY rate_date DESC LIMIT 1)
             UNION ALL
             (SELECT rate, rate_date FROM exchange_rates
              WHERE base_currency = $1 AND quote_currency = $2 AND rate_date > $3
              ORDER BY rate_date LIMIT 1)
             LIMIT 1)
         SELECT rate::text AS rate, rate_date,
                round($4::numeric * rate * power(10::numeric, $5::int))::bigint AS amount
         FROM r",
    )
    .bind(from)
    .bind(to)
    .bind(day)
    .bind(amount_minor)
    .bind(shift)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Settlement {
        amount_minor: r.get("amount"),
        currency: to.to_string(),
        quote: trim_decimal(&r.get::<String, _>("rate")),
        rate_date: Some(r.get("rate_date")),
    }))
}

/// An asynchronous refund waiting for the acquirer, locked for deciding.
#[derive(Clone, Debug)]
pub struct PendingRefund {
    pub merchant_id: Uuid,
    pub refund_request_id: String,
    pub row_id: i64,
    pub amount_minor: i64,
    pub reason: Option<String>,
    pub client_id: Option<String>,
    pub notify_url: Option<String>,
}

/// Locks up to `limit` asynchronous refunds that have waited at least `delay`, skipping
/// rows another worker holds, so that several server instances share the work.
pub async fn lock_due_refunds(
    conn: &mut PgConnection,
    delay: std::time::Duration,
    limit: i64,
) -> sqlx::Result<Vec<PendingRefund>> {
    let rows = sqlx::query(
        "SELECT q.merchant_id, q.refund_request_id, q.refund_id, q.amount_minor, q.client_id,
                coalesce(q.notify_url, m.notify_url) AS notify_url, t.reason
         FROM refund_requests q
         JOIN merchants m ON m.id = q.merchant_id
         JOIN transactions t ON t.id = q.refund_id
         WHERE q.acquirer_pending_since <= now() - make_interval(secs => $1)
         ORDER BY q.acquirer_pending_since
         LIMIT $2
         FOR UPDATE OF q SKIP LOCKED",
    )
    .bind(delay.as_secs_f64())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PendingRefund {
            merchant_id: r.get("merchant_id"),
            refund_request_id: r.get("refund_request_id"),
            row_id: r.get("refund_id"),
            amount_minor: r.get("amount_minor"),
            reason: r.get("reason"),
            client_id: r.get("client_id"),
            notify_url: r.get("notify_url"),
        })
        .collect())
}

/// Records the acquirer's answer to a pending refund (locked by [`lock_due_refunds`]
/// in the same transaction): SUCCESS settles it at the rate of today, FAIL gives the
/// amount back to the balance and to the payment's refundable amount.
pub async fn finish_pending(
    conn: &mut PgConnection,
    pending: &PendingRefund,
    succeeded: bool,
) -> sqlx::Result<RefundRecord> {
    let now: DateTime<Utc> = sqlx::query_scalar("SELECT now()")
        .fetch_one(&mut *conn)
        .await?;
    let r = sqlx::query(
        "SELECT t.currency::text AS currency, m.settlement_currency::text AS settlement_currency
         FROM transactions t JOIN merchants m ON m.id = t.merchant_id
         WHERE t.id = $1 FOR UPDATE OF t",
    )
    .bind(pending.row_id)
    .fetch_one(&mut *conn)
    .await?;
    let currency: String = r.get::<String, _>("currency").trim().to_string();
    let settlement_currency: String = r.get::<String, _>("settlement_currency").trim().to_string();
    let n: i64 = sqlx::query_scalar("SELECT nextval('refund_number_seq')")
        .fetch_one(&mut *conn)
        .await?;
    if succeeded {
        let s = settlement(
            conn,
            pending.amount_minor,
            &currency,
            &settlement_currency,
            now.date_naive(),
        )
        .await?;
        sqlx::query(
            "UPDATE transactions SET status = 'SUCCESS', finished_at = $2,
                 acquirer_transaction_id = $3, settlement_amount_minor = $4,
                 settlement_currency = $5, settlement_quote = $6::numeric
             WHERE id = $1",
        )
        .bind(pending.row_id)
        .bind(now)
        .bind(acquirer_refund_id(n))
        .bind(s.as_ref().map(|s| s.amount_minor))
        .bind(&settlement_currency)
        .bind(s.as_ref().map(|s| s.quote.clone()))
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query(
            "UPDATE transactions SET status = 'FAIL', finished_at = $2,
                 acquirer_transaction_id = $3, settlement_amount_minor = NULL,
                 settlement_quote = NULL
             WHERE id = $1",
        )
        .bind(pending.row_id)
        .bind(now)
        .bind(acquirer_refund_id(n))
        .execute(&mut *conn)
        .await?;
        let after: i64 = sqlx::query_scalar(
            "UPDATE merchant_balances SET available_minor = available_minor + $3, updated_at = now()
             WHERE merchant_id = $1 AND currency = $2
             RETURNING available_minor",
        )
        .bind(pending.merchant_id)
        .bind(&currency)
        .bind(pending.amount_minor)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO balance_entries (merchant_id, currency, amount_minor, balance_after_minor,
                 kind, transaction_id, created_at)
             VALUES ($1, $2, $3, $4, 'REFUND_FAILED', $5, $6)",
        )
        .bind(pending.merchant_id)
        .bind(&currency)
        .bind(pending.amount_minor)
        .bind(after)
        .bind(pending.row_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE refund_requests SET acquirer_pending_since = NULL
         WHERE merchant_id = $1 AND refund_request_id = $2",
    )
    .bind(pending.merchant_id)
    .bind(&pending.refund_request_id)
    .execute(&mut *conn)
    .await?;
    load_record(conn, pending.row_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ids_and_serials() {
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 1, 2, 3).unwrap();
        assert_eq!(refund_transaction_id(t, 42), "2026112911900000000000000042");
        assert_eq!(refund_serial_no(7), "9000000000007");
    }
}
