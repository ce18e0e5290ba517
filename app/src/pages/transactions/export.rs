//! Export on the query page: the current filter as .csv or .xlsx with the fields the
//! user ticks, in a time zone they choose (the merchant's by default). A plain GET form
//! that downloads without the WASM; once hydrated, the download runs through `fetch` so
//! the page can show rows written of the total and cancel (aborting the request and
//! posting the cancel, either of which makes the server stop).

use crate::locale::{use_language, Language};
use crate::reports::calendar::export_file_name;
use crate::transactions::columns::Column;
use crate::transactions::filter::QueryParams;
use leptos::prelude::*;

/// Offered zones besides the merchant's own.
const ZONES: [&str; 8] = [
    "UTC",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Europe/London",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Los_Angeles",
];

/// Only the hydrated page runs exports through `fetch`; the server renders `Idle`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
enum State {
    Idle,
    Running { done: u64, total: Option<i64> },
    Done(String),
    Cancelled,
    Failed(String),
}

#[component]
pub fn ExportPanel(
    params: QueryParams,
    merchant_name: String,
    time_zone: String,
    from: String,
    to: String,
) -> impl IntoView {
    let language = use_language();
    let (state, set_state) = signal(State::Idle);
    let abort = abort_store();
    let example = match (from.parse(), to.parse()) {
        (Ok(f), Ok(t)) => export_file_name(&merchant_name, f, t, &time_zone, "csv"),
        _ => String::new(),
    };
    let mut zones = vec![time_zone.clone()];
    zones.extend(
        ZONES
            .iter()
            .map(|z| (*z).to_owned())
            .filter(|z| *z != time_zone),
    );
    let hidden = params
        .pairs()
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "size" | "after" | "before"))
        .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .map(|(k, v)| view! { <input type="hidden" name=k value=v /> })
        .collect_view();
    // Files are headed in English unless the user asks for their language: scripts
    // read the English headers, which stay the same whoever exports
    // (`crate::transactions::export::header_language`; the .xlsx sheet is headed in
    // English for now). An English user has nothing to choose.
    let headers = (language != Language::En).then(|| {
        view! {
            <div class="field">
                <label for="export-headers">{tr!(language, exports.headers)}</label>
                <select id="export-headers" name="headers">
                    <option value="en">{tr!(language, exports.headers_english)}</option>
                    <option value="language">{tr!(language, exports.headers_language)}</option>
                </select>
            </div>
        }
    });
    let start = move |ev: leptos::ev::MouseEvent, action: &'static str| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            hydrate::start(ev, action, set_state, abort);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, action, set_state, abort);
    };
    let cancel = move |_| {
        if let Some(handle) = abort.get_value() {
            handle.abort();
        }
    };
    view! {
        <details class="export-panel">
            <summary>{tr!(language, exports.export)}</summary>
            <form method="get" action="/exports/transactions.csv" class="export-form" id="export-form">
                {hidden}
                <fieldset class="export-fields">
                    <legend>{tr!(language, exports.fields)}</legend>
                    {Column::ALL.into_iter().map(|c| {
                        let checked = Column::EXPORT_DEFAULT.contains(&c);
                        let name = c.label_in(language);
                        view! {
                            <label class="check">
                                <input type="checkbox" name="fields" value=c.key() checked=checked
                                    aria-label=tr_display!(language, exports.field_named, name).to_string() />
                                {name}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="export-tz">{tr!(language, exports.time_zone)}</label>
                    <select id="export-tz" name="tz">
                        {zones.into_iter().map(|z| view! { <option value=z.clone()>{z.clone()}</option> }).collect_view()}
                    </select>
                </div>
                {headers}
                <p class="muted">{tr_display!(language, exports.hint, example).to_string()}</p>
                <div class="export-actions">
                    <button type="submit" class="btn primary" formaction="/exports/transactions.csv"
                        on:click=move |ev| start(ev, "/exports/transactions.csv")
                        disabled=move || matches!(state.get(), State::Running { .. })>{tr!(language, exports.csv)}</button>
                    <button type="submit" class="btn" formaction="/exports/transactions.xlsx"
                        on:click=move |ev| start(ev, "/exports/transactions.xlsx")
                        disabled=move || matches!(state.get(), State::Running { .. })>{tr!(language, exports.xlsx)}</button>
                    <Show when=move || matches!(state.get(), State::Running { .. })>
                        <button type="button" class="btn" on:click=cancel>{tr!(language, exports.cancel)}</button>
                    </Show>
                </div>
                <p class="export-status" role="status" aria-live="polite">
                    {move || {
                        let rows = |n: u64| language.integer(n);
                        match state.get() {
                            State::Idle => String::new(),
                            State::Running { done, total: Some(t) } => tr_display!(
                                language, exports.running_of, done = rows(done), total = rows(t.max(0) as u64)
                            ).to_string(),
                            State::Running { done, total: None } => {
                                tr_display!(language, exports.running, done = rows(done)).to_string()
                            }
                            State::Done(name) => tr_display!(language, exports.done, name).to_string(),
                            State::Cancelled => tr!(language, exports.cancelled).to_owned(),
                            State::Failed(message) if message.is_empty() => {
                                tr!(language, exports.export_failed_retry).to_owned()
                            }
                            State::Failed(message) => tr_display!(language, exports.failed, message).to_string(),
                        }
                    }}
                </p>
            </form>
        </details>
    }
}

/// The running export's abort handle. Browser objects live in local storage; the server
/// renders on many threads and only ever stores `None`, so it uses shared storage.
#[cfg(feature = "hydrate")]
type AbortStore = StoredValue<Option<AbortHandle>, LocalStorage>;
#[cfg(not(feature = "hydrate"))]
type AbortStore = StoredValue<Option<AbortHandle>>;

fn abort_store() -> AbortStore {
    #[cfg(feature = "hydrate")]
    return StoredValue::new_local(None);
    #[cfg(not(feature = "hydrate"))]
    StoredValue::new(None)
}

/// Cancels the running export.
#[derive(Clone)]
struct AbortHandle {
    #[cfg(feature = "hydrate")]
    controller: web_sys::AbortController,
    #[cfg(feature = "hydrate")]
    job: String,
}

impl AbortHandle {
    /// Aborts the request, and tells the server by the job id too: behind a load
    /// balancer the closed connection may take a while to reach the instance exporting.
    fn abort(&self) {
        #[cfg(feature = "hydrate")]
        {
            self.controller.abort();
            hydrate::cancel(&self.job);
        }
    }
}

#[cfg(feature = "hydrate")]
mod hydrate {
    use super::{AbortHandle, AbortStore, State};
    use leptos::prelude::*;
    use std::time::Duration;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    /// A failure of the browser's own (no network, no room to save): its words would be
    /// in the browser's language, so the panel shows its own message instead.
    fn js_err<E>(_: E) -> String {
        String::new()
    }

    pub fn start(
        ev: leptos::ev::MouseEvent,
        action: &'static str,
        set_state: WriteSignal<State>,
        abort: AbortStore,
    ) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .and_then(|b| b.form())
        else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let Ok(query) = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data) else {
            return;
        };
        let job = format!("{:x}", (js_sys::Math::random() * 1e15) as u64);
        query.append("job", &job);
        let url = format!("{action}?{}", String::from(query.to_string()));
        let Ok(controller) = web_sys::AbortController::new() else {
            return;
        };
        abort.set_value(Some(AbortHandle {
            controller: controller.clone(),
            job: job.clone(),
        }));
        set_state.set(State::Running {
            done: 0,
            total: None,
        });
        let poll = set_interval_with_handle(
            move || {
                let job = job.clone();
                leptos::task::spawn_local(async move {
                    if let Ok((done, total)) = progress(&job).await {
                        set_state.update(|s| {
                            if matches!(s, State::Running { .. }) {
                                *s = State::Running { done, total };
                            }
                        });
                    }
                });
            },
            Duration::from_millis(400),
        )
        .ok();
        leptos::task::spawn_local(async move {
            let result = download(&url, &controller).await;
            if let Some(p) = poll {
                p.clear();
            }
            abort.set_value(None);
            set_state.set(match result {
                Ok(name) => State::Done(name),
                Err(_) if controller.signal().aborted() => State::Cancelled,
                Err(m) => State::Failed(m),
            });
        });
    }

    /// Asks whichever instance answers to cancel `job`; the answer does not matter.
    pub fn cancel(job: &str) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        let _ = window.fetch_with_str_and_init(&format!("/exports/cancel?job={job}"), &init);
    }

    async fn progress(job: &str) -> Result<(u64, Option<i64>), String> {
        let window = web_sys::window().ok_or_else(|| js_err(()))?;
        let resp: web_sys::Response =
            JsFuture::from(window.fetch_with_str(&format!("/exports/progress?job={job}")))
                .await
                .map_err(js_err)?
                .dyn_into()
                .map_err(js_err)?;
        if !resp.ok() {
            return Err("no progress yet".into());
        }
        let json = JsFuture::from(resp.json().map_err(js_err)?)
            .await
            .map_err(js_err)?;
        let get = |k: &str| {
            js_sys::Reflect::get(&json, &k.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        Ok((
            get("done").unwrap_or(0.0) as u64,
            get("total").map(|t| t as i64),
        ))
    }

    /// Fetches `url` and saves the body under the server's file name.
    async fn download(url: &str, controller: &web_sys::AbortController) -> Result<String, String> {
        let window = web_sys::window().ok_or_else(|| js_err(()))?;
        let init = web_sys::RequestInit::new();
        init.set_signal(Some(&controller.signal()));
        let resp: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .map_err(js_err)?
            .dyn_into()
            .map_err(js_err)?;
        if !resp.ok() {
            let text = JsFuture::from(resp.text().map_err(js_err)?)
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            return Err(text);
        }
        let name = resp
            .headers()
            .get("content-disposition")
            .ok()
            .flatten()
            .and_then(|d| {
                d.split("filename=\"")
                    .nth(1)
                    .map(|n| n.trim_end_matches('"').to_owned())
            })
            .unwrap_or_else(|| "transactions".to_owned());
        let blob: web_sys::Blob = JsFuture::from(resp.blob().map_err(js_err)?)
            .await
            .map_err(js_err)?
            .dyn_into()
            .map_err(js_err)?;
        let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_err)?;
        let document = window.document().ok_or_else(|| js_err(()))?;
        let a: web_sys::HtmlAnchorElement = document
            .create_element("a")
            .map_err(js_err)?
            .dyn_into()
            .map_err(js_err)?;
        a.set_href(&href);
        a.set_download(&name);
        let body = document.body().ok_or_else(|| js_err(()))?;
        body.append_child(&a).map_err(js_err)?;
        a.click();
        a.remove();
        let _ = web_sys::Url::revoke_object_url(&href);
        Ok(name)
    }
}
