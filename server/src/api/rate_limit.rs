//! A token bucket per client id, in memory: each instance enforces the limit for the
//! requests it serves (with N instances behind a balancer a client gets up to N times
//! the rate; a shared limit would cost a database round trip per request).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `per_second` requests a second on average, up to `burst` at once. A zero or
    /// negative rate turns the limit off.
    pub fn new(per_second: f64, burst: f64) -> RateLimiter {
        RateLimiter {
            per_second,
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token of `client_id`'s bucket; false when it is empty.
    pub fn allow(&self, client_id: &str) -> bool {
        self.allow_at(client_id, Instant::now())
    }

    fn allow_at(&self, client_id: &str, now: Instant) -> bool {
        if self.per_second <= 0.0 {
            return true;
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        // Only authenticated client ids get here, so the map is bounded by the
        // registered clients.
        let b = buckets.entry(client_id.to_string()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.per_second).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill_per_client() {
        let l = RateLimiter::new(2.0, 3.0);
        let t = Instant::now();
        assert!(l.allow_at("a", t));
        assert!(l.allow_at("a", t));
        assert!(l.allow_at("a", t));
        assert!(!l.allow_at("a", t));
        assert!(l.allow_at("b", t), "clients have their own buckets");
        assert!(l.allow_at("a", t + Duration::from_millis(500)));
        assert!(!l.allow_at("a", t + Duration::from_millis(500)));
    }

    #[test]
    fn zero_rate_is_unlimited() {
        let l = RateLimiter::new(0.0, 1.0);
        for _ in 0..100 {
            assert!(l.allow("a"));
        }
    }
}
