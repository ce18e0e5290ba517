//! Keys: the platform's signing key (kept in PostgreSQL so that every instance signs
//! alike), merchants' registered public keys, and the operator commands `server keys …`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::Rng;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::signature::public_key_der;
use crate::cli::KeysCommand;

/// The platform's current key version.
pub const PLATFORM_KEY_VERSION: i32 = 1;

/// The key Paydesk signs responses and notifications with.
#[derive(Clone)]
pub struct PlatformKey {
    pub key_version: i32,
    pub pair: Arc<RsaKeyPair>,
    pub public_der: Vec<u8>,
}

/// Loads the platform key, creating it on first use. Concurrent first uses by several
/// instances agree: only one insert wins and everyone reads the winner's key.
pub async fn platform_key(pool: &PgPool) -> anyhow::Result<PlatformKey> {
    let row: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT private_key_pkcs8 FROM platform_keys WHERE key_version = $1")
            .bind(PLATFORM_KEY_VERSION)
            .fetch_optional(pool)
            .await?;
    let pkcs8 = match row {
        Some(der) => der,
        None => {
            let (pkcs8, public) = tokio::task::spawn_blocking(generate_pair).await??;
            sqlx::query(
                "INSERT INTO platform_keys (key_version, private_key_pkcs8, public_key_der)
                 VALUES ($1, $2, $3) ON CONFLICT (key_version) DO NOTHING",
            )
            .bind(PLATFORM_KEY_VERSION)
            .bind(&pkcs8)
            .bind(&public)
            .execute(pool)
            .await?;
            sqlx::query_scalar("SELECT private_key_pkcs8 FROM platform_keys WHERE key_version = $1")
                .bind(PLATFORM_KEY_VERSION)
                .fetch_one(pool)
                .await?
        }
    };
    let pair = RsaKeyPair::from_pkcs8(&pkcs8).map_err(|e| anyhow::anyhow!("platform key: {e}"))?;
    let public_der = public_key_der(&pair);
    Ok(PlatformKey {
        key_version: PLATFORM_KEY_VERSION,
        pair: Arc::new(pair),
        public_der,
    })
}

/// A new RSA-2048 key pair: (PKCS#8 private key, SubjectPublicKeyInfo), both DER.
pub fn generate_pair() -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
    let pkcs8 = pair
        .as_der()
        .map_err(|_| anyhow::anyhow!("PKCS#8 encoding failed"))?
        .as_ref()
        .to_vec();
    let public = public_key_der(&pair);
    Ok((pkcs8, public))
}

/// A registered merchant key.
pub struct ClientKey {
    pub merchant_id: Uuid,
    pub public_key_der: Vec<u8>,
}

/// The key registered for `client_id` and `key_version`.
pub async fn client_key(
    pool: &PgPool,
    client_id: &str,
    key_version: i32,
) -> sqlx::Result<Option<ClientKey>> {
    let row = sqlx::query(
        "SELECT merchant_id, public_key_der FROM api_clients WHERE client_id = $1 AND key_version = $2",
    )
    .bind(client_id)
    .bind(key_version)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| ClientKey {
        merchant_id: r.get("merchant_id"),
        public_key_der: r.get("public_key_der"),
    }))
}

/// Registers `public_key_der` for `client_id`; the key version is the next one of that
/// client unless given. A client id cannot move to another merchant.
pub async fn register(
    pool: &PgPool,
    merchant_id: Uuid,
    client_id: &str,
    key_version: Option<i32>,
    public_key_der: &[u8],
) -> anyhow::Result<i32> {
    if client_id.is_empty()
        || client_id.len() > 64
        || !client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        bail!("a client id is 1 to 64 letters, digits, - and _");
    }
    check_public_key(public_key_der)?;
    let mut tx = pool.begin().await?;
    let owner: Option<Uuid> =
        sqlx::query_scalar("SELECT merchant_id FROM api_clients WHERE client_id = $1 LIMIT 1")
            .bind(client_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(owner) = owner {
        if owner != merchant_id {
            bail!("client id {client_id} belongs to another merchant");
        }
    }
    let version =
        match key_version {
            Some(v) if v > 0 => v,
            Some(_) => bail!("key versions start at 1"),
            None => sqlx::query_scalar::<_, i32>(
                "SELECT coalesce(max(key_version), 0) + 1 FROM api_clients WHERE client_id = $1",
            )
            .bind(client_id)
            .fetch_one(&mut *tx)
            .await?,
        };
    sqlx::query(
        "INSERT INTO api_clients (client_id, key_version, merchant_id, public_key_der)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (client_id, key_version) DO UPDATE SET public_key_der = EXCLUDED.public_key_der",
    )
    .bind(client_id)
    .bind(version)
    .bind(merchant_id)
    .bind(public_key_der)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Refuses anything that is not an RSA SubjectPublicKeyInfo of 2048 to 8192 bits.
fn check_public_key(der: &[u8]) -> anyhow::Result<()> {
    // aws-lc-rs parses SubjectPublicKeyInfo through its encryption key type.
    aws_lc_rs::rsa::PublicEncryptingKey::from_der(der)
        .map(|_| ())
        .map_err(|_| {
            anyhow::anyhow!("not an RSA public key (X.509 SubjectPublicKeyInfo, PEM or DER)")
        })
}

pub fn to_pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// DER from a PEM file (any label) or the DER bytes themselves.
pub fn from_pem_or_der(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN") => {
            let b64: String = text
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .flat_map(|l| l.trim().chars())
                .collect();
            Ok(STANDARD.decode(b64).context("the PEM body is not base64")?)
        }
        _ => Ok(bytes.to_vec()),
    }
}

/// A merchant by id or exact name.
async fn merchant(pool: &PgPool, name_or_id: &str) -> anyhow::Result<(Uuid, String)> {
    let row = match Uuid::parse_str(name_or_id) {
        Ok(id) => {
            sqlx::query("SELECT id, name FROM merchants WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        }
        Err(_) => {
            sqlx::query("SELECT id, name FROM merchants WHERE name = $1")
                .bind(name_or_id)
                .fetch_optional(pool)
                .await?
        }
    };
    let row = row.with_context(|| format!("no merchant {name_or_id:?}"))?;
    Ok((row.get("id"), row.get("name")))
}

/// `SANDBOX_` and 16 upper-case letters and digits: SDKs send clients whose id starts
/// with `SANDBOX_` to the /ams/sandbox/api paths.
fn new_client_id() -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..16)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    format!("SANDBOX_{tail}")
}

async fn set_notify_url(pool: &PgPool, merchant_id: Uuid, url: Option<&str>) -> anyhow::Result<()> {
    if let Some(url) = url {
        let url =
            app::refunds::types::parse_notify_url(Some(url)).map_err(|e| anyhow::anyhow!("{e}"))?;
        sqlx::query("UPDATE merchants SET notify_url = $2 WHERE id = $1")
            .bind(merchant_id)
            .bind(url)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// `server keys …`
pub async fn run(pool: &PgPool, command: KeysCommand) -> anyhow::Result<()> {
    crate::migrate(pool).await?;
    match command {
        KeysCommand::Demo {
            merchant: m,
            client_id,
            out_dir,
            notify_url,
        } => {
            let (merchant_id, name) = merchant(pool, &m).await?;
            let client_id = client_id.unwrap_or_else(new_client_id);
            let (pkcs8, public) = generate_pair()?;
            let version = register(pool, merchant_id, &client_id, None, &public).await?;
            set_notify_url(pool, merchant_id, notify_url.as_deref()).await?;
            std::fs::create_dir_all(&out_dir)?;
            let private_path = write_file(
                &out_dir,
                &format!("{client_id}.private.pem"),
                &to_pem("PRIVATE KEY", &pkcs8),
                true,
            )?;
            let public_path = write_file(
                &out_dir,
                &format!("{client_id}.public.pem"),
                &to_pem("PUBLIC KEY", &public),
                false,
            )?;
            let platform = platform_key(pool).await?;
            let platform_path = write_file(
                &out_dir,
                "paydesk-platform.public.pem",
                &to_pem("PUBLIC KEY", &platform.public_der),
                false,
            )?;
            println!("Merchant:            {name} ({merchant_id})");
            println!("Client-Id:           {client_id}");
            println!("Key version:         {version}");
            println!("Merchant private key {}", private_path.display());
            println!("Merchant public key  {}", public_path.display());
            println!("Platform public key  {}", platform_path.display());
        }
        KeysCommand::Register {
            merchant: m,
            client_id,
            public_key,
            key_version,
            notify_url,
        } => {
            let (merchant_id, name) = merchant(pool, &m).await?;
            let der = from_pem_or_der(
                &std::fs::read(&public_key)
                    .with_context(|| format!("reading {}", public_key.display()))?,
            )?;
            check_public_key(&der)?;
            let version = register(pool, merchant_id, &client_id, key_version, &der).await?;
            set_notify_url(pool, merchant_id, notify_url.as_deref()).await?;
            println!("Registered key version {version} of client {client_id} for {name}.");
        }
        KeysCommand::Platform { merchant: m } => {
            let platform = platform_key(pool).await?;
            print!("{}", to_pem("PUBLIC KEY", &platform.public_der));
            println!("Platform key version: {}", platform.key_version);
            if let Some(m) = m {
                let (merchant_id, name) = merchant(pool, &m).await?;
                let rows = sqlx::query("SELECT client_id, key_version, created_at FROM api_clients WHERE merchant_id = $1 ORDER BY client_id, key_version")
                    .bind(merchant_id)
                    .fetch_all(pool)
                    .await?;
                println!("Client ids of {name}:");
                for r in rows {
                    println!(
                        "  {} key version {} (registered {})",
                        r.get::<String, _>("client_id"),
                        r.get::<i32, _>("key_version"),
                        r.get::<chrono::DateTime<chrono::Utc>, _>("created_at")
                    );
                }
            }
        }
    }
    Ok(())
}

fn write_file(dir: &Path, name: &str, contents: &str, private: bool) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(if private { 0o600 } else { 0o644 })
            .open(&path)?;
        f.write_all(contents.as_bytes())?;
    }
    #[cfg(not(unix))]
    {
        let _ = private;
        std::fs::write(&path, contents)?;
    }
    Ok(path)
}
