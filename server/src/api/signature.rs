//! Antom's request and response signatures (docs/API.md): RSA PKCS#1 v1.5 with SHA-256
//! over `<METHOD> <path>\n<Client-Id>.<time>.<body>`, sent as
//! `Signature: algorithm=RSA256,keyVersion=1,signature=<url-encoded base64>`.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, RsaKeyPair, UnparsedPublicKey};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What `application/x-www-form-urlencoded` leaves as it is, as Java's `URLEncoder` and
/// the other Antom SDKs encode the signature: letters, digits and `*-._`. (A space, which
/// base64 never holds, would be `+` there.)
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// The bytes both sides sign.
pub fn signed_content(
    method: &str,
    path: &str,
    client_id: &str,
    time: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        method.len() + path.len() + client_id.len() + time.len() + body.len() + 4,
    );
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(path.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(client_id.as_bytes());
    out.push(b'.');
    out.extend_from_slice(time.as_bytes());
    out.push(b'.');
    out.extend_from_slice(body);
    out
}

/// The parts of a `Signature` header.
#[derive(Debug, PartialEq, Eq)]
pub struct SignatureHeader {
    pub key_version: i32,
    pub signature: Vec<u8>,
}

/// Parses `algorithm=RSA256,keyVersion=1,signature=...`. keyVersion defaults to 1, as
/// in Antom's SDKs; only RSA256 is accepted.
pub fn parse_header(value: &str) -> Result<SignatureHeader, &'static str> {
    let mut algorithm = None;
    let mut key_version = 1;
    let mut signature = None;
    for part in value.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            return Err("malformed Signature header");
        };
        match k.trim() {
            "algorithm" => algorithm = Some(v.trim()),
            "keyVersion" => {
                key_version = v.trim().parse().map_err(|_| "keyVersion is not a number")?
            }
            "signature" => signature = Some(v.trim()),
            _ => {}
        }
    }
    if algorithm != Some("RSA256") {
        return Err("only algorithm=RSA256 is supported");
    }
    let encoded = signature.ok_or("the Signature header has no signature")?;
    // URL-decoded. Some clients leave a `+` unencoded, which form rules would read as
    // a space; base64 never contains spaces, so a space (`%20`) stands for `+` too.
    let decoded = percent_decode_str(encoded)
        .decode_utf8_lossy()
        .replace(' ', "+");
    let signature = STANDARD
        .decode(decoded.as_bytes())
        .map_err(|_| "the signature is not base64")?;
    Ok(SignatureHeader {
        key_version,
        signature,
    })
}

/// The header value for a signature made with `key_version`.
pub fn header_value(key_version: i32, signature: &[u8]) -> String {
    let b64 = STANDARD.encode(signature);
    let encoded = utf8_percent_encode(&b64, FORM);
    format!("algorithm=RSA256,keyVersion={key_version},signature={encoded}")
}

/// True when `sig` is `spki_der`'s signature of `content`.
pub fn verify(spki_der: &[u8], content: &[u8], sig: &[u8]) -> bool {
    UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, spki_der)
        .verify(content, sig)
        .is_ok()
}

/// Signs `content` with `key`.
pub fn sign(key: &RsaKeyPair, content: &[u8]) -> Vec<u8> {
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        content,
        &mut sig,
    )
    .expect("RSA signing does not fail with a valid key and buffer");
    sig
}

pub use app::api_keys::public_key_der;

/// Request-Time as ISO 8601 with offset, or epoch milliseconds (some SDKs send those).
pub fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let ms: i64 = value.parse().ok()?;
        return Utc.timestamp_millis_opt(ms).single();
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Response-Time and notification Request-Time: ISO 8601 with offset, whole seconds.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::KeySize;

    #[test]
    fn sign_and_verify_round_trip() {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let pk = public_key_der(&key);
        let content = signed_content(
            "POST",
            "/ams/api/v1/payments/refund",
            "C1",
            "2026-11-21T12:01:01+08:00",
            b"{}",
        );
        let sig = sign(&key, &content);
        assert!(verify(&pk, &content, &sig));
        let header = header_value(1, &sig);
        let parsed = parse_header(&header).unwrap();
        assert_eq!(parsed.signature, sig);
        assert_eq!(parsed.key_version, 1);
        let mut tampered = content.clone();
        tampered.push(b' ');
        assert!(!verify(&pk, &tampered, &sig));
        // PKCS#8 survives a round trip.
        let der = key.as_der().unwrap();
        assert!(RsaKeyPair::from_pkcs8(der.as_ref()).is_ok());
    }

    #[test]
    fn headers() {
        assert!(
            parse_header("algorithm=RSA256,keyVersion=2,signature=AAAA")
                .unwrap()
                .key_version
                == 2
        );
        assert!(parse_header("algorithm=RSA256,signature=AA+A").is_ok());
        assert!(parse_header("algorithm=HS256,signature=AAAA").is_err());
        assert!(parse_header("algorithm=RSA256").is_err());
        assert!(parse_header("garbage").is_err());
    }

    #[test]
    fn signatures_are_url_encoded_as_the_sdks_do() {
        // Every base64 character outside letters and digits, and a `+` left unencoded.
        let header = header_value(1, &[0xfb, 0xff, 0xbf, 0x00]);
        assert_eq!(
            header,
            "algorithm=RSA256,keyVersion=1,signature=%2B%2F%2B%2FAA%3D%3D"
        );
        let expected = vec![0xfb, 0xff, 0xbf, 0x00];
        assert_eq!(parse_header(&header).unwrap().signature, expected);
        for sent in ["+/+/AA==", "%2b%2f%2b%2fAA%3d%3d", "%20/+/AA=="] {
            let parsed = parse_header(&format!("algorithm=RSA256,signature={sent}")).unwrap();
            assert_eq!(parsed.signature, expected, "{sent}");
        }
    }

    #[test]
    fn times() {
        let t = parse_time("2026-11-21T12:01:01+08:00").unwrap();
        assert_eq!(format_time(t), "2026-11-21T04:01:01+00:00");
        assert_eq!(
            parse_time("1795060861000").unwrap().timestamp(),
            1_795_060_861
        );
        assert!(parse_time("yesterday").is_none());
    }
}
