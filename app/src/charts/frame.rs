//! What every chart starts with: the `<svg>` element, its accessible name and
//! description, and the title drawn at the top.

use super::svg::{num, Svg};
use super::{label, Heading, INK, TITLE, TITLE_NARROW, WIDTH};

/// Where the drawing below the title may start.
pub const TITLE_BOTTOM: f64 = 32.0;

/// Whether the chart is one image, or a group holding links (see the module's text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Img,
    Group,
}

/// Opens the chart's `<svg>` of `height` units and writes its title; the caller closes
/// the `svg` element.
pub fn open(svg: &mut Svg, heading: &Heading, height: f64, role: Role) {
    let prefix = id_prefix(heading.id_prefix);
    let title_id = format!("{prefix}-title");
    let desc_id = format!("{prefix}-desc");
    svg.tag("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("class", "chart")
        .attr("viewBox", format!("0 0 {} {}", num(WIDTH), num(height)))
        .attr("width", "100%")
        .attr("preserveAspectRatio", "xMidYMid meet")
        .attr("role", if role == Role::Img { "img" } else { "group" })
        .attr("aria-labelledby", &title_id)
        .attr_opt("aria-describedby", heading.description.map(|_| &desc_id))
        .open();
    svg.tag("title").attr("id", &title_id).text(heading.title);
    if let Some(description) = heading.description {
        svg.tag("desc").attr("id", &desc_id).text(description);
    }
    // The same text as <title>, for the eye; hidden so that a group is not named twice.
    svg.tag("text")
        .attr("class", "chart-title")
        .attr("x", "0")
        .attr("y", "22")
        .attr("font-size", num(TITLE))
        .attr("font-weight", "600")
        .attr("fill", INK)
        .attr("aria-hidden", "true")
        .text(&label::fit(heading.title, WIDTH, TITLE_NARROW));
}

/// `prefix` as the start of an id and of `aria-labelledby`'s list of ids: only ASCII
/// letters, digits, `-` and `_` (no spaces, which would split the list), never empty.
fn id_prefix(prefix: &str) -> String {
    let clean: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if clean.is_empty() {
        "chart".to_owned()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_prefixes_are_made_valid() {
        assert_eq!(id_prefix("volume-by-day_2"), "volume-by-day_2");
        assert_eq!(id_prefix("a b\"<退"), "a-b---");
        assert_eq!(id_prefix(""), "chart");
    }
}
