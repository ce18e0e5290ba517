//! The three languages of Paydesk: English, Simplified Chinese and Brazilian Portuguese.
//! Which one a page is in (the user's setting, else the browser's `Accept-Language`,
//! else English), and how each writes numbers, money and dates ([`format`]), for pages
//! and receipts alike (docs/LANGUAGES.md). The page texts themselves are the catalogues
//! in `locales/`, compiled into the `i18n` module.

pub mod format;
#[cfg(feature = "ssr")]
pub(crate) mod request;
#[cfg(feature = "ssr")]
pub use request::page_language;

use crate::i18n::Locale;

/// A language of the dashboard and of receipts, named in URLs, settings and the
/// database by its BCP 47 tag.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Language {
    #[default]
    En,
    ZhCn,
    PtBr,
}

impl Language {
    /// In the order menus list them.
    pub const ALL: [Language; 3] = [Language::En, Language::ZhCn, Language::PtBr];

    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::ZhCn => "zh-CN",
            Language::PtBr => "pt-BR",
        }
    }

    /// Tags are case-insensitive (BCP 47); `_` is accepted for `-` as people type both.
    pub fn parse(tag: &str) -> Option<Language> {
        let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
        match tag.as_str() {
            "en" | "en-us" | "en-gb" => Some(Language::En),
            "zh-cn" | "zh" | "zh-hans" | "zh-hans-cn" => Some(Language::ZhCn),
            "pt-br" => Some(Language::PtBr),
            _ => None,
        }
    }

    /// The language's name in itself, as menus show it.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::ZhCn => "简体中文",
            Language::PtBr => "Português (Brasil)",
        }
    }

    /// The best of an `Accept-Language` header's languages that Paydesk speaks, by the
    /// header's weights; any variety of a language counts for it (`en-AU` is English,
    /// `zh-HK` reads Simplified Chinese rather than English, `pt-PT` Brazilian
    /// Portuguese). `None` when none is acceptable.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut best: Option<(Language, u16)> = None;
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), parse_weight);
            let (Some(weight), Some(language)) = (weight, Self::of_range(&range)) else {
                continue;
            };
            if weight > 0 && best.is_none_or(|(_, w)| weight > w) {
                best = Some((language, weight));
            }
        }
        best.map(|(language, _)| language)
    }

    fn of_range(range: &str) -> Option<Language> {
        match range.split('-').next()? {
            "en" => Some(Language::En),
            "zh" => Some(Language::ZhCn),
            "pt" => Some(Language::PtBr),
            _ => None,
        }
    }

    /// The catalogue of this language.
    pub fn locale(self) -> Locale {
        match self {
            Language::En => Locale::en,
            Language::ZhCn => Locale::zh_CN,
            Language::PtBr => Locale::pt_BR,
        }
    }
}

/// A `q=` weight in thousandths ("0.8" is 800); `None` for anything malformed.
fn parse_weight(q: &str) -> Option<u16> {
    let (whole, fraction) = q.trim().split_once('.').unwrap_or((q.trim(), ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Makes the page's language known to every component: on the server, the language
/// chosen for the request; in the browser, the one the server wrote into `<html lang>`.
/// Pages never change language in place (choosing one reloads the page), so it is a
/// plain value rather than a signal, and the language crate's own context, with its
/// language negotiation and `navigator.languages` listener, stays out of the WASM.
pub fn provide_language() {
    #[cfg(feature = "ssr")]
    let language = page_language();
    #[cfg(not(feature = "ssr"))]
    let language = leptos::prelude::document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| Language::parse(&tag))
        .unwrap_or_default();
    leptos::prelude::provide_context(language);
}

/// The language of the page being rendered.
pub fn use_language() -> Language {
    leptos::prelude::use_context::<Language>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_ignore_case() {
        for l in Language::ALL {
            assert_eq!(Language::parse(l.tag()), Some(l));
        }
        assert_eq!(Language::parse("PT_br"), Some(Language::PtBr));
        assert_eq!(Language::parse("fr"), None);
    }

    #[test]
    fn the_browsers_best_language_wins_by_weight() {
        let pick = Language::from_accept_language;
        assert_eq!(
            pick("pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7"),
            Some(Language::PtBr)
        );
        assert_eq!(pick("fr-FR, en;q=0.5, zh-CN;q=0.6"), Some(Language::ZhCn));
        assert_eq!(pick("zh-HK"), Some(Language::ZhCn));
        assert_eq!(pick("de, fr"), None);
        assert_eq!(pick("pt;q=0, en;q=0.1"), Some(Language::En));
        assert_eq!(pick("*"), None);
        assert_eq!(pick(""), None);
        // Malformed weights are skipped rather than read as 1.
        assert_eq!(pick("zh;q=2, pt;q=abc, en;q=0.3"), Some(Language::En));
        assert_eq!(pick("en;q=0.9999, pt"), Some(Language::PtBr));
    }
}
