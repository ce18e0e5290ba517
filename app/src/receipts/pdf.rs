//! A receipt as a one-page A4 PDF. The font (Noto Sans CJK SC, shipped in the repository
//! with its licence) is embedded and subset to the glyphs used, so Chinese and accented
//! Portuguese render on any viewer and a receipt stays small.
//!
//! The bytes are reproducible: printpdf names fonts and the document with a process-wide
//! counter, so the font gets a fixed name, the creation date is the refund's time and the
//! trailer ID is derived from the content. CPU-bound: call it off the async reactor.

use super::content::Receipt;
use printpdf::{
    Color, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

static FONT_BYTES: &[u8] =
    include_bytes!("../../../assets/fonts/NotoSansCJKsc-Regular-Receipts.otf");

/// The subset tag of the embedded font ("XXXXXX+Name"): six capitals, fixed.
const FONT_ID: &str = "PDRCPT";

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const LEFT: f32 = 20.0;
const VALUE_X: f32 = 88.0;
const RIGHT: f32 = PAGE_W - 20.0;

/// The parsed font, once per process (parsing takes tens of milliseconds).
pub fn font() -> &'static ParsedFont {
    static FONT: OnceLock<ParsedFont> = OnceLock::new();
    FONT.get_or_init(|| {
        let mut warnings = Vec::new();
        ParsedFont::from_bytes(FONT_BYTES, 0, &mut warnings)
            .expect("the bundled receipt font parses")
    })
}

/// Width of `text` at `size` points, from the font's advances.
fn width(font: &ParsedFont, text: &str, size: f32) -> f32 {
    let upem = f32::from(font.font_metrics.units_per_em.max(1));
    text.chars()
        .map(|c| {
            let advance = font
                .lookup_glyph_index(c as u32)
                .map_or(upem / 2.0, |g| f32::from(font.get_horizontal_advance(g)));
            advance / upem * size
        })
        .sum()
}

/// `text` broken into lines no wider than `max` (in points): at spaces where there are
/// some, anywhere in runs without them (Chinese, long IDs and URLs).
fn wrap(font: &ParsedFont, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_inclusive(' ') {
        let candidate = format!("{current}{word}");
        if width(font, candidate.trim_end(), size) <= max {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(current.trim_end().to_owned());
            current = String::new();
        }
        for c in word.chars() {
            let mut next = current.clone();
            next.push(c);
            if width(font, next.trim_end(), size) > max && !current.is_empty() {
                lines.push(current.trim_end().to_owned());
                current = c.to_string();
            } else {
                current = next;
            }
        }
    }
    if !current.trim().is_empty() || lines.is_empty() {
        lines.push(current.trim_end().to_owned());
    }
    lines
}

fn mm(v: f32) -> Pt {
    Mm(v).into()
}

fn grey(level: f32) -> Color {
    Color::Rgb(Rgb {
        r: level,
        g: level,
        b: level,
        icc_profile: None,
    })
}

struct Writer {
    ops: Vec<Op>,
    handle: PdfFontHandle,
}

impl Writer {
    fn text(&mut self, x: f32, y: f32, size: f32, color: Color, text: &str) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color },
            Op::SetFont {
                font: self.handle.clone(),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point { x: mm(x), y: mm(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    fn rule(&mut self, y: f32, level: f32) {
        self.ops.extend([
            Op::SetOutlineColor { col: grey(level) },
            Op::SetOutlineThickness { pt: Pt(0.6) },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: Point {
                                x: mm(LEFT),
                                y: mm(y),
                            },
                            bezier: false,
                        },
                        LinePoint {
                            p: Point {
                                x: mm(RIGHT),
                                y: mm(y),
                            },
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
        ]);
    }
}

/// Points per millimetre.
const PT_PER_MM: f32 = 72.0 / 25.4;

/// The PDF of `receipt`.
pub fn render(receipt: &Receipt) -> Vec<u8> {
    let font = font();
    let mut doc = PdfDocument::new(&receipt.document_title);
    let font_id = printpdf::FontId(FONT_ID.to_owned());
    doc.resources
        .fonts
        .map
        .insert(font_id.clone(), printpdf::PdfFont::new(font.clone()));
    let at = printpdf::OffsetDateTime::from_unix_timestamp(receipt.refunded_at.timestamp())
        .unwrap_or_else(|_| printpdf::OffsetDateTime::from_unix_timestamp(0).expect("epoch"));
    let info = &mut doc.metadata.info;
    info.creation_date = at;
    info.modification_date = at;
    info.metadata_date = at;
    info.author = "Paydesk".into();
    info.creator = "Paydesk".into();
    info.producer = "Paydesk".into();
    info.subject = receipt.subtitle.into();
    info.identifier = receipt.code.clone();

    let mut w = Writer {
        ops: Vec::new(),
        handle: PdfFontHandle::External(font_id),
    };
    let ink = grey(0.1);
    let muted = grey(0.4);
    let mut y = PAGE_H - 28.0;
    w.text(LEFT, y, 9.0, muted.clone(), "Paydesk");
    y -= 10.0;
    w.text(LEFT, y, 20.0, ink.clone(), receipt.title);
    y -= 7.5;
    for line in wrap(font, receipt.subtitle, 10.0, (RIGHT - LEFT) * PT_PER_MM) {
        w.text(LEFT, y, 10.0, muted.clone(), &line);
        y -= 5.0;
    }
    y -= 3.0;
    w.rule(y, 0.75);
    y -= 8.0;

    let label_w = (VALUE_X - LEFT - 4.0) * PT_PER_MM;
    let value_w = (RIGHT - VALUE_X) * PT_PER_MM;
    for line in &receipt.lines {
        let labels = wrap(font, line.label, 9.0, label_w);
        let values = wrap(font, &line.value, 10.0, value_w);
        let rows = labels.len().max(values.len());
        for (i, l) in labels.iter().enumerate() {
            w.text(LEFT, y - i as f32 * 4.8, 9.0, muted.clone(), l);
        }
        for (i, v) in values.iter().enumerate() {
            w.text(VALUE_X, y - i as f32 * 4.8, 10.0, ink.clone(), v);
        }
        y -= rows as f32 * 4.8 + 3.4;
    }

    y -= 2.0;
    w.rule(y, 0.75);
    y -= 9.0;
    w.text(LEFT, y, 9.0, muted.clone(), receipt.verification_label);
    w.text(VALUE_X, y, 13.0, ink.clone(), &receipt.code);
    y -= 9.0;
    for line in wrap(font, receipt.verify_at, 9.0, (RIGHT - LEFT) * PT_PER_MM) {
        w.text(LEFT, y, 9.0, muted.clone(), &line);
        y -= 4.8;
    }
    for line in wrap(font, &receipt.verify_url, 9.0, (RIGHT - LEFT) * PT_PER_MM) {
        w.text(LEFT, y, 9.0, ink.clone(), &line);
        y -= 4.8;
    }
    w.text(LEFT, 18.0, 8.0, muted, receipt.issued_by);

    doc.with_pages(vec![PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), w.ops)]);
    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&options, &mut warnings);
    lo.compress();
    // The trailer ID identifies the document; the same receipt keeps the same one.
    let id = Sha256::digest(
        format!(
            "{}\n{}\n{}",
            receipt.document_title,
            receipt.language.tag(),
            receipt.code
        )
        .as_bytes(),
    );
    let hex: String = id.iter().take(16).map(|b| format!("{b:02X}")).collect();
    lo.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::String(hex.clone().into_bytes(), lopdf::StringFormat::Literal),
            lopdf::Object::String(hex.into_bytes(), lopdf::StringFormat::Literal),
        ]),
    );
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes)
        .expect("writing to memory cannot fail");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipts::content::{build, tests::sample};
    use crate::receipts::lang::Language;

    fn text_of(pdf: &[u8]) -> String {
        let doc = lopdf::Document::load_mem(pdf).unwrap();
        doc.extract_text(&[1]).unwrap()
    }

    #[test]
    fn each_language_renders_its_labels_reproducibly_and_small() {
        for language in Language::ALL {
            let receipt = build(
                &sample(),
                language,
                "ABCDEFGHIJKLMNOPQRST",
                "http://paydesk.test/receipts/verify?refund=R&code=C".into(),
            );
            let a = render(&receipt);
            let b = render(&receipt);
            assert_eq!(a, b, "{language:?} is not reproducible");
            assert!(a.len() < 200 * 1024, "{} bytes", a.len());
            let text = text_of(&a);
            assert!(text.contains(receipt.title), "{language:?}: {text}");
            assert!(text.contains("莲花茶馆"), "{text}");
        }
    }

    #[test]
    fn wrapping_keeps_every_character() {
        let long = "Produto danificado na entrega, cliente pediu reembolso integral 退款原因很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长";
        let lines = wrap(font(), long, 10.0, 200.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat().replace(' ', ""), long.replace(' ', ""));
    }
}
