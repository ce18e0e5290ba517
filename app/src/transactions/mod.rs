//! Transactions as merchants find them: the fields (columns), the query's filters and,
//! on the server, the SQL behind the query and details pages, and what exports say.

pub mod columns;
pub mod filter;
pub mod kind;
pub mod view;

#[cfg(feature = "ssr")]
pub mod details;
#[cfg(feature = "ssr")]
pub mod display_settings;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod query;
#[cfg(feature = "ssr")]
pub mod row;
