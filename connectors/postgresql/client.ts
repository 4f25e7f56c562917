/**
 * Opening postgres.js pools for a source, and turning driver errors into messages a user can act
 * on.
 * @module
 */
import postgres from "postgres";
import type { PostgresSettings } from "./config.ts";
import { postgresTypes } from "./values.ts";

/** A postgres.js pool as this connector configures it. */
export type Sql = postgres.Sql<Record<string, never>>;

/**
 * Opens a pool (lazily: nothing connects until the first query). Session settings make the text
 * forms predictable: ISO dates, UTC offsets and ISO-8601 intervals.
 */
export function openPool(settings: PostgresSettings, options: { max?: number } = {}): Sql {
  return postgres({
    host: settings.host,
    port: settings.port,
    user: settings.username,
    password: settings.password,
    database: settings.database,
    max: options.max ?? 2,
    connect_timeout: settings.connectTimeoutSeconds,
    idle_timeout: 60,
    // Array types are parsed by us with the element's parser; see values.ts.
    fetch_types: false,
    prepare: true,
    onnotice: () => {},
    ssl: settings.sslEnabled
      ? { ca: settings.sslCa ?? undefined, rejectUnauthorized: true }
      : false,
    connection: {
      application_name: "elastic-connectors-postgresql",
      DateStyle: "ISO, MDY",
      TimeZone: "UTC",
      IntervalStyle: "iso_8601",
      extra_float_digits: 1,
      // Rule queries run here too: a query that writes fails instead of changing data.
      default_transaction_read_only: true,
    },
    types: postgresTypes(),
  }) as unknown as Sql;
}

/** Thrown when the server cannot be reached in time; carries the user-facing message. */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreachableError";
  }
}

/**
 * Runs `work` but gives up after the connect timeout: postgres.js's own timer does not fire on
 * every platform while a TCP connect hangs (observed under Deno with unroutable hosts).
 */
export async function withConnectDeadline<T>(
  settings: PostgresSettings,
  work: () => Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UnreachableError(
            `cannot reach PostgreSQL at ${
              where(settings)
            } within ${settings.connectTimeoutSeconds} s: check host and port, that the server is running and that its firewall and pg_hba.conf allow this host`,
          ),
        ),
      settings.connectTimeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A connection that could not be opened. */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECT_TIMEOUT",
]);

/** An open connection that broke: the server ended it, restarted, or the network dropped it. */
const LOST_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/** SQLSTATEs worth another attempt: lost connections, shutdowns, conflicts, overload. */
const TRANSIENT_STATES = new Set(["57P01", "57P02", "57P03", "40001", "40P01", "53300", "55P03"]);

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

/** True for errors another attempt may cure (network, restarts, serialization conflicts). */
export function isTransient(error: unknown): boolean {
  if (error instanceof UnreachableError) return true;
  const code = codeOf(error);
  return CONNECT_CODES.has(code) || LOST_CODES.has(code) || TRANSIENT_STATES.has(code) ||
    code.startsWith("08");
}

function where(settings: PostgresSettings): string {
  return `${settings.host}:${settings.port}`;
}

/** A one-line message for a failed connection or query, naming what to check; no secrets. */
export function describeError(error: unknown, settings: PostgresSettings): string {
  if (error instanceof UnreachableError) return error.message;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === "28P01") {
    const user = settings.username;
    return `password authentication failed for user "${user}": check username/password (PostgreSQL at ${
      where(settings)
    })`;
  }
  if (code === "28000") {
    return `PostgreSQL at ${
      where(settings)
    } refused user "${settings.username}" (${message}): check pg_hba.conf and the username`;
  }
  if (code === "3D000") {
    return `database "${settings.database}" does not exist on PostgreSQL at ${
      where(settings)
    }: check the Database field`;
  }
  if (LOST_CODES.has(code)) {
    return `the connection to PostgreSQL at ${
      where(settings)
    } was lost (${code}): the server ended it, restarted, or the network dropped it`;
  }
  if (CONNECT_CODES.has(code)) {
    return `cannot reach PostgreSQL at ${
      where(settings)
    } within ${settings.connectTimeoutSeconds} s (${code}): check host and port, that the server is running and that its firewall and pg_hba.conf allow this host`;
  }
  if (/certificate|self[- ]signed|SSL|TLS/i.test(message)) {
    return `TLS connection to PostgreSQL at ${
      where(settings)
    } failed (${message}): check 'SSL certificate' (the server's CA, PEM) and that the host name matches the certificate`;
  }
  return `PostgreSQL at ${where(settings)} failed: ${message}`;
}
