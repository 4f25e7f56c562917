/**
 * The `mysql` connector: MySQL and MariaDB tables, or advanced-rule queries, with the
 * reference's configuration fields and document shape, plus an optional tracking column for
 * true incremental syncs.
 *
 * Values are serialized as described in values.ts; ids are `<table>_<primary key values>`.
 * @module
 */
import type { ConnectorType } from "../../lib/source/types.ts";
import { MysqlSource } from "./source.ts";

/** The `mysql` connector type. */
export const mysqlConnector: ConnectorType = {
  serviceType: "mysql",
  name: "MySQL",
  configSchema: {
    host: { label: "Host", order: 1, type: "str" },
    port: { display: "numeric", label: "Port", order: 2, type: "int" },
    user: { label: "Username", order: 3, type: "str" },
    password: { label: "Password", order: 4, sensitive: true, type: "str" },
    database: { label: "Database", order: 5, type: "str" },
    tables: {
      display: "textarea",
      label: "Comma-separated list of tables",
      order: 6,
      type: "list",
      value: "*",
    },
    ssl_enabled: { display: "toggle", label: "Enable SSL", order: 7, type: "bool", value: false },
    ssl_ca: {
      depends_on: [{ field: "ssl_enabled", value: true }],
      label: "SSL certificate",
      order: 8,
      type: "str",
    },
    fetch_size: {
      default_value: 5000,
      display: "numeric",
      label: "Rows fetched per request",
      order: 9,
      required: false,
      type: "int",
      ui_restrictions: ["advanced"],
    },
    retry_count: {
      default_value: 3,
      display: "numeric",
      label: "Retries per request",
      order: 10,
      required: false,
      type: "int",
      ui_restrictions: ["advanced"],
    },
    tracking_column: {
      display: "text",
      label: "Tracking column for incremental syncs",
      order: 11,
      required: false,
      type: "str",
      tooltip:
        "A column holding each row's last modification time (e.g. a TIMESTAMP ... ON UPDATE " +
        "CURRENT_TIMESTAMP column, ideally indexed). Incremental syncs then read only rows whose " +
        "value did not decrease since the previous sync. Deleted rows are removed by full syncs only.",
      ui_restrictions: ["advanced"],
    },
  },
  features: {
    basicRules: true,
    advancedRules: true,
    documentLevelSecurity: false,
    incrementalSync: true,
  },
  create: (options) => new MysqlSource(options),
};

export { MysqlSource, type MysqlSourceOptions } from "./source.ts";
