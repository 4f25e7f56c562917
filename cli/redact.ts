/**
 * Hides secrets before a connector or job is printed: the value of every configuration field
 * marked sensitive, by the stored field or by the connector type's schema.
 * @module
 */
import type { ConfigSchema } from "../lib/source/mod.ts";

/** What a hidden value prints as. */
export const HIDDEN = "<hidden>";

/**
 * A copy of `configuration` with sensitive values replaced by {@linkcode HIDDEN}; empty
 * values stay empty so the user still sees that a secret is unset.
 */
export function redactConfiguration(
  configuration: unknown,
  schema: ConfigSchema | undefined,
): Record<string, unknown> {
  if (typeof configuration !== "object" || configuration === null) return {};
  const copy = structuredClone(configuration) as Record<string, unknown>;
  for (const [key, field] of Object.entries(copy)) {
    const stored = typeof field === "object" && field !== null && !Array.isArray(field)
      ? field as Record<string, unknown>
      : undefined;
    const sensitive = stored?.sensitive === true || schema?.[key]?.sensitive === true;
    if (!sensitive) continue;
    if (stored) {
      if (!isEmptyValue(stored.value)) stored.value = HIDDEN;
    } else if (!isEmptyValue(field)) {
      copy[key] = HIDDEN;
    }
  }
  return copy;
}

function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === "" ||
    (Array.isArray(value) && value.length === 0);
}
