//! The filter bar: an ID search and the filters of docs/RULES.md, as plain GET forms so they
//! work before the WASM loads and keep every filter in the URL.

use super::FilterOptions;
use crate::locale::use_language;
use crate::transactions::filter::{
    present, DatePreset, FieldErrors, QueryParams, ID_TYPES, PAGE_SIZES,
};
use crate::transactions::kind::{TransactionStatus, TransactionType};
use leptos::prelude::*;
use leptos_router::components::Form;

/// A labelled field with its error message beside it.
fn field(name: &'static str, label: &'static str, errors: &FieldErrors, input: AnyView) -> AnyView {
    let error = errors.get(name);
    let invalid = error.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=format!("f-{name}")>{label}</label>
            {input}
            {error.map(|e| view! { <p class="field-error" id=format!("f-{name}-error")>{e}</p> })}
        </div>
    }
    .into_any()
}

fn text_input(
    name: &'static str,
    v: String,
    kind: &'static str,
    mode: Option<&'static str>,
    errors: &FieldErrors,
) -> AnyView {
    let invalid = errors.get(name).is_some();
    view! {
        <input id=format!("f-{name}") name=name type=kind value=v inputmode=mode
            aria-invalid=invalid.then_some("true") aria-describedby=invalid.then(|| format!("f-{name}-error")) />
    }
    .into_any()
}

fn value(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// A `<select>` of `(value, label)` choices with an "All" first option.
#[component]
fn Choice(
    name: &'static str,
    all: &'static str,
    choices: Vec<(String, String)>,
    selected: String,
    errors: FieldErrors,
) -> impl IntoView {
    let invalid = errors.get(name).is_some();
    view! {
        <select id=format!("f-{name}") name=name aria-invalid=invalid.then_some("true")
            aria-describedby=invalid.then(|| format!("f-{name}-error"))>
            <option value="">{all}</option>
            {choices.into_iter().map(|(v, l)| {
                let is = v == selected;
                view! { <option value=v selected=is>{l}</option> }
            }).collect_view()}
        </select>
    }
}
#[component]
pub fn IdSearch(params: QueryParams, errors: FieldErrors) -> impl IntoView {
    let language = use_language();
    let id_type = value(&params.id_type);
    let id_error = errors.get("id");
    let id_invalid = id_error.is_some();
    view! {
        <Form method="GET" on_form_data=crate::url::drop_unnamed() action="/transactions" attr:class="filter-bar id-search" attr:role="search" attr:aria-label=tr!(language, transactions.search_by_id)>
            <div class="field">
                <label for="f-id_type">{tr!(language, transactions.id_type)}</label>
                <select id="f-id_type" name="id_type">
                    {ID_TYPES.iter().map(|c| {
                        let is = c.key() == id_type;
                        view! { <option value=c.key() selected=is>{c.label_in(language)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field grow" class:invalid=id_invalid>
                <label for="f-id">{tr!(language, transactions.id)}</label>
                <input id="f-id" name="id" type="search" maxlength="64" value=value(&params.id)
                    placeholder=tr!(language, transactions.id_placeholder) aria-invalid=id_invalid.then_some("true")
                    aria-describedby=id_invalid.then_some("f-id-error") />
                {id_error.map(|e| view! { <p class="field-error" id="f-id-error">{e}</p> })}
            </div>
            <button type="submit" class="btn primary">{tr!(language, transactions.search)}</button>
            {params.id.as_ref().filter(|v| !v.is_empty()).map(|_| view! {
                <a class="btn" href="/transactions">{tr!(language, transactions.clear_id_search)}</a>
            })}
        </Form>
    }
}

#[component]
pub fn FilterBar(
    params: QueryParams,
    errors: FieldErrors,
    options: FilterOptions,
    from: String,
    to: String,
) -> impl IntoView {
    let language = use_language();
    let e = &errors;
    let choice = |name: &'static str,
                  all: &'static str,
                  choices: Vec<(String, String)>,
                  selected: &Option<String>| {
        view! { <Choice name all choices selected=value(selected) errors=errors.clone() /> }
            .into_any()
    };
    let status = params
        .status
        .clone()
        .unwrap_or_else(|| TransactionStatus::Success.as_str().to_owned());
    let mut statuses: Vec<(String, String)> = TransactionStatus::all()
        .map(|s| (s.as_str().to_owned(), s.label_in(language).to_owned()))
        .collect();
    statuses.push((
        "ANY".to_owned(),
        tr!(language, transactions.any_status).to_owned(),
    ));
    let status_select = view! {
        <select id="f-status" name="status">
            {statuses.into_iter().map(|(v, l)| {
                let is = v == status;
                view! { <option value=v selected=is>{l}</option> }
            }).collect_view()}
        </select>
    }
    .into_any();
    let size = value(&params.size);
    let size_select = view! {
        <select id="f-size" name="size">
            {PAGE_SIZES.iter().map(|n| {
                let is = size == n.to_string();
                view! { <option value=n.to_string() selected=is>{n.to_string()}</option> }
            }).collect_view()}
        </select>
    }
    .into_any();
    let currencies = options
        .currencies
        .iter()
        .map(|c| (c.clone(), c.clone()))
        .collect();
    let fields = vec![
        field(
            "from",
            tr!(language, transactions.created_from),
            e,
            text_input("from", from, "date", None, e),
        ),
        field(
            "to",
            tr!(language, transactions.created_to),
            e,
            text_input("to", to, "date", None, e),
        ),
        field(
            "currency",
            tr!(language, transactions.currency),
            e,
            choice(
                "currency",
                tr!(language, transactions.all_currencies),
                currencies,
                &params.currency,
            ),
        ),
        field(
            "serial",
            tr!(language, transactions.serial),
            e,
            text_input("serial", value(&params.serial), "text", Some("numeric"), e),
        ),
        field(
            "kind",
            tr!(language, transactions.transaction_type),
            e,
            choice(
                "kind",
                tr!(language, transactions.all_types),
                TransactionType::all()
                    .map(|t| (t.as_str().to_owned(), t.label_in(language).to_owned()))
                    .collect(),
                &params.kind,
            ),
        ),
        field(
            "method",
            tr!(language, transactions.payment_method_type),
            e,
            choice(
                "method",
                tr!(language, transactions.all_methods),
                options.methods.clone(),
                &params.method,
            ),
        ),
        field(
            "acquirer",
            tr!(language, transactions.acquirer),
            e,
            choice(
                "acquirer",
                tr!(language, transactions.all_acquirers),
                options.acquirers.clone(),
                &params.acquirer,
            ),
        ),
        field(
            "status",
            tr!(language, transactions.status),
            e,
            status_select,
        ),
        field(
            "min",
            tr!(language, transactions.amount_from),
            e,
            text_input("min", value(&params.min), "text", Some("decimal"), e),
        ),
        field(
            "max",
            tr!(language, transactions.amount_to),
            e,
            text_input("max", value(&params.max), "text", Some("decimal"), e),
        ),
        field(
            "size",
            tr!(language, transactions.rows_per_page),
            e,
            size_select,
        ),
    ];
    let page_error = errors.get("page").or_else(|| errors.get("sort"));
    // The order chosen in the table's headers stays when the filters change.
    let sort = present(&params.sort)
        .map(|s| view! { <input type="hidden" name="sort" value=s.to_owned() /> });
    view! {
        <Form method="GET" on_form_data=crate::url::drop_unnamed() action="/transactions" attr:class="filter-bar" attr:aria-label=tr!(language, transactions.filters)>
            {fields}
            {sort}
            <div class="actions">
                <button type="submit" class="btn primary">{tr!(language, transactions.apply_filters)}</button>
                <a class="btn" href="/transactions">{tr!(language, transactions.reset)}</a>
            </div>
            {page_error.map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </Form>
    }
}

/// Links that set the creation dates to a common range, keeping the other filters. The
/// range in force is marked current.
#[component]
pub fn DatePresets(params: QueryParams, today: String, from: String, to: String) -> impl IntoView {
    let Ok(today) = today.parse::<chrono::NaiveDate>() else {
        return ().into_any();
    };
    let language = use_language();
    view! {
        <nav class="presets" aria-label=tr!(language, transactions.date_presets)>
            {DatePreset::ALL.into_iter().map(|preset| {
                let (start, end) = preset.range(today);
                let (start, end) = (start.to_string(), end.to_string());
                let current = start == from && end == to;
                let link = super::pager::href(&QueryParams {
                    from: Some(start),
                    to: Some(end),
                    after: None,
                    before: None,
                    ..params.clone()
                });
                view! {
                    <a href=link class="preset" class:current=current
                        aria-current=current.then_some("true")>{preset.label(language)}</a>
                }
            }).collect_view()}
        </nav>
    }
    .into_any()
}
