//! Horizontal bars for a breakdown (by payment method, acquirer, refund reason …), each
//! optionally a link to the transactions it counts.
//!
//! Each bar has its own row: the label and the value's text on one line (long labels
//! shortened, the whole label in a tooltip), the bar beneath across the chart's width,
//! so the layout suits a phone as well. Bars are as long as their value against the
//! largest; values of 0 or less get none.

use super::frame::{self, Role, TITLE_BOTTOM};
use super::svg::{num, Svg};
use super::{label, Heading, BLUE, INK, TEXT, TEXT_NARROW, WHITE, WIDTH};

/// One bar. `href` is a path on this site (`/transactions?method=CARD…`, built with
/// `crate::url::with_query`); anything else, such as another site or a `javascript:`
/// URL, is left out and the bar is not a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// The value as the page shows it ("1,234", "R$ 12,00", "12.5%").
    pub value_text: String,
    pub href: Option<String>,
}

/// A chart of horizontal bars, in the order given.
///
/// ```ignore
/// let svg = BarChart {
///     heading: Heading { id_prefix: "by-method", title: "Volume by payment method", description: None },
///     bars: &[Bar {
///         label: "Card".to_owned(),
///         value: 1_234_00,
///         value_text: "$1,234.00".to_owned(),
///         href: Some(url::with_query("/transactions", &[("method", "CARD")])),
///     }],
/// }
/// .to_svg();
/// ```
pub struct BarChart<'a> {
    pub heading: Heading<'a>,
    pub bars: &'a [Bar],
}

/// Each bar's row: text on top, the bar below, a gap to the next row.
const ROW: f64 = 46.0;
const BAR_HEIGHT: f64 = 12.0;
/// Room inside a linked row's outline, which hovering and focus show.
const INSET: f64 = 6.0;
const GAP: f64 = 12.0;

impl BarChart<'_> {
    pub fn to_svg(&self) -> String {
        let links: Vec<Option<&str>> = self
            .bars
            .iter()
            .map(|bar| bar.href.as_deref().filter(|h| crate::url::is_local_path(h)))
            .collect();
        // An image may hold no links (see the module's text).
        let role = if links.iter().any(Option::is_some) {
            Role::Group
        } else {
            Role::Img
        };
        let top = TITLE_BOTTOM + 4.0;
        let height = top + self.bars.len() as f64 * ROW + 4.0;

        let mut svg = Svg::default();
        frame::open(&mut svg, &self.heading, height, role);
        let largest = self.bars.iter().map(|bar| bar.value).max().unwrap_or(0);
        for (i, (bar, href)) in self.bars.iter().zip(&links).enumerate() {
            let row_top = top + i as f64 * ROW;
            let name = format!("{}: {}", bar.label, bar.value_text);
            let shown = label::fit(
                &bar.label,
                WIDTH - 2.0 * INSET - GAP - label::width(&bar.value_text, TEXT_NARROW),
                TEXT_NARROW,
            );
            match href {
                Some(href) => svg
                    .tag("a")
                    .attr("href", href)
                    .attr("aria-label", &name)
                    .open(),
                None => svg.tag("g").open(),
            }
            // A tooltip (the first child, as SVG has it) where the label is cut short.
            if shown != bar.label {
                svg.tag("title").text(&name);
            }
            if href.is_some() {
                svg.tag("rect")
                    .attr("class", "chart-row")
                    .attr("x", "1")
                    .attr("y", num(row_top + 1.0))
                    .attr("width", num(WIDTH - 2.0))
                    .attr("height", num(ROW - 6.0))
                    .attr("rx", "4")
                    .attr("fill", WHITE)
                    .empty();
            }
            // A link is named by its aria-label; its texts would only repeat it.
            let hidden = href.is_some().then_some("true");
            let baseline = num(row_top + 19.0);
            svg.tag("text")
                .attr("x", num(INSET))
                .attr("y", &baseline)
                .attr("font-size", num(TEXT))
                .attr("fill", INK)
                .attr_opt("aria-hidden", hidden)
                .text(&shown);
            svg.tag("text")
                .attr("x", num(WIDTH - INSET))
                .attr("y", &baseline)
                .attr("font-size", num(TEXT))
                .attr("font-weight", "600")
                .attr("fill", INK)
                .attr("text-anchor", "end")
                .attr_opt("aria-hidden", hidden)
                .text(&bar.value_text);
            if bar.value > 0 {
                let length = bar.value as f64 / largest as f64 * (WIDTH - 2.0 * INSET);
                svg.tag("rect")
                    .attr("x", num(INSET))
                    .attr("y", num(row_top + 26.0))
                    .attr("width", num(length.max(2.0)))
                    .attr("height", num(BAR_HEIGHT))
                    .attr("fill", BLUE)
                    .empty();
            }
            svg.close(if href.is_some() { "a" } else { "g" });
        }
        svg.close("svg");
        svg.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::checks::{texts, well_formed, with_class};
    use super::*;

    fn bar(label: &str, value: i64, href: Option<&str>) -> Bar {
        Bar {
            label: label.to_owned(),
            value,
            value_text: format!("{value} ¥"),
            href: href.map(str::to_owned),
        }
    }

    fn chart(bars: &[Bar]) -> String {
        BarChart {
            heading: Heading {
                id_prefix: "by-reason",
                title: "Refunds by reason",
                description: None,
            },
            bars,
        }
        .to_svg()
    }

    #[test]
    fn only_paths_on_this_site_become_links() {
        let bars = [
            bar("local", 1, Some("/transactions?method=CARD&status=SUCCESS")),
            bar("script", 2, Some("javascript:alert(1)")),
            bar("other site", 3, Some("https://evil.example/")),
            bar("protocol-relative", 4, Some("//evil.example/")),
            bar("backslash", 5, Some("/\\evil.example")),
            bar("tab", 6, Some("/\t/evil.example")),
            bar("quote", 7, Some("/t?\"><script>")),
            bar("none", 8, None),
        ];
        let svg = chart(&bars);
        let document = well_formed(&svg, "by-reason");
        let links: Vec<_> = document
            .descendants()
            .filter(|n| n.has_tag_name("a"))
            .collect();
        assert_eq!(links.len(), 2);
        assert_eq!(
            links[0].attribute("href"),
            Some("/transactions?method=CARD&status=SUCCESS")
        );
        // A local path with markup in it is still a local path, escaped as an attribute.
        assert_eq!(links[1].attribute("href"), Some("/t?\"><script>"));
        assert!(svg.contains(r#"href="/t?&quot;&gt;&lt;script&gt;""#));
        assert!(svg.contains(r#"href="/transactions?method=CARD&amp;status=SUCCESS""#));
        assert!(!svg.contains("javascript") && !svg.contains("evil") && !svg.contains("<script"));
        // Every bar is still drawn.
        assert_eq!(
            document
                .descendants()
                .filter(|n| n.attribute("fill") == Some(BLUE))
                .count(),
            bars.len()
        );
    }

    #[test]
    fn with_links_it_is_a_group_of_named_links_and_without_an_image() {
        let linked = chart(&[
            bar("Card", 5, Some("/transactions?method=CARD")),
            bar("Pix", 3, None),
        ]);
        let document = well_formed(&linked, "by-reason");
        let root = document.root_element();
        assert_eq!(root.attribute("role"), Some("group"));
        assert_eq!(root.attribute("aria-labelledby"), Some("by-reason-title"));
        assert_eq!(root.attribute("aria-describedby"), None);
        let link = document
            .descendants()
            .find(|n| n.has_tag_name("a"))
            .unwrap();
        assert_eq!(link.attribute("aria-label"), Some("Card: 5 ¥"));
        assert!(link
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .all(|n| n.attribute("aria-hidden") == Some("true")));
        assert_eq!(with_class(&document, "chart-row").len(), 1);
        // The bar without a link reads as text.
        let unlinked = document
            .descendants()
            .find(|n| n.has_tag_name("g"))
            .unwrap();
        assert!(unlinked
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .all(|n| !n.has_attribute("aria-hidden")));

        let plain = chart(&[bar("Card", 5, None), bar("Pix", 3, Some("javascript:x"))]);
        assert_eq!(
            well_formed(&plain, "by-reason")
                .root_element()
                .attribute("role"),
            Some("img")
        );
    }

    #[test]
    fn merchants_texts_are_escaped_and_cleaned_and_any_script_is_kept() {
        let mut weird = bar(
            "<script>\"x\"</script> & co\u{0}\u{1b}",
            9,
            Some("/transactions?reason=x"),
        );
        weird.value_text = "R$ 1.234,56 <b>".to_owned();
        let bars = [
            weird,
            bar("顾客退货 🎁", 5, None),
            bar("Devolução", 3, None),
        ];
        let svg = chart(&bars);
        assert!(
            !svg.contains("<script")
                && !svg.contains("<b>")
                && !svg.contains('\u{0}')
                && !svg.contains('\u{1b}')
        );
        let document = well_formed(&svg, "by-reason");
        let texts = texts(&document);
        for expected in [
            "<script>\"x\"</script> & co",
            "R$ 1.234,56 <b>",
            "顾客退货 🎁",
            "Devolução",
        ] {
            assert!(
                texts.contains(&expected.to_owned()),
                "{expected} in {texts:?}"
            );
        }
        let link = document
            .descendants()
            .find(|n| n.has_tag_name("a"))
            .unwrap();
        assert_eq!(
            link.attribute("aria-label"),
            Some("<script>\"x\"</script> & co: R$ 1.234,56 <b>")
        );
    }

    #[test]
    fn bars_are_as_long_as_their_value_against_the_largest() {
        let svg = chart(&[
            bar("a", 100, None),
            bar("b", 50, None),
            bar("c", 0, None),
            bar("d", -20, None),
        ]);
        let document = well_formed(&svg, "by-reason");
        let widths: Vec<f64> = document
            .descendants()
            .filter(|n| n.attribute("fill") == Some(BLUE))
            .map(|n| n.attribute("width").unwrap().parse().unwrap())
            .collect();
        assert_eq!(widths, [WIDTH - 2.0 * INSET, (WIDTH - 2.0 * INSET) / 2.0]);
    }

    #[test]
    fn edge_cases_give_valid_svg_without_nan_or_infinity() {
        for bars in [
            vec![],
            vec![bar("zero", 0, None)],
            vec![bar("negative", -5, Some("/t"))],
            vec![
                bar("huge", i64::MAX, None),
                bar("tiny", 1, None),
                bar("min", i64::MIN, None),
            ],
        ] {
            let svg = chart(&bars);
            well_formed(&svg, "by-reason");
        }
        // A tiny value still shows a sliver.
        let svg = chart(&[
            bar("huge", 9_000_000_000_000_000, None),
            bar("tiny", 1, None),
        ]);
        assert!(svg.contains(r#"width="2" height="12""#));
    }

    #[test]
    fn long_labels_are_shortened_with_the_whole_label_in_a_tooltip() {
        let long = "Cliente desistiu da compra depois de receber o produto errado";
        let svg = chart(&[bar(long, 1, None), bar("Card", 2, None)]);
        let document = well_formed(&svg, "by-reason");
        let texts = texts(&document);
        assert!(texts
            .iter()
            .any(|t| t.ends_with('…') && long.starts_with(t.trim_end_matches('…'))));
        let tooltips: Vec<_> = document
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .skip(1)
            .collect();
        assert_eq!(tooltips.len(), 1);
        assert_eq!(tooltips[0].text(), Some(format!("{long}: 1 ¥").as_str()));
    }

    #[test]
    fn two_charts_share_no_ids() {
        let heading = |id_prefix| Heading {
            id_prefix,
            title: "t",
            description: Some("d"),
        };
        let bars = [bar("a", 1, Some("/t"))];
        let first = BarChart {
            heading: heading("by-method"),
            bars: &bars,
        }
        .to_svg();
        let second = BarChart {
            heading: heading("by-acquirer"),
            bars: &bars,
        }
        .to_svg();
        let ids = |svg: &str, prefix| {
            let document = well_formed(svg, prefix);
            document
                .descendants()
                .filter_map(|n| n.attribute("id").map(str::to_owned))
                .collect::<Vec<_>>()
        };
        let (first, second) = (ids(&first, "by-method"), ids(&second, "by-acquirer"));
        assert_eq!(first, ["by-method-title", "by-method-desc"]);
        assert!(first.iter().all(|id| !second.contains(id)));
    }
}
