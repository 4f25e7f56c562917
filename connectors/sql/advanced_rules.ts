/**
 * Shape of the SQL connectors' advanced sync rules: `[{tables, query, id_columns?}]`, checked
 * like the reference's JSON schema (no unknown keys, non-empty lists and query).
 * @module
 */
import type { RuleProblem } from "../../lib/source/types.ts";

/** One advanced rule: a query over `tables`, ids from `id_columns` or the tables' primary keys. */
export interface SqlQueryRule {
  tables: string[];
  query: string;
  id_columns?: string[];
}

/** The id the reference reports problems with the whole snippet under. */
export const ADVANCED_SNIPPET = "advanced_snippet";

const KEYS = new Set(["tables", "query", "id_columns"]);

/**
 * Checks the shape of `rules`; returns the rules, or the problems found (never both).
 *
 * @example
 * ```ts
 * parseSqlQueryRules([{ tables: ["t"], query: "SELECT * FROM t" }]).rules?.length; // 1
 * ```
 */
export function parseSqlQueryRules(
  rules: unknown,
): { rules: SqlQueryRule[]; problems?: undefined } | {
  rules?: undefined;
  problems: RuleProblem[];
} {
  if (!Array.isArray(rules)) {
    return problems(
      `advanced rules must be a JSON array of {tables, query, id_columns}, got ${kind(rules)}`,
    );
  }
  const messages: string[] = [];
  const parsed: SqlQueryRule[] = [];
  rules.forEach((rule: unknown, index) => {
    const where = `rule ${index + 1}`;
    if (rule === null || typeof rule !== "object" || Array.isArray(rule)) {
      messages.push(`${where} must be an object with "tables" and "query", got ${kind(rule)}`);
      return;
    }
    const record = rule as Record<string, unknown>;
    const unknown = Object.keys(record).filter((key) => !KEYS.has(key));
    if (unknown.length > 0) {
      messages.push(
        `${where} has unknown keys ${unknown.join(", ")}; allowed: tables, query, id_columns`,
      );
    }
    const tables = stringList(record.tables);
    if (!tables) messages.push(`${where}: "tables" must be a non-empty array of table names`);
    if (typeof record.query !== "string" || record.query.trim() === "") {
      messages.push(`${where}: "query" must be a non-empty SQL string`);
    }
    const idColumns = record.id_columns === undefined ? undefined : stringList(record.id_columns);
    if (idColumns === null) {
      messages.push(`${where}: "id_columns" must be a non-empty array of column names`);
    }
    if (
      tables && typeof record.query === "string" && record.query.trim() !== "" && idColumns !== null
    ) {
      parsed.push({ tables, query: record.query, ...(idColumns ? { id_columns: idColumns } : {}) });
    }
  });
  return messages.length > 0 ? problems(...messages) : { rules: parsed };
}

function stringList(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  if (!value.every((item) => typeof item === "string" && item.length > 0)) return null;
  return value as string[];
}

function kind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

function problems(...messages: string[]): { problems: RuleProblem[] } {
  return { problems: messages.map((message) => ({ id: ADVANCED_SNIPPET, message })) };
}
