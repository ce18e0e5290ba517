//! One kind of cached value, and the clock all kinds share. The clock keeps a read that
//! races a change from storing what the change replaced: a value read from the
//! database is stored only if no notice arrived since the read began (its `Ticket`),
//! and nothing is served or stored while notices may be missing (`live` is false).

use super::notice::Notice;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How many values a shelf keeps: a bound on memory, whatever clients send.
const MAX_ENTRIES: usize = 10_000;
/// How long a value is kept: what nobody asked for again is dropped, and no value
/// is older than this even if a notice were somehow lost.
const MAX_AGE: Duration = Duration::from_secs(300);

#[derive(Debug, Default)]
pub(super) struct Clock(RwLock<ClockState>);

#[derive(Debug, Default)]
pub(super) struct ClockState {
    /// Whether the listener is connected, so that every change reaches us.
    pub live: bool,
    /// Counts notices and reconnections.
    pub generation: u64,
}

impl Clock {
    /// For changing the state; shelves are emptied while this is held, so no `put`
    /// can slip in between the new generation and the emptying.
    pub(super) fn write(&self) -> std::sync::RwLockWriteGuard<'_, ClockState> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, ClockState> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// Taken before reading from the database; see [`Shelf::put`].
#[derive(Clone, Copy, Debug)]
pub struct Ticket(Option<u64>);

pub struct Shelf<K, V> {
    clock: Arc<Clock>,
    entries: Mutex<HashMap<K, (V, Instant)>>,
    /// Whether a notice makes a value stale.
    stale: fn(&K, &V, &Notice) -> bool,
}

impl<K: Eq + Hash, V: Clone> Shelf<K, V> {
    pub(super) fn new(clock: Arc<Clock>, stale: fn(&K, &V, &Notice) -> bool) -> Shelf<K, V> {
        Shelf {
            clock,
            entries: Mutex::new(HashMap::new()),
            stale,
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<K, (V, Instant)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let clock = self.clock.read();
        if !clock.live {
            return None;
        }
        let entries = self.entries();
        let (value, stored) = entries.get(key)?;
        (stored.elapsed() < MAX_AGE).then(|| value.clone())
    }

    pub fn ticket(&self) -> Ticket {
        let clock = self.clock.read();
        Ticket(clock.live.then_some(clock.generation))
    }

    /// Stores `value`, read from the database after `ticket` was taken, unless a change
    /// was announced since (it may be older than that change) or the shelf is full.
    pub fn put(&self, ticket: Ticket, key: K, value: V) {
        let clock = self.clock.read();
        if !clock.live || ticket.0 != Some(clock.generation) {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, stored)| stored.elapsed() < MAX_AGE);
            if entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        entries.insert(key, (value, Instant::now()));
    }

    /// The cached value, or `load`'s, which is then kept.
    pub async fn get_or_load<E>(
        &self,
        key: K,
        load: impl std::future::Future<Output = Result<V, E>>,
    ) -> Result<V, E> {
        if let Some(value) = self.get(&key) {
            return Ok(value);
        }
        let ticket = self.ticket();
        let value = load.await?;
        self.put(ticket, key, value.clone());
        Ok(value)
    }

    /// Drops what `notice` makes stale. The caller holds the clock's write lock.
    pub(super) fn apply(&self, notice: &Notice) {
        let stale = self.stale;
        self.entries().retain(|k, (v, _)| !stale(k, v, notice));
    }

    /// Drops everything. The caller holds the clock's write lock.
    pub(super) fn clear(&self) {
        self.entries().clear();
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shelf() -> (Arc<Clock>, Shelf<u32, &'static str>) {
        let clock = Arc::new(Clock::default());
        clock.write().live = true;
        let stale = |k: &u32, _: &&str, n: &Notice| *n == Notice::Session(k.to_string());
        (clock.clone(), Shelf::new(clock, stale))
    }

    fn announce(clock: &Clock, shelf: &Shelf<u32, &str>, notice: Notice) {
        let mut state = clock.write();
        state.generation += 1;
        shelf.apply(&notice);
    }

    #[test]
    fn a_value_is_served_until_a_notice_makes_it_stale() {
        let (clock, shelf) = shelf();
        shelf.put(shelf.ticket(), 1, "one");
        shelf.put(shelf.ticket(), 2, "two");
        assert_eq!(shelf.get(&1), Some("one"));
        announce(&clock, &shelf, Notice::Session("1".into()));
        assert_eq!(shelf.get(&1), None);
        assert_eq!(shelf.get(&2), Some("two"));
    }

    #[test]
    fn a_read_that_began_before_a_notice_is_not_stored() {
        let (clock, shelf) = shelf();
        let ticket = shelf.ticket();
        // The change commits and is announced while the old row is being read.
        announce(&clock, &shelf, Notice::Session("1".into()));
        shelf.put(ticket, 1, "old");
        assert_eq!(shelf.get(&1), None);
    }

    #[test]
    fn nothing_is_served_or_stored_while_notices_may_be_missed() {
        let (clock, shelf) = shelf();
        shelf.put(shelf.ticket(), 1, "one");
        clock.write().live = false;
        assert_eq!(shelf.get(&1), None);
        shelf.put(shelf.ticket(), 2, "two");
        clock.write().live = true;
        assert_eq!(shelf.get(&2), None);
    }

    #[test]
    fn a_full_shelf_stores_no_more() {
        let (_, shelf) = shelf();
        for k in 0..MAX_ENTRIES as u32 + 5 {
            shelf.put(shelf.ticket(), k, "v");
        }
        assert_eq!(shelf.len(), MAX_ENTRIES);
        assert_eq!(shelf.get(&(MAX_ENTRIES as u32 + 1)), None);
    }
}
