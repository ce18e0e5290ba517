//! Key encodings: PEM in and out (the `pem` crate), and the check that a key is an RSA
//! public key.

use super::KeyError;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The X.509 SubjectPublicKeyInfo (DER) of `key`'s public half.
pub fn public_key_der(key: &RsaKeyPair) -> Vec<u8> {
    key.public_key()
        .as_der()
        .expect("an RSA public key encodes")
        .as_ref()
        .to_vec()
}

/// Refuses anything that is not an RSA SubjectPublicKeyInfo of 2048 to 8192 bits.
pub fn check_public_key(der: &[u8]) -> Result<(), KeyError> {
    // aws-lc-rs parses SubjectPublicKeyInfo through its encryption key type.
    aws_lc_rs::rsa::PublicEncryptingKey::from_der(der)
        .map(|_| ())
        .map_err(|_| KeyError::NotRsa)
}

/// `der` as PEM with `label`, Unix line ends, as openssl writes it.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new(label, der), config)
}

/// A key's DER as one line of base64, without PEM markers: the form Antom's SDKs take
/// keys in (they add the markers themselves).
pub fn to_base64(der: &[u8]) -> String {
    STANDARD.encode(der)
}

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (both DER): the third
/// element of the outer SEQUENCE, an OCTET STRING. None when `pkcs8` is not that shape.
/// Python's Antom SDK wraps the key it is given in `RSA PRIVATE KEY` markers, so it
/// needs this form; Go's and Java's take PKCS#8.
pub fn pkcs1_from_pkcs8(pkcs8: &[u8]) -> Option<Vec<u8>> {
    /// One DER element at the start of `bytes`: (tag, contents, the bytes after it).
    fn element(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = bytes.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, &rest[n..])
        };
        (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
    }
    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    const OCTET_STRING: u8 = 0x04;
    let (tag, info, _) = element(pkcs8)?;
    let (version, rest) = match element(info)? {
        (INTEGER, v, rest) => (v, rest),
        _ => return None,
    };
    let (algorithm, rest) = match element(rest)? {
        (SEQUENCE, a, rest) => (a, rest),
        _ => return None,
    };
    match element(rest)? {
        (OCTET_STRING, key, _) if tag == SEQUENCE && version == [0] && !algorithm.is_empty() => {
            Some(key.to_vec())
        }
        _ => None,
    }
}

/// DER from a PEM file (any label) or the DER bytes themselves.
pub fn from_pem_or_der(bytes: &[u8]) -> Result<Vec<u8>, KeyError> {
    let is_pem = bytes.windows(10).any(|w| w == b"-----BEGIN");
    if is_pem {
        pem::parse(bytes)
            .map(pem::Pem::into_contents)
            .map_err(|_| KeyError::BadPem)
    } else {
        Ok(bytes.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trips_and_garbage_is_refused() {
        let der = vec![1u8, 2, 3, 250];
        assert_eq!(
            from_pem_or_der(to_pem("PUBLIC KEY", &der).as_bytes()).unwrap(),
            der
        );
        assert_eq!(
            from_pem_or_der(b"-----BEGIN PUBLIC KEY-----\n@@@\n-----END PUBLIC KEY-----"),
            Err(KeyError::BadPem)
        );
        assert_eq!(
            to_pem("PUBLIC KEY", &der),
            "-----BEGIN PUBLIC KEY-----\nAQID+g==\n-----END PUBLIC KEY-----\n"
        );
        let pasted = format!(
            "\r\n  {}\r\n",
            to_pem("PUBLIC KEY", &der).replace('\n', "\r\n")
        );
        assert_eq!(from_pem_or_der(pasted.as_bytes()).unwrap(), der);
        assert_eq!(check_public_key(&der), Err(KeyError::NotRsa));
    }

    #[test]
    fn the_pkcs1_key_inside_pkcs8_is_the_same_key() {
        use aws_lc_rs::signature::RsaKeyPair;
        let (pkcs8, public) = crate::api_keys::generate_pair().unwrap();
        let pkcs1 = pkcs1_from_pkcs8(&pkcs8).unwrap();
        assert_eq!(pkcs1[0], 0x30, "an RSAPrivateKey is a SEQUENCE");
        let pair = RsaKeyPair::from_der(&pkcs1).unwrap();
        assert_eq!(public_key_der(&pair), public);
        assert_eq!(pkcs1_from_pkcs8(&pkcs1), None, "PKCS#1 is not PKCS#8");
        assert_eq!(pkcs1_from_pkcs8(&[0x30, 0x82]), None);
        assert!(!to_base64(&pkcs8).contains('\n'));
    }
}
