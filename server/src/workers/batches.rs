//! Runs confirmed refund batches (app::refunds::batch::job): a chunk of rows at a time,
//! taken with a lease, so several instances share the work and a stopped one's batch is
//! taken over once its lease runs out.

use std::time::Duration;

use sqlx::PgPool;

use super::{Stop, WorkerConfig};

/// Rows refunded before the batch is given back (and the stop looked at).
const CHUNK: i64 = 50;
/// How long a taken batch stays this instance's without news: far more than a chunk
/// takes, so only a stopped instance loses it.
pub const LEASE: Duration = Duration::from_secs(60);

pub async fn run(pool: PgPool, config: WorkerConfig, mut stop: Stop) {
    loop {
        match app::refunds::batch::job::work(&pool, CHUNK, LEASE).await {
            Ok(0) => {}
            Ok(_) => continue,
            Err(e) => tracing::warn!(error = %e, "batch refunds failed; retrying"),
        }
        tokio::select! {
            () = stop.requested() => return,
            () = tokio::time::sleep(config.poll_interval) => {}
        }
    }
}
