//! Everything the overview's charts plot for one range and currency, read at once.

use super::plotted::ChartData;
use super::range::Range;
use super::{activity, breakdowns, refund_reasons, refund_requests};
use crate::money::Currency;
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

/// How many refund reasons the overview lists: the most frequent.
const TOP_REASONS: i64 = 10;

/// The figures of every chart; the reads run side by side on their own connections.
pub async fn chart_data(
    pool: &PgPool,
    merchant: Uuid,
    zone: Tz,
    range: Range,
    currency: Currency,
) -> sqlx::Result<ChartData> {
    // `join!`, not `try_join!`: a sqlx query dropped in flight can spoil its connection.
    let (activity, breakdowns, requests, reasons) = tokio::join!(
        activity(pool, merchant, zone, range, currency),
        breakdowns(pool, merchant, range, currency),
        refund_requests(pool, merchant, range, currency),
        refund_reasons(pool, merchant, range, currency, TOP_REASONS),
    );
    let activity = activity?;
    Ok(ChartData {
        current: activity.current,
        previous: activity.previous,
        breakdowns: breakdowns?,
        requests: requests?,
        reasons: reasons?,
    })
}
