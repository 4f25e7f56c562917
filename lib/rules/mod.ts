/**
 * Basic sync rules: the per-document filter a sync applies, and the validation of draft rules
 * the service writes into the connector document. See `basic_rules.ts` for the matching
 * semantics (first match by `order` wins, JavaScript regexes anchored at the start only).
 *
 * @example
 * ```ts
 * import { compileBasicRules, validateBasicRules } from "./mod.ts";
 *
 * const rules = [
 *   { id: "1", policy: "exclude" as const, field: "price", rule: ">", value: "100", order: 1 },
 * ];
 * validateBasicRules(rules); // { state: "valid", errors: [] }
 * const keep = compileBasicRules(rules);
 * keep({ _id: "a", price: 250 }); // false
 * ```
 * @module
 */

export { BasicRuleError, compileBasicRules, type DocumentFilter } from "./basic_rules.ts";
export { DEFAULT_RULE_ID, defaultBasicRule } from "./default_rule.ts";
export { RULE_NAMES, type RuleName, ruleName } from "./rule_names.ts";
export {
  type FilteringValidation,
  type FilteringValidationError,
  validateBasicRules,
} from "./validate.ts";
