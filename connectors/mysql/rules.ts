/**
 * Shape of the MySQL connector's advanced sync rules, as in the reference: a JSON array of
 * `{tables: [..] (at least one), query: "SELECT ...", id_columns?: [..] (at least one)}` and no
 * other keys.
 * @module
 */

/** One advanced rule: the rows of `query`, documents named after `tables`. */
export interface AdvancedRule {
  tables: string[];
  /** The query without trailing semicolons. */
  query: string;
  /** Columns whose values make the document id; the tables' primary keys when absent. */
  idColumns?: string[];
}

/** The parsed rules, or the problems that make them unusable. */
export type ParsedRules = { rules: AdvancedRule[]; problems: [] } | {
  rules: undefined;
  problems: string[];
};

/**
 * Checks the shape of advanced rules and returns them normalized, or every problem found, each
 * naming the rule by position.
 *
 * @example
 * ```ts
 * parseAdvancedRules([{ tables: ["a"], query: "SELECT * FROM a;" }]);
 * // { rules: [{ tables: ["a"], query: "SELECT * FROM a" }], problems: [] }
 * ```
 */
export function parseAdvancedRules(value: unknown): ParsedRules {
  if (!Array.isArray(value)) {
    return { rules: undefined, problems: ["Advanced rules must be a JSON array of objects."] };
  }
  const rules: AdvancedRule[] = [];
  const problems: string[] = [];
  value.forEach((item, index) => {
    const where = `Rule ${index + 1}`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.push(`${where} must be an object with "tables" and "query".`);
      return;
    }
    const record = item as Record<string, unknown>;
    const unknown = Object.keys(record).filter((key) =>
      !["tables", "query", "id_columns"].includes(key)
    );
    if (unknown.length > 0) {
      problems.push(
        `${where} has unknown keys ${unknown.map((key) => JSON.stringify(key)).join(", ")}; ` +
          `allowed: "tables", "query", "id_columns".`,
      );
    }
    const tables = nameList(record.tables);
    if (tables === undefined) {
      problems.push(`${where}: "tables" must be a non-empty array of table names.`);
    }
    const query = typeof record.query === "string"
      ? record.query.trim().replace(/[\s;]+$/, "")
      : "";
    if (query === "") problems.push(`${where}: "query" must be a non-empty SQL SELECT.`);
    let idColumns: string[] | undefined;
    if (record.id_columns !== undefined) {
      idColumns = nameList(record.id_columns);
      if (idColumns === undefined) {
        problems.push(`${where}: "id_columns" must be a non-empty array of column names.`);
      }
    }
    if (tables !== undefined && query !== "") {
      rules.push(idColumns ? { tables, query, idColumns } : { tables, query });
    }
  });
  return problems.length > 0 ? { rules: undefined, problems } : { rules, problems: [] };
}

function nameList(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (!value.every((name) => typeof name === "string" && name !== "")) return undefined;
  return value as string[];
}
