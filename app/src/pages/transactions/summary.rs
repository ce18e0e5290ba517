//! The line over the results: how many transactions match, and the page's total in
//! each currency.

use crate::i18n::td_display;
use crate::locale::{use_language, Language};
use crate::transactions::view::{Page, COUNT_BOUND};
use leptos::prelude::*;

/// "1 transaction", "1,234 transactions", or "10,000+ transactions" past the count's
/// bound, in `language` (its plural forms and digit grouping).
pub fn matching_text(matching: i64, language: Language) -> String {
    let l = language.locale();
    let count = matching.clamp(0, COUNT_BOUND + 1) as u64;
    if count as i64 > COUNT_BOUND {
        let n = language.integer(COUNT_BOUND as u64);
        return td_display!(l, transactions.matching_over, n).to_string();
    }
    let n = language.integer(count);
    td_display!(l, transactions.matching, count, n).to_string()
}

#[component]
pub fn MatchSummary(page: Page) -> impl IntoView {
    let language = use_language();
    let totals = (!page.totals.is_empty()).then(|| {
        view! {
            <span class="page-totals">
                {tr!(language, transactions.page_total)}
                {page.totals.into_iter().map(|t| view! { <span class="num-inline">{t}</span> }).collect_view()}
            </span>
        }
    });
    view! {
        // Announced when a filter changes it; not a "status" role, which the export's
        // progress line is.
        <p class="match-summary" aria-live="polite">
            <strong>{matching_text(page.matching, language)}</strong>
            {totals}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_exact_up_to_its_bound() {
        let en = |n| matching_text(n, Language::En);
        assert_eq!(en(0), "0 transactions");
        assert_eq!(en(1), "1 transaction");
        assert_eq!(en(5), "5 transactions");
        assert_eq!(en(1234), "1,234 transactions");
        assert_eq!(en(10_000), "10,000 transactions");
        assert_eq!(en(10_001), "10,000+ transactions");
    }

    #[test]
    fn the_count_follows_each_languages_plurals_and_grouping() {
        let pt = |n| matching_text(n, Language::PtBr);
        assert_eq!(pt(1), "1 transação");
        assert_eq!(pt(5), "5 transações");
        assert_eq!(pt(1234), "1.234 transações");
        assert_eq!(pt(10_001), "Mais de 10.000 transações");
        let zh = |n| matching_text(n, Language::ZhCn);
        assert_eq!(zh(1), "1 笔交易");
        assert_eq!(zh(10_000), "10,000 笔交易");
        assert_eq!(zh(10_001), "超过 10,000 笔交易");
    }
}
