/**
 * The rule names basic sync rules accept, and the start-anchored regex a `regex` rule runs.
 * @module
 */

/** A basic rule's operator after normalisation. */
export type RuleName = "equals" | "contains" | "starts_with" | "ends_with" | "regex" | ">" | "<";

/** Accepted names, as a user may type them (any case, surrounding spaces ignored). */
export const RULE_NAMES: readonly string[] = [
  "equals",
  "contains",
  "starts_with",
  "ends_with",
  "regex",
  ">",
  "<",
  "greater_than",
  "less_than",
];

const ALIASES: Record<string, RuleName> = { greater_than: ">", less_than: "<" };

/** The operator a rule name means, or undefined when it is not one of {@linkcode RULE_NAMES}. */
export function ruleName(name: unknown): RuleName | undefined {
  if (typeof name !== "string") return undefined;
  const folded = name.trim().toLowerCase();
  if (!RULE_NAMES.includes(folded)) return undefined;
  return ALIASES[folded] ?? folded as RuleName;
}

/**
 * A `regex` rule's pattern in JavaScript syntax, anchored at the start only (like Python's
 * `re.match`). Throws SyntaxError when the pattern does not compile.
 */
export function startAnchoredRegex(pattern: string): RegExp {
  new RegExp(pattern); // Rejects patterns such as "a)(b" that only compile once wrapped.
  return new RegExp(`^(?:${pattern})`);
}
