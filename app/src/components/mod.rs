pub mod pager;
pub mod shell;
