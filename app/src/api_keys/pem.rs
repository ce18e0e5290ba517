//! Key encodings: PEM in and out, and the check that a key is an RSA public key.

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

pub fn to_pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// DER from a PEM file (any label) or the DER bytes themselves.
pub fn from_pem_or_der(bytes: &[u8]) -> Result<Vec<u8>, KeyError> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN") => {
            let b64: String = text
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .flat_map(|l| l.trim().chars())
                .collect();
            STANDARD.decode(b64).map_err(|_| KeyError::BadPem)
        }
        _ => Ok(bytes.to_vec()),
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
        assert_eq!(check_public_key(&der), Err(KeyError::NotRsa));
    }
}
