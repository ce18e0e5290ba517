//! A burst of sign-ins at once: throttling counts every attempt before any password is
//! hashed, and hashing is capped, so the burst costs neither CPU beyond the limit nor
//! unbounded memory. Alone in its test binary: it reads the process's peak memory and
//! the process-wide count of hashes.

#[allow(dead_code)]
mod support;

use app::auth::password::hashes_computed;
use sqlx::PgPool;
use support::{add_user, merchant_with_user, TestApp};

/// The process's peak resident memory so far, in MiB (VmHWM).
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status");
    kib / 1024
}

/// Posts the login form for `email` with a wrong password; returns where it redirects.
async fn wrong_sign_in(app: &TestApp, email: String) -> String {
    app.sign_in(&app.browser(), &email, "not the password")
        .await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_burst_of_sign_ins_hashes_at_most_the_limit_and_keeps_memory_bounded(pool: PgPool) {
    let merchant = merchant_with_user(&pool, "Lotus Tea House", "ada@lotus.example", "admin").await;
    for n in 0..29 {
        add_user(&pool, merchant, &format!("user{n}@lotus.example"), "viewer").await;
    }
    let app = TestApp::spawn(pool).await;
    let rss_before = peak_rss_mib();

    // 50 guesses at one account at once: exactly 5 are checked, the rest throttled.
    let hashed_before = hashes_computed();
    let answers = futures_util::future::join_all(
        (0..50).map(|_| wrong_sign_in(&app, "ada@lotus.example".into())),
    )
    .await;
    assert_eq!(hashes_computed() - hashed_before, 5);
    let throttled = answers
        .iter()
        .filter(|a| a.contains("error=throttled"))
        .count();
    let invalid = answers
        .iter()
        .filter(|a| a.contains("error=invalid"))
        .count();
    assert_eq!((invalid, throttled), (5, 45), "{answers:?}");

    // 30 accounts at once (the address's limit, 30, minus the 5 above leaves 25 for
    // this burst): each is checked, but never more at once than there are cores, so
    // memory stays near one 19 MiB hash per core rather than one per request.
    let hashed_before = hashes_computed();
    let answers = futures_util::future::join_all(
        (0..29).map(|n| wrong_sign_in(&app, format!("user{n}@lotus.example"))),
    )
    .await;
    let checked = answers
        .iter()
        .filter(|a| a.contains("error=invalid"))
        .count();
    assert_eq!(checked, 25, "{answers:?}");
    assert_eq!(hashes_computed() - hashed_before, 25);
    let growth = peak_rss_mib().saturating_sub(rss_before);
    assert!(growth < 150, "peak memory grew by {growth} MiB");
}
