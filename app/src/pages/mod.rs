pub mod login;
pub mod not_found;
pub mod overview;
pub mod reports;
pub mod settings;
pub mod transactions;
