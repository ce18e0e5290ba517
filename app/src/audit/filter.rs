//! The audit log page's filters, as they travel in its URL, and their checking.

use super::AuditAction;
use crate::i18n::td_string;
use crate::locale::Language;
use crate::transactions::filter::{parse_date, parse_direction, present, Direction, FieldErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Rows on one page of the log.
pub const PAGE_SIZE: i64 = 50;

/// The filters exactly as the URL has them; empty means "any".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditParams {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
}

impl AuditParams {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> AuditParams {
        AuditParams {
            action: get("action"),
            actor: get("actor"),
            from: get("from"),
            to: get("to"),
            after: get("after"),
            before: get("before"),
        }
    }

    /// The log's URL with these filters.
    pub fn href(&self) -> String {
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        crate::url::with_query(
            "/settings/audit",
            &[
                ("action", &value(&self.action)),
                ("actor", &value(&self.actor)),
                ("from", &value(&self.from)),
                ("to", &value(&self.to)),
                ("after", &value(&self.after)),
                ("before", &value(&self.before)),
            ],
        )
    }
}

/// Checked filters. Dates are the merchant's, both inclusive.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    /// Part of the actor's name (an e-mail address), any case.
    pub actor: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub direction: Direction,
}

/// Checks `params`; the messages of filters that were not understood are in `language`.
pub fn parse(params: &AuditParams, language: Language) -> Result<AuditFilter, FieldErrors> {
    let l = language.locale();
    let mut errors = FieldErrors::default();
    let action = present(&params.action).and_then(|a| {
        let parsed = AuditAction::parse(a);
        if parsed.is_none() {
            errors.add("action", td_string!(l, audit.error_action));
        }
        parsed
    });
    let from = parse_date("from", &params.from, &mut errors);
    let to = parse_date("to", &params.to, &mut errors);
    if from.zip(to).is_some_and(|(f, t)| f > t) {
        errors.add("to", td_string!(l, audit.error_end_before_start));
    }
    let direction = parse_direction(&params.after, &params.before, &mut errors);
    let actor = present(&params.actor).and_then(|a| match crate::text::check_line(a, 254) {
        Ok(()) => Some(a.to_owned()),
        Err(problem) => {
            errors.add("actor", problem.message("The actor"));
            None
        }
    });
    if errors.is_empty() {
        Ok(AuditFilter {
            action,
            actor,
            from,
            to,
            direction,
        })
    } else {
        Err(errors)
    }
}

/// One event as the log shows it, its time in the merchant's zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub time: String,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    /// With its currency, e.g. `12.50 USD` (`12,50 USD` in Portuguese).
    pub amount: Option<String>,
    pub detail: Option<String>,
    pub address: Option<String>,
}

/// One page of the newest-first log, with the cursors of its neighbours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub next: Option<String>,
    pub prev: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> AuditParams {
        AuditParams::from_lookup(|k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn filters_parse_and_empty_ones_mean_any() {
        let f = parse(
            &params(&[
                ("action", "ROLE_CHANGED"),
                ("actor", " ada "),
                ("from", "2026-11-01"),
                ("to", ""),
            ]),
            Language::En,
        )
        .unwrap();
        assert_eq!(f.action, Some(AuditAction::RoleChanged));
        assert_eq!(f.actor.as_deref(), Some("ada"));
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(f.to, None);
        assert_eq!(f.direction, Direction::First);
    }

    #[test]
    fn bad_filters_say_which_field_is_wrong() {
        let errors = parse(
            &params(&[
                ("action", "DROP"),
                ("from", "2026-11-30"),
                ("to", "2026-11-01"),
                ("after", "x"),
                ("actor", "a\u{0}b"),
            ]),
            Language::PtBr,
        )
        .unwrap_err();
        for field in ["action", "to", "page", "actor"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        assert_eq!(
            errors.get("to").as_deref(),
            Some("A data final é anterior à data inicial.")
        );
    }

    #[test]
    fn links_keep_the_filters() {
        let p = params(&[("action", "USER_CREATED"), ("actor", "a@b.example")]);
        assert_eq!(
            p.href(),
            "/settings/audit?action=USER_CREATED&actor=a%40b.example"
        );
    }
}
