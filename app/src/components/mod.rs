pub mod coded_error;
pub mod copy;
pub mod language_menu;
pub mod pager;
pub mod password_field;
pub mod shell;
