//! Daily exchange rates: a mean-reverting random walk of every currency against the US
//! dollar, from which the cross rates of the pairs the merchants need are taken.
//! Quotes are fixed-point integers of 1e-10, the scale of `numeric(20, 10)`, so that a
//! row's settlement quote and the `exchange_rates` row of its day are the same number.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::PgConnection;

use super::copy;
use super::reference::{rate_pairs, CURRENCIES};

pub const QUOTE_SCALE: u32 = 10;
pub const ONE: i64 = 10_i64.pow(QUOTE_SCALE);
const N: usize = CURRENCIES.len();

pub struct Rates {
    /// Days since the Unix epoch of the first rate date.
    pub first_day: i64,
    /// Per day, the quote of every (base, quote) currency pair.
    days: Vec<[[i64; N]; N]>,
}

impl Rates {
    /// Rates for `days` consecutive days from `first_day`, the same for the same seed.
    pub fn generate(seed: u64, first_day: i64, days: usize) -> Rates {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // A stream of its own: the rates do not change with the number of transactions.
        rng.set_stream(1);
        let mut log_rate: Vec<f64> = CURRENCIES
            .iter()
            .map(|c| c.per_usd.ln() + 3.0 * c.volatility * normal(&mut rng))
            .collect();
        let mut out = Vec::with_capacity(days);
        for _ in 0..days {
            let mut q = [[0_i64; N]; N];
            for (b, row) in q.iter_mut().enumerate() {
                for (c, cell) in row.iter_mut().enumerate() {
                    *cell = if b == c {
                        ONE
                    } else {
                        ((log_rate[c] - log_rate[b]).exp() * ONE as f64)
                            .round()
                            .max(1.0) as i64
                    };
                }
            }
            out.push(q);
            for (x, c) in log_rate.iter_mut().zip(&CURRENCIES) {
                *x += 0.03 * (c.per_usd.ln() - *x) + c.volatility * normal(&mut rng);
            }
        }
        Rates {
            first_day,
            days: out,
        }
    }

    /// Units of `quote` per unit of `base` on `day` (days since the epoch), scaled by
    /// 1e10. Days outside the table take the nearest day's rate.
    pub fn quote(&self, day: i64, base: u8, quote: u8) -> i64 {
        let i = (day - self.first_day).clamp(0, self.days.len() as i64 - 1) as usize;
        self.days[i][base as usize][quote as usize]
    }

    /// `amount_minor` of `base` in minor units of `quote` at `rate`, rounded half away
    /// from zero.
    pub fn convert(amount_minor: i64, rate: i64, base: u8, quote: u8) -> i64 {
        let num = i128::from(amount_minor)
            * i128::from(rate)
            * 10_i128.pow(CURRENCIES[quote as usize].exponent);
        let den = i128::from(ONE) * 10_i128.pow(CURRENCIES[base as usize].exponent);
        ((num + den / 2) / den) as i64
    }

    /// Loads one row per day and pair into `exchange_rates`.
    pub async fn copy_to(&self, conn: &mut PgConnection) -> anyhow::Result<u64> {
        let pairs = rate_pairs();
        let first_day = self.first_day;
        let days = self.days.clone();
        let (rows, ()) = copy::copy_in(
            conn,
            "COPY exchange_rates (rate_date, base_currency, quote_currency, rate) FROM STDIN (FORMAT text)",
            move |w| {
                for (i, q) in days.iter().enumerate() {
                    for &(b, c) in &pairs {
                        let buf = w.buf();
                        copy::date(buf, first_day + i as i64);
                        copy::tab(buf);
                        buf.extend_from_slice(CURRENCIES[b as usize].code.as_bytes());
                        copy::tab(buf);
                        buf.extend_from_slice(CURRENCIES[c as usize].code.as_bytes());
                        copy::tab(buf);
                        copy::fixed(buf, q[b as usize][c as usize], QUOTE_SCALE);
                        copy::end_row(buf);
                        if !w.row_done() {
                            return;
                        }
                    }
                }
            },
        )
        .await?;
        Ok(rows)
    }
}

/// A standard normal sample (Box-Muller); rand 0.8 has no normal distribution of its own.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::reference::{BRL, CNY, JPY, USD};

    #[test]
    fn rates_are_deterministic_plausible_and_consistent() {
        let a = Rates::generate(42, 20_000, 401);
        let b = Rates::generate(42, 20_000, 401);
        assert_eq!(a.days, b.days);
        assert_ne!(a.days, Rates::generate(43, 20_000, 401).days);
        for day in 20_000..20_401 {
            assert_eq!(a.quote(day, JPY, JPY), ONE);
            let usd_jpy = a.quote(day, USD, JPY) as f64 / ONE as f64;
            assert!((110.0..200.0).contains(&usd_jpy), "USD/JPY {usd_jpy}");
            let brl_usd = a.quote(day, BRL, USD) as f64 / ONE as f64;
            assert!((0.1..0.3).contains(&brl_usd), "BRL/USD {brl_usd}");
            // Even the smallest cross rate keeps six significant digits at 1e-10.
            assert!(a.quote(day, JPY, CNY) > 100_000_000);
        }
    }

    #[test]
    fn conversion_respects_minor_units() {
        // USD 19.99 at 150 JPY per USD is 2998.5 yen, rounded to 2999.
        assert_eq!(Rates::convert(1_999, 150 * ONE, USD, JPY), 2_999);
        // JPY 1000 at 0.0067 USD per JPY is USD 6.70.
        assert_eq!(Rates::convert(1_000, ONE * 67 / 10_000, JPY, USD), 670);
        assert_eq!(Rates::convert(12_345, ONE, USD, USD), 12_345);
    }
}
