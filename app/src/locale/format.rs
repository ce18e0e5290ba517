//! How each language writes numbers, money, dates and times: the one place pages,
//! exports and receipts format them (docs/LANGUAGES.md). Amounts stay integer minor
//! units underneath; only their text changes.

use super::Language;
use crate::money::{group_digits, Money};

impl Language {
    /// Thousands and decimal separators: 1,234.56 in English and Chinese, 1.234,56 in
    /// Brazilian Portuguese.
    pub fn separators(self) -> (char, char) {
        match self {
            Language::En | Language::ZhCn => (',', '.'),
            Language::PtBr => ('.', ','),
        }
    }

    /// A whole number with this language's grouping: "12,345" or "12.345".
    pub fn integer(self, n: u64) -> String {
        group_digits(n, self.separators().0)
    }

    /// A plain decimal such as `1234.5` or `-0.25` written with this language's
    /// separators; anything that is not such a number is returned unchanged.
    pub fn decimal(self, plain: &str) -> String {
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (digits, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return plain.to_owned();
        }
        let Ok(whole) = whole.parse::<u64>() else {
            return plain.to_owned();
        };
        let (_, point) = self.separators();
        let mut out = format!("{sign}{}", self.integer(whole));
        if let Some(f) = fraction {
            out.push(point);
            out.push_str(f);
        }
        out
    }

    /// `money` with this language's separators, without the code: "1,234.56" or
    /// "1.234,56".
    pub fn amount(self, money: Money) -> String {
        let (thousands, point) = self.separators();
        money.grouped(thousands, point)
    }

    /// A stored amount with its code, "1.234,56 BRL"; an unknown code shows the raw
    /// minor units rather than guessing the decimals.
    pub fn money(self, minor: i64, code: &str) -> String {
        match Money::of(minor, code) {
            Ok(money) => format!("{} {}", self.amount(money), money.currency().code()),
            Err(_) => format!("{minor} ({}) {code}", self.minor_units_word()),
        }
    }

    fn minor_units_word(self) -> &'static str {
        match self {
            Language::En => "minor units",
            Language::ZhCn => "最小单位",
            Language::PtBr => "unidades menores",
        }
    }

    /// A calendar date: "2026-12-03", "2026年12月3日" or "03/12/2026".
    pub fn date(self, year: i32, month: u32, day: u32) -> String {
        match self {
            Language::En => format!("{year:04}-{month:02}-{day:02}"),
            Language::ZhCn => format!("{year}年{month}月{day}日"),
            Language::PtBr => format!("{day:02}/{month:02}/{year:04}"),
        }
    }

    /// A day of a month, for a chart's axis: "12-03", "12月3日" or "03/12".
    pub fn day_of_month(self, month: u32, day: u32) -> String {
        match self {
            Language::En => format!("{month:02}-{day:02}"),
            Language::ZhCn => format!("{month}月{day}日"),
            Language::PtBr => format!("{day:02}/{month:02}"),
        }
    }

    /// Hundredths of a percent as a percentage: "12.34%", or "12,34%" in Portuguese.
    pub fn percent(self, basis_points: i64) -> String {
        let sign = if basis_points < 0 { "-" } else { "" };
        let bp = basis_points.unsigned_abs();
        self.decimal(&format!("{sign}{}.{:02}", bp / 100, bp % 100)) + "%"
    }

    /// A month of a year: "December 2026", "2026年12月" or "dezembro de 2026".
    pub fn month(self, year: i32, month: u32) -> String {
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const PT: [&str; 12] = [
            "janeiro",
            "fevereiro",
            "março",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ];
        let i = (month.clamp(1, 12) - 1) as usize;
        match self {
            Language::En => format!("{} {year}", EN[i]),
            Language::ZhCn => format!("{year}年{month}月"),
            Language::PtBr => format!("{} de {year}", PT[i]),
        }
    }

    /// A date and time (already in the zone meant): "2026-11-30 02:05:11",
    /// "2026年11月30日 02:05:11" or "30/11/2026 02:05:11".
    pub fn date_time(self, year: i32, month: u32, day: u32, hms: (u32, u32, u32)) -> String {
        let (h, m, s) = hms;
        format!("{} {h:02}:{m:02}:{s:02}", self.date(year, month, day))
    }

    /// What a user typed into an amount field, with this language's decimal separator
    /// read as a point: "12,50" is 12.50 in Portuguese, and "12.50" still works there.
    /// Grouping is not read (a Portuguese "1.234,56" has two separators and is refused
    /// by the amount parser as before), so a separator is never guessed at.
    pub fn decimal_input(self, typed: &str) -> String {
        let typed = typed.trim();
        match self.separators().1 {
            ',' if !typed.contains('.') && typed.matches(',').count() == 1 => {
                typed.replace(',', ".")
            }
            _ => typed.to_owned(),
        }
    }
}

/// `at` in `zone` with the zone's offset, as pages show times: "2026-11-30 02:05:11
/// +08:00" in English.
#[cfg(feature = "ssr")]
pub fn local(language: Language, at: chrono::DateTime<chrono::Utc>, zone: chrono_tz::Tz) -> String {
    use chrono::{Datelike, Timelike};
    let t = at.with_timezone(&zone);
    format!(
        "{} {}",
        language.date_time(
            t.year(),
            t.month(),
            t.day(),
            (t.hour(), t.minute(), t.second())
        ),
        t.format("%:z")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_each_languages_separators() {
        let m = |minor, code| Money::of(minor, code).unwrap();
        assert_eq!(Language::En.amount(m(123456, "USD")), "1,234.56");
        assert_eq!(Language::ZhCn.amount(m(123456, "CNY")), "1,234.56");
        assert_eq!(Language::PtBr.amount(m(123456, "BRL")), "1.234,56");
        assert_eq!(Language::PtBr.amount(m(123456789, "JPY")), "123.456.789");
        assert_eq!(Language::En.amount(m(5, "USD")), "0.05");
        assert_eq!(Language::PtBr.amount(m(1234, "BHD")), "1,234");
        assert_eq!(Language::PtBr.money(-123456, "USD"), "-1.234,56 USD");
        assert_eq!(Language::En.money(1050, "XYZ"), "1050 (minor units) XYZ");
        assert_eq!(Language::PtBr.decimal("7.1234"), "7,1234");
        assert_eq!(Language::En.decimal("1500.5"), "1,500.5");
        assert_eq!(Language::En.decimal("n/a"), "n/a");
        assert_eq!(Language::PtBr.integer(10_000), "10.000");
        assert_eq!(Language::En.percent(1_234), "12.34%");
        assert_eq!(Language::PtBr.percent(123_405), "1.234,05%");
        assert_eq!(Language::ZhCn.percent(-5), "-0.05%");
        assert_eq!(
            Language::En.percent(i64::MIN),
            "-92,233,720,368,547,758.08%"
        );
    }

    #[test]
    fn dates_are_written_per_language() {
        let f = |l: Language| l.date_time(2026, 11, 30, (2, 5, 11));
        assert_eq!(f(Language::En), "2026-11-30 02:05:11");
        assert_eq!(f(Language::ZhCn), "2026年11月30日 02:05:11");
        assert_eq!(f(Language::PtBr), "30/11/2026 02:05:11");
        assert_eq!(Language::ZhCn.date(2026, 12, 3), "2026年12月3日");
        assert_eq!(Language::PtBr.month(2026, 3), "março de 2026");
        assert_eq!(Language::En.month(2024, 2), "February 2024");
    }

    #[test]
    fn amounts_may_be_typed_with_the_languages_decimal_comma() {
        assert_eq!(Language::PtBr.decimal_input(" 12,50 "), "12.50");
        assert_eq!(Language::PtBr.decimal_input("12.50"), "12.50");
        // Two separators are left for the parser to refuse, never guessed at.
        assert_eq!(Language::PtBr.decimal_input("1.234,56"), "1.234,56");
        assert_eq!(Language::PtBr.decimal_input("1,2,3"), "1,2,3");
        assert_eq!(Language::En.decimal_input("12,50"), "12,50");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn times_show_in_the_zone_with_its_offset() {
        use chrono::TimeZone;
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 29, 18, 5, 11)
            .unwrap();
        assert_eq!(
            local(Language::En, at, chrono_tz::Asia::Shanghai),
            "2026-11-30 02:05:11 +08:00"
        );
        assert_eq!(
            local(Language::PtBr, at, chrono_tz::America::Sao_Paulo),
            "29/11/2026 15:05:11 -03:00"
        );
    }
}
