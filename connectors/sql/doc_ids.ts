/**
 * Document field names and ids the SQL connectors share with the reference implementation.
 * @module
 */

/**
 * The prefix of every field name: `<schema>_<tables sorted, joined by _>_`, or only the tables
 * part when there is no schema (MySQL's custom queries).
 *
 * @example
 * ```ts
 * fieldPrefix({ schema: "public", tables: ["orders", "customers"] }); // "public_customers_orders_"
 * ```
 */
export function fieldPrefix(options: { schema?: string; tables: readonly string[] }): string {
  const schema = options.schema?.trim() ?? "";
  let prefix = schema.length > 0 ? `${schema}_` : "";
  if (options.tables.length > 0) prefix += `${tablesKey(options.tables)}_`;
  return prefix;
}

/** Field names for `columns`: the prefix plus the column, lowercased as the reference does. */
export function fieldNames(prefix: string, columns: readonly string[]): string[] {
  return columns.map((column) => `${prefix}${column}`.toLowerCase());
}

/** Tables sorted and joined by `_`: the table part of ids and field names. */
export function tablesKey(tables: readonly string[]): string {
  return [...tables].sort().join("_");
}

/**
 * A document id: `prefix` followed by the key values joined by `_`, skipping null values
 * like the reference. `prefix` already ends with `_`.
 *
 * @example
 * ```ts
 * docId("db_public_orders_", [7, "a"]); // "db_public_orders_7_a"
 * ```
 */
export function docId(prefix: string, keyValues: readonly unknown[]): string {
  let id = prefix;
  let first = true;
  for (const value of keyValues) {
    if (value === null || value === undefined) continue;
    id += first ? idPart(value) : `_${idPart(value)}`;
    first = false;
  }
  return id;
}

function idPart(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
