//! Refuses state-changing browser requests that come from another origin (CSRF). The
//! signed open API under /ams/ is exempt: servers call it, and signatures protect it.

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn same_origin_only(req: Request, next: Next) -> Response {
    if is_cross_origin_write(&req) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-origin request");
        return (
            StatusCode::FORBIDDEN,
            "Cross-origin requests are not allowed.",
        )
            .into_response();
    }
    next.run(req).await
}

fn is_cross_origin_write(req: &Request) -> bool {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.uri().path().starts_with("/ams/") {
        return false;
    }
    let headers = req.headers();
    // Browsers that send Fetch Metadata say where the request came from outright.
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    // Otherwise compare the Origin with the Host the request was sent to.
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            let authority = origin.split_once("://").map_or("", |(_, rest)| rest);
            origin == "null" || authority != host.to_str().unwrap_or("")
        }
        (Some(_), None) => true,
        // Not a browser: nothing to forge.
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn req(method: Method, path: &str, headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let host = ("host", "paydesk.example");
        assert!(is_cross_origin_write(&req(
            Method::POST,
            "/api/sign_out",
            &[("sec-fetch-site", "cross-site")]
        )));
        assert!(is_cross_origin_write(&req(
            Method::POST,
            "/api/sign_out",
            &[("sec-fetch-site", "same-site")]
        )));
        assert!(is_cross_origin_write(&req(
            Method::POST,
            "/api/x",
            &[host, ("origin", "https://evil.example")]
        )));
        assert!(is_cross_origin_write(&req(
            Method::POST,
            "/api/x",
            &[host, ("origin", "null")]
        )));
    }

    #[test]
    fn same_origin_reads_and_the_open_api_pass() {
        let host = ("host", "paydesk.example");
        assert!(!is_cross_origin_write(&req(
            Method::POST,
            "/api/x",
            &[("sec-fetch-site", "same-origin")]
        )));
        assert!(!is_cross_origin_write(&req(
            Method::POST,
            "/api/x",
            &[host, ("origin", "https://paydesk.example")]
        )));
        assert!(!is_cross_origin_write(&req(
            Method::GET,
            "/",
            &[("sec-fetch-site", "cross-site")]
        )));
        assert!(!is_cross_origin_write(&req(
            Method::POST,
            "/ams/api/v1/payments/refund",
            &[("sec-fetch-site", "cross-site")]
        )));
    }
}
