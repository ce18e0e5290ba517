//! The notifyRefund delivery log of a refund, as the details page shows it, and "resend
//! now". The outbox itself is delivered by the server's notification worker.

#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod target;

use crate::i18n::td_string;
use crate::locale::Language;
use serde::{Deserialize, Serialize};

/// Where a notification stands (`refund_notifications.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "text", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum DeliveryStatus {
    /// Another attempt is scheduled.
    Pending,
    /// The merchant acknowledged it.
    Delivered,
    /// Every attempt of the schedule failed.
    GaveUp,
}

impl DeliveryStatus {
    /// The English name, for the delivery worker's log.
    pub fn label(self) -> &'static str {
        self.label_in(Language::En)
    }

    /// The name the details page shows, in `language`.
    pub fn label_in(self, language: Language) -> &'static str {
        let l = language.locale();
        match self {
            DeliveryStatus::Pending => td_string!(l, notifications.pending),
            DeliveryStatus::Delivered => td_string!(l, notifications.delivered),
            DeliveryStatus::GaveUp => td_string!(l, notifications.gave_up),
        }
    }
}

/// One notification of a refund with its delivery attempts, times in the merchant's zone
/// written the user's way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i64,
    pub url: String,
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<String>,
    pub attempts: Vec<AttemptView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    pub attempt_no: i32,
    pub attempted_at: String,
    /// None when no HTTP answer came.
    pub http_status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_named_in_each_language() {
        assert_eq!(DeliveryStatus::GaveUp.label(), "Gave up");
        assert_eq!(DeliveryStatus::Delivered.label_in(Language::ZhCn), "已送达");
        assert_eq!(DeliveryStatus::Pending.label_in(Language::PtBr), "Pendente");
    }
}
