//! HTTP middleware shared by every route.

pub mod headers;
pub mod origin;
pub mod request_id;
