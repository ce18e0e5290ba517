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
    let user = leptos_axum::extract::<Option<axum::Extension<crate::auth::session::SessionUser>>>()
        .await
        .ok()
        .flatten();
    if let Some(axum::Extension(user)) = user {
        let state = crate::state::app_state();
        crate::users::language::set(&state.pool, user.id, Some(language)).await?;
        // The session keeps its user (and so the language) cached until told.
        state
            .cache
            .changed(&crate::cache::notice::Notice::User(user.id));
    }
    Ok(())
}

#[component]
pub fn LanguageMenu(current: Language) -> impl IntoView {
    let language = use_language();
    view! {
        <details class="language-menu">
            <summary>
                <span class="visually-hidden">{tr!(language, shell.language)}": "</span>
                <span lang=current.tag()>{current.native_name()}</span>
            </summary>
            <form method="post" action=ChangeLanguage::url()>
                <ul role="list">
                    {Language::ALL.into_iter().map(|l| view! {
                        <li>
                            <button type="submit" class="menu-item" name="language" value=l.tag()
                                lang=l.tag() aria-current=(l == current).then_some("true")>
                                {l.native_name()}
                            </button>
                        </li>
                    }).collect_view()}
                </ul>
            </form>
        </details>
    }
}
