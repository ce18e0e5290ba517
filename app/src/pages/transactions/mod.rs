//! Transactions > Transaction query, and the details page of one transaction.

mod approvals;
mod chips;
mod details;
mod display_settings;
mod export;
mod filter_bar;
mod notifications;
mod pager;
mod refund;
mod summary;
mod table;

pub use details::TransactionDetailsPage;

use crate::error::AppError;
use crate::locale::use_language;
use crate::transactions::columns::Column;
use crate::transactions::filter::{FieldErrors, QueryParams};
use crate::transactions::view::{Page, TransactionView};
use crate::url::use_query;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The details page of one transaction.
pub fn details_href(transaction_id: &str) -> String {
    format!(
        "/transactions/{}",
        crate::url::encode_component(transaction_id)
    )
}

/// What the query page needs from one round trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// Messages for filters that were not understood; no page is searched then.
    pub errors: FieldErrors,
    pub page: Option<Page>,
    pub columns: Vec<Column>,
    pub options: FilterOptions,
    /// The date range searched, as YYYY-MM-DD in the merchant's zone.
    pub from: String,
    pub to: String,
    /// Today in the merchant's zone, YYYY-MM-DD: where the date presets count from.
    pub today: String,
}

/// The choices of the filter bar's lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterOptions {
    pub currencies: Vec<String>,
    pub methods: Vec<(String, String)>,
    pub acquirers: Vec<(String, String)>,
}

impl FilterOptions {
    /// Puts the names the filter bar shows (Alipay, not ALIPAY_CN) in place of `row`'s
    /// payment method and acquirer codes, so that a page names them one way everywhere.
    /// A code no list has stays as it is.
    pub fn show_names(&self, row: &mut TransactionView) {
        let name = |list: &[(String, String)], code: &mut String| {
            if let Some((_, name)) = list.iter().find(|(c, _)| c == code) {
                *code = name.clone();
            }
        };
        name(&self.methods, &mut row.payment_method);
        name(&self.acquirers, &mut row.acquirer);
    }
}

/// The filter bar's lists of `merchant`, usually from the cache.
#[cfg(feature = "ssr")]
pub(crate) async fn cached_options(
    state: &crate::state::AppState,
    reads: &sqlx::PgPool,
    merchant: uuid::Uuid,
) -> Result<FilterOptions, sqlx::Error> {
    state
        .cache
        .filter_options
        .get_or_load(merchant, filter_options(reads, merchant))
        .await
}

// JSON in: a query with no filter at all must still arrive as one (empty) argument.
#[server(endpoint = "search_transactions", input = leptos::server_fn::codec::Json)]
pub async fn search_transactions(params: QueryParams) -> Result<SearchResult, AppError> {
    use crate::transactions::{display_settings, filter, query};
    // Taken before the first await: the page's context is not read again later.
    let state = crate::state::app_state();
    let user = crate::auth::session::require_user().await?;
    let pool = state.pool.clone();
    // The page and the lists may come from a replica; the user's own columns, which they
    // may have just changed through another instance, come from the primary each time.
    let reads = crate::replica::read_pool().await?;
    let merchant: uuid::Uuid = user.merchant_id;
    let zone = user.zone;
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let user_id: uuid::Uuid = user.id;
    let language = user.language;
    let parsed = filter::parse_in(&params, today, language);
    // The page's own query runs beside the lookups of the columns and of the list options
    // (those usually from the cache). All three run to the end even when one fails (`join!`,
    // not `try_join!`): dropping a sqlx query in flight is not safe for the pool's
    // connection (docs/ARCHITECTURE.md).
    let page = async {
        match &parsed {
            Ok(f) => query::search_in(&reads, merchant, f, zone, language)
                .await
                .map(Some),
            Err(_) => Ok(None),
        }
    };
    let (columns, options, page) = tokio::join!(
        display_settings::load(&pool, user_id),
        cached_options(&state, &reads, merchant),
        page
    );
    let (columns, options, page) = (columns?, options?, page?);
    let mut result = SearchResult {
        errors: FieldErrors::new(language),
        page: None,
        columns,
        options,
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        today: today.to_string(),
    };
    let l = language.locale();
    match parsed {
        Err(errors) => result.errors = errors,
        Ok(f) => {
            result.from = f.from.to_string();
            result.to = f.to.to_string();
            // Codes that match the pattern but no list entry find nothing; say why.
            if f.method
                .as_ref()
                .is_some_and(|m| !result.options.methods.iter().any(|(c, _)| c == m))
            {
                result
                    .errors
                    .add("method", crate::i18n::td_string!(l, filters.method));
            }
            if f.acquirer
                .as_ref()
                .is_some_and(|a| !result.options.acquirers.iter().any(|(c, _)| c == a))
            {
                result
                    .errors
                    .add("acquirer", crate::i18n::td_string!(l, filters.acquirer));
            }
            if result.errors.is_empty() {
                result.page = page.map(|mut page| {
                    page.rows
                        .iter_mut()
                        .for_each(|row| result.options.show_names(row));
                    page
                });
            }
        }
    }
    Ok(result)
}

/// The filter bar's lists: the merchant's currencies and every payment method and
/// acquirer, in one round trip.
#[cfg(feature = "ssr")]
async fn filter_options(
    pool: &sqlx::PgPool,
    merchant: uuid::Uuid,
) -> Result<FilterOptions, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT 1 AS "list!", currency::text AS "code!", currency::text AS "name!"
             FROM merchant_balances WHERE merchant_id = $1
           UNION ALL SELECT 2, code, name FROM payment_methods
           UNION ALL SELECT 3, code, name FROM acquirers
           ORDER BY 1, 3"#,
        merchant
    )
    .fetch_all(pool)
    .await?;
    let mut options = FilterOptions::default();
    for row in rows {
        match row.list {
            1 => options.currencies.push(row.code),
            2 => options.methods.push((row.code, row.name)),
            _ => options.acquirers.push((row.code, row.name)),
        }
    }
    Ok(options)
}

#[component]
pub fn TransactionsPage() -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let params = Memo::new(move |_| {
        let q = query.read();
        QueryParams::from_lookup(|k| q.get(k))
    });
    let change_columns = ServerAction::<display_settings::ChangeColumns>::new();
    let result = Resource::new(
        move || (params.get(), change_columns.version().get()),
        |(p, _)| search_transactions(p),
    );
    let (pending, set_pending) = signal(false);
    view! {
        <Title text=tr!(language, transactions.title) />
        <div class="page-head">
            <h1>{tr!(language, transactions.title)}</h1>
            <span class="loading-bar" class:active=pending aria-live="polite">
                {move || if pending.get() { tr!(language, transactions.loading) } else { "" }}
            </span>
        </div>
        <Transition
            fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, transactions.loading_transactions)}</p> }
            set_pending
        >
            {move || Suspend::new(async move {
                match result.await {
                    Ok(r) => view! { <Results result=r params=params.get_untracked() change_columns /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Results(
    result: SearchResult,
    params: QueryParams,
    change_columns: ServerAction<display_settings::ChangeColumns>,
) -> impl IntoView {
    let SearchResult {
        errors,
        page,
        columns,
        options,
        from,
        to,
        today,
    } = result;
    let language = use_language();
    // Finance and admins export; the server checks the role again on download.
    let user = crate::components::shell::use_current_user();
    let export = user.role.can_download_reports().then(|| {
        view! {
            <export::ExportPanel params=params.clone() merchant_name=user.merchant_name.clone()
                time_zone=user.time_zone.clone() from=from.clone() to=to.clone() />
        }
    });
    view! {
        <filter_bar::IdSearch params=params.clone() errors=errors.clone() />
        <filter_bar::DatePresets params=params.clone() today from=from.clone() to=to.clone() />
        <filter_bar::FilterBar params=params.clone() errors=errors.clone() options=options.clone() from to />
        <chips::ActiveFilters params=params.clone() options />
        <display_settings::DisplaySettings columns=columns.clone() action=change_columns />
        {export}
        {match page {
            None => view! {
                <p class="empty-state" role="alert">{tr!(language, transactions.correct_filters)}</p>
            }.into_any(),
            Some(page) if page.rows.is_empty() => view! {
                <p class="empty-state">{tr!(language, transactions.no_match)}</p>
                <pager::Pager params page />
            }.into_any(),
            Some(page) => view! {
                <summary::MatchSummary page=page.clone() />
                <table::TransactionTable rows=page.rows.clone() columns params=params.clone() />
                <pager::Pager params page />
            }.into_any(),
        }}
    }
}
