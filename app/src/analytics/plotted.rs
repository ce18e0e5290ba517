//! The overview's charts as numbers: what each one plots, taken from the figures of a
//! range. The page draws and tabulates these, and each chart's "Download data" file is
//! exactly these numbers, so a chart, its table and its file cannot disagree
//! (docs/RULES.md, "Analytics").

use super::types::{Breakdowns, Point, RefundReason, RefundRequests, Share, Slot};
use serde::{Deserialize, Serialize};

/// Every chart of the overview, by the name of its data file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChartId {
    PaidVolume,
    Payments,
    SuccessRate,
    RefundedVolume,
    RefundRate,
    ByMethod,
    ByAcquirer,
    ByType,
    RefundReasons,
    RefundSources,
    RefundResults,
}

impl ChartId {
    pub const ALL: [ChartId; 11] = [
        ChartId::PaidVolume,
        ChartId::Payments,
        ChartId::SuccessRate,
        ChartId::RefundedVolume,
        ChartId::RefundRate,
        ChartId::ByMethod,
        ChartId::ByAcquirer,
        ChartId::ByType,
        ChartId::RefundReasons,
        ChartId::RefundSources,
        ChartId::RefundResults,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChartId::PaidVolume => "paid-volume",
            ChartId::Payments => "payments",
            ChartId::SuccessRate => "success-rate",
            ChartId::RefundedVolume => "refunded-volume",
            ChartId::RefundRate => "refund-rate",
            ChartId::ByMethod => "by-method",
            ChartId::ByAcquirer => "by-acquirer",
            ChartId::ByType => "by-type",
            ChartId::RefundReasons => "refund-reasons",
            ChartId::RefundSources => "refund-sources",
            ChartId::RefundResults => "refund-results",
        }
    }

    pub fn parse(name: &str) -> Option<ChartId> {
        ChartId::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// What a chart's numbers are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Minor units of the overview's currency.
    Minor,
    Count,
    /// Hundredths of a percent.
    BasisPoints,
}

/// A chart's numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Plotted {
    /// One value per slot of the range and of the previous period (as many slots); None
    /// for a rate of nothing (no payments that day).
    Over {
        unit: Unit,
        current: Vec<(Slot, Option<i64>)>,
        previous: Vec<(Slot, Option<i64>)>,
    },
    /// Counts and amounts per key (a code, or a refund reason; None for refunds
    /// without one), in the order given: largest first.
    Shares {
        rows: Vec<(Option<String>, i64, i64)>,
    },
}

/// Everything the overview's charts are made of, for one range and currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartData {
    pub current: Vec<Point>,
    pub previous: Vec<Point>,
    pub breakdowns: Breakdowns,
    pub requests: RefundRequests,
    pub reasons: Vec<RefundReason>,
}

impl ChartData {
    /// The numbers of chart `id`.
    pub fn plotted(&self, id: ChartId) -> Plotted {
        use super::types::Figures as F;
        let over = |unit, value: fn(&F) -> Option<i64>| Plotted::Over {
            unit,
            current: self
                .current
                .iter()
                .map(|p| (p.slot, value(&p.figures)))
                .collect(),
            previous: self
                .previous
                .iter()
                .map(|p| (p.slot, value(&p.figures)))
                .collect(),
        };
        let shares = |shares: &[Share]| Plotted::Shares {
            rows: shares
                .iter()
                .map(|s| (Some(s.key.clone()), s.count, s.amount_minor))
                .collect(),
        };
        match id {
            ChartId::PaidVolume => over(Unit::Minor, |f| Some(f.paid_minor)),
            ChartId::Payments => over(Unit::Count, |f| Some(f.payments)),
            ChartId::SuccessRate => over(Unit::BasisPoints, |f| f.success_rate().basis_points()),
            ChartId::RefundedVolume => over(Unit::Minor, |f| Some(f.refunded_minor)),
            ChartId::RefundRate => over(Unit::BasisPoints, |f| f.refund_rate().basis_points()),
            ChartId::ByMethod => shares(&self.breakdowns.by_method),
            ChartId::ByAcquirer => shares(&self.breakdowns.by_acquirer),
            ChartId::ByType => shares(&self.breakdowns.by_type),
            ChartId::RefundSources => shares(&self.requests.by_source),
            ChartId::RefundResults => shares(&self.requests.by_result),
            ChartId::RefundReasons => Plotted::Shares {
                rows: self
                    .reasons
                    .iter()
                    .map(|r| (r.reason.clone(), r.count, r.amount_minor))
                    .collect(),
            },
        }
    }
}

/// A slot as a data file writes it: `2026-12-03`, or `2026-12-03T14:00` for an hour.
pub fn slot_key(slot: Slot) -> String {
    match slot {
        Slot::Day(day) => day.to_string(),
        Slot::Hour(day, hour) => format!("{day}T{hour:02}:00"),
    }
}

/// Chart `id`'s numbers as CSV: one row per slot with the previous period's slot
/// beside it, or one row per key. Values are plain integers (minor units, counts,
/// hundredths of a percent), as the exports write amounts.
pub fn csv(id: ChartId, plotted: &Plotted) -> String {
    let mut out = String::new();
    match plotted {
        Plotted::Over {
            unit,
            current,
            previous,
        } => {
            let value = match unit {
                Unit::Minor => "amount_minor",
                Unit::Count => "count",
                Unit::BasisPoints => "basis_points",
            };
            out.push_str(&format!("slot,{value},previous_slot,previous_{value}\n"));
            let number = |v: &Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            for (i, (slot, v)) in current.iter().enumerate() {
                let (previous_slot, previous_value) = previous
                    .get(i)
                    .map(|(s, v)| (slot_key(*s), number(v)))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{},{},{previous_slot},{previous_value}\n",
                    slot_key(*slot),
                    number(v)
                ));
            }
        }
        Plotted::Shares { rows } => {
            let key = match id {
                ChartId::RefundReasons => "reason",
                _ => "key",
            };
            out.push_str(&format!("{key},count,amount_minor\n"));
            for (k, count, amount) in rows {
                out.push_str(&format!(
                    "{},{count},{amount}\n",
                    csv_field(k.as_deref().unwrap_or(""))
                ));
            }
        }
    }
    out
}

/// A text field of a CSV row: quoted when it holds a separator, a quote or a line
/// break, and never read as a formula by a spreadsheet (a reason is the merchant's text).
fn csv_field(text: &str) -> String {
    let text = crate::text::formula_safe(text);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::types::Figures as F;
    use chrono::NaiveDate;

    fn day(d: u32) -> Slot {
        Slot::Day(NaiveDate::from_ymd_opt(2026, 12, d).unwrap())
    }

    fn figures() -> ChartData {
        let point = |slot, payments, paid_minor, attempts, refunded_minor| Point {
            slot,
            figures: F {
                payments,
                paid_minor,
                attempts,
                refunds: 1,
                refunded_minor,
            },
        };
        ChartData {
            current: vec![point(day(2), 3, 300, 4, 30), point(day(3), 0, 0, 0, 5)],
            previous: vec![point(day(1), 1, 100, 1, 0)],
            reasons: vec![
                RefundReason {
                    reason: Some("=cmd|' /C calc'!A0, \"recall\"".into()),
                    count: 2,
                    amount_minor: 35,
                },
                RefundReason {
                    reason: None,
                    count: 1,
                    amount_minor: 1,
                },
            ],
            ..ChartData::default()
        }
    }

    #[test]
    fn names_round_trip() {
        for id in ChartId::ALL {
            assert_eq!(ChartId::parse(id.name()), Some(id));
        }
        assert_eq!(ChartId::parse("../etc"), None);
    }

    #[test]
    fn rates_of_nothing_are_left_empty_not_zero() {
        let Plotted::Over { current, .. } = figures().plotted(ChartId::SuccessRate) else {
            panic!("a rate is plotted over time");
        };
        assert_eq!(current, [(day(2), Some(7_500)), (day(3), None)]);
    }

    #[test]
    fn data_files_hold_exactly_the_plotted_numbers() {
        let f = figures();
        assert_eq!(
            csv(ChartId::PaidVolume, &f.plotted(ChartId::PaidVolume)),
            "slot,amount_minor,previous_slot,previous_amount_minor\n\
             2026-12-02,300,2026-12-01,100\n\
             2026-12-03,0,,\n"
        );
        assert_eq!(
            csv(ChartId::RefundRate, &f.plotted(ChartId::RefundRate)),
            "slot,basis_points,previous_slot,previous_basis_points\n\
             2026-12-02,1000,2026-12-01,0\n\
             2026-12-03,,,\n"
        );
        // A reason is the merchant's text: quoted, and never a formula.
        assert_eq!(
            csv(ChartId::RefundReasons, &f.plotted(ChartId::RefundReasons)),
            "reason,count,amount_minor\n\
             \"'=cmd|' /C calc'!A0, \"\"recall\"\"\",2,35\n\
             ,1,1\n"
        );
        let hour = Slot::Hour(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(), 7);
        assert_eq!(slot_key(hour), "2026-02-28T07:00");
    }
}
