//! What requests would otherwise read from PostgreSQL every time: a session with its
//! user and a merchant's filter lists. (A user's chosen columns are not kept: the user
//! who changes them must see the change on the very next page, whichever instance
//! serves it, and a notice reaches the other instances only a moment later.) Each
//! instance keeps them in memory and drops them when PostgreSQL announces that the
//! rows behind them changed: triggers send a notice on `paydesk_changes` at commit
//! (migration `change_notices`), so a change made by any instance, or by `server user
//! …`, reaches every instance's listener within milliseconds. An instance also applies
//! its own changes at once ([`Cache::changed`]), so its next request sees them.
//! See docs/ARCHITECTURE.md, "What is cached".

pub mod notice;
pub mod shelf;

use crate::auth::session_store::UserRow;
use crate::pages::transactions::FilterOptions;
use notice::{Notice, CHANNEL};
use shelf::{Clock, Shelf};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::session::Record;
use uuid::Uuid;

/// A session as its store read it, with whose it is.
#[derive(Clone, Debug)]
pub struct CachedSession {
    pub record: Record,
    pub user: Option<UserRow>,
}

pub struct Cache {
    clock: Arc<Clock>,
    /// By session id.
    pub sessions: Shelf<String, CachedSession>,
    /// By merchant.
    pub filter_options: Shelf<Uuid, FilterOptions>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").finish_non_exhaustive()
    }
}

impl Cache {
    /// An empty cache that serves nothing until its listener, started here on the
    /// current runtime, is connected.
    pub fn start(pool: PgPool) -> Arc<Cache> {
        let clock = Arc::new(Clock::default());
        let cache = Arc::new(Cache {
            sessions: Shelf::new(clock.clone(), |id, s, notice| match notice {
                Notice::Session(changed) => changed == id,
                Notice::User(u) => s.user.as_ref().is_some_and(|user| user.id == *u),
                Notice::Merchant(m) => s.user.as_ref().is_some_and(|user| user.merchant_id == *m),
                Notice::Lists => false,
            }),
            filter_options: Shelf::new(clock.clone(), |merchant, _, notice| match notice {
                Notice::Merchant(m) => m == merchant,
                Notice::Lists => true,
                _ => false,
            }),
            clock,
        });
        tokio::spawn(cache.clone().listen(pool));
        cache
    }

    /// Drops what `notice` makes stale, and keeps reads begun before it from being stored.
    pub fn changed(&self, notice: &Notice) {
        let mut clock = self.clock.write();
        clock.generation += 1;
        self.sessions.apply(notice);
        self.filter_options.apply(notice);
    }

    /// Whether notices reach this cache; when not, it serves nothing.
    fn set_live(&self, live: bool) {
        let mut clock = self.clock.write();
        clock.live = live;
        clock.generation += 1;
        self.sessions.clear();
        self.filter_options.clear();
    }

    /// Follows the channel for as long as the server runs. Whenever the connection is
    /// lost, notices may have been missed: everything is dropped and nothing is served
    /// from memory until a new connection listens again.
    async fn listen(self: Arc<Self>, pool: PgPool) {
        let mut wait = Duration::from_millis(100);
        loop {
            match self.follow(&pool, &mut wait).await {
                Ok(()) => tracing::warn!("the connection for change notices was lost"),
                Err(e) => tracing::warn!(error = %e, "listening for change notices failed"),
            }
            self.set_live(false);
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
    }

    async fn follow(&self, pool: &PgPool, wait: &mut Duration) -> Result<(), sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        self.set_live(true);
        *wait = Duration::from_millis(100);
        while let Some(notification) = listener.try_recv().await? {
            match Notice::parse(notification.payload()) {
                Some(notice) => self.changed(&notice),
                None => {
                    tracing::warn!(payload = notification.payload(), "unknown change notice");
                    self.set_live(true);
                }
            }
        }
        Ok(())
    }
}
