//! The verification code: an HMAC-SHA256, under a key only the server has, of a
//! canonical text of the receipt's facts. Whoever holds a receipt can give its refund ID
//! and code to the verification page; a receipt with any fact altered, or a made-up
//! code, does not match. The code does not depend on the receipt's language.

use super::content::RefundFacts;
use crate::refunds::types::TransactionRef;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The HMAC key of verification codes, as the server gives it to server functions.
#[derive(Clone)]
pub struct ReceiptKey(pub Arc<[u8]>);

/// Characters of base32 printed on the receipt: 100 bits, far beyond guessing through
/// an online check.
pub const CODE_LEN: usize = 20;

/// The facts a code covers, one `name=value` a line in a fixed order, versioned so the
/// format can change without old receipts verifying against the wrong fields. Values
/// are raw (minor units, ISO codes, UTC to the second), never localised.
pub fn canonical(f: &RefundFacts) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields: [(&str, String); 15] = [
        ("merchant_id", f.merchant_id.to_string()),
        ("merchant_name", f.merchant_name.clone()),
        ("refund_id", f.refund_id.clone()),
        ("refund_request_id", opt(&f.refund_request_id)),
        ("payment_id", f.payment_id.clone()),
        ("payment_amount_minor", f.payment_amount_minor.to_string()),
        ("payment_currency", f.payment_currency.trim().to_owned()),
        ("refund_amount_minor", f.refund_amount_minor.to_string()),
        ("refund_currency", f.refund_currency.trim().to_owned()),
        ("payment_method", f.payment_method_code.clone()),
        ("status", f.status.as_str().to_owned()),
        ("reason", opt(&f.reason)),
        (
            "refunded_at",
            f.refunded_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
        (
            "settlement",
            match (f.settlement_amount_minor, &f.settlement_currency) {
                (Some(a), Some(c)) => format!("{a} {}", c.trim()),
                _ => String::new(),
            },
        ),
        ("settlement_quote", opt(&f.settlement_quote)),
    ];
    let mut out = String::from("paydesk-refund-receipt-v1\n");
    for (name, value) in fields {
        // A newline inside a value (a reason) must not be able to forge another field.
        out.push_str(name);
        out.push('=');
        out.push_str(&value.replace('\\', "\\\\").replace('\n', "\\n"));
        out.push('\n');
    }
    out
}

/// The code of `facts` under `key`: the first [`CODE_LEN`] characters of the base32 of
/// the HMAC.
pub fn code(key: &[u8], facts: &RefundFacts) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(canonical(facts).as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut text = data_encoding::BASE32_NOPAD.encode(&digest);
    text.truncate(CODE_LEN);
    text
}

/// A code as someone typed or pasted it: case, spaces and dashes do not matter.
pub fn normalise(given: &str) -> String {
    given
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether `given` is the code of `facts`, compared in constant time.
pub fn check(key: &[u8], facts: &RefundFacts, given: &str) -> bool {
    let given = normalise(given);
    let expected = code(key, facts);
    // The length is public (every code has CODE_LEN characters); the bytes are not.
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// The facts of refund `refund_id` if `code` is its receipt's code, else None: also for
/// an unknown or malformed ID, so that the answer reveals nothing without a valid code.
pub async fn genuine(
    pool: &PgPool,
    key: &ReceiptKey,
    refund_id: &str,
    code: &str,
) -> Result<Option<RefundFacts>, sqlx::Error> {
    let refund_id = refund_id.trim();
    // A malformed ID (control characters, spaces …) is not genuine, without a look-up.
    if TransactionRef::parse("refund", refund_id).is_err() || code.trim().is_empty() {
        return Ok(None);
    }
    let found = super::load::for_verification(pool, refund_id).await?;
    Ok(found.filter(|facts| check(&key.0, facts, code)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipts::content::tests::sample;

    #[test]
    fn the_code_covers_every_fact() {
        let key = b"test key";
        let facts = sample();
        let good = code(key, &facts);
        assert_eq!(good.len(), CODE_LEN);
        assert!(check(key, &facts, &good));
        assert!(check(
            key,
            &facts,
            &crate::receipts::content::group(&good.to_lowercase())
        ));
        let mut altered = facts.clone();
        altered.refund_amount_minor += 1;
        assert!(!check(key, &altered, &good));
        let mut altered = facts.clone();
        altered.reason = Some("other".into());
        assert!(!check(key, &altered, &good));
        assert!(!check(b"another key", &facts, &good));
        let mut flipped = good.clone().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        assert!(!check(key, &facts, std::str::from_utf8(&flipped).unwrap()));
        assert!(!check(key, &facts, ""));
    }

    #[test]
    fn a_newline_in_a_value_cannot_forge_a_field() {
        let mut a = sample();
        a.reason = Some("x\nstatus=SUCCESS".into());
        assert!(
            canonical(&a)
                .lines()
                .filter(|l| l.starts_with("status="))
                .count()
                == 1
        );
    }
}
