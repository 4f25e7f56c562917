/**
 * Validation of draft basic sync rules, with the reference's validators in order: the rule
 * schema, no match-all regex, no semantic duplicates. The result has the shape of the
 * connector document's `filtering[].draft.validation`.
 * @module
 */
import { DEFAULT_RULE_ID } from "./default_rule.ts";
import { RULE_NAMES, ruleName, startAnchoredRegex } from "./rule_names.ts";

/** One problem for Kibana: the rules it concerns and what is wrong. */
export interface FilteringValidationError {
  ids: string[];
  messages: string[];
}

/** `filtering[].draft.validation` after validation (the service never writes `edited`). */
export interface FilteringValidation {
  state: "valid" | "invalid";
  errors: FilteringValidationError[];
}

const TEXT_KEYS = ["id", "policy", "field", "rule", "value"] as const;
const MATCH_ALL = new Set([".*", "(.*)"]);

/** A rule that passed the schema check. */
interface CheckedRule {
  id: string;
  field: string;
  rule: string;
  value: string;
}

/**
 * Validates basic rules as stored (DEFAULT included). Every rule must have non-empty string
 * `id`, `policy`, `field`, `rule` and `value` and a numeric `order`, a policy of include or
 * exclude, a known rule name and, for `regex`, a pattern that compiles. The last two checks
 * run on the rules that passed the first: no rule but DEFAULT may be the regex `.*` or `(.*)`,
 * and rules with the same field, rule and value are all invalid.
 */
export function validateBasicRules(rules: readonly unknown[]): FilteringValidation {
  const errors: FilteringValidationError[] = [];
  const checked: CheckedRule[] = [];
  rules.forEach((rule, index) => {
    const messages = schemaProblems(rule, index);
    if (messages.length > 0) {
      errors.push({ ids: [ruleId(rule, index)], messages });
    } else {
      checked.push(rule as CheckedRule);
    }
  });
  for (const rule of checked) {
    const pattern = rule.value.trim();
    if (ruleName(rule.rule) === "regex" && MATCH_ALL.has(pattern) && rule.id !== DEFAULT_RULE_ID) {
      errors.push({
        ids: [rule.id],
        messages: [
          `Rule '${rule.id}' uses the regex "${pattern}", which matches every document; ` +
          `delete the rule or narrow the pattern.`,
        ],
      });
    }
  }
  errors.push(...duplicateProblems(checked));
  return { state: errors.length === 0 ? "valid" : "invalid", errors };
}

function schemaProblems(rule: unknown, index: number): string[] {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) {
    return [
      `Rule '${ruleId(rule, index)}' must be an object with id, policy, field, rule, value ` +
      `and order; got ${JSON.stringify(rule)}.`,
    ];
  }
  const record = rule as Record<string, unknown>;
  const name = `Rule '${ruleId(rule, index)}'`;
  const problems: string[] = [];
  for (const key of TEXT_KEYS) {
    const value = record[key];
    if (typeof value !== "string" || value.trim() === "") {
      problems.push(`${name}: '${key}' must be a non-empty string, got ${shown(value)}.`);
    }
  }
  if (typeof record.order !== "number" || !Number.isFinite(record.order)) {
    problems.push(`${name}: 'order' must be a number, got ${shown(record.order)}.`);
  }
  const policy = record.policy;
  if (typeof policy === "string" && policy.trim() !== "") {
    if (!["include", "exclude"].includes(policy.trim().toLowerCase())) {
      problems.push(`${name}: policy ${shown(policy)} must be include or exclude.`);
    }
  }
  const rawName = record.rule;
  if (typeof rawName === "string" && rawName.trim() !== "") {
    const operator = ruleName(rawName);
    if (operator === undefined) {
      problems.push(`${name}: rule ${shown(rawName)} must be one of ${RULE_NAMES.join(", ")}.`);
    } else if (operator === "regex" && typeof record.value === "string") {
      try {
        startAnchoredRegex(record.value);
      } catch (error) {
        problems.push(`${name}: the regex does not compile: ${(error as Error).message}.`);
      }
    }
  }
  return problems;
}

/** One error per group of rules with the same field, rule (after aliases) and value. */
function duplicateProblems(rules: readonly CheckedRule[]): FilteringValidationError[] {
  const groups = new Map<string, CheckedRule[]>();
  for (const rule of rules) {
    const key = JSON.stringify([rule.field, ruleName(rule.rule), rule.value]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [rule]);
    else group.push(rule);
  }
  return [...groups.values()]
    .filter((group) => group.length > 1)
    .map((group) => {
      const ids = group.map((rule) => rule.id);
      const names = ids.map((id) => `'${id}'`);
      const { field, rule, value } = group[0];
      return {
        ids,
        messages: [
          `Rules ${names.slice(0, -1).join(", ")} and ${names.at(-1)} are duplicates ` +
          `(field ${shown(field)}, rule ${shown(rule)}, value ${shown(value)}); keep one.`,
        ],
      };
    });
}

/** The rule's id, or its position when it has none. */
function ruleId(rule: unknown, index: number): string {
  const id = (rule as { id?: unknown } | null)?.id;
  return typeof id === "string" && id.trim() !== "" ? id : `#${index}`;
}

function shown(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
