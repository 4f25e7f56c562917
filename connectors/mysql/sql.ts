/**
 * SQL text for MySQL/MariaDB built from names and values a user configured: backtick-quoted
 * identifiers and keyset-pagination conditions. Values always travel as `?` placeholders.
 * @module
 */

import { quoteIdentifier } from "../sql/identifiers.ts";

/**
 * `name` as a MySQL identifier: wrapped in backticks, embedded backticks doubled. Any text is
 * safe, including quotes, spaces and unicode; a NUL (which MySQL rejects) throws here.
 *
 * @example
 * ```ts
 * quoteId("my `odd` table"); // "`my ``odd`` table`"
 * ```
 */
export function quoteId(name: string): string {
  return quoteIdentifier(name, "`");
}

/** A WHERE fragment with its `?` placeholders' values, in order. */
export interface SqlCondition {
  sql: string;
  values: unknown[];
}

/**
 * The condition "row comes after `last` in the order of `columns`" (all ascending, non-null),
 * for keyset pagination. Written as `a >= ? AND (a > ? OR (a = ? AND b > ?))` rather than the
 * row constructor `(a, b) > (?, ?)`, because MariaDB only turns the expanded form into an index
 * range scan; the row form scans the index from its start on every page.
 *
 * @example
 * ```ts
 * keysetCondition(["`a`", "`b`"], [1, "x"]);
 * // { sql: "`a` >= ? AND (`a` > ? OR (`a` = ? AND `b` > ?))", values: [1, 1, 1, "x"] }
 * ```
 */
export function keysetCondition(columns: string[], last: unknown[]): SqlCondition {
  if (columns.length === 0 || columns.length !== last.length) {
    throw new Error(`keyset needs one value per column, got ${last.length} for ${columns.length}`);
  }
  if (columns.length === 1) return { sql: `${columns[0]} > ?`, values: [last[0]] };
  const branches: string[] = [];
  const values: unknown[] = [last[0]];
  for (let i = 0; i < columns.length; i++) {
    const equal = columns.slice(0, i).map((column) => `${column} = ?`);
    branches.push([...equal, `${columns[i]} > ?`].join(" AND "));
    values.push(...last.slice(0, i), last[i]);
  }
  const alternatives = branches.map((branch, i) => i === 0 ? branch : `(${branch})`).join(" OR ");
  return { sql: `${columns[0]} >= ? AND (${alternatives})`, values };
}
