//! Building URLs for redirects and links.

/// Percent-encodes everything but RFC 3986's unreserved characters, for one query value.
pub fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reserved_and_non_ascii_characters_are_escaped() {
        assert_eq!(
            super::encode_component("/a?b=c&d=é"),
            "%2Fa%3Fb%3Dc%26d%3D%C3%A9"
        );
    }
}
