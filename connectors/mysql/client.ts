/**
 * Connections to MySQL/MariaDB with the settings the value conversions rely on, and errors
 * translated into messages that say which configuration field to fix.
 * @module
 */
import type mysql from "mysql2/promise";
import type { Connection as CallbackConnection } from "mysql2";
import { ConfigValueError } from "../../lib/source/types.ts";
import { repairPem } from "../sql/pem.ts";
import { loadMysql2 } from "../../lib/util/mysql2.ts";
import { geometryAsWkt } from "./values.ts";

/** Where and how to connect. */
export interface ConnectionSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** PEM of the CA that signed the server certificate; TLS is off when undefined. */
  sslCa?: string;
  /** Time allowed to establish a connection, in ms. */
  connectTimeoutMs: number;
}

/**
 * A seconds value for `net_write_timeout`: how long the server waits for us to read a streamed
 * result. Large, since the sync engine stops reading while Elasticsearch is busy.
 */
const STREAM_WRITE_TIMEOUT_S = 24 * 3600;

/** Opens one connection in UTC, utf8mb4, with exact big numbers and textual dates. */
export async function connect(settings: ConnectionSettings): Promise<mysql.Connection> {
  let connection: mysql.Connection;
  try {
    connection = await (await loadMysql2()).createConnection({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: settings.password,
      database: settings.database,
      connectTimeout: settings.connectTimeoutMs,
      charset: "utf8mb4",
      dateStrings: true,
      timezone: "Z",
      supportBigNumbers: true,
      bigNumberStrings: false,
      decimalNumbers: false,
      multipleStatements: false,
      ssl: settings.sslCa ? { ca: repairPem(settings.sslCa), rejectUnauthorized: true } : undefined,
    });
  } catch (error) {
    throw connectionError(error, settings);
  }
  connection.on("error", () => {}); // Fatal errors also reject the pending query; avoid a crash.
  await connection.query(
    `SET time_zone = '+00:00', net_write_timeout = ${STREAM_WRITE_TIMEOUT_S}`,
  );
  return connection;
}

/** The callback-style connection under a promise one, whose queries can stream. */
export function callbackConnection(connection: mysql.Connection): CallbackConnection {
  return (connection as unknown as { connection: CallbackConnection }).connection;
}

/** The typeCast option for a query: only when spatial columns are read, since it costs per value. */
export function typeCastFor(hasGeometry: boolean): typeof geometryAsWkt | undefined {
  return hasGeometry ? geometryAsWkt : undefined;
}

/** Error codes worth a retry on a fresh connection: network trouble, restarts, lock conflicts. */
const TRANSIENT = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ER_CON_COUNT_ERROR",
  "ER_LOCK_DEADLOCK",
  "ER_LOCK_WAIT_TIMEOUT",
  "ER_SERVER_SHUTDOWN",
  "ER_QUERY_INTERRUPTED",
  "ER_CLIENT_INTERACTION_TIMEOUT",
]);

/** True for errors that a retry on a new connection may cure. */
export function isTransient(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (typeof code === "string") return TRANSIENT.has(code);
  // mysql2 raises this without a code when a query meets a connection the server just killed.
  return typeof message === "string" && message.includes("connection is in closed state");
}

/**
 * A one-line error for a failed connection attempt: bad credentials and unknown databases as
 * {@linkcode ConfigValueError} naming the field to fix, network failures naming host and port.
 * The driver's `code` is kept, so {@linkcode isTransient} still sees a server that is restarting.
 */
export function connectionError(error: unknown, settings: ConnectionSettings): Error {
  const { code } = error as { code?: string };
  const described = describeConnectionError(error, settings);
  return typeof code === "string" ? Object.assign(described, { code }) : described;
}

function describeConnectionError(error: unknown, settings: ConnectionSettings): Error {
  const { code, message } = error as { code?: string; message?: string };
  const where = `MySQL at ${settings.host}:${settings.port}`;
  switch (code) {
    case "ER_ACCESS_DENIED_ERROR":
    case "ER_ACCESS_DENIED_NO_PASSWORD_ERROR":
      return new ConfigValueError(
        `${where}: ${message}: check 'Username' (user) and 'Password' (password).`,
      );
    case "ER_DBACCESS_DENIED_ERROR":
    case "ER_BAD_DB_ERROR":
      return new ConfigValueError(
        `${where}: ${message}: check 'Database' (database) and the user's grants.`,
      );
    case "ECONNREFUSED":
      return new Error(
        `${where} refused the connection: check 'Host' (host) and 'Port' (port), and that the server runs.`,
      );
    case "ETIMEDOUT":
      return new Error(
        `${where} did not answer within ${
          settings.connectTimeoutMs / 1000
        } s: check 'Host' (host), 'Port' (port) and firewalls.`,
      );
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new Error(
        `${where} is unreachable (${code}): check 'Host' (host), routes and firewalls.`,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new Error(`${where}: host name not found: check 'Host' (host).`);
    case "HANDSHAKE_NO_SSL_SUPPORT":
      return new Error(`${where} does not support TLS: turn off 'Enable SSL' (ssl_enabled).`);
  }
  if (/certificate|self[- ]signed|SSL|TLS/i.test(message ?? "")) {
    return new Error(`${where}: TLS failed: ${message}: check 'SSL certificate' (ssl_ca).`);
  }
  return new Error(`${where}: ${message ?? String(error)}`);
}
