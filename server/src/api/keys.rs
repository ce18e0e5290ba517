//! Keys: the operator commands `server keys …`. The keys themselves (the platform's
//! signing key, merchants' registered public keys) are `app::api_keys`, shared with the
//! API keys settings page.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

pub use app::api_keys::{
    client_key, from_pem_or_der, generate_pair, pkcs1_from_pkcs8, platform_key, register,
    to_base64, to_pem, ClientChoice, ClientKey, PlatformKey, PLATFORM_KEY_VERSION,
};

use crate::cli::KeysCommand;
use app::notifications::target::TargetPolicy;

/// A merchant by id or exact name.
async fn merchant(pool: &PgPool, name_or_id: &str) -> anyhow::Result<(Uuid, String)> {
    let id = Uuid::parse_str(name_or_id).ok();
    let row = sqlx::query!(
        "SELECT id, name FROM merchants WHERE CASE WHEN $1::uuid IS NULL THEN name = $2 ELSE id = $1 END",
        id,
        name_or_id
    )
    .fetch_optional(pool)
    .await?
    .with_context(|| format!("no merchant {name_or_id:?}"))?;
    Ok((row.id, row.name))
}

/// Sets the merchant's default notify URL, checked as the API checks refundNotifyUrl.
async fn set_notify_url(
    pool: &PgPool,
    merchant_id: Uuid,
    url: Option<&str>,
    policy: TargetPolicy,
) -> anyhow::Result<()> {
    if let Some(url) = url {
        use app::notifications::target::parse_notify_url;
        let url = parse_notify_url(Some(url), policy).map_err(|e| anyhow::anyhow!("{e}"))?;
        sqlx::query!(
            "UPDATE merchants SET notify_url = $2 WHERE id = $1",
            merchant_id,
            url
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// `server keys …`
pub async fn run(pool: &PgPool, command: KeysCommand, targets: TargetPolicy) -> anyhow::Result<()> {
    crate::migrate(pool).await?;
    match command {
        KeysCommand::Demo {
            merchant: m,
            client_id,
            out_dir,
            notify_url,
        } => {
            let (merchant_id, name) = merchant(pool, &m).await?;
            let client = match client_id {
                Some(id) => ClientChoice::Claim(id),
                None => ClientChoice::New { sandbox: true },
            };
            let (pkcs8, public) = generate_pair()?;
            let (client_id, version) = register(pool, merchant_id, client, None, &public).await?;
            set_notify_url(pool, merchant_id, notify_url.as_deref(), targets).await?;
            std::fs::create_dir_all(&out_dir)?;
            let pkcs1 = pkcs1_from_pkcs8(&pkcs8).context("the new key is not PKCS#8")?;
            let platform = platform_key(pool).await?;
            // Each SDK takes keys in its own form: docs/API.md says which file goes where.
            let files = [
                (
                    format!("{client_id}.private.pem"),
                    to_pem("PRIVATE KEY", &pkcs8),
                    true,
                ),
                (
                    format!("{client_id}.private.pkcs8.base64"),
                    to_base64(&pkcs8),
                    true,
                ),
                (
                    format!("{client_id}.private.pkcs1.base64"),
                    to_base64(&pkcs1),
                    true,
                ),
                (
                    format!("{client_id}.public.pem"),
                    to_pem("PUBLIC KEY", &public),
                    false,
                ),
                (
                    "paydesk-platform.public.pem".to_owned(),
                    to_pem("PUBLIC KEY", &platform.public_der),
                    false,
                ),
                (
                    "paydesk-platform.public.base64".to_owned(),
                    to_base64(&platform.public_der),
                    false,
                ),
            ];
            println!("Merchant:    {name} ({merchant_id})");
            println!("Client-Id:   {client_id}");
            println!("Key version: {version}");
            for (file, contents, private) in files {
                let path = write_file(&out_dir, &file, &contents, private)?;
                println!("Wrote        {}", path.display());
            }
            println!(
                "Python SDK: the .private.pkcs1.base64 text; Go, Java, PHP, .NET and Node: the \
                 .private.pkcs8.base64 text; every SDK: paydesk-platform.public.base64 as the \
                 Antom public key."
            );
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
            let (client_id, version) = register(
                pool,
                merchant_id,
                ClientChoice::Claim(client_id),
                key_version,
                &der,
            )
            .await?;
            set_notify_url(pool, merchant_id, notify_url.as_deref(), targets).await?;
            println!("Registered key version {version} of client {client_id} for {name}.");
        }
        KeysCommand::Platform { merchant: m } => {
            let platform = platform_key(pool).await?;
            print!("{}", to_pem("PUBLIC KEY", &platform.public_der));
            println!("Platform key version: {}", platform.key_version);
            if let Some(m) = m {
                let (merchant_id, name) = merchant(pool, &m).await?;
                // The same list as the API keys page, times in UTC for operators.
                let keys = app::api_keys::list(pool, merchant_id, chrono_tz::UTC).await?;
                println!("Client ids of {name}:");
                for k in keys {
                    println!(
                        "  {} key version {} (registered {} UTC)",
                        k.client_id, k.key_version, k.created
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
