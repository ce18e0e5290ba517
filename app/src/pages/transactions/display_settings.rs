//! Display settings: which columns the table shows and in what order. Each button is a
//! form submit, so it works from the keyboard and before the WASM loads.

use crate::error::AppError;
use crate::locale::use_language;
use crate::transactions::columns::Column;
use leptos::prelude::*;

#[server(endpoint = "change_columns")]
pub async fn change_columns(change: String) -> Result<(), AppError> {
    use crate::transactions::{columns::Change, display_settings};
    let user = crate::auth::session::require_user().await?;
    let change = Change::parse(&change).ok_or_else(|| {
        AppError::refused(crate::i18n::td_string!(
            user.language.locale(),
            transactions.unknown_setting
        ))
    })?;
    display_settings::change(&crate::state::app_state().pool, user.id, change).await?;
    Ok(())
}

#[component]
pub fn DisplaySettings(columns: Vec<Column>, action: ServerAction<ChangeColumns>) -> impl IntoView {
    let language = use_language();
    let shown = columns.clone();
    let hidden: Vec<Column> = Column::ALL
        .into_iter()
        .filter(|c| !columns.contains(c))
        .collect();
    let last = shown.len().saturating_sub(1);
    view! {
        <details class="display-settings">
            <summary>{tr!(language, transactions.display_settings)}</summary>
            <ActionForm action>
                <div class="columns-grid">
                    <section>
                        <h2>{tr!(language, transactions.shown_columns)}</h2>
                        <ol class="column-list">
                            {shown.into_iter().enumerate().map(|(i, c)| {
                                let name = c.label_in(language);
                                view! {
                                    <li>
                                        <span>{name}</span>
                                        <button type="submit" class="btn small" name="change" value=format!("up:{}", c.key())
                                            disabled=i == 0 aria-label=tr_display!(language, transactions.move_left, name).to_string()>"↑"</button>
                                        <button type="submit" class="btn small" name="change" value=format!("down:{}", c.key())
                                            disabled=i == last aria-label=tr_display!(language, transactions.move_right, name).to_string()>"↓"</button>
                                        <button type="submit" class="btn small" name="change" value=format!("hide:{}", c.key())
                                            disabled=c == Column::TransactionId aria-label=tr_display!(language, transactions.hide_named, name).to_string()>{tr!(language, transactions.hide)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    </section>
                    <section>
                        <h2>{tr!(language, transactions.other_fields)}</h2>
                        <ul class="column-list">
                            {hidden.into_iter().map(|c| {
                                let name = c.label_in(language);
                                view! {
                                    <li>
                                        <span>{name}</span>
                                        <button type="submit" class="btn small" name="change" value=format!("show:{}", c.key())
                                            aria-label=tr_display!(language, transactions.show_named, name).to_string()>{tr!(language, transactions.show)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <button type="submit" class="btn" name="change" value="reset">{tr!(language, transactions.reset_columns)}</button>
                    </section>
                </div>
            </ActionForm>
        </details>
    }
}
