/**
 * The PostgreSQL connector's configuration fields (the reference's names, labels, order and
 * defaults, plus `connect_timeout`) and their reading into typed settings.
 * @module
 */
import { type ConfigSchema, ConfigValueError, type ConfigValues } from "../../lib/source/types.ts";
import { configuredTables, isWildcard, repairPem } from "../sql/mod.ts";

/** The reference's default rows per request. */
export const DEFAULT_FETCH_SIZE = 50;
/** The reference's default retries per request. */
export const DEFAULT_RETRY_COUNT = 3;
/** Seconds to connect before giving up. */
export const DEFAULT_CONNECT_TIMEOUT = 30;

/** Field specs as stored in the connector document; unspecified properties take the defaults. */
export const POSTGRESQL_CONFIG_SCHEMA: ConfigSchema = {
  host: { label: "Host", order: 1, type: "str" },
  port: { label: "Port", order: 2, type: "int", display: "numeric" },
  username: { label: "Username", order: 3, type: "str" },
  password: { label: "Password", order: 4, type: "str", sensitive: true },
  database: { label: "Database", order: 5, type: "str" },
  schema: { label: "Schema", order: 6, type: "str" },
  tables: {
    label: "Comma-separated list of tables",
    order: 7,
    type: "list",
    display: "textarea",
    options: [],
    tooltip: "This configurable field is ignored when Advanced Sync Rules are used.",
    value: "*",
  },
  fetch_size: {
    label: "Rows fetched per request",
    order: 8,
    type: "int",
    display: "numeric",
    required: false,
    default_value: DEFAULT_FETCH_SIZE,
    ui_restrictions: ["advanced"],
  },
  retry_count: {
    label: "Retries per request",
    order: 9,
    type: "int",
    display: "numeric",
    required: false,
    default_value: DEFAULT_RETRY_COUNT,
    ui_restrictions: ["advanced"],
  },
  ssl_enabled: {
    label: "Enable SSL verification",
    order: 10,
    type: "bool",
    display: "toggle",
    value: false,
  },
  ssl_ca: {
    label: "SSL certificate",
    order: 11,
    type: "str",
    depends_on: [{ field: "ssl_enabled", value: true }],
  },
  connect_timeout: {
    label: "Connection timeout (seconds)",
    order: 12,
    type: "int",
    display: "numeric",
    required: false,
    default_value: DEFAULT_CONNECT_TIMEOUT,
    ui_restrictions: ["advanced"],
    tooltip: "How long to wait for PostgreSQL to accept a connection before the sync fails.",
    validations: [{ type: "greater_than", constraint: 0 }],
  },
};

/** Typed, checked settings of one PostgreSQL source. */
export interface PostgresSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
  schema: string;
  /** Configured tables; empty means every base table of the schema. */
  tables: string[];
  /** Rows per keyset page or cursor batch (at least {@linkcode MIN_BATCH_ROWS}). */
  batchRows: number;
  retryCount: number;
  /** PEM CA bundle when SSL verification is on, else null. */
  sslCa: string | null;
  sslEnabled: boolean;
  connectTimeoutSeconds: number;
}

/**
 * Fewest rows fetched per query. The reference pages 1000 rows per query and hands them out
 * `fetch_size` at a time, so its default of 50 must not mean 50-row queries here.
 */
export const MIN_BATCH_ROWS = 1000;

/** Reads coerced configuration values; throws {@linkcode ConfigValueError} naming the field. */
export function readSettings(config: ConfigValues): PostgresSettings {
  const tables = configuredTables(config.tables ?? "*");
  const sslEnabled = config.ssl_enabled === true || config.ssl_enabled === "true";
  const sslCa = text(config.ssl_ca);
  if (sslEnabled && sslCa === "") {
    throw new ConfigValueError(
      "'SSL certificate' (ssl_ca) is empty while SSL verification is on: paste the server's CA certificate (PEM) or turn 'Enable SSL verification' off",
    );
  }
  return {
    host: required(config, "host", "Host"),
    port: integer(config, "port", { label: "Port", fallback: 5432, min: 1 }),
    username: required(config, "username", "Username"),
    password: config.password === null || config.password === undefined
      ? ""
      : String(config.password),
    database: required(config, "database", "Database"),
    schema: required(config, "schema", "Schema"),
    tables: isWildcard(tables) ? [] : tables,
    batchRows: Math.max(
      MIN_BATCH_ROWS,
      integer(config, "fetch_size", {
        label: "Rows fetched per request",
        fallback: DEFAULT_FETCH_SIZE,
        min: 1,
      }),
    ),
    retryCount: integer(config, "retry_count", {
      label: "Retries per request",
      fallback: DEFAULT_RETRY_COUNT,
      min: 0,
    }),
    sslEnabled,
    sslCa: sslEnabled ? repairPem(sslCa) : null,
    connectTimeoutSeconds: integer(config, "connect_timeout", {
      label: "Connection timeout (seconds)",
      fallback: DEFAULT_CONNECT_TIMEOUT,
      min: 1,
    }),
  };
}

function text(value: unknown): string {
  return value === null || value === undefined ? "" : String(value).trim();
}

function required(config: ConfigValues, key: string, label: string): string {
  const value = text(config[key]);
  if (value === "") throw new ConfigValueError(`'${label}' (${key}) cannot be empty.`);
  return value;
}

function integer(
  config: ConfigValues,
  key: string,
  options: { label: string; fallback: number; min: number },
): number {
  const raw = config[key];
  if (raw === null || raw === undefined || raw === "") return options.fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < options.min) {
    throw new ConfigValueError(
      `'${options.label}' (${key}) must be a whole number of at least ${options.min}, got ${
        JSON.stringify(raw)
      }`,
    );
  }
  return value;
}
