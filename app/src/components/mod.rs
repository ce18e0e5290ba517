pub mod coded_error;
pub mod copy;
pub mod pager;
pub mod shell;
