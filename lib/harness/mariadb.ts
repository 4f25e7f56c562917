/**
 * A throwaway MariaDB server started as a local process for tests (Debian's `mariadb-server`).
 * @module
 */

import type { Connection } from "mysql2/promise";
import { loadMysql2 } from "../util/mysql2.ts";
import { freePort } from "./ports.ts";
import { randomPassword } from "./password.ts";
import { exists } from "./cache.ts";
import {
  type DatabaseServer,
  isRoot,
  killGroup,
  run,
  spawnGroup,
  stopGroup,
  tailFile,
  waitUntil,
} from "./process.ts";

/** Options for {@linkcode startMariadb}. */
export interface MariadbOptions {
  /** User created with every privilege (default "connectors"). */
  user?: string;
  /** That user's password; random when omitted. */
  password?: string;
  /** Database created for the caller, utf8mb4 (default "connectors"). */
  database?: string;
  /** How long to wait for the server to accept connections, in ms (default 60 000). */
  readyTimeoutMs?: number;
}

/** A running MariaDB server. */
export type MariadbServer = DatabaseServer;

const SERVER = "/usr/sbin/mariadbd";
const INSTALL_DB = "/usr/bin/mariadb-install-db";

/**
 * Creates a data directory in a temporary directory and starts MariaDB on a free loopback port,
 * in UTC with utf8mb4, tuned for speed over durability. The root account keeps a random password
 * nobody learns; the caller gets its own user with every privilege.
 *
 * @example
 * ```ts
 * const db = await startMariadb();
 * try {
 *   console.log(db.url);
 * } finally {
 *   await db.stop();
 * }
 * ```
 */
export async function startMariadb(options: MariadbOptions = {}): Promise<MariadbServer> {
  const user = options.user ?? "connectors";
  const password = options.password ?? randomPassword();
  const database = options.database ?? "connectors";
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  await requireInstalled();
  const port = await freePort();
  const dir = await Deno.makeTempDir({ prefix: "connectors-mariadb-" });
  const data = `${dir}/data`;
  const socket = `${dir}/mariadb.sock`;
  const logFile = `${dir}/server.log`;
  // mariadbd refuses root unless told so explicitly; otherwise it runs as the current user.
  const runAs = isRoot() ? ["--user=root"] : [];
  let server: ReturnType<typeof spawnGroup> | undefined;
  const cleanup = async () => {
    if (server) await stopGroup(server, 15_000);
    await Deno.remove(dir, { recursive: true });
  };
  const withLog = async (error: Error) =>
    new Error(
      `${error.message}\n--- last lines of the server log ---\n${
        (await tailFile(logFile)) || "(no server log)"
      }`,
    );
  try {
    await run([
      INSTALL_DB,
      "--no-defaults",
      `--datadir=${data}`,
      ...runAs,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      "--skip-name-resolve",
    ]);
    server = spawnGroup([
      SERVER,
      "--no-defaults",
      `--datadir=${data}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--socket=${socket}`,
      `--pid-file=${dir}/mariadb.pid`,
      ...runAs,
      "--skip-name-resolve",
      "--character-set-server=utf8mb4",
      "--collation-server=utf8mb4_unicode_ci",
      "--default-time-zone=+00:00",
      "--innodb-flush-log-at-trx-commit=0",
      "--innodb-doublewrite=0",
      "--skip-log-bin",
      "--max-allowed-packet=64M",
    ], { logFile });
    const started = server;
    // Until setup is done root has no password, reachable only through our private socket.
    const mysql = await loadMysql2();
    let admin: Connection | undefined;
    await waitUntil(async () => {
      admin = await mysql.createConnection({ socketPath: socket, user: "root" });
      return true;
    }, {
      what: `MariaDB on 127.0.0.1:${port}`,
      timeoutMs,
      failed: () => started.exit ? `mariadbd exited with code ${started.exit.code}` : undefined,
    }).catch(async (error) => {
      throw await withLog(error);
    });
    try {
      await admin!.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
      await admin!.query("GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION", [user]);
      await admin!.query(
        `CREATE DATABASE ${
          mysql.escapeId(database)
        } CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      const rootPassword = randomPassword();
      for (const host of ["localhost", "127.0.0.1", "::1"]) {
        await admin!.query("ALTER USER 'root'@? IDENTIFIED BY ?", [host, rootPassword]);
      }
    } finally {
      await admin!.end();
    }
    const check = await mysql.createConnection({ host: "127.0.0.1", port, user, password });
    const [rows] = await check.query("SELECT VERSION() AS version");
    await check.end();
    const version = String((rows as { version: string }[])[0].version);
    let stopped: Promise<void> | undefined;
    return {
      host: "127.0.0.1",
      port,
      user,
      password,
      database,
      url: `mysql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${
        encodeURIComponent(database)
      }`,
      version,
      stop: () => stopped ??= cleanup(),
      kill: () => {
        killGroup(started);
        Deno.removeSync(dir, { recursive: true });
      },
    };
  } catch (error) {
    await cleanup().catch(() => {});
    throw error;
  }
}

async function requireInstalled(): Promise<void> {
  for (const path of [SERVER, INSTALL_DB]) {
    if (!await exists(path)) {
      throw new Error(
        `${path} not found: install MariaDB with \`apt-get install -y mariadb-server\``,
      );
    }
  }
}
