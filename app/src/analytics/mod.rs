//! The analytics overview's figures for one merchant, range and currency: payments and
//! refunds over time against the previous period, success and refund rates, breakdowns,
//! refund reasons and requests, and balances (docs/RULES.md, "Analytics").
//!
//! `range` (the period, checked when parsed) and `types` (the values the page shows)
//! are pure and also compiled for the browser.

pub mod range;
pub mod types;
