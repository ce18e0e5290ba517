//! The overview as the server writes it for one user: the range and currency parsed,
//! the figures read, every number formatted in the user's language and every chart
//! drawn (docs/RULES.md, "Analytics"). The charts' data files are written from the
//! same [`Selection`] and figures (`server/src/overview.rs`).

use super::{BalanceRow, Chart, OverviewParams, OverviewView, Tile};
use crate::analytics::plotted::{ChartData, ChartId, Plotted, Unit};
use crate::analytics::range::{Range, RangeError, RangeInput, MAX_MONTHS};
use crate::analytics::types::{Figures, Rate, Slot};
use crate::analytics::{balances, chart_data, currencies};
use crate::auth::session::SessionUser;
use crate::charts::{Bar, BarChart, Heading, LineChart, Series};
use crate::i18n::{td_display, td_string};
use crate::locale::Language;
use crate::money::Currency;
use crate::transactions::filter::MAX_RANGE_DAYS;
use crate::transactions::kind::TransactionType;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// What the user asked for, checked: the range, and the currency if it names one.
pub struct Selection {
    pub range: Range,
    pub preset: Option<String>,
    pub currency: Option<Currency>,
}

/// The range and currency of `params` for a user whose today is `now` in their zone;
/// a message in their language for the first thing wrong.
pub fn select(
    params: &OverviewParams,
    user: &SessionUser,
    now: DateTime<Utc>,
) -> Result<Selection, String> {
    let l = user.language.locale();
    let today = now.with_timezone(&user.zone).date_naive();
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    let (input, preset) = match (given(&params.from), given(&params.to)) {
        (Some(from), Some(to)) => (RangeInput::Custom { from, to }, None),
        _ => {
            let preset = given(&params.range).unwrap_or("30d");
            (RangeInput::Preset(preset), Some(preset.to_owned()))
        }
    };
    let range = Range::parse(input, today).map_err(|e| range_message(user.language, e))?;
    let currency = match given(&params.currency) {
        Some(code) => {
            Some(Currency::parse(code).map_err(|_| td_string!(l, filters.currency).to_owned())?)
        }
        None => None,
    };
    Ok(Selection {
        range,
        preset,
        currency,
    })
}

fn range_message(language: Language, error: RangeError) -> String {
    let l = language.locale();
    match error {
        RangeError::UnknownPreset => td_string!(l, overview.error_preset).to_owned(),
        RangeError::BadDate => td_string!(l, filters.date_format).to_owned(),
        RangeError::Reversed => td_string!(l, filters.start_after_end).to_owned(),
        RangeError::TooEarly | RangeError::TooLate => {
            td_string!(l, overview.error_dates).to_owned()
        }
        RangeError::TooLong => {
            td_display!(l, overview.error_too_long, count = MAX_MONTHS).to_string()
        }
    }
}

/// The whole page for `user`.
pub async fn overview(
    state: &crate::state::AppState,
    pool: &PgPool,
    user: &SessionUser,
    params: &OverviewParams,
    now: DateTime<Utc>,
) -> sqlx::Result<OverviewView> {
    let language = user.language;
    let selection = match select(params, user, now) {
        Ok(selection) => selection,
        Err(message) => {
            let given = |v: &Option<String>| v.clone().unwrap_or_default();
            return Ok(OverviewView {
                range_error: Some(message),
                from: given(&params.from),
                to: given(&params.to),
                ..OverviewView::default()
            });
        }
    };
    let range = selection.range;
    let today = now.with_timezone(&user.zone).date_naive();
    let charts_of = |currency| chart_data(pool, user.merchant_id, user.zone, range, currency);
    // A chosen currency's charts are read alongside the currency list and the balances;
    // without one they wait for the list, whose first entry is then shown.
    // `join!`, not `try_join!`: a sqlx query dropped in flight can spoil its connection.
    let (codes, balances, early) = tokio::join!(
        currencies(pool, user.merchant_id, range),
        balances(pool, user.merchant_id, user.zone, today),
        async {
            match selection.currency {
                Some(currency) => Some(charts_of(currency).await),
                None => None,
            }
        }
    );
    let (codes, balances) = (codes?, balances?);
    // The currency asked for, else the one with the most activity.
    let currency = selection
        .currency
        .or_else(|| codes.first().and_then(|c| Currency::parse(c).ok()));
    let mut currencies = codes;
    if let Some(c) = currency {
        if !currencies.iter().any(|code| *code == c.code()) {
            currencies.push(c.code());
        }
    }
    let links = range.days() <= MAX_RANGE_DAYS;
    let mut view = OverviewView {
        range_error: None,
        preset: selection.preset.clone(),
        from: range.from().to_string(),
        to: range.to().to_string(),
        period: period(language, range),
        currencies,
        currency: currency.map(|c| c.code()),
        balances: balances
            .iter()
            .map(|b| BalanceRow {
                currency: b.currency.clone(),
                available: language.money(b.available_minor, &b.currency),
                change_today: signed(
                    language.money(b.change_today_minor, &b.currency),
                    b.change_today_minor,
                ),
            })
            .collect(),
        tiles: Vec::new(),
        over_time: Vec::new(),
        breakdowns: Vec::new(),
        refunds: Vec::new(),
        links_note: (!links).then(|| {
            td_display!(
                language.locale(),
                overview.links_note,
                days = MAX_RANGE_DAYS
            )
            .to_string()
        }),
    };
    let Some(currency) = currency else {
        return Ok(view);
    };
    let data = match early {
        Some(data) => data?,
        None => charts_of(currency).await?,
    };
    let names = crate::pages::transactions::cached_options(state, pool, user.merchant_id).await?;
    let page = Page {
        language,
        currency,
        range,
        selection: &selection,
        names: &names,
        links,
    };
    view.tiles = page.tiles(&data);
    let charts = |ids: &[ChartId]| ids.iter().map(|id| page.chart(*id, &data)).collect();
    view.over_time = charts(&[
        ChartId::PaidVolume,
        ChartId::Payments,
        ChartId::SuccessRate,
        ChartId::RefundedVolume,
        ChartId::RefundRate,
    ]);
    view.breakdowns = charts(&[ChartId::ByMethod, ChartId::ByAcquirer, ChartId::ByType]);
    view.refunds = charts(&[
        ChartId::RefundReasons,
        ChartId::RefundSources,
        ChartId::RefundResults,
    ]);
    Ok(view)
}

/// "2026-11-04 – 2026-12-03 (compared with …)" in `language`.
fn period(language: Language, range: Range) -> String {
    let span = |r: Range| {
        let date = |d: chrono::NaiveDate| {
            use chrono::Datelike;
            language.date(d.year(), d.month(), d.day())
        };
        if r.from() == r.to() {
            date(r.from())
        } else {
            format!("{} – {}", date(r.from()), date(r.to()))
        }
    };
    td_display!(
        language.locale(),
        overview.period,
        current = span(range),
        previous = span(range.previous())
    )
    .to_string()
}

/// A change with its sign: "+1,000.00 USD"; none for nothing.
fn signed(text: String, value: i64) -> String {
    if value > 0 {
        format!("+{text}")
    } else {
        text
    }
}

/// What every chart of one page shares.
struct Page<'a> {
    language: Language,
    currency: Currency,
    range: Range,
    selection: &'a Selection,
    names: &'a crate::pages::transactions::FilterOptions,
    links: bool,
}

impl Page<'_> {
    fn tiles(&self, data: &ChartData) -> Vec<Tile> {
        let l = self.language.locale();
        let (now, before) = (Figures::sum(&data.current), Figures::sum(&data.previous));
        let tile = |label: &str, value: String, previous: String| Tile {
            label: label.to_owned(),
            value,
            previous: td_display!(l, overview.previous_value, value = previous).to_string(),
        };
        let code = self.currency.code();
        let money = |minor| self.language.money(minor, &code);
        let count = |n: i64| self.language.integer(n.unsigned_abs());
        vec![
            tile(
                td_string!(l, overview.paid_volume),
                money(now.paid_minor),
                money(before.paid_minor),
            ),
            tile(
                td_string!(l, overview.payments),
                count(now.payments),
                count(before.payments),
            ),
            tile(
                td_string!(l, overview.success_rate),
                self.rate(now.success_rate()),
                self.rate(before.success_rate()),
            ),
            tile(
                td_string!(l, overview.refunded_volume),
                money(now.refunded_minor),
                money(before.refunded_minor),
            ),
            tile(
                td_string!(l, overview.refund_rate),
                self.rate(now.refund_rate()),
                self.rate(before.refund_rate()),
            ),
        ]
    }

    fn rate(&self, rate: Rate) -> String {
        rate.basis_points()
            .map_or_else(|| "—".to_owned(), |bp| self.language.percent(bp))
    }

    fn value(&self, unit: Unit, value: i64) -> String {
        match unit {
            Unit::Minor => self.language.money(value, &self.currency.code()),
            Unit::Count => self.language.integer(value.unsigned_abs()),
            Unit::BasisPoints => self.language.percent(value),
        }
    }

    fn title(&self, id: ChartId) -> &'static str {
        let l = self.language.locale();
        match id {
            ChartId::PaidVolume => td_string!(l, overview.chart_paid_volume),
            ChartId::Payments => td_string!(l, overview.chart_payments),
            ChartId::SuccessRate => td_string!(l, overview.chart_success_rate),
            ChartId::RefundedVolume => td_string!(l, overview.chart_refunded_volume),
            ChartId::RefundRate => td_string!(l, overview.chart_refund_rate),
            ChartId::ByMethod => td_string!(l, overview.chart_by_method),
            ChartId::ByAcquirer => td_string!(l, overview.chart_by_acquirer),
            ChartId::ByType => td_string!(l, overview.chart_by_type),
            ChartId::RefundReasons => td_string!(l, overview.chart_refund_reasons),
            ChartId::RefundSources => td_string!(l, overview.chart_refund_sources),
            ChartId::RefundResults => td_string!(l, overview.chart_refund_results),
        }
    }

    fn chart(&self, id: ChartId, data: &ChartData) -> Chart {
        let title = self.title(id);
        let plotted = data.plotted(id);
        let mut chart = Chart {
            id: id.name().to_owned(),
            title: title.to_owned(),
            svg: String::new(),
            headers: Vec::new(),
            rows: Vec::new(),
            numeric: Vec::new(),
            download: download(id, self.selection, self.currency),
        };
        let heading = Heading {
            id_prefix: id.name(),
            title,
            description: None,
        };
        match plotted {
            Plotted::Over {
                unit,
                current,
                previous,
            } => self.over_time(&mut chart, heading, unit, &current, &previous),
            Plotted::Shares { rows } => self.shares(&mut chart, heading, id, &rows),
        }
        chart
    }

    fn slot(&self, slot: Slot) -> String {
        use chrono::Datelike;
        match slot {
            Slot::Day(d) => self.language.day_of_month(d.month(), d.day()),
            Slot::Hour(_, hour) => format!("{hour:02}:00"),
        }
    }

    fn over_time(
        &self,
        chart: &mut Chart,
        heading: Heading<'_>,
        unit: Unit,
        current: &[(Slot, Option<i64>)],
        previous: &[(Slot, Option<i64>)],
    ) {
        let l = self.language.locale();
        let labels: Vec<String> = current.iter().map(|(s, _)| self.slot(*s)).collect();
        // A rate of nothing (no payments in a slot) is drawn at zero and left blank in
        // the table and the data file.
        let values = |points: &[(Slot, Option<i64>)]| -> Vec<i64> {
            points.iter().map(|(_, v)| v.unwrap_or(0)).collect()
        };
        let (now, before) = (values(current), values(previous));
        let format = |v: i64| self.value(unit, v);
        chart.svg = LineChart {
            heading,
            x_labels: &labels,
            current: Series {
                name: td_string!(l, overview.this_period),
                values: &now,
            },
            previous: Some(Series {
                name: td_string!(l, overview.previous_period),
                values: &before,
            }),
            format_value: &format,
        }
        .to_svg();
        let slot_header = if self.range.is_hourly() {
            td_string!(l, overview.hour)
        } else {
            td_string!(l, overview.day)
        };
        chart.headers = vec![
            slot_header.to_owned(),
            td_string!(l, overview.this_period).to_owned(),
            td_string!(l, overview.previous_slot).to_owned(),
            td_string!(l, overview.previous_period).to_owned(),
        ];
        chart.numeric = vec![false, true, false, true];
        let cell = |v: &Option<i64>| v.map_or_else(|| "—".to_owned(), |v| self.value(unit, v));
        chart.rows = current
            .iter()
            .enumerate()
            .map(|(i, (slot, v))| {
                let (before_slot, before_value) = previous
                    .get(i)
                    .map(|(s, v)| (self.full_slot(*s), cell(v)))
                    .unwrap_or_default();
                vec![self.full_slot(*slot), cell(v), before_slot, before_value]
            })
            .collect();
    }

    /// A slot as the table writes it: the full date, and the hour for one day.
    fn full_slot(&self, slot: Slot) -> String {
        use chrono::Datelike;
        match slot {
            Slot::Day(d) => self.language.date(d.year(), d.month(), d.day()),
            Slot::Hour(d, hour) => format!(
                "{} {hour:02}:00",
                self.language.date(d.year(), d.month(), d.day())
            ),
        }
    }

    fn shares(
        &self,
        chart: &mut Chart,
        heading: Heading<'_>,
        id: ChartId,
        rows: &[(Option<String>, i64, i64)],
    ) {
        let l = self.language.locale();
        let label = |key: &Option<String>| self.key_label(id, key.as_deref());
        let bars: Vec<Bar> = rows
            .iter()
            .map(|(key, _, amount)| Bar {
                label: label(key),
                value: *amount,
                value_text: self.value(Unit::Minor, *amount),
                href: key.as_deref().and_then(|k| self.query_link(id, k)),
            })
            .collect();
        chart.svg = BarChart {
            heading,
            bars: &bars,
        }
        .to_svg();
        let key_header = match id {
            ChartId::ByMethod => td_string!(l, overview.method),
            ChartId::ByAcquirer => td_string!(l, overview.acquirer),
            ChartId::ByType => td_string!(l, overview.kind),
            ChartId::RefundReasons => td_string!(l, overview.reason),
            ChartId::RefundSources => td_string!(l, overview.source),
            _ => td_string!(l, overview.result_code),
        };
        chart.headers = vec![
            key_header.to_owned(),
            td_string!(l, overview.count).to_owned(),
            td_string!(l, overview.amount).to_owned(),
        ];
        chart.numeric = vec![false, true, true];
        chart.rows = rows
            .iter()
            .map(|(key, count, amount)| {
                vec![
                    label(key),
                    self.value(Unit::Count, *count),
                    self.value(Unit::Minor, *amount),
                ]
            })
            .collect();
    }

    /// What a breakdown's key is called on the page: a method's or acquirer's name, a
    /// transaction type or source in the language; codes and reasons as they are.
    fn key_label(&self, id: ChartId, key: Option<&str>) -> String {
        let l = self.language.locale();
        let Some(key) = key else {
            return td_string!(l, overview.no_reason).to_owned();
        };
        let named = |list: &[(String, String)]| {
            list.iter()
                .find(|(code, _)| code == key)
                .map_or_else(|| key.to_owned(), |(_, name)| name.clone())
        };
        match id {
            ChartId::ByMethod => named(&self.names.methods),
            ChartId::ByAcquirer => named(&self.names.acquirers),
            ChartId::ByType => key
                .parse::<TransactionType>()
                .map_or_else(|_| key.to_owned(), |t| t.label_in(self.language).to_owned()),
            ChartId::RefundSources => match key {
                "API" => td_string!(l, overview.source_api).to_owned(),
                "DASHBOARD" => td_string!(l, overview.source_dashboard).to_owned(),
                other => other.to_owned(),
            },
            _ => key.to_owned(),
        }
    }

    /// The transaction query of a bar: the same days, currency and key, successful
    /// (the breakdowns count successful transactions). Only for ranges the query takes.
    fn query_link(&self, id: ChartId, key: &str) -> Option<String> {
        if !self.links {
            return None;
        }
        let (field, kind) = match id {
            ChartId::ByMethod => ("method", Some("PAYMENT")),
            ChartId::ByAcquirer => ("acquirer", Some("PAYMENT")),
            ChartId::ByType => ("kind", None),
            _ => return None,
        };
        let (from, to) = (self.range.from().to_string(), self.range.to().to_string());
        let code = self.currency.code();
        let mut pairs = vec![
            ("from", from.as_str()),
            ("to", to.as_str()),
            ("currency", code.as_str()),
            ("status", "SUCCESS"),
            (field, key),
        ];
        if let Some(kind) = kind {
            pairs.push(("kind", kind));
        }
        Some(crate::url::with_query("/transactions", &pairs))
    }
}

/// The link to chart `id`'s data file for the same range and currency.
fn download(id: ChartId, selection: &Selection, currency: Currency) -> String {
    let (from, to) = (
        selection.range.from().to_string(),
        selection.range.to().to_string(),
    );
    let code = currency.code();
    let mut pairs = vec![("currency", code.as_str())];
    match &selection.preset {
        Some(preset) => pairs.push(("range", preset.as_str())),
        None => pairs.extend([("from", from.as_str()), ("to", to.as_str())]),
    }
    crate::url::with_query(&format!("/overview/{}.csv", id.name()), &pairs)
}

/// Why a chart's data file is not sent.
#[derive(Debug)]
pub enum FileError {
    NoSuchChart,
    /// The period or currency, with the message in the user's language.
    Refused(String),
    Database(sqlx::Error),
}

impl FileError {
    pub fn message(&self, language: Language) -> String {
        let l = language.locale();
        match self {
            FileError::NoSuchChart => td_string!(l, overview.no_such_chart).to_owned(),
            FileError::Refused(message) => message.clone(),
            FileError::Database(_) => td_string!(l, settings.unavailable).to_owned(),
        }
    }
}

/// The data file `file` (`{chart}.csv`) for the period and currency of `params`: its
/// name and its text.
pub async fn data_file(
    pool: &PgPool,
    user: &SessionUser,
    file: &str,
    params: &OverviewParams,
    now: DateTime<Utc>,
) -> Result<(String, String), FileError> {
    let id = file
        .strip_suffix(".csv")
        .and_then(ChartId::parse)
        .ok_or(FileError::NoSuchChart)?;
    let selection = select(params, user, now).map_err(FileError::Refused)?;
    let currency = selection.currency.ok_or_else(|| {
        FileError::Refused(td_string!(user.language.locale(), filters.currency).to_owned())
    })?;
    let range = selection.range;
    let data = chart_data(pool, user.merchant_id, user.zone, range, currency)
        .await
        .map_err(FileError::Database)?;
    let name = format!(
        "paydesk-{}-{}-{}-{}.csv",
        id.name(),
        currency.code(),
        range.from(),
        range.to()
    );
    Ok((name, crate::analytics::plotted::csv(id, &data.plotted(id))))
}
