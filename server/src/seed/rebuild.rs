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

/// An index or foreign key: its name, and the statements that drop and create it.
struct Definition {
    name: String,
    drop: String,
    create: String,
}

/// Drops the foreign keys of `table` and the indexes that no constraint depends on (the
/// primary key stays, and so does any index a foreign key references).
pub async fn set_aside(conn: &mut PgConnection, table: &str) -> sqlx::Result<SetAside> {
    let foreign_keys = sqlx::query_as!(
        Definition,
        r#"SELECT conname::text AS "name!",
                format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS "drop!",
                format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname,
                       pg_get_constraintdef(oid)) AS "create!"
         FROM pg_constraint
         WHERE conrelid = $1::text::regclass AND contype = 'f'
           -- Not the copies PostgreSQL keeps per partition: they go and come with theirs.
           AND conparentid = 0
         ORDER BY conname"#,
        table
    )
    .fetch_all(&mut *conn)
    .await?;
    let indexes = sqlx::query_as!(
        Definition,
        r#"SELECT c.relname::text AS "name!",
                format('DROP INDEX %I.%I', n.nspname, c.relname) AS "drop!",
                pg_get_indexdef(i.indexrelid) AS "create!"
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.indrelid = $1::text::regclass
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
         ORDER BY c.relname"#,
        table
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut restore = Vec::new();
    // Indexes are restored first: validating the keys needs none of them.
    for mut d in indexes.into_iter().chain(foreign_keys) {
        // A partitioned table's index reads back as `ON ONLY` the parent, which would
        // leave the partitions without it: restored, it must reach every partition.
        d.create = d.create.replacen(" ON ONLY ", " ON ", 1);
        // DDL read from the catalog: the one kind of statement that is text at run time.
        sqlx::raw_sql(&d.drop).execute(&mut *conn).await?;
        restore.push((d.name, d.create));
    }
    Ok(SetAside { restore })
}

/// Recreates what [`set_aside`] dropped.
pub async fn restore(conn: &mut PgConnection, set_aside: &SetAside) -> sqlx::Result<()> {
    for (name, statement) in &set_aside.restore {
        tracing::debug!(%name, "restoring");
        sqlx::raw_sql(statement).execute(&mut *conn).await?;
    }
    Ok(())
}
