pub mod copy;
pub mod pager;
pub mod shell;
