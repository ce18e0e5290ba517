//! A bulk load into a bare table: its secondary indexes are built once afterwards,
//! which is several times faster than maintaining them row by row, and its foreign keys
//! are validated afterwards in one join per key instead of one lookup per row and key.
//! Definitions are read from the catalog at run time, so the migrations stay the only
//! place where they are declared, and everything happens inside the load's transaction.

use sqlx::PgConnection;

/// What [`set_aside`] dropped, with the statements that restore it.
pub struct SetAside {
    restore: Vec<(String, String)>,
}

impl SetAside {
    pub fn len(&self) -> usize {
        self.restore.len()
    }
}

/// Drops the foreign keys of `table` and the indexes that no constraint depends on (the
/// primary key stays, and so does any index a foreign key references).
pub async fn set_aside(conn: &mut PgConnection, table: &str) -> sqlx::Result<SetAside> {
    let foreign_keys: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT conname::text,
                format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname),
                format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname,
                       pg_get_constraintdef(oid))
         FROM pg_constraint
         WHERE conrelid = $1::regclass AND contype = 'f'
         ORDER BY conname",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let indexes: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.relname::text,
                format('DROP INDEX %I.%I', n.nspname, c.relname),
                pg_get_indexdef(i.indexrelid)
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.indrelid = $1::regclass
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
         ORDER BY c.relname",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let mut restore = Vec::new();
    // Indexes are restored first: validating the keys needs none of them.
    for (name, drop, create) in indexes.into_iter().chain(foreign_keys) {
        sqlx::query(&drop).execute(&mut *conn).await?;
        restore.push((name, create));
    }
    Ok(SetAside { restore })
}

/// Recreates what [`set_aside`] dropped.
pub async fn restore(conn: &mut PgConnection, set_aside: &SetAside) -> sqlx::Result<()> {
    for (name, statement) in &set_aside.restore {
        tracing::debug!(%name, "restoring");
        sqlx::query(statement).execute(&mut *conn).await?;
    }
    Ok(())
}
