//! Charts for the analytics pages, rendered on the server as SVG markup that a page puts
//! into its HTML as it is (`<div inner_html=svg />`): readable without JavaScript, and
//! never in the WASM (the module needs the `ssr` feature).
//!
//! The caller formats every text: titles, series names, x labels (dates and hours already
//! in the merchant's time zone), the value of each bar, and y tick values through
//! `format_value` (amounts are integer minor units, rates may be basis points). Values are
//! `i64`; `f64` is used only for positions in the drawing.
//!
//! The SVG is written by hand (`svg::Svg`) rather than with `plotters`. Plotters' SVG
//! backend does build without system fonts (`default-features = false` with
//! `svg_backend` estimates text widths itself), but its documents have a fixed pixel
//! `width` and `height`, no `role`, `<title>`, `<desc>` or ids to label them by, no links,
//! and it passes control characters such as NUL through into the XML; adding those would
//! mean rewriting its output. What the two charts here draw (lines, rectangles, text) is
//! a few hundred lines of plain code, and every value goes through one escaping function.
//!
//! Safety: every text and attribute value is escaped for XML and HTML alike, with control
//! characters and direction overrides left out (`svg::escape`); a bar links only to a
//! path on this site (`crate::url::is_local_path`), so no `javascript:` or other site.
//!
//! Accessibility: a chart without links is `role="img"`, labelled by its `<title>` and
//! described by its `<desc>`; its children are presentational. A bar chart with links is
//! `role="group"` instead: axe-core (nested-interactive) and screen readers do not allow
//! focusable content inside an image. There each link is named by its `aria-label`
//! (label and value) and the texts it draws are `aria-hidden`. The page adds a data
//! table for screen readers. Text is `#1c2430` or `#5d6b7e` on white (both above 4.5:1);
//! series use the Okabe–Ito palette's blue and vermillion (both above 3:1).
//!
//! Size: the `viewBox` is [`WIDTH`] units wide, with `width="100%"` and no height, so a
//! chart takes its container's width and keeps its proportions. A phone draws it at about
//! two thirds of that width, text included, so on narrow screens `style/main.css` raises
//! the text size (to about 11 px on screen) and hides the x labels marked
//! `chart-tick-extra`; layouts leave room for the larger text.
//!
//! Styling is by presentation attributes (`fill`, `stroke`, `font-size`), which the
//! Content-Security-Policy allows, unlike `style` attributes or `<style>` elements.
//! Class names for `style/main.css`: `chart` (the `<svg>`), `chart-title`,
//! `chart-tick-extra` (x labels left out on narrow screens), `chart-current` and
//! `chart-previous` (the two series of a line chart), `chart-row` (the background of a
//! linked bar, shown on hover and focus).

mod bars;
#[cfg(test)]
mod checks;
mod frame;
mod label;
mod line;
mod scale;
mod svg;

pub use bars::{Bar, BarChart};
pub use line::{LineChart, Series};

/// What names a chart: its title, an optional longer description, and the prefix of the
/// ids inside it (`{id_prefix}-title`, `{id_prefix}-desc`), which must be unique on the
/// page. Characters other than ASCII letters, digits, `-` and `_` in the prefix become `-`.
#[derive(Clone, Copy, Debug)]
pub struct Heading<'a> {
    pub id_prefix: &'a str,
    pub title: &'a str,
    pub description: Option<&'a str>,
}

/// The width of every chart's `viewBox`.
pub const WIDTH: f64 = 480.0;
/// Text size in `viewBox` units as the SVG sets it, and as `style/main.css` sets it on
/// narrow screens, where the chart is drawn smaller; layouts make room for the latter.
const TEXT: f64 = 12.0;
const TEXT_NARROW: f64 = 18.0;
const TITLE: f64 = 14.0;
const TITLE_NARROW: f64 = 21.0;

/// Titles, labels and legends (`--ink` of the stylesheet).
const INK: &str = "#1c2430";
/// Tick values (`--muted`).
const MUTED: &str = "#5d6b7e";
/// Grid lines, and the line at zero.
const GRID: &str = "#dde2e8";
const ZERO_LINE: &str = "#8a94a3";
/// Okabe–Ito blue: the current period, and bars.
const BLUE: &str = "#0072B2";
/// Okabe–Ito vermillion: the previous period (also dashed, so it is told apart without
/// colour).
const VERMILLION: &str = "#D55E00";
const WHITE: &str = "#ffffff";

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG's contrast ratio of `#rrggbb` against white.
    fn contrast_on_white(colour: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&colour[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        1.05 / (luminance + 0.05)
    }

    #[test]
    fn text_is_readable_and_series_are_visible_on_white() {
        for text in [INK, MUTED] {
            assert!(contrast_on_white(text) >= 4.5, "{text}");
        }
        // WCAG 1.4.11: parts of graphics need 3:1.
        for mark in [BLUE, VERMILLION] {
            assert!(contrast_on_white(mark) >= 3.0, "{mark}");
        }
    }

    #[test]
    fn the_stylesheet_raises_text_to_the_sizes_layouts_make_room_for() {
        let css = include_str!("../../../style/main.css");
        let charts = &css[css.find("/* Charts").expect("a Charts section")..];
        assert!(charts.contains(&format!(".chart text {{ font-size: {TEXT_NARROW}px; }}")));
        assert!(charts.contains(&format!(
            ".chart .chart-title {{ font-size: {TITLE_NARROW}px; }}"
        )));
    }
}
