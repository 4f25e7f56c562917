/**
 * How many rows a sync will read, for the progress display's ETA: `information_schema`'s
 * `TABLE_ROWS` (an InnoDB estimate), with small tables counted exactly.
 * @module
 */
import type mysql from "mysql2/promise";
import type { RowDataPacket } from "mysql2/promise";
import { quoteId } from "./sql.ts";

/** Tables estimated below this many rows are counted with `COUNT(*)`: fast, and exact (default). */
export const EXACT_COUNT_MAX_ROWS = 100_000;

/**
 * Rows in the base tables of `database` with a primary key (the ones a sync reads), limited
 * to `tables` unless it is null (every table).
 */
export async function estimateRows(
  connection: mysql.Connection,
  target: { database: string; tables: string[] | null; exactCountMaxRows?: number },
): Promise<number> {
  const exactCountMaxRows = target.exactCountMaxRows ?? EXACT_COUNT_MAX_ROWS;
  const [rows] = await connection.query<RowDataPacket[]>(
    "SELECT t.TABLE_NAME AS name, t.TABLE_ROWS AS estimate FROM information_schema.TABLES t " +
      "WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE' AND EXISTS (" +
      "SELECT 1 FROM information_schema.TABLE_CONSTRAINTS k WHERE k.TABLE_SCHEMA = t.TABLE_SCHEMA " +
      "AND k.TABLE_NAME = t.TABLE_NAME AND k.CONSTRAINT_TYPE = 'PRIMARY KEY')",
    [target.database],
  );
  const wanted = target.tables === null ? undefined : new Set(target.tables);
  let total = 0;
  for (const row of rows) {
    const name = String(row.name);
    if (wanted && !wanted.has(name)) continue;
    const estimate = row.estimate === null ? null : Number(row.estimate);
    if (estimate !== null && estimate >= exactCountMaxRows) {
      total += estimate;
      continue;
    }
    const [counted] = await connection.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS count FROM ${quoteId(name)}`,
    );
    total += Number(counted[0].count);
  }
  return total;
}
