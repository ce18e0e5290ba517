//! What a receipt says: the refund's facts as stored, and the localised lines drawn
//! from them.

use super::lang::Language;
use crate::transactions::kind::TransactionStatus;
use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

/// A successful refund as the database has it: raw values, no formatting, so that the
/// verification code does not depend on the receipt's language.
#[derive(Clone, Debug, PartialEq)]
pub struct RefundFacts {
    pub merchant_id: uuid::Uuid,
    pub merchant_name: String,
    /// IANA zone name of the merchant.
    pub time_zone: String,
    pub refund_id: String,
    pub refund_request_id: Option<String>,
    pub payment_id: String,
    pub payment_amount_minor: i64,
    pub payment_currency: String,
    pub refund_amount_minor: i64,
    pub refund_currency: String,
    pub payment_method_code: String,
    pub payment_method_name: String,
    pub status: TransactionStatus,
    pub reason: Option<String>,
    /// When the refund succeeded (its creation time if the finish time is missing).
    pub refunded_at: DateTime<Utc>,
    pub settlement_amount_minor: Option<i64>,
    pub settlement_currency: Option<String>,
    /// As PostgreSQL prints the numeric, trailing zeros removed: "7.1234".
    pub settlement_quote: Option<String>,
}

/// One label and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub label: &'static str,
    pub value: String,
}

/// Everything drawn on a receipt, already in its language.
#[derive(Clone, Debug, PartialEq)]
pub struct Receipt {
    pub language: Language,
    pub title: &'static str,
    pub subtitle: &'static str,
    pub lines: Vec<Line>,
    pub verification_label: &'static str,
    /// The code as printed, in groups of five: "ABCDE-FGHIJ-KLMNO-PQRST".
    pub code: String,
    pub verify_at: &'static str,
    pub verify_url: String,
    pub issued_by: &'static str,
    /// Fixed metadata of the PDF, so that the same refund gives the same bytes.
    pub refunded_at: DateTime<Utc>,
    pub document_title: String,
}

fn when(language: Language, at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    let text = language.date_time(
        local.year(),
        local.month(),
        local.day(),
        (local.hour(), local.minute(), local.second()),
    );
    let offset = local.format("%:z").to_string();
    match language {
        Language::ZhCn => format!("{text}（UTC{offset}，{}）", zone.name()),
        _ => format!("{text} (UTC{offset}, {})", zone.name()),
    }
}

fn when_utc(language: Language, at: DateTime<Utc>) -> String {
    let text = language.date_time(
        at.year(),
        at.month(),
        at.day(),
        (at.hour(), at.minute(), at.second()),
    );
    format!("{text} UTC")
}

/// The receipt of `facts` in `language`, with its verification `code` (as
/// [`super::verify::code`] gives it) and the page where it can be checked.
pub fn build(facts: &RefundFacts, language: Language, code: &str, verify_url: String) -> Receipt {
    let l = language.labels();
    let zone = crate::time::zone_named(&facts.time_zone);
    let mut lines = vec![
        Line {
            label: l.merchant,
            value: facts.merchant_name.clone(),
        },
        Line {
            label: l.refund_id,
            value: facts.refund_id.clone(),
        },
        Line {
            label: l.refund_request_id,
            value: facts
                .refund_request_id
                .clone()
                .unwrap_or_else(|| l.none.into()),
        },
        Line {
            label: l.original_payment_id,
            value: facts.payment_id.clone(),
        },
        Line {
            label: l.original_amount,
            value: language.money(facts.payment_amount_minor, &facts.payment_currency),
        },
        Line {
            label: l.refund_amount,
            value: language.money(facts.refund_amount_minor, &facts.refund_currency),
        },
        Line {
            label: l.currency,
            value: facts.refund_currency.trim().to_owned(),
        },
        Line {
            label: l.payment_method,
            value: if facts.payment_method_name.is_empty()
                || facts.payment_method_name == facts.payment_method_code
            {
                facts.payment_method_code.clone()
            } else {
                format!(
                    "{} ({})",
                    facts.payment_method_name, facts.payment_method_code
                )
            },
        },
        Line {
            label: l.refund_time_local,
            value: when(language, facts.refunded_at, zone),
        },
        Line {
            label: l.refund_time_utc,
            value: when_utc(language, facts.refunded_at),
        },
        Line {
            label: l.status,
            value: if facts.status == TransactionStatus::Success {
                l.status_success.to_owned()
            } else {
                facts.status.label().to_owned()
            },
        },
        Line {
            label: l.reason,
            value: facts
                .reason
                .clone()
                .filter(|r| !r.trim().is_empty())
                .unwrap_or_else(|| l.none.into()),
        },
    ];
    if let (Some(minor), Some(code)) = (facts.settlement_amount_minor, &facts.settlement_currency) {
        lines.push(Line {
            label: l.settlement_amount,
            value: language.money(minor, code),
        });
    }
    if let Some(quote) = &facts.settlement_quote {
        let to = facts.settlement_currency.as_deref().unwrap_or("").trim();
        lines.push(Line {
            label: l.settlement_quote,
            value: format!(
                "1 {} = {} {to}",
                facts.refund_currency.trim(),
                language.decimal(quote)
            )
            .trim_end()
            .to_owned(),
        });
    }
    Receipt {
        language,
        title: l.title,
        subtitle: l.subtitle,
        lines,
        verification_label: l.verification_code,
        code: group(code),
        verify_at: l.verify_at,
        verify_url,
        issued_by: l.issued_by,
        refunded_at: facts.refunded_at,
        document_title: format!("{} {}", l.title, facts.refund_id),
    }
}

/// "ABCDEFGHIJ…" as "ABCDE-FGHIJ-…", easier to read out and to type.
pub fn group(code: &str) -> String {
    code.as_bytes()
        .chunks(5)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub fn sample() -> RefundFacts {
        RefundFacts {
            merchant_id: uuid::Uuid::nil(),
            merchant_name: "Lotus Tea House 莲花茶馆".into(),
            time_zone: "Asia/Shanghai".into(),
            refund_id: "202611290001REF".into(),
            refund_request_id: Some("REQ-42".into()),
            payment_id: "202611280001PAY".into(),
            payment_amount_minor: 250_000,
            payment_currency: "USD".into(),
            refund_amount_minor: 123_456,
            refund_currency: "USD".into(),
            payment_method_code: "VISA".into(),
            payment_method_name: "Visa".into(),
            status: TransactionStatus::Success,
            reason: Some("Produto danificado — devolução".into()),
            refunded_at: Utc.with_ymd_and_hms(2026, 11, 29, 18, 5, 11).unwrap(),
            settlement_amount_minor: Some(880_000),
            settlement_currency: Some("CNY".into()),
            settlement_quote: Some("7.1234".into()),
        }
    }

    #[test]
    fn lines_are_localised() {
        let f = sample();
        let pt = build(&f, Language::PtBr, "ABCDEFGHIJKLMNOPQRST", "u".into());
        let value = |r: &Receipt, label: &str| {
            r.lines
                .iter()
                .find(|l| l.label == label)
                .unwrap()
                .value
                .clone()
        };
        assert_eq!(value(&pt, "Valor do reembolso"), "1.234,56 USD");
        assert_eq!(value(&pt, "Cotação de liquidação"), "1 USD = 7,1234 CNY");
        assert_eq!(
            value(&pt, "Data do reembolso (fuso horário do estabelecimento)"),
            "30/11/2026 02:05:11 (UTC+08:00, Asia/Shanghai)"
        );
        assert_eq!(pt.code, "ABCDE-FGHIJ-KLMNO-PQRST");
        let zh = build(&f, Language::ZhCn, "ABCDEFGHIJKLMNOPQRST", "u".into());
        assert_eq!(value(&zh, "退款金额"), "1,234.56 USD");
        assert_eq!(value(&zh, "退款时间（UTC）"), "2026年11月29日 18:05:11 UTC");
        let en = build(&f, Language::En, "ABCDEFGHIJKLMNOPQRST", "u".into());
        assert_eq!(value(&en, "Status"), "Successful");
        assert_eq!(value(&en, "Payment method"), "Visa (VISA)");
    }
}
