//! Text widths, estimated: the server has no fonts to measure with, and the browser's
//! font is not known anyway. Estimates err towards too wide, so texts placed by them do not
//! overlap.

/// The width of `text` at font size `size`: Chinese, Japanese and Korean characters, full-width
/// forms and emoji (all from U+2E80 on) are about one em wide; letters and digits of other
/// scripts at most about 0.6 em in a sans-serif face.
pub fn width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if u32::from(c) >= 0x2E80 { 1.0 } else { 0.6 })
        .sum::<f64>()
        * size
}

/// `text`, shortened with "…" if needed to be at most `max` wide at font size `size`.
/// The whole text stays in the chart's accessible names and tooltips.
pub fn fit(text: &str, max: f64, size: f64) -> String {
    if width(text, size) <= max {
        return text.to_owned();
    }
    let room = max - width("…", size);
    let mut used = 0.0;
    let mut kept: String = text
        .chars()
        .take_while(|c| {
            used += width(c.encode_utf8(&mut [0; 4]), size);
            used <= room
        })
        .collect();
    kept.push('…');
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(width("ab", 10.0), 12.0);
        assert_eq!(width("退款", 10.0), 20.0);
        assert_eq!(width("🎁", 10.0), 10.0);
    }

    #[test]
    fn long_texts_are_shortened_to_fit() {
        assert_eq!(fit("Card", 100.0, 10.0), "Card");
        let short = fit("Devolução parcial do pedido", 60.0, 10.0);
        assert_eq!(short, "Devolução…");
        assert!(width(&short, 10.0) <= 60.0);
        assert_eq!(fit("顾客退货原因很长", 40.0, 10.0), "顾客退…");
        assert_eq!(fit("anything", 1.0, 10.0), "…");
    }
}
