//! Transaction exports (the query page's filter as .csv or .xlsx) and the transaction
//! reports calendar (a zip of both per closed day and month). The calendar's rules are
//! pure and shared with the pages; files and storage are server-only.

pub mod calendar;

#[cfg(feature = "ssr")]
pub mod csv_copy;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod store;
