//! The open API's rate limits: one keyed GCRA limiter (`governor`) per client id and one
//! per source address, in memory. Each instance enforces the limit for the requests it
//! serves (with N instances behind a balancer a client gets up to N times the rate; a
//! shared limit would cost a database round trip per request).

use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;

/// Keys kept before the first pruning of keys whose budget is full again.
const FIRST_PRUNE_AT: usize = 1024;

type Limiter<K, C> =
    governor::RateLimiter<K, DashMapStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// `per_second` requests a second per key on average, up to `burst` at once. Source
/// addresses are chosen by whoever sends requests, so the keys are pruned as they grow:
/// a key whose budget is full again is as good as absent, and is dropped.
pub struct RateLimit<K: Hash + Eq + Clone, C: Clock = DefaultClock> {
    /// None when the limit is off.
    limiter: Option<Limiter<K, C>>,
    /// The number of keys at which they are pruned next.
    prune_at: AtomicUsize,
}

impl<K: Hash + Eq + Clone> RateLimit<K> {
    /// A zero or negative rate turns the limit off; the burst is at least one request.
    pub fn new(per_second: f64, burst: f64) -> Self {
        RateLimit::with_clock(per_second, burst, DefaultClock::default())
    }
}

impl<K: Hash + Eq + Clone, C: Clock> RateLimit<K, C> {
    fn with_clock(per_second: f64, burst: f64, clock: C) -> Self {
        RateLimit {
            limiter: quota(per_second, burst).map(|q| Limiter::dashmap_with_clock(q, clock)),
            prune_at: AtomicUsize::new(FIRST_PRUNE_AT),
        }
    }

    /// Counts one request of `key`; false when it is over the limit.
    pub fn allow(&self, key: &K) -> bool {
        let Some(limiter) = &self.limiter else {
            return true;
        };
        let allowed = limiter.check_key(key).is_ok();
        self.prune(limiter);
        allowed
    }

    /// Drops the keys whose budget is full again once the store has doubled since the
    /// last pruning: amortised constant time per request, memory bounded by the keys
    /// active within one burst's refill time.
    fn prune(&self, limiter: &Limiter<K, C>) {
        let at = self.prune_at.load(Ordering::Relaxed);
        if limiter.len() < at {
            return;
        }
        // One request prunes; the others go on.
        let next = usize::MAX;
        if self
            .prune_at
            .compare_exchange(at, next, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        limiter.retain_recent();
        limiter.shrink_to_fit();
        let after = (limiter.len() * 2).max(FIRST_PRUNE_AT);
        self.prune_at.store(after, Ordering::Release);
    }
}

/// The quota for a rate (which may be fractional, e.g. 0.5 a second) and a burst.
fn quota(per_second: f64, burst: f64) -> Option<Quota> {
    if per_second.is_nan() || per_second <= 0.0 {
        return None;
    }
    let burst = NonZeroU32::new(burst.max(1.0).min(f64::from(u32::MAX)) as u32)?;
    let period = Duration::try_from_secs_f64(1.0 / per_second).ok()?;
    Some(Quota::with_period(period.max(Duration::from_nanos(1)))?.allow_burst(burst))
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn burst_then_refill_per_key() {
        let clock = FakeRelativeClock::default();
        let l = RateLimit::with_clock(2.0, 3.0, clock.clone());
        let (a, b) = ("a".to_owned(), "b".to_owned());
        assert!(l.allow(&a));
        assert!(l.allow(&a));
        assert!(l.allow(&a));
        assert!(!l.allow(&a));
        assert!(l.allow(&b), "keys have their own budgets");
        clock.advance(Duration::from_millis(500));
        assert!(l.allow(&a));
        assert!(!l.allow(&a));
    }

    #[test]
    fn fractional_rates_and_bursts() {
        let clock = FakeRelativeClock::default();
        let l = RateLimit::with_clock(0.5, 1.5, clock.clone());
        assert!(l.allow(&1));
        assert!(!l.allow(&1), "a burst of 1.5 is one request");
        clock.advance(Duration::from_millis(1999));
        assert!(!l.allow(&1));
        clock.advance(Duration::from_millis(1));
        assert!(
            l.allow(&1),
            "half a request a second: one every two seconds"
        );
    }

    #[test]
    fn zero_rate_is_unlimited() {
        let l = RateLimit::new(0.0, 1.0);
        for _ in 0..100 {
            assert!(l.allow(&"a"));
        }
    }

    #[test]
    fn keys_whose_budget_is_full_again_are_pruned() {
        let clock = FakeRelativeClock::default();
        let l = RateLimit::with_clock(10.0, 2.0, clock.clone());
        for i in 0..FIRST_PRUNE_AT as u32 - 1 {
            assert!(l.allow(&i));
        }
        let limiter = l.limiter.as_ref().unwrap();
        assert_eq!(limiter.len(), FIRST_PRUNE_AT - 1);
        // Once every budget has refilled, the next new key prunes the others.
        clock.advance(Duration::from_secs(1));
        assert!(l.allow(&u32::MAX));
        assert!(limiter.len() <= 1, "{} keys left", limiter.len());
        // Pruned keys start with a full budget, as new ones do.
        assert!(l.allow(&0) && l.allow(&0) && !l.allow(&0));
    }
}
