/**
 * The DEFAULT rule Kibana and the CLI put in every connector's filtering: include everything.
 * It carries no meaning; the engine and the match-all check skip it.
 * @module
 */
import type { BasicRule } from "../sync/types.ts";

/** The id of the DEFAULT rule. */
export const DEFAULT_RULE_ID = "DEFAULT";

/** The DEFAULT rule stamped with `timestamp` (ISO-8601), as the reference CLI writes it. */
export function defaultBasicRule(timestamp: string): BasicRule {
  return {
    id: DEFAULT_RULE_ID,
    policy: "include",
    field: "_",
    rule: "regex",
    value: ".*",
    order: 0,
    created_at: timestamp,
    updated_at: timestamp,
  };
}
