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

/// `amount_minor` of `currency` as a plain decimal with thousands separators, e.g.
/// `1,234.56` for 123456 USD and `123,456` for 123456 JPY.
pub fn format_amount(amount_minor: i64, currency: Currency) -> String {
    let digits = currency.minor_units();
    let sign = if amount_minor < 0 { "-" } else { "" };
    let abs = amount_minor.unsigned_abs();
    let scale = 10u64.pow(digits);
    let whole = group_thousands(abs / scale);
    if digits == 0 {
        format!("{sign}{whole}")
    } else {
        format!(
            "{sign}{whole}.{:0width$}",
            abs % scale,
            width = digits as usize
        )
    }
}

/// `amount_minor` of `currency` as a plain decimal, e.g. `1234.56`: what a user types
/// into an amount field.
pub fn plain_amount(amount_minor: i64, currency: Currency) -> String {
    format_amount(amount_minor, currency).replace(',', "")
}

/// [`format_amount`] followed by the currency code; an unknown code shows the raw minor
/// units rather than guessing the decimals.
pub fn format_money(amount_minor: i64, currency_code: &str) -> String {
    match Currency::parse(currency_code) {
        Ok(currency) => format!(
            "{} {}",
            format_amount(amount_minor, currency),
            currency_code
        ),
        Err(_) => format!("{amount_minor} (minor units) {currency_code}"),
    }
}

/// "12.34" in the currency's major units to minor units, refusing more decimals than
/// the currency has, signs, exponents and anything that is not a plain number.
pub fn parse_major_amount(s: &str, currency: Currency) -> Result<i64, String> {
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
        .map_err(|_| "The amount is too large.".to_owned())
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

fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
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
        assert_eq!(format_amount(123456, usd), "1,234.56");
        assert_eq!(format_amount(5, usd), "0.05");
        assert_eq!(format_amount(-100, usd), "-1.00");
        assert_eq!(format_amount(123456, jpy), "123,456");
        assert_eq!(format_amount(1000000, krw), "1,000,000");
        assert_eq!(format_amount(1234, bhd), "1.234");
        assert_eq!(format_money(1050, "USD"), "10.50 USD");
        assert_eq!(plain_amount(123456, usd), "1234.56");
    }

    #[test]
    fn amounts_follow_the_currencys_decimals() {
        let usd = Currency::parse("USD").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(parse_major_amount("12.5", usd), Ok(1250));
        assert_eq!(parse_major_amount("12", usd), Ok(1200));
        assert_eq!(parse_major_amount("1500", jpy), Ok(1500));
        assert_eq!(
            parse_major_amount("12.5", jpy).unwrap_err(),
            "JPY has no decimals."
        );
        assert_eq!(
            parse_major_amount("1.234", usd).unwrap_err(),
            "USD has 2 decimals."
        );
        for bad in ["-1", "1e3", "12.", ".5", "1,000", "99999999999999999999"] {
            assert!(parse_major_amount(bad, usd).is_err(), "{bad} accepted");
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
