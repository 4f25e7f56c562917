/** Config problems: where, what, and how they print (one line each, never a secret). */

/** One thing wrong (or worth a warning) in a config file. `line`/`column` are 1-based; absent when the key is not in the file. */
export interface ConfigProblem {
  /** File name as given by the user, e.g. `config.yml`. */
  source: string;
  /** Dotted key path, e.g. `elasticsearch.bulk.max_concurrency` or `connectors[0].api_key`; "" for the whole file. */
  path: string;
  line?: number;
  column?: number;
  /** A full sentence that starts with the path and says what to do. */
  message: string;
}

/** Formats a problem as one line: `config.yml:12:5: elasticsearch.bulk.max_concurrency must be ...`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined
    ? problem.source
    : `${problem.source}:${problem.line}:${problem.column ?? 1}`;
  return `${where}: ${problem.message}`;
}

/** Thrown when a config cannot be used; carries every problem found, not just the first. */
export class ConfigError extends Error {
  /** Every problem, in file order. */
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }

  /** All problems, one line each. */
  formatProblems(): string {
    return this.problems.map(formatProblem).join("\n");
  }
}

const SECRET_KEYS = new Set(["password", "api_key"]);
const SECRET_HEADER = /authorization|api[-_]?key|token|secret|cookie|password/i;

/** True when the value at this key path must never be printed. */
export function isSecretPath(path: string): boolean {
  const parts = path.split(".");
  const last = parts[parts.length - 1];
  if (SECRET_KEYS.has(last)) return true;
  return parts.length >= 2 && parts[parts.length - 2] === "headers" && SECRET_HEADER.test(last);
}

/** A value as shown in messages: quoted strings, `<hidden>` for secrets, words for lists and maps. */
export function showValue(value: unknown, path: string): string {
  if (isSecretPath(path)) return "<hidden>";
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}
