//! The analytics overview's figures for one merchant, range and currency: payments and
//! refunds over time against the previous period, success and refund rates, breakdowns,
//! refund reasons and requests, and balances (docs/RULES.md, "Analytics").
//!
//! `range` (the period, checked when parsed) and `types` (the values the page shows)
//! are pure and also compiled for the browser. Behind `ssr`, one module per figure reads
//! it: everything over days from the daily totals tables, only a one-day series from
//! that day's transactions.

pub mod plotted;
pub mod range;
pub mod types;

#[cfg(feature = "ssr")]
mod balances;
#[cfg(feature = "ssr")]
mod breakdowns;
#[cfg(feature = "ssr")]
mod currencies;
#[cfg(feature = "ssr")]
mod local_day;
#[cfg(feature = "ssr")]
mod overview;
#[cfg(feature = "ssr")]
mod refunds;
#[cfg(feature = "ssr")]
mod series;

#[cfg(feature = "ssr")]
pub use balances::balances;
#[cfg(feature = "ssr")]
pub use breakdowns::breakdowns;
#[cfg(feature = "ssr")]
pub use currencies::currencies;
#[cfg(feature = "ssr")]
pub use overview::chart_data;
#[cfg(feature = "ssr")]
pub use refunds::{refund_reasons, refund_requests};
#[cfg(feature = "ssr")]
pub use series::{activity, series};
