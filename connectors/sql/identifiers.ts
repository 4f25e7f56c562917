/**
 * Quoting of SQL identifiers taken from configuration or rules. Names are never spliced raw.
 * @module
 */

/**
 * Quotes one identifier by wrapping it in `quote` and doubling that character inside, which
 * PostgreSQL (`"`) and MySQL (`` ` ``) both accept; dots stay part of the name.
 *
 * @example
 * ```ts
 * quoteIdentifier('my "odd" table'); // '"my ""odd"" table"'
 * quoteIdentifier("orders", "`"); // "`orders`"
 * ```
 */
export function quoteIdentifier(name: string, quote: '"' | "`" = '"'): string {
  if (name.includes("\0")) {
    throw new Error(`identifier ${JSON.stringify(name)} contains a NUL character; rename it`);
  }
  return quote + name.replaceAll(quote, quote + quote) + quote;
}

/** `"schema"."table"` with both parts quoted. */
export function qualifiedName(schema: string, table: string, quote: '"' | "`" = '"'): string {
  return `${quoteIdentifier(schema, quote)}.${quoteIdentifier(table, quote)}`;
}
