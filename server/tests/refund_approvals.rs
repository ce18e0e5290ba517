//! Approval above a limit (maker-checker): a dashboard refund above the merchant's limit
//! becomes a request that reserves its amount; another admin or operator approves it
//! with their own payment password (the engine then refunds) or rejects it; requests
//! expire. The open API is never held. Everything against a real PostgreSQL, through the
//! same functions the pages' server functions call.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use app::audit::Actor;
use app::locale::Language;
use app::money::Currency;
use app::refunds::approvals::store::{self as approvals, DecisionProblem};
use app::refunds::approvals::{ApprovalStatus, DecisionRefused};
use app::refunds::dashboard::{self, RefundForm, Submission};
use app::refunds::form::RefundOutcome;
use chrono::Utc;
use sqlx::PgPool;
use support::api::{self, code, Client};
use support::{dashboard_user, PAYMENT_PASSWORD as PAY_PASSWORD};
use uuid::Uuid;

const ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// Lotus with an operator (ada), a second operator (bob), an admin (root), a 100.00 USD
/// GCash payment `PAY-1` (refunds at once), a balance to pay refunds from, and an
/// approval limit of 50.00 USD. Each user has a payment password.
struct Lotus {
    client: Client,
    ada: Actor,
    bob: Actor,
    root: Actor,
}

async fn lotus(pool: &PgPool) -> Lotus {
    let client = Client::lotus(pool.clone(), api::unlimited()).await;
    let merchant = client.merchant;
    api::payment(pool, merchant, "PAY-1", "GCASH", "USD", 10_000).await;
    api::set_balance(pool, merchant, "USD", 1_000_000).await;
    let mut actors = Vec::new();
    for (email, role) in [
        ("ada@lotus.example", "operator"),
        ("bob@lotus.example", "operator"),
        ("root@lotus.example", "admin"),
    ] {
        actors.push(dashboard_user(pool, merchant, email, role).await);
    }
    let [ada, bob, root] = actors.try_into().unwrap();
    let usd = Currency::parse("USD").unwrap();
    approvals::set_limit(pool, &root, usd, Some(5_000))
        .await
        .unwrap();
    Lotus {
        client,
        ada,
        bob,
        root,
    }
}

/// Submits the refund form for `amount` of PAY-1 as `actor` under `rid`.
async fn submit(pool: &PgPool, actor: &Actor, rid: &str, amount: &str) -> Result<(), String> {
    let submission = Submission {
        form: RefundForm {
            transaction_id: "PAY-1".into(),
            amount: amount.into(),
            reason: "Recall 召回 🙂".into(),
        },
        refund_request_id: rid.into(),
        payment_password: PAY_PASSWORD.into(),
    };
    dashboard::submit(pool, actor, ZONE, Language::En, submission, Utc::now())
        .await
        .map_err(|p| p.to_string())
}

async fn outcome(pool: &PgPool, actor: &Actor, rid: &str) -> Option<RefundOutcome> {
    dashboard::outcome(pool, actor, Language::En, rid)
        .await
        .unwrap()
}

/// (count, total) of PAY-1's refunds.
async fn refunds(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*), coalesce(sum(r.amount_minor), 0)::bigint
           FROM transactions r JOIN transactions p ON p.id = r.original_id
          WHERE p.transaction_id = 'PAY-1' AND r.transaction_type = 'REFUND'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// What the details page and the dialog say is left to refund of PAY-1.
async fn refundable(pool: &PgPool, actor: &Actor) -> i64 {
    dashboard::refundable(
        pool,
        actor.merchant_id,
        "PAY-1",
        ZONE,
        Language::En,
        Utc::now(),
    )
    .await
    .unwrap()
    .map(|r| r.left)
    .unwrap_or(0)
}

async fn request_id(pool: &PgPool, rid: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM refund_approvals WHERE refund_request_id = $1")
        .bind(rid)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn audited(pool: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The approval state the requester's refund dialog shows, with the rejection's reason.
fn approval(outcome: Option<RefundOutcome>) -> Option<(ApprovalStatus, Option<String>)> {
    match outcome {
        Some(RefundOutcome::Approval {
            status,
            rejection_reason,
            ..
        }) => Some((status, rejection_reason)),
        _ => None,
    }
}

fn pending() -> Option<(ApprovalStatus, Option<String>)> {
    Some((ApprovalStatus::Pending, None))
}

#[sqlx::test(migrations = "../migrations")]
async fn above_the_limit_a_refund_waits_and_reserves_its_amount(pool: PgPool) {
    let l = lotus(&pool).await;
    let usd = Currency::parse("USD").unwrap();
    approvals::set_limit(&pool, &l.root, usd, Some(2_000))
        .await
        .unwrap();
    // The open API is never held for approval: above the limit, it refunds at once.
    let answer = l.client.refund("API-0", "PAY-1", "USD", "2001").await;
    assert_eq!(code(&answer), "SUCCESS", "{answer}");
    // At the limit nothing changes either: refunded at once.
    submit(&pool, &l.ada, "DASH-AT", "20.00").await.unwrap();
    assert_eq!(refunds(&pool).await, (2, 4_001));

    // The confirmation says when a second person is needed, and the limit.
    let preview = |amount: &str| {
        let form = RefundForm {
            transaction_id: "PAY-1".into(),
            amount: amount.into(),
            reason: String::new(),
        };
        let (pool, ada) = (pool.clone(), l.ada.clone());
        async move {
            dashboard::preview(&pool, &ada, ZONE, Language::En, &form, Utc::now())
                .await
                .unwrap()
                .approval_above
        }
    };
    assert_eq!(preview("20.00").await, None);
    let notice = preview("20.01").await.unwrap();
    assert!(notice.contains("approval limit of 20.00 USD"), "{notice}");

    // Above it: a request, no refund, the amount reserved.
    submit(&pool, &l.ada, "DASH-BIG", "30.00").await.unwrap();
    assert_eq!(
        refunds(&pool).await,
        (2, 4_001),
        "nothing went to the acquirer"
    );
    assert_eq!(
        approval(outcome(&pool, &l.ada, "DASH-BIG").await),
        pending()
    );
    assert_eq!(refundable(&pool, &l.ada).await, 10_000 - 4_001 - 3_000);
    assert_eq!(audited(&pool, "REFUND_APPROVAL_REQUESTED").await, 1);

    // The same form again (a double click, a reload) makes no second request.
    submit(&pool, &l.ada, "DASH-BIG", "30.00").await.unwrap();
    let requests: i64 = sqlx::query_scalar("SELECT count(*) FROM refund_approvals")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(requests, 1);

    // The reservation holds against a second request and against the open API.
    let over = submit(&pool, &l.bob, "DASH-OVER", "30.00")
        .await
        .unwrap_err();
    assert!(over.contains("29.99"), "{over}");
    let answer = l.client.refund("API-1", "PAY-1", "USD", "3000").await;
    assert_eq!(code(&answer), "REFUND_AMOUNT_EXCEED", "{answer}");
    assert_eq!(refunds(&pool).await, (2, 4_001));
}

#[sqlx::test(migrations = "../migrations")]
async fn two_requests_at_once_cannot_reserve_more_than_the_payment(pool: PgPool) {
    let l = lotus(&pool).await;
    // 60 + 60 > 100: whichever comes second is refused, whatever the timing.
    let (a, b) = tokio::join!(
        submit(&pool, &l.ada, "DASH-A", "60.00"),
        submit(&pool, &l.bob, "DASH-B", "60.00")
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let reserved: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(amount_minor), 0)::bigint FROM refund_approvals WHERE status = 'PENDING'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(reserved, 6_000);
    assert_eq!(refundable(&pool, &l.ada).await, 4_000);
}

#[sqlx::test(migrations = "../migrations")]
async fn another_person_approves_with_their_own_password_and_the_refund_is_made(pool: PgPool) {
    let l = lotus(&pool).await;
    submit(&pool, &l.ada, "DASH-1", "80.00").await.unwrap();
    let id = request_id(&pool, "DASH-1").await;

    // Never the requester, even with the right password; nothing changes.
    let own = approvals::approve(&pool, &l.ada, id, PAY_PASSWORD).await;
    assert!(
        matches!(
            own,
            Err(DecisionProblem::Refused(DecisionRefused::OwnRequest))
        ),
        "{own:?}"
    );
    // A wrong password approves nothing (and counts as a wrong attempt).
    let wrong = approvals::approve(&pool, &l.bob, id, "not-it-000").await;
    assert!(
        matches!(wrong, Err(DecisionProblem::Password(_))),
        "{wrong:?}"
    );
    assert_eq!(approval(outcome(&pool, &l.ada, "DASH-1").await), pending());
    assert_eq!(refunds(&pool).await, (0, 0));

    // Two people approving at once: one refund.
    let (x, y) = tokio::join!(
        approvals::approve(&pool, &l.bob, id, PAY_PASSWORD),
        approvals::approve(&pool, &l.root, id, PAY_PASSWORD)
    );
    let refused: Vec<_> = [&x, &y].into_iter().filter(|r| r.is_err()).collect();
    assert_eq!(refused.len(), 1, "{x:?} {y:?}");
    assert!(matches!(
        refused[0],
        Err(DecisionProblem::Refused(DecisionRefused::AlreadyDecided))
    ));
    assert_eq!(refunds(&pool).await, (1, 8_000));
    // The requester's dialog now shows the refund, made under the form's request ID.
    assert!(
        matches!(
            outcome(&pool, &l.ada, "DASH-1").await,
            Some(RefundOutcome::Made { .. })
        ),
        "{:?}",
        outcome(&pool, &l.ada, "DASH-1").await
    );
    // The reservation became the refund: counted once.
    assert_eq!(refundable(&pool, &l.ada).await, 2_000);
    let status: String = sqlx::query_scalar("SELECT status FROM refund_approvals WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "APPROVED");
    assert_eq!(audited(&pool, "REFUND_APPROVED").await, 1);
    // The refund's own audit event names the approver.
    let actor: String =
        sqlx::query_scalar("SELECT actor FROM audit_events WHERE action = 'REFUND'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        ["bob@lotus.example", "root@lotus.example"].contains(&actor.as_str()),
        "{actor}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_rejection_needs_a_reason_and_releases_the_reservation(pool: PgPool) {
    let l = lotus(&pool).await;
    submit(&pool, &l.ada, "DASH-1", "70.00").await.unwrap();
    let id = request_id(&pool, "DASH-1").await;
    assert_eq!(refundable(&pool, &l.ada).await, 3_000);
    let own = approvals::reject(&pool, &l.ada, id, "mine").await;
    assert!(matches!(
        own,
        Err(DecisionProblem::Refused(DecisionRefused::OwnRequest))
    ));

    let reason = "Pedido duplicado — 重复订单 🙂";
    approvals::reject(&pool, &l.bob, id, reason).await.unwrap();
    assert_eq!(
        approval(outcome(&pool, &l.ada, "DASH-1").await),
        Some((ApprovalStatus::Rejected, Some(reason.to_owned())))
    );
    assert_eq!(refundable(&pool, &l.ada).await, 10_000);
    assert_eq!(refunds(&pool).await, (0, 0));
    // Decided once: approving after the rejection does nothing.
    let late = approvals::approve(&pool, &l.root, id, PAY_PASSWORD).await;
    assert!(matches!(
        late,
        Err(DecisionProblem::Refused(DecisionRefused::AlreadyDecided))
    ));
    assert_eq!(refunds(&pool).await, (0, 0));
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'REFUND_REJECTED'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(detail, reason);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_request_releases_its_reservation_and_cannot_be_approved(pool: PgPool) {
    let l = lotus(&pool).await;
    submit(&pool, &l.ada, "DASH-1", "90.00").await.unwrap();
    let id = request_id(&pool, "DASH-1").await;
    assert_eq!(refundable(&pool, &l.ada).await, 1_000);
    // Its time passes (the clock is PostgreSQL's, so the row is moved, not the clock).
    sqlx::query("UPDATE refund_approvals SET requested_at = requested_at - interval '2 days', expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    // Released at once, before the expiry job has run.
    assert_eq!(refundable(&pool, &l.ada).await, 10_000);
    assert_eq!(
        approval(outcome(&pool, &l.ada, "DASH-1").await),
        Some((ApprovalStatus::Expired, None))
    );
    let late = approvals::approve(&pool, &l.bob, id, PAY_PASSWORD).await;
    assert!(matches!(
        late,
        Err(DecisionProblem::Refused(DecisionRefused::AlreadyDecided))
    ));
    assert_eq!(approvals::expire_due(&pool).await.unwrap(), 1);
    assert_eq!(approvals::expire_due(&pool).await.unwrap(), 0, "once");
    assert_eq!(audited(&pool, "REFUND_APPROVAL_EXPIRED").await, 1);
    assert_eq!(refunds(&pool).await, (0, 0));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_approval_interrupted_after_the_refund_refunds_once_when_approved_again(pool: PgPool) {
    use app::refunds::engine::{self, RefundCommand, RefundSource};
    use app::refunds::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};
    let l = lotus(&pool).await;
    submit(&pool, &l.ada, "DASH-1", "60.00").await.unwrap();
    let id = request_id(&pool, "DASH-1").await;
    // The server stopped after the engine made the approved refund, before the request
    // was marked: the refund exists, the request still says pending.
    let command = RefundCommand {
        refund_request_id: RefundRequestId::parse("DASH-1").unwrap(),
        payment_id: TransactionRef::parse("paymentId", "PAY-1").unwrap(),
        currency: CurrencyCode::parse("USD").unwrap(),
        amount: MinorAmount::new(6_000).unwrap(),
        reason: None,
        notify_url: None,
        source: RefundSource::Dashboard(l.bob.clone()),
    };
    engine::refund(&pool, l.merchant(), command).await.unwrap();
    // Counted once (as the refund), and the expiry job leaves it for its approval.
    assert_eq!(refundable(&pool, &l.ada).await, 4_000);
    sqlx::query("UPDATE refund_approvals SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(approvals::expire_due(&pool).await.unwrap(), 0);
    sqlx::query("UPDATE refund_approvals SET expires_at = now() + interval '1 hour'")
        .execute(&pool)
        .await
        .unwrap();
    // Approved again: the engine answers as before, no second refund.
    approvals::approve(&pool, &l.bob, id, PAY_PASSWORD)
        .await
        .unwrap();
    assert_eq!(refunds(&pool).await, (1, 6_000));
}

impl Lotus {
    fn merchant(&self) -> Uuid {
        self.client.merchant
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_link_cannot_put_words_on_the_approvals_and_batch_pages(pool: PgPool) {
    use support::{TestApp, PASSWORD};
    let _l = lotus(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "root@lotus.example", PASSWORD).await;
    let words = "Call%20%2B1-555-0100%20to%20confirm";
    for path in [
        format!("/approvals?refused={words}&done={words}&password={words}&engine=X&problem={words}&currency={words}"),
        format!("/refunds/batches?problem={words}"),
    ] {
        let page = app.get_text(&browser, &path).await;
        assert!(page.contains("<h1"), "{path}: {page}");
        if let Some(at) = page.find("+1-555-0100 to confirm") {
            panic!("{path} shows the link's words: {}", &page[at.saturating_sub(300)..at + 40]);
        }
    }
}
