//! The schema stays distributable by merchant (docs/SCALING.md): every primary key,
//! unique key and foreign key of a table holding a merchant's data includes
//! `merchant_id`. Read from PostgreSQL's catalog, so that a new table or key that
//! forgets it fails here.

#[allow(dead_code)] // shared helpers this file does not all use
mod support;

use sqlx::PgPool;
use support::api::{merchant, payment, reference_data};
use uuid::Uuid;

/// Global on purpose: sign-in and signed API calls find the merchant through them.
const GLOBAL: &[&str] = &["users", "api_client_ids", "api_clients"];

#[sqlx::test(migrations = "../migrations")]
async fn every_key_of_a_merchants_data_includes_merchant_id(pool: PgPool) {
    // Unique indexes (primary keys and unique constraints included) and foreign keys
    // between merchant-owned tables, on tables with a merchant_id column, that leave
    // merchant_id out.
    let missing: Vec<(String, String)> = sqlx::query_as(
        r#"WITH owned AS (
             SELECT c.oid, c.relname::text AS name, a.attnum
               FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'merchant_id'
              WHERE c.relkind IN ('r', 'p') AND NOT (c.relname = ANY($1)))
           SELECT o.name, i.indexrelid::regclass::text
             FROM owned o JOIN pg_index i ON i.indrelid = o.oid
            WHERE i.indisunique AND NOT (o.attnum = ANY(i.indkey::int2[]))
           UNION ALL
           SELECT o.name, k.conname::text
             FROM owned o
             JOIN pg_constraint k ON k.conrelid = o.oid AND k.contype = 'f'
             JOIN owned target ON target.oid = k.confrelid
            WHERE NOT (o.attnum = ANY(k.conkey) AND target.attnum = ANY(k.confkey))
           ORDER BY 1, 2"#,
    )
    .bind(GLOBAL)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(missing, Vec::<(String, String)>::new());
}

/// A refund and its payment belong to one merchant: the database refuses a refund that
/// points at another merchant's payment, whatever the code does.
#[sqlx::test(migrations = "../migrations")]
async fn a_transaction_cannot_point_at_another_merchants_transaction(pool: PgPool) {
    reference_data(&pool).await;
    let lotus = merchant(&pool, "Lotus Tea House", "USD").await;
    let sakura = merchant(&pool, "Sakura Electronics", "USD").await;
    let payment = payment(&pool, lotus, "PAY-1", "GCASH", "USD", 10_000).await;
    let refund = |merchant: Uuid, id: &'static str| {
        sqlx::query(
            "INSERT INTO transactions (merchant_id, transaction_id, serial_no, transaction_type,
                 status, amount_minor, currency, payment_method_type, acquirer_code,
                 original_id, created_at)
             VALUES ($1, $2, $2, 'REFUND', 'SUCCESS', 100, 'USD', 'GCASH', 'ANTOM', $3, now())",
        )
        .bind(merchant)
        .bind(id)
        .bind(payment)
        .execute(&pool)
    };
    refund(lotus, "REF-1").await.unwrap();
    let refused = refund(sakura, "REF-2").await.unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("transactions_original_id_fkey"),
        "{refused}"
    );
}
