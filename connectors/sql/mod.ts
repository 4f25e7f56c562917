/**
 * Helpers shared by the SQL connectors (PostgreSQL, MySQL): identifier quoting, the `tables`
 * field, field names and ids, advanced-rule shape and PEM repair.
 * @module
 */
export { qualifiedName, quoteIdentifier } from "./identifiers.ts";
export { configuredTables, isWildcard, WILDCARD } from "./tables.ts";
export { docId, fieldNames, fieldPrefix, tablesKey } from "./doc_ids.ts";
export { ADVANCED_SNIPPET, parseSqlQueryRules, type SqlQueryRule } from "./advanced_rules.ts";
export { repairPem } from "./pem.ts";
export { nextPageRows, PAGE_BYTES } from "./page_size.ts";
