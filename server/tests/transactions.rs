//! The transaction query server function against a seeded database.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use serde_json::{json, Value};
use server::cli::SeedArgs;
use sqlx::PgPool;
use support::TestApp;

async fn seeded_app(pool: PgPool) -> (TestApp, reqwest::Client) {
    server::seed::run(
        &pool,
        &SeedArgs {
            what: None,
            transactions: 3_000,
            seed: 7,
            reset: false,
        },
    )
    .await
    .unwrap();
    let app = TestApp::spawn(pool).await;
    let browser = app.browser();
    app.sign_in(&browser, "admin@lotus.example", server::seed::DEMO_PASSWORD)
        .await;
    (app, browser)
}

async fn search(app: &TestApp, browser: &reqwest::Client, params: Value) -> Value {
    let response = app
        .call_json(browser, "search_transactions", json!({ "params": params }))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn ids(result: &Value) -> Vec<String> {
    result["page"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["transaction_id"].as_str().unwrap().to_owned())
        .collect()
}

fn forty_days() -> Value {
    let to = chrono::Utc::now().date_naive();
    json!({ "from": (to - chrono::Days::new(39)).to_string(), "to": to.to_string() })
}

#[sqlx::test(migrations = "../migrations")]
async fn a_query_without_any_filter_shows_the_last_seven_days(pool: PgPool) {
    let (app, browser) = seeded_app(pool).await;
    let result = search(&app, &browser, json!({})).await;
    assert_eq!(result["errors"], json!([]));
    let from =
        chrono::NaiveDate::parse_from_str(result["from"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let to = chrono::NaiveDate::parse_from_str(result["to"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!((to - from).num_days(), 6);
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_follow_each_other_without_gaps_or_repeats(pool: PgPool) {
    let (app, browser) = seeded_app(pool.clone()).await;
    let mut params = forty_days();
    params["status"] = json!("ANY");
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    loop {
        let result = search(&app, &browser, params.clone()).await;
        let page_ids = ids(&result);
        assert!(page_ids.len() <= 20);
        seen.extend(page_ids.clone());
        pages.push((page_ids, result["page"]["prev"].clone()));
        match result["page"]["next"].as_str() {
            Some(next) => params["after"] = json!(next),
            None => break,
        }
    }
    assert!(pages.len() > 2, "the demo data spans several pages");
    // Every listed row once, newest first, and nothing a listing should show is missing.
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    let merchant: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM merchants WHERE name = 'Lotus Tea House'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let (from, to) = (
        params["from"].as_str().unwrap(),
        params["to"].as_str().unwrap(),
    );
    let expected: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM transactions WHERE merchant_id = $1
            AND created_at >= ($2::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
            AND created_at < ($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
            AND NOT (transaction_type = 'REFUND' AND status <> 'SUCCESS')",
    )
    .bind(merchant)
    .bind(from)
    .bind(to)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(seen.len() as i64, expected);
    // Going back from the second page gives the first again.
    let mut back = params.clone();
    back["after"] = Value::Null;
    back["before"] = pages[1].1.clone();
    assert_eq!(ids(&search(&app, &browser, back).await), pages[0].0);
}

#[sqlx::test(migrations = "../migrations")]
async fn refunds_in_progress_or_failed_are_not_listed(pool: PgPool) {
    let (app, browser) = seeded_app(pool.clone()).await;
    let hidden: Vec<String> = sqlx::query_scalar(
        "SELECT transaction_id FROM transactions WHERE transaction_type = 'REFUND' AND status <> 'SUCCESS'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!hidden.is_empty(), "the demo data has unfinished refunds");
    for id in hidden.iter().take(5) {
        let result = search(&app, &browser, json!({ "id": id, "status": "ANY" })).await;
        assert!(ids(&result).is_empty(), "{id} listed");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_filters_come_back_as_messages_and_search_nothing(pool: PgPool) {
    let (app, browser) = seeded_app(pool).await;
    let result = search(
        &app,
        &browser,
        json!({ "from": "2026-01-01", "to": "2026-03-01", "method": "NOT_A_METHOD", "size": "7" }),
    )
    .await;
    assert_eq!(result["page"], Value::Null);
    let errors = result["errors"].to_string();
    assert!(errors.contains("at most 40 days"), "{errors}");
    assert!(
        errors.contains("Choose 20, 50 or 100 rows per page."),
        "{errors}"
    );
    let result = search(&app, &browser, json!({ "method": "NOT_A_METHOD" })).await;
    assert!(result["errors"]
        .to_string()
        .contains("Choose a payment method from the list."));
}

#[sqlx::test(migrations = "../migrations")]
async fn column_choices_are_kept_per_user(pool: PgPool) {
    let (app, browser) = seeded_app(pool).await;
    let change = |c: &'static str| {
        let app = &app;
        let browser = &browser;
        async move {
            app.call_with(browser, "change_columns", &[("change", c)])
                .await
                .status()
        }
    };
    assert!(change("show:serial_no").await.is_success());
    assert!(change("up:serial_no").await.is_success());
    let columns = search(&app, &browser, json!({})).await["columns"].clone();
    let columns: Vec<String> = serde_json::from_value(columns).unwrap();
    assert_eq!(
        columns.last().map(String::as_str),
        Some("ReferenceTransactionId")
    );
    assert_eq!(columns[columns.len() - 2], "SerialNo");
    // Another session of the same user (another device) sees the same choice.
    let other = app.browser();
    app.sign_in(&other, "admin@lotus.example", server::seed::DEMO_PASSWORD)
        .await;
    assert_eq!(
        search(&app, &other, json!({})).await["columns"],
        json!(columns)
    );
    assert_eq!(change("explode:serial_no").await.as_u16(), 500);
}

/// The balancer may send a user's next page to another instance, which hears of their
/// change only a moment later. The columns they chose show there at once all the same:
/// they are read from PostgreSQL each time, not kept in memory.
#[sqlx::test(migrations = "../migrations")]
async fn a_column_choice_shows_at_once_on_another_instance(pool: PgPool) {
    let (a, browser) = seeded_app(pool.clone()).await;
    let b = TestApp::spawn(pool.clone()).await;
    let shown = a
        .call_with(&browser, "change_columns", &[("change", "show:serial_no")])
        .await;
    assert!(shown.status().is_success());
    let columns = search(&b, &browser, json!({})).await["columns"].clone();
    assert!(columns.to_string().contains("SerialNo"), "{columns}");

    // Hidden again, by a change whose notice has not reached `b` (triggers off for it).
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    let hidden = sqlx::query(
        "UPDATE user_display_settings SET columns = array_remove(columns, 'serial_no')
          WHERE user_id = (SELECT id FROM users WHERE email = 'admin@lotus.example')",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    assert_eq!(hidden.rows_affected(), 1);
    let columns = search(&b, &browser, json!({})).await["columns"].clone();
    assert!(!columns.to_string().contains("SerialNo"), "{columns}");
}

/// The currency column is `char(3)`: compared with a text parameter, PostgreSQL would
/// cast the column and no index on it (the currency and amount index among them) could
/// serve the filter. The page statement casts the parameter instead.
#[sqlx::test(migrations = "../migrations")]
async fn the_currency_filter_can_use_the_currency_index(pool: PgPool) {
    use app::transactions::filter::{parse, QueryParams};
    use app::transactions::query::prefixed_page_query;
    let params = QueryParams {
        currency: Some("USD".into()),
        min: Some("10".into()),
        max: Some("500".into()),
        // Any status, so that the status index is no candidate.
        status: Some("ANY".into()),
        ..QueryParams::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let filter = parse(&params, today).unwrap();
    let mut conn = pool.acquire().await.unwrap();
    // An empty table would be read whole; ask for the plan an index gives.
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    let plan: Vec<String> = prefixed_page_query(
        "EXPLAIN (COSTS OFF) ",
        uuid::Uuid::new_v4(),
        &filter,
        chrono_tz::Asia::Shanghai,
    )
    .build_query_scalar()
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let plan = plan.join("\n");
    assert!(!plan.contains("(currency)::text"), "{plan}");
    // Each month's copy of transactions_currency_idx is named after its columns.
    assert!(
        plan.contains("_merchant_id_currency_created_at_id_amo_idx"),
        "{plan}"
    );
}

/// Adds `rows` USD transactions of Lotus Tea House on 1 March 2025 (Shanghai), one a
/// second from noon, each with `amount(g)` minor units for g = 1..=rows.
async fn march_rows(pool: &PgPool, rows: i32, amount: &str) {
    sqlx::query(&format!(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, payment_method_type, acquirer_code, created_at)
         SELECT m.id, 'MARCH-' || g, (g % 5)::text, 'PAYMENT', 'SUCCESS', {amount}, 'USD',
                'ALIPAY_CN', 'ANTOM', '2025-03-01 12:00:00+08'::timestamptz + g * interval '1 second'
           FROM merchants m, generate_series(1, $1) g
          WHERE m.name = 'Lotus Tea House'"
    ))
    .bind(rows)
    .execute(pool)
    .await
    .unwrap();
}

/// Every row of the query `params`, page after page through the `next` links, and the
/// pages' `prev` links.
async fn walk(app: &TestApp, browser: &reqwest::Client, mut params: Value) -> Vec<Value> {
    let mut pages = Vec::new();
    loop {
        let result = search(app, browser, params.clone()).await;
        assert_eq!(result["errors"], json!([]), "{params}");
        let next = result["page"]["next"].as_str().map(str::to_owned);
        pages.push(result);
        match next {
            Some(next) => params["after"] = json!(next),
            None => return pages,
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn sorting_by_amount_pages_through_equal_amounts_in_order(pool: PgPool) {
    let (app, browser) = seeded_app(pool.clone()).await;
    // 45 rows over 7 amounts: most amounts are shared, so the order rests on the ties.
    march_rows(&pool, 45, "(g % 7) * 100").await;
    let day = json!({ "from": "2025-03-01", "to": "2025-03-01", "currency": "USD" });
    for (sort, order) in [
        ("amount_desc", "amount_minor DESC, created_at DESC, id DESC"),
        ("amount_asc", "amount_minor ASC, created_at ASC, id ASC"),
        ("oldest", "created_at ASC, id ASC"),
        ("newest", "created_at DESC, id DESC"),
    ] {
        let expected: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT transaction_id FROM transactions WHERE transaction_id LIKE 'MARCH-%'
              ORDER BY {order}"
        ))
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut params = day.clone();
        params["sort"] = json!(sort);
        let pages = walk(&app, &browser, params.clone()).await;
        assert_eq!(pages.len(), 3, "{sort}: 45 rows in pages of 20");
        let listed: Vec<String> = pages.iter().flat_map(ids).collect();
        assert_eq!(listed, expected, "{sort}");
        // Back from the last page through the `prev` links: the same pages again.
        let mut back = params.clone();
        back["before"] = pages[2]["page"]["prev"].clone();
        let middle = search(&app, &browser, back.clone()).await;
        assert_eq!(ids(&middle), ids(&pages[1]), "{sort}");
        back["before"] = middle["page"]["prev"].clone();
        let first = search(&app, &browser, back).await;
        assert_eq!(ids(&first), ids(&pages[0]), "{sort}");
        assert_eq!(first["page"]["prev"], Value::Null, "{sort}");
    }
    // A page link of the amount order does not work in another order.
    let by_amount = walk(
        &app,
        &browser,
        json!({ "from": "2025-03-01", "to": "2025-03-01",
        "currency": "USD", "sort": "amount_desc", "size": "50" }),
    )
    .await;
    assert_eq!(ids(&by_amount[0]).len(), 45);
    let mut mixed = day.clone();
    mixed["after"] = walk(
        &app,
        &browser,
        json!({ "from": "2025-03-01", "to": "2025-03-01",
        "currency": "USD", "sort": "amount_asc" }),
    )
    .await[0]["page"]["next"]
        .clone();
    let refused = search(&app, &browser, mixed).await;
    assert_eq!(refused["page"], Value::Null);
    assert_eq!(
        refused["errors"][0],
        json!([
            "page",
            "This page link is damaged; start again from the first page."
        ])
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_count_is_exact_up_to_ten_thousand_and_pages_show_their_totals(pool: PgPool) {
    let (app, browser) = seeded_app(pool.clone()).await;
    march_rows(&pool, 10_050, "g").await;
    let day = json!({ "from": "2025-03-01", "to": "2025-03-01" });
    let all = search(&app, &browser, day.clone()).await;
    assert_eq!(
        all["page"]["matching"], 10_001,
        "counted to one past the bound"
    );
    // The newest 20 rows are g = 10,031 … 10,050 cents: 200,810 cents in all.
    assert_eq!(all["page"]["totals"], json!(["2,008.10 USD"]));

    let mut narrow = day.clone();
    narrow["serial"] = json!("3");
    assert_eq!(
        search(&app, &browser, narrow).await["page"]["matching"],
        2_010
    );
    let mut none = day.clone();
    none["serial"] = json!("7");
    let empty = search(&app, &browser, none).await;
    assert_eq!(empty["page"]["matching"], 0);
    assert_eq!(empty["page"]["totals"], json!([]));

    // A page with two currencies has a total for each, in its own decimals.
    sqlx::query(
        "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type,
             status, amount_minor, currency, payment_method_type, acquirer_code, created_at)
         SELECT id, 'YEN-1', '1', 'PAYMENT', 'SUCCESS', 1500, 'JPY', 'ALIPAY_CN', 'ANTOM',
                '2025-03-01 23:00:00+08' FROM merchants WHERE name = 'Lotus Tea House'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mixed = search(&app, &browser, day).await;
    assert_eq!(
        mixed["page"]["totals"],
        json!(["1,500 JPY", "1,907.79 USD"]),
        "the yen and the newest 19 rows of cents (10,032 … 10,050)"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn methods_and_acquirers_are_shown_by_name(pool: PgPool) {
    let (app, browser) = seeded_app(pool.clone()).await;
    march_rows(&pool, 1, "100").await;
    let (method, acquirer): (String, String) = sqlx::query_as(
        "SELECT (SELECT name FROM payment_methods WHERE code = 'ALIPAY_CN'),
                (SELECT name FROM acquirers WHERE code = 'ANTOM')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_ne!(method, "ALIPAY_CN");
    let page = search(
        &app,
        &browser,
        json!({ "from": "2025-03-01", "to": "2025-03-01" }),
    )
    .await;
    let row = &page["page"]["rows"][0];
    assert_eq!(
        (row["payment_method"].as_str(), row["acquirer"].as_str()),
        (Some(method.as_str()), Some(acquirer.as_str()))
    );
    let details = app
        .call_with(
            &browser,
            "transaction_details",
            &[("transaction_id", "MARCH-1")],
        )
        .await;
    let details: Value = details.json().await.unwrap();
    assert_eq!(details["transaction"]["payment_method"], json!(method));
}
