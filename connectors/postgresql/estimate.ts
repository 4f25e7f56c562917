/**
 * How many rows a sync will read, for the progress display's ETA: small tables are counted
 * exactly, large ones estimated from the planner's statistics scaled to their current size.
 * @module
 */
import { qualifiedName } from "../sql/mod.ts";
import type { Sql } from "./client.ts";

/** Tables up to this size on disk are counted with `count(*)`: fast, and exact (default). */
export const EXACT_COUNT_MAX_BYTES = 64 * 1024 * 1024;

interface TableSize {
  name: string;
  bytes: number;
  /** Rows by the statistics, scaled to the size now; null when never analyzed. */
  estimate: number | null;
}

/**
 * Rows in the tables a sync reads: `tables`, or every table of `schema` the user may read
 * (null), in both cases only those with a primary key (others are skipped). Null when a large
 * table has no statistics yet (never vacuumed or analyzed), as counting it would be slow.
 */
export async function estimateRows(
  sql: Sql,
  target: { schema: string; tables: string[] | null; exactCountMaxBytes?: number },
): Promise<number | null> {
  const exactCountMaxBytes = target.exactCountMaxBytes ?? EXACT_COUNT_MAX_BYTES;
  let total = 0;
  for (const table of await tableSizes(sql, target)) {
    if (table.bytes <= exactCountMaxBytes) {
      const [row] = await sql.unsafe(
        `SELECT count(*) FROM ${qualifiedName(target.schema, table.name)}`,
      ).values();
      total += Number(row[0]);
    } else if (table.estimate === null) {
      return null;
    } else {
      total += table.estimate;
    }
  }
  return Math.round(total);
}

/**
 * Size on disk and estimated rows per table; a partitioned table sums its leaf partitions.
 * `pg_relation_size` is the size now, while `relpages`/`reltuples` date from the last
 * vacuum or analyze, so the estimate is rows per page times pages now, as the planner does.
 */
async function tableSizes(
  sql: Sql,
  target: { schema: string; tables: string[] | null },
): Promise<TableSize[]> {
  const rows = await sql`
    SELECT c.relname AS name, c.relispartition AS partition,
      sum(pg_relation_size(l.oid))::float8 AS bytes,
      bool_and(l.reltuples >= 0 AND l.relpages > 0 OR pg_relation_size(l.oid) = 0) AS known,
      sum(CASE WHEN l.relpages > 0 AND l.reltuples >= 0
        THEN l.reltuples / l.relpages
          * (pg_relation_size(l.oid) / current_setting('block_size')::float8)
        ELSE 0 END)::float8 AS estimate
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN LATERAL pg_partition_tree(c.oid) p ON p.isleaf
    JOIN pg_catalog.pg_class l ON l.oid = coalesce(p.relid, c.oid)
    WHERE n.nspname = ${target.schema} AND c.relkind IN ('r', 'p')
      AND has_table_privilege(c.oid, 'SELECT')
      AND EXISTS (
        SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p'
      )
    GROUP BY c.relname, c.relispartition
    ORDER BY c.relname`;
  // Every table: partitions are read through their parent. Named tables: exactly those.
  const wanted = target.tables === null ? undefined : new Set(target.tables);
  return rows.filter((row) => wanted ? wanted.has(row.name) : !row.partition).map((row) => ({
    name: String(row.name),
    bytes: Number(row.bytes),
    estimate: row.known ? Number(row.estimate) : null,
  }));
}
