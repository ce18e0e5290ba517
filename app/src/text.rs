//! What free text Paydesk accepts in a one-line field (a refund reason, a name, a
//! search for an actor): any script and emoji, but no control characters and no
//! text-direction overrides.
//!
//! Control characters have no place in a line of text: NUL cannot even be stored by
//! PostgreSQL, and line breaks or escape codes would let a value forge extra lines in
//! exports and logs. Direction overrides (U+202A–U+202E, U+2066–U+2069) make a
//! reason display differently from what it says (U+202E then "lanigiro" reads as "original"),
//! which on a money screen is a way to mislead the person approving it. Marks that only
//! help right-to-left text read correctly (U+200E, U+200F, U+061C) are kept.
//! See docs/SECURITY.md.

/// Why a line of text was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineProblem {
    /// More than the field's limit of characters.
    TooLong(usize),
    /// A control character (line break, tab, NUL, escape …).
    Control,
    /// A text-direction override or isolate.
    DirectionOverride,
}

impl LineProblem {
    /// The problem in the user's words, for the field `what` ("The reason").
    pub fn message(self, what: &str) -> String {
        match self {
            LineProblem::TooLong(max) => format!("{what} can be at most {max} characters."),
            LineProblem::Control => {
                format!("{what} must be one line, without control characters.")
            }
            LineProblem::DirectionOverride => {
                format!("{what} must not contain text-direction override characters.")
            }
        }
    }
}

/// Whether `c` overrides or isolates the direction of the text around it.
pub fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks one line of free text of at most `max_chars` characters.
pub fn check_line(text: &str, max_chars: usize) -> Result<(), LineProblem> {
    if text.chars().any(char::is_control) {
        Err(LineProblem::Control)
    } else if text.chars().any(is_direction_override) {
        Err(LineProblem::DirectionOverride)
    } else if text.chars().count() > max_chars {
        Err(LineProblem::TooLong(max_chars))
    } else {
        Ok(())
    }
}

/// Whether `text` has a character that no text field of Paydesk takes (controls and
/// direction overrides): for values that are looked up rather than stored, such as a
/// search, where the answer to such a value is simply "nothing found".
pub fn has_unsafe_char(text: &str) -> bool {
    check_line(text, usize::MAX).is_err()
}

/// The first characters that make a spreadsheet read a cell as a formula. Exported text
/// is the merchant's or their customers' (a reason, a reference), and a file opened in
/// a spreadsheet must show it, never run it (docs/SECURITY.md).
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a text cell of a CSV file: with a leading `'` when it would otherwise
/// start a formula, as spreadsheets themselves mark text typed that way.
pub fn formula_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_start_a_formula_is_marked_as_text() {
        for (given, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+55 11", "'+55 11"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("Devolução = parcial", "Devolução = parcial"),
            ("退款 🎁", "退款 🎁"),
            ("", ""),
        ] {
            assert_eq!(formula_safe(given), written);
        }
    }

    #[test]
    fn any_script_and_emoji_are_welcome() {
        for ok in [
            "Devolução parcial 退款",
            "顾客退货 🎁",
            "Reembolso — pedido nº 42",
            "שלום\u{200F} (RLM kept)",
            "",
        ] {
            assert_eq!(check_line(ok, 256), Ok(()), "{ok}");
        }
    }

    #[test]
    fn controls_and_overrides_are_refused() {
        for (bad, problem) in [
            ("a\u{0}b", LineProblem::Control),
            ("two\nlines", LineProblem::Control),
            ("tab\there", LineProblem::Control),
            ("\u{1b}[31mred", LineProblem::Control),
            ("\u{85}next line", LineProblem::Control),
            ("refund \u{202E}lanigiro", LineProblem::DirectionOverride),
            ("\u{2066}isolated\u{2069}", LineProblem::DirectionOverride),
        ] {
            assert_eq!(check_line(bad, 256), Err(problem), "{bad:?}");
        }
        assert_eq!(
            check_line(&"é".repeat(257), 256),
            Err(LineProblem::TooLong(256))
        );
        assert_eq!(check_line(&"é".repeat(256), 256), Ok(()));
    }

    #[test]
    fn messages_name_the_field() {
        assert_eq!(
            LineProblem::Control.message("The reason"),
            "The reason must be one line, without control characters."
        );
    }
}
