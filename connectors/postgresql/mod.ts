/**
 * The `postgresql` connector type.
 *
 * @example
 * ```ts
 * const source = postgresqlConnector.create({ config, logger });
 * await source.ping();
 * ```
 * @module
 */
import type { ConnectorType } from "../../lib/source/types.ts";
import { POSTGRESQL_CONFIG_SCHEMA } from "./config.ts";
import { PostgresSource } from "./source.ts";

/** PostgreSQL: tables or custom queries of one schema, full and incremental syncs. */
export const postgresqlConnector: ConnectorType = {
  serviceType: "postgresql",
  name: "PostgreSQL",
  configSchema: POSTGRESQL_CONFIG_SCHEMA,
  features: {
    basicRules: true,
    advancedRules: true,
    documentLevelSecurity: false,
    incrementalSync: true,
  },
  create: (options) => new PostgresSource(options),
};

export { PostgresSource } from "./source.ts";
export type { PostgresCursor } from "./source.ts";
