//! Expiry of requests for refund approval: marks those past their time as expired, with
//! an audit event each. Their reservations end at the expiry time anyway (the refund
//! facts compare with the clock); this makes the state visible on the pages. One
//! statement, so any number of instances can run it side by side.

use std::time::Duration;

use sqlx::PgPool;

use super::Stop;

/// How often the requests are looked at; a request shows as expired on every page from
/// its expiry on, whatever this is.
const EVERY: Duration = Duration::from_secs(30);

pub async fn run(pool: PgPool, mut stop: Stop) {
    loop {
        match app::refunds::approvals::store::expire_due(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "refund approval requests expired"),
            Err(e) => {
                tracing::warn!(error = %e, "expiring refund approval requests failed; retrying")
            }
        }
        tokio::select! {
            () = stop.requested() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}
