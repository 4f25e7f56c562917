/**
 * Connection info for the Elasticsearch and PostgreSQL that integration tests use: the ones
 * `tests/run.ts` started (passed in `CONNECTORS_TEST_*` env vars), or, when a test file runs on
 * its own, servers started lazily once per process and stopped when it exits.
 *
 * Call these at the top level of a test module (`const es = await testElasticsearch();`), not
 * inside a test: a server started inside a test would trip that test's resource sanitizer.
 * @module
 */

import {
  type ElasticsearchServer,
  type PostgresServer,
  startElasticsearch,
  startPostgres,
} from "../../lib/harness/mod.ts";
import { EsClient, type EsClientOptions } from "../../lib/es/client.ts";

/** How tests reach Elasticsearch. */
export interface TestElasticsearch {
  url: string;
  username: string;
  password: string;
}

/** How tests reach PostgreSQL. */
export interface TestPostgres {
  /** `postgres://user:password@127.0.0.1:port/database` */
  url: string;
}

let elasticsearch: Promise<TestElasticsearch> | undefined;
let postgres: Promise<TestPostgres> | undefined;
const started: Array<ElasticsearchServer | PostgresServer> = [];

/**
 * The shared test Elasticsearch.
 *
 * @example
 * ```ts
 * const es = await testElasticsearch();
 * await fetch(`${es.url}/_cluster/health`, { headers: basicAuth(es) });
 * ```
 */
export function testElasticsearch(): Promise<TestElasticsearch> {
  return elasticsearch ??= (async () => {
    const url = Deno.env.get("CONNECTORS_TEST_ES_URL");
    if (url) {
      return {
        url,
        username: Deno.env.get("CONNECTORS_TEST_ES_USERNAME") ?? "elastic",
        password: Deno.env.get("CONNECTORS_TEST_ES_PASSWORD") ?? "",
      };
    }
    const server = await startElasticsearch();
    started.push(server);
    return { url: server.url, username: server.username, password: server.password };
  })();
}

/** The shared test PostgreSQL. */
export function testPostgres(): Promise<TestPostgres> {
  return postgres ??= (async () => {
    const url = Deno.env.get("CONNECTORS_TEST_PG_URL");
    if (url) return { url };
    const server = await startPostgres();
    started.push(server);
    return { url: server.url };
  })();
}

/** The PostgreSQL connector's connection fields that reach `pg` (its URL, decoded). */
export function postgresConnectionValues(
  pg: TestPostgres,
): { host: string; port: number; username: string; password: string; database: string } {
  const url = new URL(pg.url);
  return {
    host: url.hostname,
    port: Number(url.port),
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
  };
}

/** A client of `es` as the elastic user; `options` adds e.g. `maxRetries` or another `host`. */
export function testEsClient(
  es: TestElasticsearch,
  options: Omit<EsClientOptions, "host" | "auth"> & { host?: string } = {},
): EsClient {
  return new EsClient({
    host: es.url,
    auth: { username: es.username, password: es.password },
    ...options,
  });
}

/** Basic-auth headers for `es`, to pass to `fetch`. */
export function basicAuth(es: TestElasticsearch): Record<string, string> {
  return { authorization: `Basic ${btoa(`${es.username}:${es.password}`)}` };
}

let counter = 0;

/**
 * A fresh, valid index name for one test, e.g. `test-sync-lq3x9k-1`; `label` should say what
 * the test is about.
 */
export function uniqueIndexName(label = "test"): string {
  const safe = label.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[-_]+/, "");
  counter += 1;
  return `test-${safe}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 6)}-${counter}`;
}

// Servers started here belong to this process. "unload" handlers cannot await, hence kill().
globalThis.addEventListener("unload", () => {
  for (const server of started.splice(0)) server.kill();
});
