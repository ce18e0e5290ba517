pub mod lazy;
pub mod login;
pub mod not_found;
pub mod overview;
pub mod receipt_verify;
pub mod reports;
pub mod settings;
pub mod transactions;
