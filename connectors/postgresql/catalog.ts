/**
 * Catalog lookups: schemas, tables, primary keys, array element types, server settings. All
 * names travel as bind parameters, never inside the SQL text.
 * @module
 */
import type { Sql } from "./client.ts";

/** True when `schema` exists in the connected database. */
export async function schemaExists(sql: Sql, schema: string): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${schema}`;
  return rows.length > 0;
}

/**
 * Base tables of `schema` the user may read, by name: ordinary and partitioned tables, not the
 * partitions (their rows are read through the parent) and not views.
 */
export async function listBaseTables(sql: Sql, schema: string): Promise<string[]> {
  const rows = await sql`
    SELECT c.relname AS name FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND has_table_privilege(c.oid, 'SELECT')
    ORDER BY c.relname`.values();
  return rows.map((row) => String(row[0]));
}

/** Every relation a query can read in `schema`: tables, views, materialized and foreign tables. */
export async function listRelations(sql: Sql, schema: string): Promise<Set<string>> {
  const rows = await sql`
    SELECT c.relname FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`.values();
  return new Set(rows.map((row) => String(row[0])));
}

/** Primary-key columns of `schema.table` in key order; empty when it has none (or is a view). */
export async function primaryKey(
  sql: Sql,
  target: { schema: string; table: string },
): Promise<string[]> {
  const rows = await sql`
    SELECT a.attname FROM pg_catalog.pg_constraint con
    JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
    WHERE n.nspname = ${target.schema} AND c.relname = ${target.table} AND con.contype = 'p'
    ORDER BY k.position`.values();
  return rows.map((row) => String(row[0]));
}

/** An array type's element type and delimiter. */
export interface ArrayType {
  element: number;
  delimiter: string;
}

/** Every array type of the database (user-defined ones included), by array type OID. */
export async function arrayTypes(sql: Sql): Promise<Map<number, ArrayType>> {
  const rows = await sql`
    SELECT a.oid::int4, a.typelem::int4, e.typdelim::text FROM pg_catalog.pg_type a
    JOIN pg_catalog.pg_type e ON e.oid = a.typelem
    WHERE a.typcategory = 'A' AND a.typelem <> 0`.values();
  return new Map(
    rows.map((row) => [Number(row[0]), { element: Number(row[1]), delimiter: String(row[2]) }]),
  );
}

/** Whether the server records commit times (`track_commit_timestamp = on`). */
export async function commitTimestampsOn(sql: Sql): Promise<boolean> {
  const [row] = await sql`SELECT current_setting('track_commit_timestamp') = 'on'`.values();
  return row[0] === true;
}

/** The server's clock minus `marginSeconds`, as an ISO string. */
export async function serverClock(sql: Sql, marginSeconds: number): Promise<string> {
  const [row] = await sql`
    SELECT clock_timestamp() - make_interval(secs => ${marginSeconds})`.values();
  return String(row[0]);
}
