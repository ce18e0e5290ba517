//! A refund's amount in the merchant's settlement currency (docs/RULES.md,
//! "Settlement").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use crate::money::{trim_decimal, Currency};

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
    // The currencies are sent as text and cast to the columns' char(3), so that the
    // pair index (`exchange_rates_pair_idx`) serves both lookups.
    let rate = sqlx::query!(
        r#"WITH r AS (
               (SELECT rate, rate_date FROM exchange_rates
                WHERE base_currency = $1::bpchar AND quote_currency = $2::bpchar
                  AND rate_date <= $3
                ORDER BY rate_date DESC LIMIT 1)
               UNION ALL
               (SELECT rate, rate_date FROM exchange_rates
                WHERE base_currency = $1::bpchar AND quote_currency = $2::bpchar
                  AND rate_date > $3
                ORDER BY rate_date LIMIT 1)
               LIMIT 1)
           SELECT rate::text AS "rate!", rate_date AS "rate_date!: NaiveDate",
                  round($4::bigint::numeric * rate * power(10::numeric, $5::int))::bigint
                      AS "amount!"
           FROM r"#,
        from,
        to,
        day as NaiveDate,
        amount_minor,
        shift
    )
    .fetch_optional(conn)
    .await?;
    Ok(rate.map(|r| Settlement {
        amount_minor: r.amount,
        currency: to.to_string(),
        quote: trim_decimal(&r.rate),
        rate_date: Some(r.rate_date),
    }))
}
