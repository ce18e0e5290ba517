//! Writing SVG markup: elements, escaped values, numbers for coordinates.
//!
//! Element and attribute names are the code's own constants; every value, and every text,
//! goes through [`escape`], so the markup is the same whether a page's HTML parser or an
//! XML parser reads it.

use std::fmt::Write;

/// `text` as it may stand in XML and HTML, in an element or an attribute value:
/// `& < > " '` escaped; tabs and line breaks become spaces (a chart's texts are single
/// lines); other control characters (NUL is not even allowed in XML), the non-characters
/// U+FFFE and U+FFFF, and text-direction overrides (which make a merchant's text display
/// as something else, see `crate::text`) are left out.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(' '),
            c if c.is_control()
                || matches!(c, '\u{FFFE}' | '\u{FFFF}')
                || crate::text::is_direction_override(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate or length: one decimal is finer than any screen shows; anything not
/// finite (which the charts' arithmetic should never produce) becomes 0 rather than
/// `NaN` or `inf`, which would make the whole element invalid.
pub fn num(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if !rounded.is_finite() || rounded == 0.0 {
        "0".to_owned()
    } else {
        format!("{rounded}")
    }
}

/// An SVG document being written.
#[derive(Default)]
pub struct Svg {
    out: String,
}

impl Svg {
    /// Starts the element `name`; its attributes follow, then how it ends.
    pub fn tag(&mut self, name: &'static str) -> Tag<'_> {
        let _ = write!(self.out, "<{name}");
        Tag { svg: self, name }
    }

    pub fn close(&mut self, name: &'static str) {
        let _ = write!(self.out, "</{name}>");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// An element's start tag being written.
#[must_use = "a tag ends with open, empty or text"]
pub struct Tag<'a> {
    svg: &'a mut Svg,
    name: &'static str,
}

impl Tag<'_> {
    pub fn attr(self, key: &'static str, value: impl AsRef<str>) -> Self {
        let _ = write!(self.svg.out, " {key}=\"{}\"", escape(value.as_ref()));
        self
    }

    /// The attribute only when there is a value.
    pub fn attr_opt(self, key: &'static str, value: Option<impl AsRef<str>>) -> Self {
        match value {
            Some(value) => self.attr(key, value),
            None => self,
        }
    }

    /// `<name …>`; the matching [`Svg::close`] is the caller's.
    pub fn open(self) {
        self.svg.out.push('>');
    }

    /// `<name …/>`.
    pub fn empty(self) {
        self.svg.out.push_str("/>");
    }

    /// `<name …>text</name>`.
    pub fn text(self, text: &str) {
        let _ = write!(self.svg.out, ">{}</{}>", escape(text), self.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        // An entity in the input is text, not an entity: escaped once more.
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn every_script_and_emoji_are_kept() {
        for text in [
            "顾客退货 🎁",
            "Devolução parcial",
            "Reembolso — pedido nº 42",
            "👩‍👧",
        ] {
            assert_eq!(escape(text), text);
        }
    }

    #[test]
    fn control_characters_are_left_out() {
        assert_eq!(escape("a\u{0}b\u{1b}[31mc\u{7f}d\u{85}e\r"), "ab[31mcde");
        assert_eq!(escape("tab\there\nnext"), "tab here next");
        assert_eq!(escape("x\u{FFFE}\u{FFFF}y"), "xy");
        assert_eq!(escape("\u{202E}lanigiro"), "lanigiro");
    }

    #[test]
    fn attribute_values_are_escaped_too() {
        let mut svg = Svg::default();
        svg.tag("a")
            .attr("href", "/t?a=1&b=\"><script>")
            .text("<b>");
        assert_eq!(
            svg.finish(),
            r#"<a href="/t?a=1&amp;b=&quot;&gt;&lt;script&gt;">&lt;b&gt;</a>"#
        );
    }

    #[test]
    fn numbers_are_short_and_always_finite() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(f64::INFINITY), "0");
        assert_eq!(num(f64::NEG_INFINITY), "0");
    }
}
