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

/// `path` with the non-empty `pairs` as its query, each value encoded.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn queries_leave_out_empty_values() {
        assert_eq!(
            super::with_query("/settings/users", &[("error", "x y"), ("user", "")]),
            "/settings/users?error=x%20y"
        );
        assert_eq!(super::with_query("/a", &[]), "/a");
    }

    #[test]
    fn reserved_and_non_ascii_characters_are_escaped() {
        assert_eq!(
            super::encode_component("/a?b=c&d=é"),
            "%2Fa%3Fb%3Dc%26d%3D%C3%A9"
        );
    }
}
