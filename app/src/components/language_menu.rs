//! The language menu of the top bar and of the sign-in page. Each language is a submit
//! button of one plain form: the server saves the choice and sends the browser back to
//! the page, which it then renders in the new language (every text, number and date on
//! it changes, so the whole page is loaded again). It works from the keyboard and
//! before the WASM loads, and costs the WASM nothing.

use crate::error::AppError;
use crate::locale::use_language;
use crate::locale::Language;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Saves `language` as the visitor's: in a cookie of the browser, for the pages before
/// signing in, and as the signed-in user's setting (docs/LANGUAGES.md).
#[server(endpoint = "change_language")]
pub async fn change_language(language: String) -> Result<(), AppError> {
    let language =
        Language::parse(&language).ok_or_else(|| AppError::refused("Unknown language."))?;
    crate::locale::request::remember(language);
    if let Some(user) = crate::auth::session::request_user() {
        let state = crate::state::app_state();
        crate::users::language::set(&state.pool, user.id, Some(language)).await?;
        // The session keeps its user (and so the language) cached until told.
        state
            .cache
            .changed(&crate::cache::notice::Notice::User(user.id));
    }
    Ok(())
}

/// The menu is fixed markup with nothing to update in the browser, so it is written as
/// one string: as typed view code, hydrated on the sign-in page, it cost that first page
/// about 12 KB of its WASM budget (docs/PERFORMANCE.md).
#[component]
pub fn LanguageMenu(current: Language) -> impl IntoView {
    let label = tr!(use_language(), shell.language);
    view! { <div class="language-slot" inner_html=menu_html(current, label) /> }
}

fn menu_html(current: Language, label: &str) -> String {
    let buttons: String = Language::ALL
        .into_iter()
        .map(|l| {
            let current = if l == current { r#" aria-current="true""# } else { "" };
            format!(
                r#"<li><button type="submit" class="menu-item" name="language" value="{tag}" lang="{tag}"{current}>{name}</button></li>"#,
                tag = l.tag(),
                name = l.native_name()
            )
        })
        .collect();
    format!(
        r#"<details class="language-menu"><summary><span class="visually-hidden">{label}: </span><span lang="{tag}">{name}</span></summary><form method="post" action="{action}"><ul role="list">{buttons}</ul></form></details>"#,
        label = escape(label),
        tag = current.tag(),
        name = current.native_name(),
        action = ChangeLanguage::url(),
    )
}

/// The catalogue's text as HTML text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_menu_offers_every_language_and_marks_the_current_one() {
        let html = menu_html(Language::PtBr, "Idioma <&>");
        assert!(html.contains("Idioma &lt;&amp;&gt;: "));
        for l in Language::ALL {
            assert!(html.contains(&format!(r#"value="{}""#, l.tag())));
        }
        assert_eq!(html.matches("aria-current").count(), 1);
        assert!(html.contains(r#"value="pt-BR" lang="pt-BR" aria-current="true""#));
        assert!(html.contains(r#"action="/api/change_language""#));
    }
}
