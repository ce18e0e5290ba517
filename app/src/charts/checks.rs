//! What tests check of every chart: the SVG parses as XML, sizes to its container, has no
//! numbers that are not finite, and names its ids with the caller's prefix, once each.

use roxmltree::Document;
use std::collections::HashSet;

/// `svg` parsed, after the checks above.
pub fn well_formed<'a>(svg: &'a str, id_prefix: &str) -> Document<'a> {
    let document = Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert!(root
        .attribute("viewBox")
        .is_some_and(|v| v.starts_with("0 0 ")));
    assert_eq!(root.attribute("width"), Some("100%"));
    assert_eq!(root.attribute("height"), None);
    let geometry = [
        "viewBox", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "points",
    ];
    for node in document.descendants().filter(|n| n.is_element()) {
        for name in geometry {
            if let Some(value) = node.attribute(name).filter(|v| *v != "100%") {
                let numbers = value.split([' ', ',']).filter(|n| !n.is_empty());
                for number in numbers {
                    let number: f64 = number.parse().unwrap_or_else(|_| panic!("{name}={value}"));
                    assert!(number.is_finite(), "{name}={value}");
                }
            }
        }
    }
    let ids: Vec<&str> = document
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert!(!ids.is_empty());
    assert!(
        ids.iter()
            .all(|id| id.starts_with(&format!("{id_prefix}-"))),
        "{ids:?}"
    );
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "{ids:?}"
    );
    document
}

/// The elements with `class` among their classes.
pub fn with_class<'a, 'i>(document: &'a Document<'i>, class: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    document
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == class))
        })
        .collect()
}

/// The text of every `<text>` element, in order.
pub fn texts(document: &Document) -> Vec<String> {
    document
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect()
}
