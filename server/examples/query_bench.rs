//! Transaction query benchmark: for each filter case, the first page and a page 1,000
//! rows deep, timed through the real HTTP stack (session, server function, JSON) next
//! to the bare SQL of the same page, both measured in this run against the same data.
//!
//! After the table, the EXPLAIN ANALYZE of each case's pages: the statement the app
//! sends (`page_query`), with the same bound parameters.
//!
//! Run by `bench/query.sh`, which seeds the database first.

mod bench_support;

use app::transactions::filter::{parse, Direction, Filter, QueryParams};
use app::transactions::query::{fetch_page, prefixed_page_query, search};
use bench_support::{ms, percentiles, runs, start_signed_in, time, Start};
use chrono::Utc;
use sqlx::PgPool;
use uuid::Uuid;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Start {
        pool,
        merchant,
        tz,
        base,
        client,
        ..
    } = start_signed_in().await?;
    let runs = runs("RUNS", 2_000);
    println!("| case | page | server fn p50 | server fn p99 | SQL p50 | SQL p99 | p99 ratio |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let mut plans = Vec::new();
    for (name, mut params) in cases(&pool, merchant).await? {
        for deep in [false, true] {
            if deep {
                match cursor_at_depth(&pool, merchant, &params, tz, 1_000).await? {
                    Some(c) => params.after = Some(c),
                    None => {
                        println!("| {name} | 1,000 deep | (fewer than 1,000 rows) | | | | |");
                        continue;
                    }
                }
            }
            let server = time(runs, || async {
                let response = client
                    .post(format!("{base}/api/search_transactions"))
                    .header("origin", &base)
                    .header("accept", "application/json")
                    .json(&serde_json::json!({ "params": params }))
                    .send()
                    .await
                    .expect("request");
                assert!(response.status().is_success(), "{}", response.status());
                response.bytes().await.expect("body");
            })
            .await;
            let today = Utc::now().with_timezone(&tz).date_naive();
            let filter = parse(&params, today).map_err(|e| anyhow::anyhow!("{name}: {e:?}"))?;
            let sql = time(runs, || async {
                fetch_page(&pool, merchant, &filter, tz)
                    .await
                    .expect("query");
            })
            .await;
            let page = if deep { "1,000 deep" } else { "first" };
            plans.push((
                format!("{name}, {page}"),
                explain(&pool, merchant, &filter, tz).await?,
            ));
            let (s50, s99) = percentiles(server);
            let (q50, q99) = percentiles(sql);
            println!(
                "| {name} | {page} | {} | {} | {} | {} | {:.2}× |",
                ms(s50),
                ms(s99),
                ms(q50),
                ms(q99),
                s99.as_secs_f64() / q99.as_secs_f64()
            );
        }
    }
    for (case, plan) in plans {
        println!("\nEXPLAIN: {case}\n{plan}");
    }
    Ok(())
}

/// The plan PostgreSQL runs for the page statement of `filter`, with its parameters.
async fn explain(
    pool: &PgPool,
    merchant: Uuid,
    filter: &Filter,
    tz: chrono_tz::Tz,
) -> anyhow::Result<String> {
    let lines: Vec<String> = prefixed_page_query(
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ",
        merchant,
        filter,
        tz,
    )
    .build_query_scalar()
    .fetch_all(pool)
    .await?;
    Ok(lines.join("\n"))
}

/// The cases of the benchmark, with values picked from the data so that each matches.
async fn cases(pool: &PgPool, merchant: Uuid) -> anyhow::Result<Vec<(String, QueryParams)>> {
    let sample: (String, String, String, String, String, String, String, String, i64) = sqlx::query_as(
        "SELECT transaction_id, coalesce(reference_transaction_id, ''), coalesce(transaction_request_id, ''),
                coalesce(acquirer_transaction_id, ''), serial_no, currency, payment_method_type, acquirer_code,
                amount_minor
           FROM transactions WHERE merchant_id = $1 AND transaction_type = 'PAYMENT' AND status = 'SUCCESS'
          ORDER BY created_at DESC LIMIT 1 OFFSET 100",
    )
    .bind(merchant)
    .fetch_one(pool)
    .await?;
    let (id, reference, request, acquirer_id, serial, currency, method, acquirer, _) = sample;
    let p = |f: &dyn Fn(&mut QueryParams)| {
        let mut params = QueryParams::default();
        f(&mut params);
        params
    };
    let some = |s: &str| Some(s.to_owned());
    Ok(vec![
        ("no filter (7 days)".into(), p(&|_| {})),
        ("currency".into(), p(&|q| q.currency = some(&currency))),
        ("serial no.".into(), p(&|q| q.serial = some(&serial))),
        ("type REFUND".into(), p(&|q| q.kind = some("REFUND"))),
        ("payment method".into(), p(&|q| q.method = some(&method))),
        ("acquirer".into(), p(&|q| q.acquirer = some(&acquirer))),
        ("status any".into(), p(&|q| q.status = some("ANY"))),
        ("status FAIL".into(), p(&|q| q.status = some("FAIL"))),
        (
            "amount range".into(),
            p(&|q| {
                q.currency = some(&currency);
                q.min = some("10");
                q.max = some("500");
            }),
        ),
        (
            "amount range matching nothing, 40 days".into(),
            p(&|q| {
                forty_days_of(q, &currency);
                q.min = some("999999.99");
                q.max = some("999999.99");
            }),
        ),
        (
            "typical: currency + payments + method, 40 days".into(),
            p(&|q| {
                forty_days_of(q, &currency);
                q.kind = some("PAYMENT");
                q.method = some(&method);
            }),
        ),
        ("ID: transaction ID".into(), p(&|q| q.id = some(&id))),
        (
            "ID: reference transaction ID".into(),
            p(&|q| {
                q.id_type = some("reference_transaction_id");
                q.id = some(&reference);
            }),
        ),
        (
            "ID: transaction request ID".into(),
            p(&|q| {
                q.id_type = some("transaction_request_id");
                q.id = some(&request);
            }),
        ),
        (
            "ID: acquirer transaction ID".into(),
            p(&|q| {
                q.id_type = some("acquirer_transaction_id");
                q.id = some(&acquirer_id);
            }),
        ),
    ])
}

/// The last 40 days (today included) in `currency`.
fn forty_days_of(q: &mut QueryParams, currency: &str) {
    let to = Utc::now().date_naive();
    q.from = Some((to - chrono::Days::new(39)).to_string());
    q.to = Some(to.to_string());
    q.currency = Some(currency.to_owned());
}

/// The `after` cursor `depth` rows into the list, walking pages of 100.
async fn cursor_at_depth(
    pool: &PgPool,
    merchant: Uuid,
    params: &QueryParams,
    tz: chrono_tz::Tz,
    depth: usize,
) -> anyhow::Result<Option<String>> {
    let today = Utc::now().with_timezone(&tz).date_naive();
    let mut filter = parse(
        &QueryParams {
            size: Some("100".into()),
            ..params.clone()
        },
        today,
    )
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut seen = 0;
    while seen < depth {
        let page = search(pool, merchant, &filter, tz).await?;
        seen += page.rows.len();
        let Some(next) = page.next else {
            return Ok(None);
        };
        let next_filter = parse(
            &QueryParams {
                after: Some(next.clone()),
                size: Some("100".into()),
                ..params.clone()
            },
            today,
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        filter.direction = next_filter.direction;
        if seen >= depth {
            return Ok(match filter.direction {
                Direction::After(c) => Some(c.encode()),
                _ => None,
            });
        }
    }
    Ok(None)
}
