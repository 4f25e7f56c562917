/**
 * Configuration values typed on the command line (`--set key=value`, `--from-file`): parsed,
 * checked against the connector type's schema and written into the stored `configuration`.
 * A bad value is refused (one line per field); a missing required value only leaves the
 * connector in `needs_configuration`.
 * @module
 */
import * as YAML from "yaml";
import { closestKey } from "../lib/config/did_you_mean.ts";
import type { ConnectorStatus } from "../lib/protocol/mod.ts";
import {
  coerceValues,
  type ConfigField,
  type ConfigSchema,
  ConfigValueError,
  fullField,
  validateConfiguration,
} from "../lib/source/mod.ts";
import { CommandError } from "./context.ts";

/** Raw values by field name, as the user gave them. */
export type RawValues = Record<string, unknown>;

/** Parses repeated `key=value` options; the value may contain `=` and be empty. */
export function parseSetOptions(pairs: readonly string[]): RawValues {
  const values: RawValues = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) {
      throw new CommandError(
        `--set ${JSON.stringify(pair)}: expected key=value, e.g. --set port=3306`,
      );
    }
    values[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return values;
}

/** Reads a JSON or YAML file holding a mapping of field name to value. */
export async function readValuesFile(path: string): Promise<RawValues> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new CommandError(`--from-file ${path}: ${reason}`);
  }
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    // First line only: the rest quotes the file, which may hold passwords.
    throw new CommandError(`--from-file ${path}: ${doc.errors[0].message.split("\n")[0]}`);
  }
  const values = doc.toJS() as unknown;
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new CommandError(
      `--from-file ${path}: expected a mapping of field name to value, e.g. {"port": 3306}`,
    );
  }
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      throw new CommandError(
        `--from-file ${path}: "${key}" holds an object; give the field's value itself`,
      );
    }
  }
  return values as RawValues;
}

/** The outcome of {@linkcode applyValues}. */
export interface AppliedValues {
  /** The configuration to store: every schema field, the given values coerced. */
  configuration: Record<string, unknown>;
  /** `configured` when every required value is present and valid, else `needs_configuration`. */
  status: Extract<ConnectorStatus, "configured" | "needs_configuration">;
  /** What still keeps the connector from `configured`, one line each. */
  missing: string[];
}

/**
 * Writes `values` into `configuration` (a full configuration for `schema`, not modified) after
 * checking them: unknown fields and values that cannot be coerced or fail their validations
 * throw one {@linkcode CommandError} with a line per field. Lists are stored comma-separated,
 * as Kibana stores them.
 */
export function applyValues(
  configuration: Record<string, unknown>,
  options: { values: RawValues; schema: ConfigSchema; serviceType: string },
): AppliedValues {
  const { values, schema, serviceType } = options;
  const result = structuredClone(configuration);
  const problems: string[] = [];
  const fields = Object.keys(schema);
  for (const [key, raw] of Object.entries(values)) {
    if (!(key in schema)) {
      const close = closestKey(key, fields);
      problems.push(
        `${serviceType} has no configuration field "${key}"` +
          (close ? `; did you mean "${close}"?` : `; fields: ${fields.join(", ")}`),
      );
      continue;
    }
    try {
      const value = coerceOne(key, schema, raw);
      (result[key] as ConfigField).value = Array.isArray(value) ? value.join(",") : value;
    } catch (error) {
      if (!(error instanceof ConfigValueError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new CommandError(problems.join("\n"));

  const missing: string[] = [];
  for (const problem of validateConfiguration(result, schema)) {
    const key = Object.keys(values).find((given) =>
      !isEmpty(values[given]) && problem.startsWith(fieldName(given, schema))
    );
    (key ? problems : missing).push(problem);
  }
  if (problems.length > 0) throw new CommandError(problems.join("\n"));
  return {
    configuration: result,
    status: missing.length === 0 ? "configured" : "needs_configuration",
    missing,
  };
}

/** What {@linkcode applyValues} says is missing, without changing anything. */
export function configurationStatus(
  configuration: Record<string, unknown>,
  schema: ConfigSchema,
): Pick<AppliedValues, "status" | "missing"> {
  const missing = validateConfiguration(configuration, schema);
  return { status: missing.length === 0 ? "configured" : "needs_configuration", missing };
}

/**
 * Coerces one value to its field's type regardless of `depends_on`, so a value the user typed
 * for a currently hidden field is still checked; empty stays empty (no default substituted).
 */
function coerceOne(key: string, schema: ConfigSchema, raw: unknown) {
  const spec = { ...schema[key], depends_on: [], required: true };
  return coerceValues({ [key]: { value: raw } }, { [key]: spec })[key];
}

/** How validation messages name a field: `'Label' (key)`. */
function fieldName(key: string, schema: ConfigSchema): string {
  return `'${fullField(key, schema[key]).label}' (${key})`;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined ||
    (typeof value === "string" && value.trim() === "") ||
    (Array.isArray(value) && value.length === 0);
}
