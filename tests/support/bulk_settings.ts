/**
 * Bulk settings for tests: the product's defaults with a test's own changes on top.
 * @module
 */
import { defaultBulkSettings } from "../../lib/es/from_config.ts";
import type { BulkSettings } from "../../lib/sync/types.ts";

/** {@linkcode defaultBulkSettings} with `overrides` applied (shallow). */
export function testBulkSettings(overrides: Partial<BulkSettings> = {}): BulkSettings {
  return { ...defaultBulkSettings(), ...overrides };
}
