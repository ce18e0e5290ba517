//! The languages a refund receipt is offered in, their labels, and how each writes
//! numbers and dates. Compiled for the browser too: the details page lists the languages.

use crate::money::Money;

/// A receipt language, named in URLs by its BCP 47 tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    ZhCn,
    PtBr,
}

impl Language {
    /// In the order the download menu lists them.
    pub const ALL: [Language; 3] = [Language::En, Language::ZhCn, Language::PtBr];

    /// The tag in `?lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::ZhCn => "zh-CN",
            Language::PtBr => "pt-BR",
        }
    }

    /// Tags are case-insensitive (BCP 47); `_` is accepted for `-` as people type both.
    pub fn parse(tag: &str) -> Option<Language> {
        let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
        match tag.as_str() {
            "en" | "en-us" | "en-gb" => Some(Language::En),
            "zh-cn" | "zh" | "zh-hans" | "zh-hans-cn" => Some(Language::ZhCn),
            "pt-br" => Some(Language::PtBr),
            _ => None,
        }
    }

    /// The language's name in itself, as the menu shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::ZhCn => "简体中文",
            Language::PtBr => "Português (Brasil)",
        }
    }

    pub fn labels(self) -> &'static Labels {
        match self {
            Language::En => &EN,
            Language::ZhCn => &ZH_CN,
            Language::PtBr => &PT_BR,
        }
    }

    /// Thousands and decimal separators: 1,234.56 in English and Chinese, 1.234,56 in
    /// Brazilian Portuguese.
    pub fn separators(self) -> (char, char) {
        match self {
            Language::En | Language::ZhCn => (',', '.'),
            Language::PtBr => ('.', ','),
        }
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
        let (thousands, point) = self.separators();
        let mut out = String::from(sign);
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(thousands);
            }
            out.push(c);
        }
        if let Some(f) = fraction {
            out.push(point);
            out.push_str(f);
        }
        out
    }

    /// `money` with this language's separators, e.g. "1,234.56" (English) or
    /// "1.234,56" (Portuguese).
    pub fn amount(self, money: Money) -> String {
        let (thousands, point) = self.separators();
        money.grouped(thousands, point)
    }

    /// A date and time (already in the zone meant) with the zone's UTC offset, e.g.
    /// "30 Nov 2026, 02:05:11", "2026年11月30日 02:05:11" or "30/11/2026 02:05:11".
    pub fn date_time(self, year: i32, month: u32, day: u32, hms: (u32, u32, u32)) -> String {
        let (h, m, s) = hms;
        match self {
            Language::En => {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                let name = MONTHS[(month.clamp(1, 12) - 1) as usize];
                format!("{day} {name} {year}, {h:02}:{m:02}:{s:02}")
            }
            Language::ZhCn => format!("{year}年{month}月{day}日 {h:02}:{m:02}:{s:02}"),
            Language::PtBr => format!("{day:02}/{month:02}/{year} {h:02}:{m:02}:{s:02}"),
        }
    }
}

/// Every text of a receipt in one language.
pub struct Labels {
    pub title: &'static str,
    pub subtitle: &'static str,
    pub merchant: &'static str,
    pub refund_id: &'static str,
    pub refund_request_id: &'static str,
    pub original_payment_id: &'static str,
    pub original_amount: &'static str,
    pub refund_amount: &'static str,
    pub currency: &'static str,
    pub payment_method: &'static str,
    pub refund_time_local: &'static str,
    pub refund_time_utc: &'static str,
    pub status: &'static str,
    pub status_success: &'static str,
    pub reason: &'static str,
    pub settlement_amount: &'static str,
    pub settlement_quote: &'static str,
    pub verification_code: &'static str,
    pub verify_at: &'static str,
    pub issued_by: &'static str,
    /// Written for a field without a value.
    pub none: &'static str,
}

pub static EN: Labels = Labels {
    title: "Refund receipt",
    subtitle: "Official proof that this refund was processed successfully.",
    merchant: "Merchant",
    refund_id: "Refund ID",
    refund_request_id: "Refund request ID",
    original_payment_id: "Original payment ID",
    original_amount: "Original payment amount",
    refund_amount: "Refund amount",
    currency: "Refund currency",
    payment_method: "Payment method",
    refund_time_local: "Refund time (merchant time zone)",
    refund_time_utc: "Refund time (UTC)",
    status: "Status",
    status_success: "Successful",
    reason: "Refund reason",
    settlement_amount: "Settlement amount",
    settlement_quote: "Settlement quote",
    verification_code: "Verification code",
    verify_at: "Anyone holding this receipt can check that it is genuine at:",
    issued_by: "Issued by Paydesk.",
    none: "—",
};

pub static ZH_CN: Labels = Labels {
    title: "退款回单",
    subtitle: "本回单是该笔退款已成功处理的正式证明。",
    merchant: "商户",
    refund_id: "退款编号",
    refund_request_id: "退款请求编号",
    original_payment_id: "原支付编号",
    original_amount: "原支付金额",
    refund_amount: "退款金额",
    currency: "退款币种",
    payment_method: "支付方式",
    refund_time_local: "退款时间（商户时区）",
    refund_time_utc: "退款时间（UTC）",
    status: "状态",
    status_success: "成功",
    reason: "退款原因",
    settlement_amount: "结算金额",
    settlement_quote: "结算汇率",
    verification_code: "验证码",
    verify_at: "持有本回单的任何人均可在以下网址核验其真伪：",
    issued_by: "由 Paydesk 出具。",
    none: "—",
};

pub static PT_BR: Labels = Labels {
    title: "Comprovante de reembolso",
    subtitle: "Comprovante oficial de que este reembolso foi processado com sucesso.",
    merchant: "Estabelecimento",
    refund_id: "ID do reembolso",
    refund_request_id: "ID da solicitação de reembolso",
    original_payment_id: "ID do pagamento original",
    original_amount: "Valor do pagamento original",
    refund_amount: "Valor do reembolso",
    currency: "Moeda do reembolso",
    payment_method: "Método de pagamento",
    refund_time_local: "Data do reembolso (fuso horário do estabelecimento)",
    refund_time_utc: "Data do reembolso (UTC)",
    status: "Situação",
    status_success: "Concluído com sucesso",
    reason: "Motivo do reembolso",
    settlement_amount: "Valor de liquidação",
    settlement_quote: "Cotação de liquidação",
    verification_code: "Código de verificação",
    verify_at: "Quem tiver este comprovante pode confirmar sua autenticidade em:",
    issued_by: "Emitido pela Paydesk.",
    none: "—",
};

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
        assert_eq!(Language::PtBr.decimal("7.1234"), "7,1234");
        assert_eq!(Language::En.decimal("1500.5"), "1,500.5");
        assert_eq!(Language::En.decimal("n/a"), "n/a");
    }

    #[test]
    fn tags_round_trip_and_ignore_case() {
        for l in Language::ALL {
            assert_eq!(Language::parse(l.tag()), Some(l));
        }
        assert_eq!(Language::parse("PT_br"), Some(Language::PtBr));
        assert_eq!(Language::parse("fr"), None);
    }

    #[test]
    fn dates_are_written_per_language() {
        let at = (2026, 11, 30, (2, 5, 11));
        let f = |l: Language| l.date_time(at.0, at.1, at.2, at.3);
        assert_eq!(f(Language::En), "30 Nov 2026, 02:05:11");
        assert_eq!(f(Language::ZhCn), "2026年11月30日 02:05:11");
        assert_eq!(f(Language::PtBr), "30/11/2026 02:05:11");
    }
}
