//! Building URLs for redirects and links, and reading a page's query.
//!
//! Pages read their query with [`use_query`], not the router's `use_query_map`: the
//! router percent-decodes each value twice (once when splitting the query, once more
//! when storing it), which corrupts values that are themselves encoded URLs (the
//! `next` a form returns to) or contain `%`. Here each value is decoded exactly once.

use leptos::prelude::*;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::sync::Arc;

/// Everything but RFC 3986's unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes everything but RFC 3986's unreserved characters, for one query value.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
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

/// Whether `s` is a path on this site: it starts with one `/` (`//host` is another site),
/// has no backslash (browsers read `/\host` as `//host`) and only printable ASCII, so no
/// control character, space or unencoded non-ASCII text, which no link of Paydesk's has
/// (links are built with [`with_query`]).
pub fn is_local_path(s: &str) -> bool {
    s.starts_with('/')
        && !s.starts_with("//")
        && !s.contains('\\')
        && s.bytes().all(|b| b.is_ascii_graphic())
}

/// A page's query parameters, each decoded once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses a raw query string (with or without its leading `?`) as browsers encode
    /// forms: `+` is a space and `%XX` a byte of UTF-8.
    pub fn parse(search: &str) -> Query {
        Query(
            search
                .trim_start_matches('?')
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode_component(k), decode_component(v))
                })
                .collect(),
        )
    }

    /// The last value of `key`, as the router's map gives it.
    pub fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

/// One query component decoded: `+` as space, `%XX` as a byte; a `%` not followed by
/// two hex digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
pub fn decode_component(s: &str) -> String {
    // `+` first: an encoded plus (`%2B`) is a plus.
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// The current page's query, decoded once and tracked: it changes as the URL does.
pub fn use_query() -> Memo<Query> {
    let location = leptos_router::hooks::use_location();
    Memo::new(move |_| Query::parse(&location.search.get()))
}

/// For the router's `<Form on_form_data>`: takes out the empty name and value that it
/// adds for a submit button without a name, which would put a stray `&=` in the URL.
pub fn drop_unnamed() -> Arc<dyn Fn(&leptos::web_sys::FormData) + Send + Sync> {
    Arc::new(|data| data.delete(""))
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
    fn queries_are_decoded_once() {
        use super::{with_query, Query};
        let inner = with_query(
            "/transactions/P1",
            &[("refund", "confirm"), ("reason", "Devolução 50% 退款")],
        );
        let outer = with_query("/settings/payment-password", &[("next", &inner)]);
        let q = Query::parse(outer.split_once('?').unwrap().1);
        assert_eq!(q.get("next").as_deref(), Some(inner.as_str()));
        let back = Query::parse(inner.split_once('?').unwrap().1);
        assert_eq!(back.get("reason").as_deref(), Some("Devolução 50% 退款"));
        assert_eq!(
            Query::parse("?a=1+2&b=%zz&a=3&=").get("a").as_deref(),
            Some("3")
        );
        assert_eq!(Query::parse("b=%zz%4").get("b").as_deref(), Some("%zz%4"));
        assert_eq!(Query::parse("b=%FF").get("b").as_deref(), Some("\u{FFFD}"));
        assert_eq!(Query::parse("b=1%2B1+2").get("b").as_deref(), Some("1+1 2"));
        assert_eq!(Query::parse("").get("a"), None);
    }

    #[test]
    fn reserved_and_non_ascii_characters_are_escaped() {
        assert_eq!(
            super::encode_component("/a?b=c&d=é"),
            "%2Fa%3Fb%3Dc%26d%3D%C3%A9"
        );
    }
}
