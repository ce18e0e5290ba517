//! Who owns a client id, under concurrency and at the database: a client id belongs to
//! one merchant forever, and a stored key is never replaced.

#[allow(dead_code)]
mod support;

use app::api_keys::KeyError;
use server::api::keys::{register, ClientChoice};
use server::api::signature;
use sqlx::PgPool;
use support::api::{self, code, Client, REFUND};

fn public_of(key: &aws_lc_rs::signature::RsaKeyPair) -> Vec<u8> {
    signature::public_key_der(key)
}

/// Two merchants claim the same new client id at the same moment, thirty times over:
/// each time exactly one gets it, and the other's key is nowhere under it.
#[sqlx::test(migrations = "../migrations")]
async fn two_merchants_claiming_one_client_id_at_once_never_share_it(pool: PgPool) {
    api::reference_data(&pool).await;
    let lotus = api::merchant(&pool, "Lotus Tea House", "USD").await;
    let sakura = api::merchant(&pool, "Sakura", "JPY").await;
    let (lotus_key, sakura_key) = (
        public_of(&api::merchant_key()),
        public_of(&api::other_key()),
    );
    for round in 0..30 {
        let id = format!("RACE_{round}");
        let (a, b) = tokio::join!(
            register(
                &pool,
                lotus,
                ClientChoice::Claim(id.clone()),
                None,
                &lotus_key
            ),
            register(
                &pool,
                sakura,
                ClientChoice::Claim(id.clone()),
                None,
                &sakura_key
            ),
        );
        let winner = match (&a, &b) {
            (Ok(_), Err(KeyError::OtherMerchant)) => lotus,
            (Err(KeyError::OtherMerchant), Ok(_)) => sakura,
            other => panic!("round {round}: {other:?}"),
        };
        let owners: Vec<uuid::Uuid> =
            sqlx::query_scalar("SELECT merchant_id FROM api_clients WHERE client_id = $1")
                .bind(&id)
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(owners, [winner], "round {round}");
    }
}

/// Keys added to one client id at once get consecutive versions; none is lost or
/// replaced.
#[sqlx::test(migrations = "../migrations")]
async fn keys_added_at_once_to_one_client_id_get_their_own_versions(pool: PgPool) {
    api::reference_data(&pool).await;
    let lotus = api::merchant(&pool, "Lotus Tea House", "USD").await;
    let key = public_of(&api::merchant_key());
    let (id, _) = register(
        &pool,
        lotus,
        ClientChoice::New { sandbox: true },
        None,
        &key,
    )
    .await
    .unwrap();
    let adds = (0..10).map(|_| register(&pool, lotus, ClientChoice::Own(id.clone()), None, &key));
    let mut versions: Vec<i32> = futures_util::future::join_all(adds)
        .await
        .into_iter()
        .map(|r| r.unwrap().1)
        .collect();
    versions.sort();
    assert_eq!(versions, (2..=11).collect::<Vec<_>>());
    // Naming a version that exists is refused rather than overwriting it.
    assert_eq!(
        register(&pool, lotus, ClientChoice::Own(id.clone()), Some(1), &key).await,
        Err(KeyError::VersionTaken)
    );
}

/// Whatever the code does, the database keeps another merchant's key off a client id and
/// refuses to change a stored key.
#[sqlx::test(migrations = "../migrations")]
async fn the_database_refuses_foreign_keys_and_replaced_keys(pool: PgPool) {
    api::reference_data(&pool).await;
    let c = Client::lotus(pool.clone(), api::unlimited()).await;
    let sakura = api::merchant(&pool, "Sakura", "JPY").await;
    api::payment(&pool, c.merchant, "PAY-1", "GCASH", "USD", 100_000).await;
    let other = public_of(&api::other_key());
    let foreign = sqlx::query(
        "INSERT INTO api_clients (client_id, key_version, merchant_id, public_key_der)
         VALUES ($1, 2, $2, $3)",
    )
    .bind(&c.client_id)
    .bind(sakura)
    .bind(&other)
    .execute(&pool)
    .await;
    assert!(foreign.is_err(), "a key of another merchant was stored");
    let replaced = sqlx::query("UPDATE api_clients SET public_key_der = $2 WHERE client_id = $1")
        .bind(&c.client_id)
        .bind(&other)
        .execute(&pool)
        .await;
    assert!(replaced.is_err(), "a stored key was replaced");

    // So a refund signed with Sakura's private key is refused for Lotus's client id.
    let body = serde_json::json!({
        "refundRequestId": "R-1",
        "paymentId": "PAY-1",
        "refundAmount": {"currency": "USD", "value": "100"},
    })
    .to_string();
    let time = signature::format_time(chrono::Utc::now());
    let answer = c
        .send_as(REFUND, &body, &c.client_id, &api::other_key(), &time)
        .await;
    assert_eq!(code(&answer), "INVALID_SIGNATURE");
}

/// `server keys demo` writes the private key in every form Antom's SDKs load (PEM,
/// PKCS#8 and PKCS#1 base64) and the platform key as PEM and base64; each is the key
/// registered for the new client id.
#[sqlx::test(migrations = "../migrations")]
async fn demo_keys_come_in_every_form_the_sdks_load(pool: PgPool) {
    use base64::Engine as _;
    api::reference_data(&pool).await;
    let merchant = api::merchant(&pool, "Lotus Tea House", "USD").await;
    let dir = tempfile::tempdir().unwrap();
    server::api::keys::run(
        &pool,
        server::cli::KeysCommand::Demo {
            merchant: merchant.to_string(),
            client_id: Some("SANDBOX_DEMO".into()),
            out_dir: dir.path().to_owned(),
            notify_url: None,
        },
        Default::default(),
    )
    .await
    .unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let b64 = |name: &str| {
        let text = read(name);
        assert!(
            !text.contains("-----") && !text.trim().contains('\n'),
            "{name}: {text}"
        );
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .unwrap()
    };
    let registered = server::api::keys::client_key(&pool, "SANDBOX_DEMO", 1)
        .await
        .unwrap()
        .unwrap()
        .public_key_der;
    let pkcs8 =
        aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&b64("SANDBOX_DEMO.private.pkcs8.base64"))
            .unwrap();
    let pkcs1 =
        aws_lc_rs::signature::RsaKeyPair::from_der(&b64("SANDBOX_DEMO.private.pkcs1.base64"))
            .unwrap();
    let pem =
        server::api::keys::from_pem_or_der(read("SANDBOX_DEMO.private.pem").as_bytes()).unwrap();
    assert!(read("SANDBOX_DEMO.private.pem").starts_with("-----BEGIN PRIVATE KEY-----"));
    let from_pem = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&pem).unwrap();
    for pair in [&pkcs8, &pkcs1, &from_pem] {
        assert_eq!(public_of(pair), registered);
    }
    let platform = server::api::keys::platform_key(&pool)
        .await
        .unwrap()
        .public_der;
    assert_eq!(b64("paydesk-platform.public.base64"), platform);
    assert_eq!(
        server::api::keys::from_pem_or_der(read("paydesk-platform.public.pem").as_bytes()).unwrap(),
        platform
    );
}
