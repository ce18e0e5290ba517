//! Refunds: the rules of docs/RULES.md and the values requests are made of (pure, also
//! compiled for the browser) and, on the server, the engine that records each refund in
//! one database transaction.

pub mod approvals;
pub mod batch;
pub mod form;
pub mod rules;
pub mod types;

#[cfg(feature = "ssr")]
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod engine;
