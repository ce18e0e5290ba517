//! Reading the values of a request's cookies: for the few that Paydesk sets besides the
//! session (the replica's write position, the language chosen before signing in).

/// The values of every cookie named `name` in `headers`, in the order sent.
pub fn values<'a>(headers: &'a http::HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(n, _)| *n == name)
        .map(|(_, value)| value)
}
