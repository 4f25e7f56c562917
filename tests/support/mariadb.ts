/**
 * Connection info for the MariaDB that MySQL connector tests use: the one `tests/run.ts` started
 * (passed in `CONNECTORS_TEST_MYSQL_URL`), or, when a test file runs on its own, a server started
 * lazily once per process and killed when it exits.
 *
 * Call {@linkcode testMariadb} at the top level of a test module, not inside a test: a server
 * started inside a test would trip that test's resource sanitizer.
 * @module
 */

import { type MariadbServer, startMariadb } from "../../lib/harness/mod.ts";

/** How tests reach MariaDB (a user with every privilege, and its database). */
export interface TestMariadb {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** `mysql://user:password@host:port/database` */
  url: string;
}

let mariadb: Promise<TestMariadb> | undefined;
let started: MariadbServer | undefined;

/**
 * The shared test MariaDB.
 *
 * @example
 * ```ts
 * const db = await testMariadb();
 * console.log(db.host, db.port);
 * ```
 */
export function testMariadb(): Promise<TestMariadb> {
  return mariadb ??= (async () => {
    const url = Deno.env.get("CONNECTORS_TEST_MYSQL_URL");
    if (url) {
      const parsed = new URL(url);
      return {
        host: parsed.hostname,
        port: Number(parsed.port || 3306),
        user: decodeURIComponent(parsed.username),
        password: decodeURIComponent(parsed.password),
        database: decodeURIComponent(parsed.pathname.slice(1)),
        url,
      };
    }
    started = await startMariadb();
    return { ...started };
  })();
}

// "unload" handlers cannot await, hence kill().
globalThis.addEventListener("unload", () => started?.kill());
