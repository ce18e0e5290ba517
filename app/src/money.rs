//! Money: integer minor units with an ISO 4217 currency, formatted with the currency's
//! own number of decimals (JPY and KRW have none).

/// An ISO 4217 currency code that the standard knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(code: &str) -> Result<Currency, UnknownCurrency> {
        iso_currency::Currency::from_code(code)
            .map(Currency)
            .ok_or_else(|| UnknownCurrency(code.to_owned()))
    }

    pub fn code(self) -> String {
        self.0.code().to_owned()
    }

    /// Digits after the decimal point; currencies without one (e.g. XAU) count as 0.
    pub fn minor_units(self) -> u32 {
        self.0.exponent().map_or(0, u32::from)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0:?} is not an ISO 4217 currency code")]
pub struct UnknownCurrency(pub String);

/// An amount of money: integer minor units of an ISO 4217 currency. Never a float: a
/// currency's decimals come from the standard (2 for USD, 0 for JPY and KRW, 3 for BHD),
/// and every text form of an amount is made here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// An amount as stored: minor units and a currency code (which must be ISO 4217).
    pub fn of(minor: i64, code: &str) -> Result<Money, UnknownCurrency> {
        Currency::parse(code.trim()).map(|c| Money::new(minor, c))
    }

    /// "12.34" in the currency's major units, refusing more decimals than the currency
    /// has, signs, exponents, separators and anything that is not a plain number.
    pub fn parse_major(s: &str, currency: Currency) -> Result<Money, String> {
        let digits = currency.minor_units();
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        let plain = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !plain(whole)
            || !plain(fraction)
            || (s.contains('.') && fraction.is_empty())
        {
            return Err("Enter an amount like 12.50.".to_owned());
        }
        if fraction.len() as u32 > digits {
            return Err(match digits {
                0 => format!("{} has no decimals.", currency.code()),
                n => format!("{} has {n} decimals.", currency.code()),
            });
        }
        let padded = format!("{whole}{fraction:0<width$}", width = digits as usize);
        padded
            .parse::<i64>()
            .map(|minor| Money::new(minor, currency))
            .map_err(|_| "The amount is too large.".to_owned())
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    /// The sign, the whole major units and the fraction's digits (empty for currencies
    /// without decimals): every text form below is made from these.
    fn parts(self) -> (&'static str, u64, String) {
        let digits = self.currency.minor_units();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let scale = 10u64.pow(digits);
        let fraction = if digits == 0 {
            String::new()
        } else {
            format!("{:0width$}", abs % scale, width = digits as usize)
        };
        (sign, abs / scale, fraction)
    }

    /// A plain decimal without grouping, e.g. `1234.56` or `123456` (JPY): what a user
    /// types into an amount field, and what CSV files hold.
    pub fn plain(self) -> String {
        let mut out = String::new();
        self.write_plain(&mut out);
        out
    }

    /// [`plain`](Self::plain) appended to `out`, without allocating: exports write
    /// millions of amounts.
    pub fn write_plain(self, out: &mut String) {
        use std::fmt::Write as _;
        let digits = self.currency.minor_units();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let _ = if digits == 0 {
            write!(out, "{sign}{abs}")
        } else {
            let scale = 10u64.pow(digits);
            let width = digits as usize;
            write!(out, "{sign}{}.{:0width$}", abs / scale, abs % scale)
        };
    }

    /// With `thousands` between groups of three digits and `point` before the
    /// decimals: `1,234.56` in English, `1.234,56` in Brazilian Portuguese.
    pub fn grouped(self, thousands: char, point: char) -> String {
        let (sign, whole, fraction) = self.parts();
        let mut out = String::from(sign);
        out.push_str(&group_digits(whole, thousands));
        if !fraction.is_empty() {
            out.push(point);
            out.push_str(&fraction);
        }
        out
    }

    /// `1,234.56`: the amount as pages show it, without the code.
    pub fn amount(self) -> String {
        self.grouped(',', '.')
    }
}

/// `n` with `thousands` between groups of three digits: `12,345` in English.
pub fn group_digits(n: u64, thousands: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    out
}

/// `1,234.56 USD`.
impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount(), self.currency.code())
    }
}

/// A PostgreSQL numeric as text without trailing zeros: numeric(20,10) prints ten
/// decimals, and "7.1234000000" reads better as "7.1234", "1.0000000000" as "1".
pub fn trim_decimal(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_use_the_currencys_minor_units() {
        let usd = Currency::parse("USD").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        let krw = Currency::parse("KRW").unwrap();
        let bhd = Currency::parse("BHD").unwrap();
        let m = |minor, c| Money::new(minor, c);
        assert_eq!(m(123456, usd).amount(), "1,234.56");
        assert_eq!(m(5, usd).amount(), "0.05");
        assert_eq!(m(-100, usd).amount(), "-1.00");
        assert_eq!(m(123456, jpy).amount(), "123,456");
        assert_eq!(m(1000000, krw).amount(), "1,000,000");
        assert_eq!(m(1234, bhd).amount(), "1.234");
        assert_eq!(m(123456, usd).plain(), "1234.56");
        assert_eq!(m(123456789, jpy).plain(), "123456789");
        assert_eq!(m(-5, usd).plain(), "-0.05");
        assert_eq!(m(123456, usd).grouped('.', ','), "1.234,56");
        assert_eq!(m(123456, usd).to_string(), "1,234.56 USD");
    }

    #[test]
    fn amounts_follow_the_currencys_decimals() {
        let usd = Currency::parse("USD").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        let minor = |s, c| Money::parse_major(s, c).map(Money::minor);
        assert_eq!(minor("12.5", usd), Ok(1250));
        assert_eq!(minor("12", usd), Ok(1200));
        assert_eq!(minor("1500", jpy), Ok(1500));
        assert_eq!(minor("12.5", jpy).unwrap_err(), "JPY has no decimals.");
        assert_eq!(minor("1.234", usd).unwrap_err(), "USD has 2 decimals.");
        for bad in ["-1", "1e3", "12.", ".5", "1,000", "99999999999999999999"] {
            assert!(minor(bad, usd).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn decimals_lose_trailing_zeros_only() {
        assert_eq!(trim_decimal("7.1234000000"), "7.1234");
        assert_eq!(trim_decimal("1.0000000000"), "1");
        assert_eq!(trim_decimal("10"), "10");
        assert_eq!(trim_decimal("100"), "100");
    }

    #[test]
    fn unknown_codes_are_refused() {
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("usd").is_err());
    }
}
