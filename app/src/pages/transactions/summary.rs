//! The line over the results: how many transactions match, and the page's total in
//! each currency.

use crate::money::group_digits;
use crate::transactions::view::{Page, COUNT_BOUND};
use leptos::prelude::*;

/// "1 transaction", "1,234 transactions", or "10,000+ transactions" past the count's
/// bound.
pub fn matching_text(matching: i64) -> String {
    let count = matching.clamp(0, COUNT_BOUND + 1) as u64;
    match count {
        1 => "1 transaction".to_owned(),
        n if n as i64 > COUNT_BOUND => {
            format!("{}+ transactions", group_digits(COUNT_BOUND as u64, ','))
        }
        n => format!("{} transactions", group_digits(n, ',')),
    }
}

#[component]
pub fn MatchSummary(page: Page) -> impl IntoView {
    let totals = (!page.totals.is_empty()).then(|| {
        view! {
            <span class="page-totals">
                "Page total: "
                {page.totals.into_iter().map(|t| view! { <span class="num-inline">{t}</span> }).collect_view()}
            </span>
        }
    });
    view! {
        // Announced when a filter changes it; not a "status" role, which the export's
        // progress line is.
        <p class="match-summary" aria-live="polite">
            <strong>{matching_text(page.matching)}</strong>
            {totals}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_exact_up_to_its_bound() {
        assert_eq!(matching_text(0), "0 transactions");
        assert_eq!(matching_text(1), "1 transaction");
        assert_eq!(matching_text(1234), "1,234 transactions");
        assert_eq!(matching_text(10_000), "10,000 transactions");
        assert_eq!(matching_text(10_001), "10,000+ transactions");
    }
}
