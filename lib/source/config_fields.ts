/**
 * Rich configurable fields (brief §1.3): the full field definitions written into a connector
 * document, their upgrade when a connector type gains fields, and the explicit coercion and
 * validation of the values a user typed in Kibana.
 *
 * Coercion (the schema's declared `type` always wins over what the document stores):
 * - `str`: strings are kept exactly, not trimmed (passwords and patterns may hold spaces);
 *   numbers and booleans are stringified; null or absent becomes "".
 * - `int`: integers and integer strings ("42", " -7 ") become numbers; "" and null become null;
 *   anything else ("4.5", "abc", true) is an error.
 * - `float`: finite numbers and decimal strings ("4.5", " 1e3 "); "" and null become null.
 * - `bool`: true/false, 1/0 and the strings true/false, yes/no, on/off, 1/0 in any case and
 *   with spaces around; "" and null become null; anything else is an error. So "false" is false.
 * - `list`: array elements are stringified and trimmed, empty ones dropped; strings are split on
 *   commas the same way; a number or boolean becomes a one-element list; null becomes [].
 *
 * A non-required field whose coerced value is empty ("", null or []) takes its `default_value`,
 * coerced the same way. A field stored as a bare value instead of an object is read as that
 * value. Sensitive values never appear in messages: they read `<hidden>`.
 * @module
 */
import {
  type ConfigField,
  type ConfigFieldSpec,
  type ConfigSchema,
  ConfigValueError,
  type ConfigValues,
  type FieldType,
  type FieldValue,
} from "./types.ts";

/** The reference's `DEFAULT_CONFIGURATION`: what a field spec does not say. */
const FIELD_DEFAULTS: Readonly<ConfigField> = Object.freeze({
  default_value: null,
  depends_on: [],
  display: "text",
  label: "",
  options: [],
  order: 1,
  required: true,
  sensitive: false,
  tooltip: null,
  type: "str",
  ui_restrictions: [],
  validations: [],
  value: "",
});

/**
 * The complete field definition for `key`: the spec over the reference's defaults. An empty
 * label becomes the key uppercased. The result shares no arrays with the spec.
 */
export function fullField(key: string, spec: ConfigFieldSpec): ConfigField {
  const defined = Object.fromEntries(
    Object.entries(spec).filter(([, value]) => value !== undefined),
  );
  const field = structuredClone({ ...FIELD_DEFAULTS, ...defined }) as ConfigField;
  if (field.label === "") field.label = key.toUpperCase();
  return field;
}

/** The `configuration` map written into a connector document that has none yet. */
export function fullConfiguration(schema: ConfigSchema): Record<string, ConfigField> {
  return Object.fromEntries(
    Object.entries(schema).map(([key, spec]) => [key, fullField(key, spec)]),
  );
}

/** The outcome of {@linkcode upgradeConfiguration}. */
export interface ConfigurationUpgrade {
  /**
   * The configuration to store: every schema key holds a complete field object; keys the
   * schema does not know are kept, untouched unless they were bare values.
   */
  configuration: Record<string, unknown>;
  /** Schema keys the stored configuration lacked, in schema order. */
  added: string[];
  /** Whether `configuration` differs from what was stored (then it must be written back). */
  changed: boolean;
}

/**
 * Brings a stored `configuration` up to date with a connector's schema, as the reference's
 * `Connector.prepare` does: missing fields are added with their default definitions, fields
 * missing properties get them deep-merged from the definition, and stored values are kept. A
 * field stored as a bare value becomes a field object holding that value as a string (label
 * from the schema, or the key capitalised for keys the schema does not know).
 */
export function upgradeConfiguration(stored: unknown, schema: ConfigSchema): ConfigurationUpgrade {
  const source = isPlainObject(stored) ? stored : {};
  const configuration: Record<string, unknown> = structuredClone(source);
  const added: string[] = [];
  let changed = !isPlainObject(stored);

  for (const [key, value] of Object.entries(configuration)) {
    if (isPlainObject(value)) continue;
    const spec = schema[key] ?? { label: key.charAt(0).toUpperCase() + key.slice(1) };
    configuration[key] = { ...fullField(key, spec), value: bareValueText(value) };
    changed = true;
  }
  for (const [key, spec] of Object.entries(schema)) {
    const definition = fullField(key, spec);
    const current = configuration[key];
    if (current === undefined) {
      configuration[key] = definition;
      added.push(key);
      changed = true;
    } else if (mergeMissing(current as Record<string, unknown>, definition)) {
      changed = true;
    }
  }
  return { configuration, added, changed };
}

/** Copies properties `defaults` has and `target` lacks, recursing into objects; true if any. */
function mergeMissing(target: Record<string, unknown>, defaults: object): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(defaults)) {
    if (!(key in target)) {
      target[key] = structuredClone(value);
      changed = true;
    } else if (isPlainObject(target[key]) && isPlainObject(value)) {
      changed = mergeMissing(target[key] as Record<string, unknown>, value) || changed;
    }
  }
  return changed;
}

function bareValueText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.join(",");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * The values a source receives: every schema key coerced to its declared type (see the module
 * docs), empty non-required fields replaced by their default. Keys the stored configuration
 * lacks take the schema's `value`. A value that cannot be coerced throws
 * {@linkcode ConfigValueError}, unless the field is hidden by `depends_on` (then it takes its
 * default, since the user cannot see it).
 */
export function coerceValues(stored: unknown, schema: ConfigSchema): ConfigValues {
  const values: ConfigValues = {};
  const fields = readFields(stored, schema);
  for (const [key, field] of fields) {
    if ("value" in field) {
      values[key] = field.value;
    } else if (dependenciesMet(field.definition, fields)) {
      throw field.error;
    } else {
      values[key] = coerce(field.definition.default_value, field.definition, key);
    }
  }
  return values;
}

/**
 * Every problem with a stored configuration, one line each naming the field's label and key:
 * values that cannot be coerced, required fields left empty, and failed `validations`. Fields
 * whose `depends_on` is not met are skipped, and validations are not run on empty values.
 */
export function validateConfiguration(stored: unknown, schema: ConfigSchema): string[] {
  const problems: string[] = [];
  const fields = readFields(stored, schema);
  for (const [key, field] of fields) {
    const { definition } = field;
    const unknown = definition.depends_on.filter((dependency) => !fields.has(dependency.field));
    if (unknown.length > 0) {
      const names = unknown.map((dependency) => `'${dependency.field}'`).join(", ");
      problems.push(`${name(definition, key)} depends on unknown field ${names}; fix the schema.`);
      continue;
    }
    if (!dependenciesMet(definition, fields)) continue;
    if (!("value" in field)) {
      problems.push(field.error.message);
    } else if (isEmpty(field.value)) {
      if (definition.required) problems.push(`${name(definition, key)} cannot be empty.`);
    } else {
      problems.push(...validationProblems(field.value, definition, key));
    }
  }
  return problems;
}

/**
 * {@linkcode validateConfiguration} then {@linkcode coerceValues}: the values a source receives,
 * or a {@linkcode ConfigValueError} listing every problem on one line.
 */
export function checkConfiguration(stored: unknown, schema: ConfigSchema): ConfigValues {
  const problems = validateConfiguration(stored, schema);
  if (problems.length > 0) {
    throw new ConfigValueError(`Invalid connector configuration: ${problems.join(" ")}`);
  }
  return coerceValues(stored, schema);
}

/** A schema field with its coerced stored value, or the reason it could not be coerced. */
type ReadField =
  | { definition: ConfigField; value: FieldValue }
  | { definition: ConfigField; error: ConfigValueError };

function readFields(stored: unknown, schema: ConfigSchema): Map<string, ReadField> {
  const configuration = isPlainObject(stored) ? stored : {};
  const fields = new Map<string, ReadField>();
  for (const [key, spec] of Object.entries(schema)) {
    const definition = fullField(key, spec);
    try {
      const raw = storedValue(configuration[key], definition);
      let value = coerce(raw, definition, key);
      if (!definition.required && isEmpty(value)) {
        value = coerce(definition.default_value, definition, key);
      }
      fields.set(key, { definition, value });
    } catch (error) {
      if (!(error instanceof ConfigValueError)) throw error;
      fields.set(key, { definition, error });
    }
  }
  return fields;
}

/** The raw value of a stored field: its `value` property, or the field itself when bare. */
function storedValue(stored: unknown, definition: ConfigField): unknown {
  if (stored === undefined) return definition.value;
  return isPlainObject(stored) ? stored.value : stored;
}

/** True when every `depends_on` entry equals the dependency's coerced value. */
function dependenciesMet(definition: ConfigField, fields: Map<string, ReadField>): boolean {
  return definition.depends_on.every((dependency) => {
    const other = fields.get(dependency.field);
    if (other === undefined || !("value" in other)) return false;
    let expected: unknown = dependency.value;
    try {
      expected = coerce(dependency.value, other.definition, dependency.field);
    } catch {
      // A dependency value the field's type cannot hold is compared as written.
    }
    return sameValue(other.value, expected);
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => item === b[i]);
  }
  return a === b;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(["true", "yes", "on", "1"]);
const FALSE_WORDS = new Set(["false", "no", "off", "0"]);
const TYPE_WORDS: Record<FieldType, string> = {
  str: "text (str)",
  int: "a whole number (int)",
  float: "a number (float)",
  bool: "true or false (bool)",
  list: "a comma-separated list (list)",
};

/** Coerces `raw` to the field's declared type; see the module docs for the rules. */
function coerce(raw: unknown, definition: ConfigField, key: string): FieldValue {
  const value = coerceOrUndefined(raw, definition.type);
  if (value !== undefined) return value;
  throw new ConfigValueError(
    `${name(definition, key)} must be ${TYPE_WORDS[definition.type]}, got ${
      shown(raw, definition)
    }.`,
  );
}

/** The coerced value, or undefined when `raw` cannot be read as `type`. */
function coerceOrUndefined(raw: unknown, type: FieldType): FieldValue | undefined {
  if (raw === null || raw === undefined) return type === "str" ? "" : type === "list" ? [] : null;
  const text = typeof raw === "string" ? raw.trim() : undefined;
  switch (type) {
    case "str":
      return typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean"
        ? String(raw)
        : undefined;
    case "int":
      if (typeof raw === "number") return Number.isSafeInteger(raw) ? raw : undefined;
      if (text === "") return null;
      return text !== undefined && INTEGER.test(text) && Number.isSafeInteger(Number(text))
        ? Number(text)
        : undefined;
    case "float":
      if (typeof raw === "number") return Number.isFinite(raw) ? raw : undefined;
      if (text === "") return null;
      return text !== undefined && DECIMAL.test(text) ? Number(text) : undefined;
    case "bool":
      if (typeof raw === "boolean") return raw;
      if (raw === 1 || raw === 0) return raw === 1;
      if (text === "") return null;
      if (text !== undefined && TRUE_WORDS.has(text.toLowerCase())) return true;
      if (text !== undefined && FALSE_WORDS.has(text.toLowerCase())) return false;
      return undefined;
    case "list":
      return coerceList(raw);
  }
}

function coerceList(raw: unknown): string[] | undefined {
  if (typeof raw === "number" || typeof raw === "boolean") return [String(raw)];
  const items = typeof raw === "string" ? raw.split(",") : Array.isArray(raw) ? raw : undefined;
  if (items === undefined) return undefined;
  const list: string[] = [];
  for (const item of items) {
    if (item === null || item === undefined) continue;
    if (typeof item === "object") return undefined;
    const text = String(item).trim();
    if (text !== "") list.push(text);
  }
  return list;
}

function isEmpty(value: FieldValue): boolean {
  return value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/** Messages for the field's `validations`, run on a non-empty coerced value. */
function validationProblems(value: FieldValue, definition: ConfigField, key: string): string[] {
  const problems: string[] = [];
  const label = name(definition, key);
  const items: (string | number | boolean)[] = Array.isArray(value) ? value : [value!];
  const show = (item: unknown) => shown(item, definition);
  for (const { type, constraint } of definition.validations) {
    switch (type) {
      case "less_than":
      case "greater_than": {
        const limit = Number(constraint);
        const word = type === "less_than" ? "less" : "greater";
        for (const item of items) {
          const number = typeof item === "number" ? item : Number(String(item).trim());
          const ok = type === "less_than" ? number < limit : number > limit;
          if (!ok) problems.push(`${label} must be ${word} than ${limit}, got ${show(item)}.`);
        }
        break;
      }
      case "list_type": {
        if (constraint !== "int") break; // Coerced list elements are always strings.
        const bad = items.find((item) => !INTEGER.test(String(item).trim()));
        if (bad !== undefined) {
          problems.push(`${label} must be a list of whole numbers, but ${show(bad)} is not one.`);
        }
        break;
      }
      case "included_in": {
        const allowed = (Array.isArray(constraint) ? constraint : [constraint]).map(String);
        for (const item of items) {
          if (allowed.includes(String(item))) continue;
          const choices = allowed.map((choice) => JSON.stringify(choice)).join(", ");
          problems.push(`${label} must be one of ${choices}, got ${show(item)}.`);
        }
        break;
      }
      case "regex": {
        const pattern = fullMatchPattern(String(constraint));
        if (pattern === undefined) {
          problems.push(
            `${label} has an invalid regex validation /${constraint}/; fix the schema.`,
          );
          break;
        }
        for (const item of items) {
          if (!pattern.test(String(item))) {
            problems.push(`${label} must match /${constraint}/, got ${show(item)}.`);
          }
        }
        break;
      }
      default:
        problems.push(`${label} has unknown validation type '${type}'; fix the schema.`);
    }
  }
  return problems;
}

/** The pattern anchored at both ends (Python's `re.fullmatch`), or undefined when invalid. */
function fullMatchPattern(source: string): RegExp | undefined {
  try {
    new RegExp(source); // Rejects patterns such as "a)(b" that only compile once wrapped.
    return new RegExp(`^(?:${source})$`);
  } catch {
    return undefined;
  }
}

function name(definition: ConfigField, key: string): string {
  return `'${definition.label}' (${key})`;
}

/** A value for a message: JSON-quoted and cut short, or `<hidden>` for sensitive fields. */
function shown(value: unknown, definition: ConfigField): string {
  if (definition.sensitive) return "<hidden>";
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
