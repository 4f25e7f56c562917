/**
 * The connector contract ({@linkcode Source}, {@linkcode ConnectorType}) and the rich
 * configurable fields every connector declares: full definitions, upgrades of stored
 * configurations, coercion and validation of the values.
 *
 * @example
 * ```ts
 * import { checkConfiguration, fullConfiguration } from "./mod.ts";
 *
 * const schema = { port: { label: "Port", type: "int" as const, value: 5432 } };
 * const stored = fullConfiguration(schema); // written into a new connector document
 * stored.port.value = " 6543 ";
 * checkConfiguration(stored, schema); // { port: 6543 }
 * ```
 * @module
 */

export * from "./types.ts";
export {
  checkConfiguration,
  coerceValues,
  type ConfigurationUpgrade,
  fullConfiguration,
  fullField,
  upgradeConfiguration,
  validateConfiguration,
} from "./config_fields.ts";
