//! The notifyRefund delivery log of a refund, as the details page shows it, and "resend
//! now". The outbox itself is delivered by the server's notification worker.

#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod target;

use serde::{Deserialize, Serialize};

/// One notification of a refund with its delivery attempts, times in the merchant's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i64,
    pub url: String,
    /// PENDING, DELIVERED or GAVE_UP.
    pub status: String,
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

impl NotificationView {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "DELIVERED" => "Delivered",
            "GAVE_UP" => "Gave up",
            _ => "Pending",
        }
    }
}
