/**
 * The `tables` configuration field shared by the SQL connectors.
 * @module
 */

/** The value of `tables` that means "every table". */
export const WILDCARD = "*";

/**
 * Table names from the `tables` field: a list or a comma-separated string, trimmed, without
 * empty entries (as the reference reads it).
 *
 * @example
 * ```ts
 * configuredTables(" a, b ,,c"); // ["a", "b", "c"]
 * ```
 */
export function configuredTables(value: unknown): string[] {
  const items = typeof value === "string"
    ? value.split(",")
    : Array.isArray(value)
    ? value.map((item) => String(item ?? ""))
    : [];
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}

/** True when `tables` selects every table (`*`, or empty). */
export function isWildcard(tables: readonly string[]): boolean {
  return tables.length === 0 || (tables.length === 1 && tables[0] === WILDCARD);
}
