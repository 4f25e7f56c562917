/**
 * The basic sync rule engine: decides per document whether a sync keeps it.
 *
 * Rules run sorted by `order` (ties keep their stored order); the first rule that matches
 * decides (`include` keeps, `exclude` drops) and a document no rule matches is kept. The
 * DEFAULT rule is ignored. A rule whose field the document lacks (or holds null) does not match.
 *
 * The rule's `value` is read according to the document value's type:
 * - number: compared as numbers when the rule value is a decimal number, else as text;
 * - boolean: compared as booleans when the rule value is true/t/yes/y/on/1 or
 *   false/f/no/n/off/0 (any case), else as text ("true"/"false");
 * - Date: compared by time when the rule value is an ISO-8601 date, else as ISO text;
 * - string: as text, except that `>` and `<` compare times when both the document value and the
 *   rule value are ISO-8601 dates (date-times without an offset are read as UTC);
 * - array: the rule matches when any element matches;
 * - other objects: as their JSON text.
 *
 * `contains`, `starts_with` and `ends_with` always work on text. `regex` uses JavaScript
 * syntax and must match at the start of the text but may stop before its end (Python's
 * `re.match`, as the reference does); add `$` to match the whole value. Rule names are read
 * in any case; `greater_than` and `less_than` are accepted for `>` and `<`.
 *
 * The field is read as a top-level key; a dotted name such as `meta.author` that is not a
 * top-level key is followed into nested objects; `id` falls back to the document's `_id`
 * (the reference renames `_id` to `id` before applying rules).
 * @module
 */
import type { BasicRule } from "../sync/types.ts";
import { DEFAULT_RULE_ID } from "./default_rule.ts";
import { RULE_NAMES, type RuleName, ruleName, startAnchoredRegex } from "./rule_names.ts";

/** Decides whether a sync keeps a document: true keeps it. */
export type DocumentFilter = (doc: Record<string, unknown>) => boolean;

/** A rule the engine cannot run; filtering validation reports the same problems earlier. */
export class BasicRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BasicRuleError";
  }
}

/**
 * Compiles basic rules (DEFAULT included or not) into a document filter. Patterns and rule
 * values are parsed once here, so the filter is cheap per document. Throws
 * {@linkcode BasicRuleError} for an unknown rule name or policy, or a regex that does not
 * compile.
 */
export function compileBasicRules(rules: readonly BasicRule[]): DocumentFilter {
  const compiled = rules
    .filter((rule) => rule.id !== DEFAULT_RULE_ID)
    .sort((a, b) => a.order - b.order)
    .map(compileRule);
  if (compiled.length === 0) return () => true;
  return (doc) => {
    for (const rule of compiled) {
      if (rule.matches(rule.read(doc))) return rule.include;
    }
    return true;
  };
}

interface CompiledRule {
  include: boolean;
  read: (doc: Record<string, unknown>) => unknown;
  matches: (value: unknown) => boolean;
}

function compileRule(rule: BasicRule): CompiledRule {
  const name = ruleName(rule.rule);
  if (name === undefined) {
    throw new BasicRuleError(
      `Sync rule '${rule.id}' has unknown rule ${JSON.stringify(rule.rule)}; ` +
        `use one of ${RULE_NAMES.join(", ")}.`,
    );
  }
  const policy = String(rule.policy).trim().toLowerCase();
  if (policy !== "include" && policy !== "exclude") {
    throw new BasicRuleError(
      `Sync rule '${rule.id}' has policy ${JSON.stringify(rule.policy)}; use include or exclude.`,
    );
  }
  return {
    include: policy === "include",
    read: fieldReader(rule.field),
    matches: valueTest(name, String(rule.value), rule.id),
  };
}

/** Reads `field` from a document: top-level key, then dotted path, then `_id` for `id`. */
function fieldReader(field: string): (doc: Record<string, unknown>) => unknown {
  const path = field.includes(".") ? field.split(".") : undefined;
  return (doc) => {
    if (Object.hasOwn(doc, field)) return doc[field];
    if (field === "id") return doc._id;
    if (path === undefined) return undefined;
    let value: unknown = doc;
    for (const key of path) {
      if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) {
        return undefined;
      }
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  };
}

/** Whether a document value matches the operator and rule value (see the module docs). */
function valueTest(name: RuleName, text: string, id: string): (value: unknown) => boolean {
  const number = parseNumber(text);
  const boolean = parseBoolean(text);
  const time = parseIsoTime(text);
  const ordering = name === "equals" || name === ">" || name === "<";
  let regex: RegExp | undefined;
  if (name === "regex") {
    try {
      regex = startAnchoredRegex(text);
    } catch (error) {
      throw new BasicRuleError(
        `Sync rule '${id}' has a regex that does not compile: ${(error as Error).message}.`,
      );
    }
  }

  const compare = (a: number, b: number): boolean =>
    name === "equals" ? a === b : name === ">" ? a > b : a < b;
  const onText = (value: string): boolean => {
    switch (name) {
      case "equals":
        return value === text;
      case "contains":
        return value.includes(text);
      case "starts_with":
        return value.startsWith(text);
      case "ends_with":
        return value.endsWith(text);
      case "regex":
        return regex!.test(value);
      case ">":
        return value > text;
      case "<":
        return value < text;
    }
  };
  const matches = (value: unknown): boolean => {
    switch (typeof value) {
      case "string":
        if ((name === ">" || name === "<") && !Number.isNaN(time)) {
          const valueTime = parseIsoTime(value);
          if (!Number.isNaN(valueTime)) return compare(valueTime, time);
        }
        return onText(value);
      case "number":
      case "bigint":
        return ordering && !Number.isNaN(number)
          ? compare(Number(value), number)
          : onText(String(value));
      case "boolean":
        return ordering && boolean !== undefined
          ? compare(Number(value), Number(boolean))
          : onText(String(value));
      case "object":
        if (value === null) return false;
        if (Array.isArray(value)) return value.some(matches);
        if (value instanceof Date) {
          const valueTime = value.getTime();
          if (Number.isNaN(valueTime)) return false;
          return ordering && !Number.isNaN(time)
            ? compare(valueTime, time)
            : onText(value.toISOString());
        }
        return onText(JSON.stringify(value));
      default:
        return false;
    }
  };
  return matches;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(["true", "t", "yes", "y", "on", "1"]);
const FALSE_WORDS = new Set(["false", "f", "no", "n", "off", "0"]);
const ISO_DATE =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

function parseNumber(text: string): number {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
}

function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : undefined;
}

/** Milliseconds of an ISO-8601 date or date-time (UTC when no offset), else NaN. */
function parseIsoTime(text: string): number {
  const match = ISO_DATE.exec(text.trim());
  if (match === null) return NaN;
  const [, date, clock, zone] = match;
  if (clock === undefined) return Date.parse(date);
  const offset = zone === undefined
    ? "Z"
    : zone.length === 5
    ? `${zone.slice(0, 3)}:${zone.slice(3)}`
    : zone;
  return Date.parse(`${date}T${clock}${offset.toUpperCase()}`);
}
