//! The filters in force, each as a chip with a link that removes it, so that a user sees
//! at a glance why a list is short and can widen it in one step (without the WASM too).

use super::pager::href;
use super::FilterOptions;
use crate::i18n::{td_display, td_string};
use crate::locale::{use_language, Language};
use crate::transactions::filter::{present, QueryParams, Sort};
use crate::transactions::kind::{TransactionStatus, TransactionType};
use leptos::prelude::*;

/// One filter in force: what the chip says, and the query without it.
#[derive(Clone, Debug, PartialEq)]
pub struct Chip {
    pub text: String,
    pub remove_href: String,
}

/// The chips of `params`, in `language`. Dates are left out: a query always has a range, changed with
/// the presets and date fields. Removing the currency removes the amount range and an
/// order by amount with it: both need one currency.
pub fn chips(params: &QueryParams, options: &FilterOptions, language: Language) -> Vec<Chip> {
    let l = language.locale();
    let named = |list: &[(String, String)], code: &str| {
        list.iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.to_owned(), |(_, name)| name.clone())
    };
    let first_page = QueryParams {
        after: None,
        before: None,
        ..params.clone()
    };
    let mut out = Vec::new();
    let mut add = |label: &str, value: String, without: fn(&mut QueryParams)| {
        let mut rest = first_page.clone();
        without(&mut rest);
        out.push(Chip {
            text: td_display!(l, transactions.chip, label, value).to_string(),
            remove_href: href(&rest),
        });
    };
    if let Some(c) = present(&params.currency) {
        add(td_string!(l, transactions.currency), c.to_owned(), |p| {
            p.currency = None;
            p.min = None;
            p.max = None;
            if present(&p.sort)
                .and_then(Sort::parse)
                .is_some_and(Sort::by_amount)
            {
                p.sort = None;
            }
        });
    }
    if let Some(s) = present(&params.serial) {
        add(td_string!(l, transactions.serial), s.to_owned(), |p| {
            p.serial = None
        });
    }
    if let Some(k) = present(&params.kind) {
        let label = k
            .parse::<TransactionType>()
            .map_or(k, |t| t.label_in(language));
        add(
            td_string!(l, transactions.chip_type),
            label.to_owned(),
            |p| p.kind = None,
        );
    }
    if let Some(m) = present(&params.method) {
        add(
            td_string!(l, transactions.chip_payment_method),
            named(&options.methods, m),
            |p| p.method = None,
        );
    }
    if let Some(a) = present(&params.acquirer) {
        add(
            td_string!(l, transactions.acquirer),
            named(&options.acquirers, a),
            |p| p.acquirer = None,
        );
    }
    // Successful is the status when none is chosen, so only another choice is a chip.
    if let Some(s) = present(&params.status).filter(|s| *s != TransactionStatus::Success.as_str()) {
        let label = match s.parse::<TransactionStatus>() {
            Ok(status) => status.label_in(language),
            Err(_) if s == "ANY" => td_string!(l, transactions.any_status),
            Err(_) => s,
        };
        add(td_string!(l, transactions.status), label.to_owned(), |p| {
            p.status = None
        });
    }
    if let Some(min) = present(&params.min) {
        add(
            td_string!(l, transactions.amount_from),
            min.to_owned(),
            |p| p.min = None,
        );
    }
    if let Some(max) = present(&params.max) {
        add(td_string!(l, transactions.amount_to), max.to_owned(), |p| {
            p.max = None
        });
    }
    out
}

#[component]
pub fn ActiveFilters(params: QueryParams, options: FilterOptions) -> impl IntoView {
    let language = use_language();
    let chips = chips(&params, &options, use_language());
    (!chips.is_empty()).then(|| {
        view! {
            <ul class="chips" aria-label=tr!(language, transactions.active_filters)>
                {chips.into_iter().map(|chip| {
                    let remove = tr_display!(language, transactions.remove_filter, filter = chip.text.clone()).to_string();
                    view! {
                        <li class="chip">
                            <span>{chip.text}</span>
                            <a href=chip.remove_href title=remove.clone() aria-label=remove>"×"</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> QueryParams {
        QueryParams::from_pairs(pairs)
    }

    #[test]
    fn each_filter_is_a_chip_named_as_the_filter_bar_names_it() {
        let options = FilterOptions {
            methods: vec![("ALIPAY_CN".into(), "Alipay".into())],
            ..FilterOptions::default()
        };
        let query = params(&[
            ("from", "2026-12-01"),
            ("currency", "USD"),
            ("min", "10"),
            ("method", "ALIPAY_CN"),
            ("status", "SUCCESS"),
            ("sort", "amount_desc"),
            ("after", "100.1764000000000000.7"),
        ]);
        let chips = chips(&query, &options, Language::En);
        let texts: Vec<&str> = chips.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Currency: USD", "Payment method: Alipay", "Amount from: 10"]
        );
        // Removing the currency takes its amounts and the order by amount along; the
        // dates stay and the list starts again at its first page.
        assert_eq!(
            chips[0].remove_href,
            "/transactions?from=2026-12-01&method=ALIPAY_CN&status=SUCCESS"
        );
        assert_eq!(
            chips[1].remove_href,
            "/transactions?from=2026-12-01&currency=USD&status=SUCCESS&min=10&sort=amount_desc"
        );
    }

    #[test]
    fn any_status_is_a_chip_and_the_default_is_not() {
        let none = FilterOptions::default();
        assert!(chips(&params(&[]), &none, Language::En).is_empty());
        let any = chips(&params(&[("status", "ANY")]), &none, Language::En);
        assert_eq!(any[0].text, "Status: Any status");
        assert_eq!(any[0].remove_href, "/transactions");
    }

    #[test]
    fn chips_speak_the_users_language() {
        let none = FilterOptions::default();
        let query = params(&[("kind", "REFUND"), ("status", "ANY")]);
        let texts = |language| -> Vec<String> {
            chips(&query, &none, language)
                .into_iter()
                .map(|c| c.text)
                .collect()
        };
        assert_eq!(texts(Language::ZhCn), ["类型：退款", "状态：任意状态"]);
        assert_eq!(
            texts(Language::PtBr),
            ["Tipo: Reembolso", "Status: Qualquer status"]
        );
    }
}
