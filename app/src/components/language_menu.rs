//! The top bar's language menu: saves the user's choice and shows the page again in it.
//! Each language is a submit button of one form, so the menu works from the keyboard
//! and before the WASM loads (the server then sends the browser back to the page).

use crate::error::AppError;
use crate::locale::use_language;
use crate::locale::Language;
use leptos::prelude::*;

#[server(endpoint = "change_language")]
pub async fn change_language(language: String) -> Result<(), AppError> {
    let user = crate::auth::session::require_user().await?;
    let language =
        Language::parse(&language).ok_or_else(|| AppError::refused("Unknown language."))?;
    let state = crate::state::app_state();
    crate::users::language::set(&state.pool, user.id, Some(language)).await?;
    // The session keeps its user (and so the language) cached until told.
    state
        .cache
        .changed(&crate::cache::notice::Notice::User(user.id));
    Ok(())
}

#[component]
pub fn LanguageMenu(current: Language) -> impl IntoView {
    let language = use_language();
    let action = ServerAction::<ChangeLanguage>::new();
    // Every text on the page changes, and so do the numbers and dates the server wrote:
    // the simplest correct way to show it all in the new language is to load it again.
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            #[cfg(feature = "hydrate")]
            let _ = window().location().reload();
        }
    });
    let failed = move || matches!(action.value().get(), Some(Err(_)));
    view! {
        <details class="language-menu">
            <summary>
                <span class="visually-hidden">{tr!(language, shell.language)}": "</span>
                <span lang=current.tag()>{current.native_name()}</span>
            </summary>
            <ActionForm action>
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
            </ActionForm>
            <Show when=failed>
                <p class="field-error" role="alert">{tr!(language, shell.language_changed_failed)}</p>
            </Show>
        </details>
    }
}
