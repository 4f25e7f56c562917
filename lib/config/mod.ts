/**
 * `config.yml`: loading, `${ENV}` interpolation, dotted keys, schema, defaults and problems.
 *
 * @example
 * ```ts
 * import { loadConfig, requireConnectors } from "./lib/config/mod.ts";
 * const { config, warnings } = await loadConfig("config.yml"); // throws ConfigError
 * requireConnectors(config); // only the daemon needs something to serve
 * ```
 * @module
 */
export type {
  BulkConfig,
  Config,
  ConnectorEntry,
  ElasticsearchConfig,
  ErrorMonitorConfig,
  LogFormat,
  LogLevel,
  ServiceConfig,
  ServiceHttpConfig,
} from "./types.ts";
export {
  checkConfig,
  type ConfigCheck,
  loadConfig,
  type LoadedConfig,
  parseConfig,
  type ParseOptions,
  requireConnectors,
} from "./parse.ts";
export { ConfigError, type ConfigProblem, formatProblem, isSecretPath } from "./problem.ts";
export type { Env } from "./interpolate.ts";
export { configSchema, defaultConfig } from "./schema.ts";
