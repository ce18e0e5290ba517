//! Reads from a real PostgreSQL hot standby: the transaction query and details read the
//! replica while it keeps up; a browser that has just refunded sees its refund at once
//! however far behind the replica is; a replica held back past the bound, not answering,
//! or not a standby at all leaves every read on the primary and says so in `/readyz`.
//!
//! Needs `PAYDESK_TEST_REPLICA_URL`: a hot standby of the server in `DATABASE_URL`
//! (scripts/test.sh starts one). Lag is made by pausing the standby's replay
//! (`pg_wal_replay_pause()`), which holds back every database on it, so the tests of this
//! file take turns.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use app::state::{AppState, Config};
use serde_json::{json, Value};
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use support::api::{merchant, payment, reference_data};
use support::{add_user, TestApp, PASSWORD};

const PAYMENT_PASSWORD: &str = "pay-2468-ok";

/// One test at a time may hold the standby's replay back.
static REPLAY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The standby: its `postgres` database (to pause and resume replay) and the test's own
/// database on it, once the standby has replayed its creation and migrations.
struct Standby {
    admin: PgPool,
    pool: PgPool,
}

impl Standby {
    async fn of(primary: &PgPool) -> Standby {
        let url = std::env::var("PAYDESK_TEST_REPLICA_URL").expect(
            "PAYDESK_TEST_REPLICA_URL must name a hot standby of DATABASE_URL's server \
             (scripts/test.sh starts one)",
        );
        let options: PgConnectOptions = url.parse().unwrap();
        let admin = PgPool::connect_with(options.clone()).await.unwrap();
        let standby = Standby {
            admin: admin.clone(),
            pool: admin,
        };
        standby.resume().await;
        standby.catch_up(primary).await;
        let database = primary.connect_options().get_database().unwrap().to_owned();
        Standby {
            pool: PgPool::connect_with(options.database(&database))
                .await
                .unwrap(),
            ..standby
        }
    }

    async fn pause(&self) {
        sqlx::query("SELECT pg_wal_replay_pause()")
            .execute(&self.admin)
            .await
            .unwrap();
    }

    async fn resume(&self) {
        sqlx::query("SELECT pg_wal_replay_resume()")
            .execute(&self.admin)
            .await
            .unwrap();
    }

    /// Waits until the standby has replayed everything the primary had written.
    async fn catch_up(&self, primary: &PgPool) {
        app::replica::catch_up(primary, &self.admin, Duration::from_secs(60))
            .await
            .unwrap();
    }
}

/// Lotus Tea House with an operator, and the 100.00 USD payment PAY-1.
async fn lotus(pool: &PgPool) {
    reference_data(pool).await;
    let lotus = merchant(pool, "Lotus Tea House", "USD").await;
    add_user(pool, lotus, "ada@lotus.example", "operator").await;
    payment(pool, lotus, "PAY-1", "GCASH", "USD", 10_000).await;
}

async fn lotus_id(pool: &PgPool) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM merchants WHERE name = 'Lotus Tea House'")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn signed_in(app: &TestApp) -> reqwest::Client {
    let browser = app.browser();
    app.sign_in(&browser, "ada@lotus.example", PASSWORD).await;
    browser
}

/// The transaction ids on the query page's first page (the last seven days).
async fn listed(app: &TestApp, browser: &reqwest::Client) -> Vec<String> {
    let response = app
        .call_json(browser, "search_transactions", json!({ "params": {} }))
        .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    let mut ids: Vec<String> = result["page"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["transaction_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The ids of the transactions related to `id`, as its details page lists them.
async fn related(app: &TestApp, browser: &reqwest::Client, id: &str) -> usize {
    let details: Value = app
        .call_with(browser, "transaction_details", &[("transaction_id", id)])
        .await
        .json()
        .await
        .unwrap();
    details["related"].as_array().map_or(0, Vec::len)
}

async fn readiness(app: &TestApp) -> (u16, Value) {
    let response = reqwest::get(app.url("/readyz")).await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Waits (at most ten seconds) until `/readyz` reports the replica as `state`.
async fn replica_becomes(app: &TestApp, state: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, body) = readiness(app).await;
        assert_eq!(status, 200, "{body}");
        if body["replica"] == state {
            return body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the replica stayed {body} instead of {state}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `/readyz` after the replica's watcher has had several checks (it starts out
/// unavailable until its first one): still ready, the replica still unavailable.
async fn still_unavailable(app: &TestApp) -> Value {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, body) = readiness(app).await;
    assert_eq!(
        (status, &body["replica"]),
        (200, &json!("unavailable")),
        "{body}"
    );
    body
}

async fn app_reading(pool: &PgPool, replica: PgPool, config: Config) -> TestApp {
    TestApp::spawn_state(AppState::with_replica(pool.clone(), replica, config)).await
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_read_the_replica_and_a_refund_shows_at_once_to_whoever_made_it(pool: PgPool) {
    let _turn = REPLAY.lock().await;
    lotus(&pool).await;
    let standby = Standby::of(&pool).await;
    let app = app_reading(&pool, standby.pool.clone(), Config::default()).await;
    let ada = signed_in(&app).await;
    let other_tab = signed_in(&app).await;
    replica_becomes(&app, "ok").await;
    let payment_password = [
        ("login_password", PASSWORD),
        ("new_password", PAYMENT_PASSWORD),
        ("confirm_password", PAYMENT_PASSWORD),
        ("next", "/transactions/PAY-1"),
    ];
    app.call_with(&ada, "set_payment_password", &payment_password)
        .await;
    standby.catch_up(&pool).await;

    // Replay held back: a payment committed now is on the primary only, and the pages,
    // which read the replica, do not list it.
    standby.pause().await;
    payment(&pool, lotus_id(&pool).await, "PAY-2", "GCASH", "USD", 5_000).await;
    assert_eq!(listed(&app, &ada).await, ["PAY-1"]);

    // A refund through the dialog: its answer tells the browser to read the primary.
    let refund = app
        .call_with(
            &ada,
            "submit_refund",
            &[
                ("transaction_id", "PAY-1"),
                ("refund_request_id", "DASH-1"),
                ("amount", "40.00"),
                ("reason", "Returned"),
                ("payment_password", PAYMENT_PASSWORD),
            ],
        )
        .await;
    let cookie = refund
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find(|c| c.starts_with("paydesk_written="))
        .map(str::to_owned);
    assert!(
        cookie.as_deref().is_some_and(|c| c.contains("HttpOnly")),
        "{cookie:?}"
    );
    let refunds = support::refund_rows(&pool).await;
    assert_eq!(refunds, 1);

    // The one who refunded sees it at once, in the list and on the details page, while
    // the replica still has not replayed it.
    let with_refund = listed(&app, &ada).await;
    assert_eq!(with_refund.len(), 3, "{with_refund:?}");
    assert!(with_refund.contains(&"PAY-2".to_owned()));
    assert_eq!(related(&app, &ada, "PAY-1").await, 1);
    // Another browser, with no write of its own, reads the replica: neither yet.
    assert_eq!(listed(&app, &other_tab).await, ["PAY-1"]);
    assert_eq!(related(&app, &other_tab, "PAY-1").await, 0);

    // Replay resumed: everyone sees both soon after.
    standby.resume().await;
    let started = Instant::now();
    while listed(&app, &other_tab).await != with_refund {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the replica never caught up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(related(&app, &other_tab, "PAY-1").await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_replica_further_behind_than_the_bound_is_reported_and_left_for_the_primary(
    pool: PgPool,
) {
    let _turn = REPLAY.lock().await;
    lotus(&pool).await;
    let standby = Standby::of(&pool).await;
    let config = Config {
        replica_max_lag: Duration::from_secs(1),
        ..Config::default()
    };
    let app = app_reading(&pool, standby.pool.clone(), config).await;
    let metrics = TestApp::serve(server::metrics::router(pool.clone()), pool.clone()).await;
    let ada = signed_in(&app).await;
    let ready = replica_becomes(&app, "ok").await;
    assert!(
        ready["replica_lag_seconds"].as_f64().unwrap() < 1.0,
        "{ready}"
    );

    standby.pause().await;
    payment(&pool, lotus_id(&pool).await, "PAY-2", "GCASH", "USD", 5_000).await;
    // Past the bound, the instance stays ready, says the replica lags, and reads the primary.
    let lagging = replica_becomes(&app, "lagging").await;
    assert!(
        lagging["replica_lag_seconds"].as_f64().unwrap() > 1.0,
        "{lagging}"
    );
    assert_eq!(listed(&app, &ada).await, ["PAY-1", "PAY-2"]);
    let scrape = reqwest::get(metrics.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lag = scrape.lines().find_map(|l| {
        l.strip_prefix("paydesk_replica_lag_seconds ")?
            .parse::<f64>()
            .ok()
    });
    assert!(lag.is_some_and(|s| s > 1.0), "{lag:?}");

    standby.resume().await;
    replica_becomes(&app, "ok").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_replica_that_does_not_answer_leaves_every_read_on_the_primary(pool: PgPool) {
    lotus(&pool).await;
    // A loopback port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let database = pool.connect_options().get_database().unwrap().to_owned();
    let gone = server::connect_replica(&format!("postgres://postgres@127.0.0.1:{port}/{database}"))
        .unwrap();
    let app = app_reading(&pool, gone, Config::default()).await;
    let ada = signed_in(&app).await;
    let body = still_unavailable(&app).await;
    assert_eq!(body["database"], "ok");
    assert_eq!(listed(&app, &ada).await, ["PAY-1"]);
}

/// DATABASE_READ_URL pointing at a primary by mistake (perhaps another one): its WAL
/// positions mean nothing here, so it is not used.
#[sqlx::test(migrations = "../migrations")]
async fn a_read_url_that_is_not_a_standby_is_not_used(pool: PgPool) {
    lotus(&pool).await;
    let app = app_reading(&pool, pool.clone(), Config::default()).await;
    let ada = signed_in(&app).await;
    still_unavailable(&app).await;
    assert_eq!(listed(&app, &ada).await, ["PAY-1"]);
}
