//! Transactions > Transaction reports: the calendar of daily and monthly reports, for
//! finance and admins only. The month view shows each day's count and volume as a heat
//! map with a download for every closed day; the year view shows each month, with its
//! report from the 2nd of the following month. "Today" is the merchant's.

use crate::components::shell::{use_current_user, Forbidden};
use crate::error::AppError;
use crate::locale::use_language;
#[cfg(feature = "ssr")]
use crate::locale::Language;
use crate::url::use_query;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// One day (month view) or month (year view) of the calendar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarCell {
    /// `2026-11-28` or `2026-11`.
    pub key: String,
    pub label: String,
    /// The period as the user's language writes it, for its download's accessible name.
    pub name: String,
    /// Transactions in the period's report.
    pub count: i64,
    /// Successful payments' settled volume, formatted, with the currency.
    pub volume: String,
    /// Heat-map level 0–4 against the busiest cell.
    pub level: u8,
    /// Where the report's zip downloads, once the period has closed.
    pub download: Option<String>,
    /// The period ended before the merchant's first day: it has no report.
    pub before_first_day: bool,
    /// SHA-256 of the stored zip, once made.
    pub checksum: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    /// `month` or `year`.
    pub view: String,
    pub title: String,
    pub year: i32,
    pub month: u32,
    /// Empty cells before the 1st, to start weeks on Monday (month view).
    pub lead: u32,
    pub cells: Vec<CalendarCell>,
    pub prev: String,
    pub next: String,
    pub today: String,
    /// `today` as the user's language writes it.
    pub today_label: String,
    pub time_zone: String,
}

#[server(endpoint = "report_calendar")]
pub async fn report_calendar(
    view: Option<String>,
    year: Option<i32>,
    month: Option<u32>,
) -> Result<Calendar, AppError> {
    use crate::i18n::{td_display, td_string};
    use crate::reports::calendar::{heat_level, month_days, Period};
    use crate::reports::store::{checksums, first_day};
    use chrono::{Datelike, Months, NaiveDate};
    let user = crate::auth::session::require_role(crate::auth::Role::can_download_reports).await?;
    let pool = crate::replica::read_pool().await?;
    let merchant: uuid::Uuid = user.merchant_id;
    let (zone, language) = (user.zone, user.language);
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let year = year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(today.year());
    let month = month
        .filter(|m| (1..=12).contains(m))
        .unwrap_or(today.month());
    let by_year = view.as_deref() == Some("year");
    let no_such_month = || AppError::refused(td_string!(language.locale(), reports.no_such_month));
    let first = NaiveDate::from_ymd_opt(year, if by_year { 1 } else { month }, 1)
        .ok_or_else(no_such_month)?;
    let end = first
        .checked_add_months(Months::new(if by_year { 12 } else { 1 }))
        .ok_or_else(no_such_month)?;
    let settlement = sqlx::query_scalar!(
        r#"SELECT settlement_currency::text AS "settlement_currency!" FROM merchants WHERE id = $1"#,
        merchant
    )
    .fetch_one(&pool)
    .await?;
    // The same rows as the reports: successful transactions, by local creation date, in
    // periods of a day (month view) or a month (year view), read from the daily totals
    // (docs/RULES.md, "Daily totals").
    let period = if by_year { "month" } else { "day" };
    let totals = sqlx::query!(
        r#"SELECT date_trunc($5, day::timestamp)::date AS "start!: NaiveDate",
                  sum(transactions)::bigint AS "transactions!",
                  coalesce(sum(settlement_amount_minor) FILTER (
                      WHERE transaction_type = 'PAYMENT' AND settlement_currency = $4), 0)::bigint
                    AS "volume!"
             FROM daily_totals
            WHERE merchant_id = $1 AND status = 'SUCCESS' AND day >= $2 AND day < $3
            GROUP BY 1
           HAVING sum(transactions) > 0"#,
        merchant,
        first as NaiveDate,
        end as NaiveDate,
        settlement,
        period
    )
    .fetch_all(&pool)
    .await?;
    let first_day = first_day(&pool, merchant, zone).await?;
    let kind = if by_year { "monthly" } else { "daily" };
    let sums = checksums(&pool, merchant, kind, first, end.pred_opt().unwrap_or(end)).await?;
    let max = totals.iter().map(|t| t.transactions).max().unwrap_or(0);
    let periods: Vec<Period> = if by_year {
        (1..=12).map(|m| Period::Month { year, month: m }).collect()
    } else {
        month_days(year, month)
            .into_iter()
            .map(Period::Day)
            .collect()
    };
    let cells = periods
        .into_iter()
        .map(|p| {
            let start = p.start();
            let (count, volume) = totals
                .iter()
                .find(|t| t.start == start)
                .map_or((0, 0), |t| (t.transactions, t.volume));
            CalendarCell {
                key: p.key(),
                label: match p {
                    Period::Day(d) => d.day().to_string(),
                    Period::Month { month, .. } => month_name(language, month).to_owned(),
                },
                name: period_name(language, p),
                count,
                volume: language.money(volume, &settlement),
                level: heat_level(count, max),
                download: p.available(first_day, today).then(|| p.download_path()),
                before_first_day: p.days().1 < first_day,
                checksum: sums.iter().find(|s| s.0 == start).map(|s| s.1.clone()),
            }
        })
        .collect();
    let (prev, next, title) = if by_year {
        (
            format!("/reports?view=year&year={}", year - 1),
            format!("/reports?view=year&year={}", year + 1),
            td_display!(language.locale(), calendar.year_title, year).to_string(),
        )
    } else {
        let p = first.checked_sub_months(Months::new(1)).unwrap_or(first);
        (
            format!("/reports?year={}&month={}", p.year(), p.month()),
            format!("/reports?year={}&month={}", end.year(), end.month()),
            language.month(year, month),
        )
    };
    Ok(Calendar {
        view: if by_year { "year" } else { "month" }.to_owned(),
        title,
        year,
        month,
        lead: first.weekday().num_days_from_monday(),
        cells,
        prev,
        next,
        today: today.to_string(),
        today_label: language.date(today.year(), today.month(), today.day()),
        time_zone: zone.name().to_owned(),
    })
}

/// A month's name on its own, as the year view labels its cells: "March", "3月",
/// "março".
#[cfg(feature = "ssr")]
fn month_name(language: Language, month: u32) -> &'static str {
    use crate::i18n::td_string;
    let l = language.locale();
    match month {
        1 => td_string!(l, months.january),
        2 => td_string!(l, months.february),
        3 => td_string!(l, months.march),
        4 => td_string!(l, months.april),
        5 => td_string!(l, months.may),
        6 => td_string!(l, months.june),
        7 => td_string!(l, months.july),
        8 => td_string!(l, months.august),
        9 => td_string!(l, months.september),
        10 => td_string!(l, months.october),
        11 => td_string!(l, months.november),
        _ => td_string!(l, months.december),
    }
}

/// A report's period as the user reads it in the name of its download: a date, or a
/// month. English names a month by its key ("2026-11"), as the link always has.
#[cfg(feature = "ssr")]
fn period_name(language: Language, period: crate::reports::calendar::Period) -> String {
    use crate::reports::calendar::Period;
    use chrono::Datelike;
    match period {
        Period::Day(d) => language.date(d.year(), d.month(), d.day()),
        Period::Month { .. } if language == Language::En => period.key(),
        Period::Month { year, month } => language.month(year, month),
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let language = use_language();
    let user = use_current_user();
    #[cfg(feature = "ssr")]
    if !user.role.can_download_reports() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
    }
    view! {
        <Title text=tr!(language, reports.title) />
        <h1>{tr!(language, reports.title)}</h1>
        {if user.role.can_download_reports() {
            view! { <ReportsCalendar /> }.into_any()
        } else {
            view! { <Forbidden role=user.role /> }.into_any()
        }}
    }
}

#[component]
fn ReportsCalendar() -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let args = Memo::new(move |_| {
        let q = query.read();
        (
            q.get("view"),
            q.get("year").and_then(|y| y.parse::<i32>().ok()),
            q.get("month").and_then(|m| m.parse::<u32>().ok()),
        )
    });
    let calendar = Resource::new(move || args.get(), |(v, y, m)| report_calendar(v, y, m));
    view! {
        <Transition fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, reports.loading)}</p> }>
            {move || Suspend::new(async move {
                match calendar.await {
                    Ok(c) => view! { <CalendarView c /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CalendarView(c: Calendar) -> impl IntoView {
    let language = use_language();
    let by_year = c.view == "year";
    let month_link = format!("/reports?year={}&month={}", c.year, c.month);
    let year_link = format!("/reports?view=year&year={}", c.year);
    let note = if by_year {
        tr!(language, reports.note_year)
    } else {
        tr!(language, reports.note_month)
    };
    let (previous, next) = if by_year {
        (
            tr!(language, calendar.previous_year),
            tr!(language, calendar.next_year),
        )
    } else {
        (
            tr!(language, calendar.previous_month),
            tr!(language, calendar.next_month),
        )
    };
    // A screen reader walks the calendar as a table: weeks (or rows of four months) are
    // rows, so every place, blank or not, sits in a row under its weekday's header.
    let width = if by_year { 4 } else { 7 };
    let current = if by_year {
        c.today.get(..7).unwrap_or_default().to_owned()
    } else {
        c.today.clone()
    };
    // The grid is one stop of the Tab key: the period it starts on is today's, or the
    // first one when today is not on this page.
    let start = if c.cells.iter().any(|cell| cell.key == current) {
        current.clone()
    } else {
        c.cells
            .first()
            .map(|cell| cell.key.clone())
            .unwrap_or_default()
    };
    let lead = if by_year { 0 } else { c.lead as usize };
    let mut places: Vec<Option<CalendarCell>> = std::iter::repeat_with(|| None)
        .take(lead)
        .chain(c.cells.into_iter().map(Some))
        .collect();
    while places.len() % width != 0 {
        places.push(None);
    }
    let mut rows: Vec<Vec<Option<CalendarCell>>> = Vec::new();
    for place in places {
        match rows.last_mut() {
            Some(row) if row.len() < width => row.push(place),
            _ => rows.push(vec![place]),
        }
    }
    // The arrow keys need the WASM: until it has loaded the places are not focusable and
    // every download is a Tab stop of its own.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <p class="muted">
            {tr!(language, reports.intro, zone = c.time_zone.clone(), today = c.today_label.clone(), note)}
        </p>
        <nav class="calendar-nav" aria-label=tr!(language, calendar.navigation)>
            <a href=month_link class:current=!by_year aria-current=if by_year { None } else { Some("page") }>{tr!(language, calendar.month_view)}</a>
            <a href=year_link class:current=by_year aria-current=if by_year { Some("page") } else { None }>{tr!(language, calendar.year_view)}</a>
            <a href=c.prev.clone() rel="prev" aria-label=previous>"‹"</a>
            <h2 id="calendar-title" data-testid="calendar-title">{c.title.clone()}</h2>
            <a href=c.next.clone() rel="next" aria-label=next>"›"</a>
        </nav>
        <div
            class=if by_year { "calendar calendar-year" } else { "calendar calendar-month" }
            role="grid"
            aria-labelledby="calendar-title"
            on:keydown=move_in_grid
            on:focusin=remember_focus
        >
            {(!by_year).then(|| view! {
                <div class="calendar-row" role="row">
                    {[
                        (tr!(language, weekdays.mon), tr!(language, weekdays.monday)),
                        (tr!(language, weekdays.tue), tr!(language, weekdays.tuesday)),
                        (tr!(language, weekdays.wed), tr!(language, weekdays.wednesday)),
                        (tr!(language, weekdays.thu), tr!(language, weekdays.thursday)),
                        (tr!(language, weekdays.fri), tr!(language, weekdays.friday)),
                        (tr!(language, weekdays.sat), tr!(language, weekdays.saturday)),
                        (tr!(language, weekdays.sun), tr!(language, weekdays.sunday)),
                    ]
                        .into_iter()
                        .map(|(short, day)| view! {
                            <div class="weekday" role="columnheader">
                                <abbr title=day>{short}</abbr>
                            </div>
                        })
                        .collect_view()}
                </div>
            })}
            {rows.into_iter().map(|row| view! {
                <div class="calendar-row" role="row">
                    {row.into_iter().map(|place| match place {
                        Some(cell) => {
                            let starts = cell.key == start;
                            let is_current = cell.key == current;
                            view! { <Cell cell starts is_current hydrated /> }.into_any()
                        }
                        None => view! {
                            <div class="blank" role="gridcell" tabindex=move || hydrated.get().then_some("-1")></div>
                        }.into_any(),
                    }).collect_view()}
                </div>
            }).collect_view()}
        </div>
    }
}

#[component]
fn Cell(
    cell: CalendarCell,
    /// The place the grid's Tab stop starts on.
    starts: bool,
    /// Today, or this month in the year view.
    is_current: bool,
    hydrated: RwSignal<bool>,
) -> impl IntoView {
    let language = use_language();
    let class = format!("cell heat-{}", cell.level);
    // Counts are never negative.
    let count = language.integer(cell.count.unsigned_abs());
    let summary = tr!(language, calendar.transactions, n = count.clone());
    let name = cell.name;
    view! {
        <div
            class=class
            role="gridcell"
            data-period=cell.key.clone()
            aria-current=is_current.then_some("date")
            tabindex=move || hydrated.get().then_some(if starts { "0" } else { "-1" })
        >
            <span class="cell-label">{cell.label}</span>
            // A phone's day is too narrow for the words: it shows the number, and
            // screen readers still read the words.
            <span class="cell-count"><span class="count-words">{summary}</span><span class="count-number" aria-hidden="true">{count}</span></span>
            <span class="cell-volume">{cell.volume}</span>
            {match cell.download {
                Some(href) => view! {
                    <a class="cell-download" href=href download rel="external"
                        tabindex=move || (hydrated.get() && !starts).then_some("-1")>
                        {tr!(language, calendar.download)}<span class="visually-hidden">{tr!(language, calendar.download_report_of, period = name)}</span>
                    </a>
                    {match cell.checksum {
                        Some(sum) => view! {
                            <code class="cell-checksum" title=format!("SHA-256 {sum}")>{format!("sha256 {}…", &sum[..12.min(sum.len())])}</code>
                        }.into_any(),
                        None => view! { <span class="cell-checksum muted">{tr!(language, calendar.made_on_first_download)}</span> }.into_any(),
                    }}
                }.into_any(),
                None if cell.before_first_day => view! { <span class="cell-pending muted">{tr!(language, calendar.no_report)}</span> }.into_any(),
                None => view! { <span class="cell-pending muted">{tr!(language, calendar.not_yet_available)}</span> }.into_any(),
            }}
        </div>
    }
}

/// The grid cell an event happened on; None for anything else (a link inside it).
#[cfg(feature = "hydrate")]
fn gridcell(target: Option<leptos::web_sys::EventTarget>) -> Option<leptos::web_sys::Element> {
    use leptos::wasm_bindgen::JsCast;
    let here = target?.dyn_into::<leptos::web_sys::Element>().ok()?;
    (here.get_attribute("role").as_deref() == Some("gridcell")).then_some(here)
}

/// Arrow keys move between the grid's places as in a printed calendar (Left and Right
/// run on across weeks; Up and Down keep the weekday), Home and End go to the row's
/// ends, and with Ctrl to the grid's. Keys pressed on a download link stay the link's.
fn move_in_grid(ev: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::{Element, HtmlElement};
        let Some(here) = gridcell(ev.target()) else {
            return;
        };
        let Some(grid) = here.closest("[role=grid]").ok().flatten() else {
            return;
        };
        let all = |parent: &Element, selector: &str| -> Vec<Element> {
            parent
                .query_selector_all(selector)
                .map(|found| {
                    (0..found.length())
                        .filter_map(|i| found.item(i)?.dyn_into::<Element>().ok())
                        .collect()
                })
                .unwrap_or_default()
        };
        let rows: Vec<Vec<Element>> = all(&grid, "[role=row]")
            .iter()
            .map(|row| all(row, "[role=gridcell]"))
            .filter(|cells| !cells.is_empty())
            .collect();
        let Some((r, c)) = rows
            .iter()
            .enumerate()
            .find_map(|(r, cells)| cells.iter().position(|cell| cell == &here).map(|c| (r, c)))
        else {
            return;
        };
        let last_row = rows.len() - 1;
        let last_col = rows[r].len() - 1;
        let to = match ev.key().as_str() {
            "ArrowRight" if c < last_col => Some((r, c + 1)),
            "ArrowRight" if r < last_row => Some((r + 1, 0)),
            "ArrowLeft" if c > 0 => Some((r, c - 1)),
            "ArrowLeft" if r > 0 => Some((r - 1, rows[r - 1].len() - 1)),
            "ArrowDown" if r < last_row => Some((r + 1, c.min(rows[r + 1].len() - 1))),
            "ArrowUp" if r > 0 => Some((r - 1, c.min(rows[r - 1].len() - 1))),
            "Home" if ev.ctrl_key() => Some((0, 0)),
            "Home" => Some((r, 0)),
            "End" if ev.ctrl_key() => Some((last_row, rows[last_row].len() - 1)),
            "End" => Some((r, last_col)),
            "ArrowRight" | "ArrowLeft" | "ArrowDown" | "ArrowUp" => None,
            _ => return,
        };
        // At an edge the key does nothing, rather than scroll the page.
        ev.prevent_default();
        if let Some(cell) = to.and_then(|(r, c)| rows[r][c].dyn_ref::<HtmlElement>().cloned()) {
            let _ = cell.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// The place last focused, by keys or by a click, is where Tab comes back to, and its
/// download (if it has one) is the next Tab stop.
fn remember_focus(ev: leptos::ev::FocusEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::Element;
        let Some(here) = gridcell(ev.target()) else {
            return;
        };
        let set_all = |parent: &Element, selector: &str, value: &str| {
            if let Ok(found) = parent.query_selector_all(selector) {
                for i in 0..found.length() {
                    if let Some(e) = found.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                        let _ = e.set_attribute("tabindex", value);
                    }
                }
            }
        };
        if let Some(grid) = here.closest("[role=grid]").ok().flatten() {
            set_all(&grid, "[tabindex=\"0\"]", "-1");
        }
        let _ = here.set_attribute("tabindex", "0");
        set_all(&here, "a", "0");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::reports::calendar::Period;

    #[test]
    fn months_are_named_in_the_users_language() {
        assert_eq!(month_name(Language::En, 1), "January");
        assert_eq!(month_name(Language::ZhCn, 3), "3月");
        assert_eq!(month_name(Language::PtBr, 12), "dezembro");
    }

    #[test]
    fn downloads_name_their_period_in_the_users_language() {
        let day = Period::Day(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
        let month = Period::Month {
            year: 2026,
            month: 11,
        };
        assert_eq!(period_name(Language::En, day), "2026-11-28");
        assert_eq!(period_name(Language::En, month), "2026-11");
        assert_eq!(period_name(Language::ZhCn, day), "2026年11月28日");
        assert_eq!(period_name(Language::PtBr, month), "novembro de 2026");
        // The catalogue keeps the space that joins the name to the visible "Download".
        let of = |l: Language| {
            crate::i18n::td_display!(l.locale(), calendar.download_report_of, period = "P")
                .to_string()
        };
        assert_eq!(of(Language::En), " the report of P");
        assert_eq!(of(Language::PtBr), " o relatório de P");
    }
}
