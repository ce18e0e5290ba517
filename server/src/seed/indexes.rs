//! Building a table's indexes once after a bulk load is several times faster than
//! maintaining them row by row during it. The definitions are read from the catalog at
//! run time, so the migrations stay the only place where indexes are declared.

use sqlx::PgConnection;

/// An index that was dropped and the statement that recreates it.
pub struct Dropped {
    pub name: String,
    pub definition: String,
}

/// Drops the indexes of `table` that no constraint depends on (the primary key and any
/// index a foreign key references stay) and returns their definitions.
pub async fn drop_secondary(conn: &mut PgConnection, table: &str) -> sqlx::Result<Vec<Dropped>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT x.indexname::text, x.indexdef, format('DROP INDEX %I.%I', x.schemaname, x.indexname)
         FROM pg_indexes x
         JOIN pg_class i ON i.relname = x.indexname
         JOIN pg_namespace n ON n.oid = i.relnamespace AND n.nspname = x.schemaname
         WHERE x.schemaname = current_schema() AND x.tablename = $1
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
         ORDER BY x.indexname",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let mut dropped = Vec::with_capacity(rows.len());
    for (name, definition, drop) in rows {
        sqlx::query(&drop).execute(&mut *conn).await?;
        dropped.push(Dropped { name, definition });
    }
    Ok(dropped)
}

/// Recreates indexes dropped by [`drop_secondary`].
pub async fn recreate(conn: &mut PgConnection, dropped: &[Dropped]) -> sqlx::Result<()> {
    for d in dropped {
        tracing::debug!(index = %d.name, "recreating index");
        sqlx::query(&d.definition).execute(&mut *conn).await?;
    }
    Ok(())
}
