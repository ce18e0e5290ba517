//! `server seed payment`: one new successful payment of a demo merchant, paid just now
//! through one of its sales channels, and optionally a refund of it. Demos and browser
//! tests use it to get a payment that is certainly refundable (or a refund that certainly
//! exists), whatever the date and the rest of the demo data.

use anyhow::Context;
use app::money::{Currency, Money};
use chrono::Utc;
use rand::Rng;
use sqlx::PgPool;

use super::reference::{Merchant, ACQUIRERS, CURRENCIES, MERCHANTS, METHODS};

/// What to pay: a demo merchant (its name or e-mail domain label, as in
/// `lotus` for `admin@lotus.example`), a payment method and optionally the acquirer and
/// amount (major units, in the channel's currency).
#[derive(Debug, clap::Args)]
pub struct PaymentArgs {
    #[arg(long)]
    pub merchant: String,
    #[arg(long)]
    pub method: String,
    #[arg(long)]
    pub acquirer: Option<String>,
    /// The amount in major units, e.g. 250.00; 100 units when absent.
    #[arg(long)]
    pub amount: Option<String>,
    /// Also refund this much of it (major units) through the refund engine, as Paydesk.
    #[arg(long)]
    pub refund: Option<String>,
}

/// What `server seed payment` made.
#[derive(Debug)]
pub struct Made {
    pub payment_id: String,
    pub refund_id: Option<String>,
}

fn demo_merchant(name: &str) -> anyhow::Result<&'static Merchant> {
    MERCHANTS
        .iter()
        .find(|m| m.slug.eq_ignore_ascii_case(name) || m.name.eq_ignore_ascii_case(name))
        .with_context(|| format!("no demo merchant {name:?}"))
}

/// Inserts the payment, and refunds it when asked.
pub async fn create(pool: &PgPool, args: &PaymentArgs) -> anyhow::Result<Made> {
    let merchant = demo_merchant(&args.merchant)?;
    let channel = merchant
        .channels
        .iter()
        .find(|c| {
            METHODS[c.method as usize].code == args.method
                && args
                    .acquirer
                    .as_deref()
                    .is_none_or(|a| ACQUIRERS[c.acquirer as usize].code == a)
        })
        .with_context(|| {
            format!(
                "{} takes no {} payments{}",
                merchant.name,
                args.method,
                args.acquirer
                    .as_deref()
                    .map(|a| format!(" through {a}"))
                    .unwrap_or_default()
            )
        })?;
    let currency_code = CURRENCIES[channel.currency as usize].code;
    let currency = Currency::parse(currency_code).map_err(anyhow::Error::msg)?;
    let amount_minor = match &args.amount {
        Some(a) => Money::parse_major(a, currency)
            .map_err(anyhow::Error::msg)?
            .minor(),
        None => 100 * 10_i64.pow(currency.minor_units()),
    };
    let now = Utc::now();
    // Like the demo's IDs: the date, the type's code, then random digits.
    let new_id = |type_code: u8| {
        format!(
            "{}{type_code}{:018}",
            now.format("%Y%m%d"),
            rand::thread_rng().gen_range(0..1_000_000_000_000_000_000_u64)
        )
    };
    let transaction_id = new_id(11);
    let settlement = &CURRENCIES[merchant.settlement as usize];
    // Rates are per major unit: scale between the two currencies' minor units.
    let scale = settlement.exponent as i32 - CURRENCIES[channel.currency as usize].exponent as i32;
    // Settled at the latest daily rate, as the demo's own payments are.
    let row_id = sqlx::query_scalar!(
        "WITH rate AS (
             SELECT CASE WHEN $5::text = $6::text THEN 1 ELSE (
                 SELECT rate FROM exchange_rates
                  WHERE base_currency = $5 AND quote_currency = $6
                    AND rate_date <= ($9::timestamptz AT TIME ZONE 'UTC')::date
                  ORDER BY rate_date DESC LIMIT 1) END AS quote
         )
         INSERT INTO transactions (merchant_id, transaction_id, reference_transaction_id,
             transaction_request_id, acquirer_transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, settlement_amount_minor, settlement_currency,
             settlement_quote, payment_method_type, acquirer_code, created_at, finished_at)
         SELECT $1::uuid, $2::text, 'ORD-' || $3::text || right($2, 7), 'PAY-' || right($2, 12),
                'ACQ' || right($2, 16),
                (SELECT coalesce(max(serial_no::bigint), 0) + 1 FROM transactions WHERE merchant_id = $1),
                'PAYMENT', 'SUCCESS', $4::bigint, $5,
                round($4 * rate.quote * power(10::numeric, $10::int))::bigint, $6, rate.quote,
                $7::text, $8::text, $9 - interval '1 minute', $9
           FROM rate
         RETURNING id",
        merchant.id,
        transaction_id,
        merchant.order_prefix,
        amount_minor,
        currency_code,
        settlement.code,
        METHODS[channel.method as usize].code,
        ACQUIRERS[channel.acquirer as usize].code,
        // `as _`: sqlx also knows the `time` crate and would want its type.
        now as _,
        scale
    )
    .fetch_one(pool)
    .await
    .context("inserting the payment (is the demo data loaded? run `server seed` first)")?;
    // A card payment is refundable once captured: capture all of it, as the demo does.
    if METHODS[channel.method as usize].is_card {
        sqlx::query!(
            "INSERT INTO transactions (merchant_id, transaction_id, reference_transaction_id,
                 serial_no, transaction_type, status, amount_minor, currency,
                 settlement_amount_minor, settlement_currency, settlement_quote,
                 payment_method_type, acquirer_code, original_id, created_at, finished_at)
             SELECT merchant_id, $2, reference_transaction_id, (serial_no::bigint + 1)::text,
                    'CAPTURE', 'SUCCESS', amount_minor, currency, settlement_amount_minor,
                    settlement_currency, settlement_quote, payment_method_type, acquirer_code,
                    id, finished_at, finished_at
               FROM transactions WHERE id = $1",
            row_id,
            new_id(12)
        )
        .execute(pool)
        .await?;
    }
    let refund_id = match &args.refund {
        None => None,
        Some(amount) => {
            let minor = Money::parse_major(amount, currency)
                .map_err(anyhow::Error::msg)?
                .minor();
            Some(refund(pool, merchant, &transaction_id, currency_code, minor).await?)
        }
    };
    Ok(Made {
        payment_id: transaction_id,
        refund_id,
    })
}

/// Refunds `minor` of the payment through the engine, as Paydesk; returns the refund's
/// ID (the refund settles later for asynchronous methods).
async fn refund(
    pool: &PgPool,
    merchant: &Merchant,
    payment_id: &str,
    currency: &str,
    minor: i64,
) -> anyhow::Result<String> {
    use app::refunds::engine::{refund, RefundCommand, RefundSource};
    use app::refunds::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};
    let param = |e: app::refunds::types::ParamError| anyhow::anyhow!("{e}");
    let command = RefundCommand {
        refund_request_id: RefundRequestId::parse(&format!("DEMO-{payment_id}")).map_err(param)?,
        payment_id: TransactionRef::parse("paymentId", payment_id).map_err(param)?,
        currency: CurrencyCode::parse(currency).map_err(param)?,
        amount: MinorAmount::new(minor).map_err(param)?,
        reason: Some("Demo refund".to_owned()),
        notify_url: None,
        source: RefundSource::Dashboard(app::audit::Actor::system(merchant.id)),
    };
    let record = refund(pool, merchant.id, command)
        .await
        .map_err(|e| anyhow::anyhow!("the refund was refused: {}", e.message()))?;
    Ok(record.refund_id)
}
