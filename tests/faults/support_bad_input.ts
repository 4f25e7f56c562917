/**
 * Helpers of the bad-input fault tests: the real `connectors` CLI as a child process (one-shot
 * or as a daemon), checks that output is one clean line per problem with no stack trace, and
 * PostgreSQL connector documents pointing at the test database.
 * @module
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { POSTGRESQL_CONFIG_SCHEMA } from "../../connectors/postgresql/config.ts";
import type { EsClient } from "../../lib/es/mod.ts";
import { ConnectorIndex } from "../../lib/protocol/mod.ts";
import { fullConfiguration } from "../../lib/source/mod.ts";
import {
  postgresConnectionValues,
  type TestElasticsearch,
  testElasticsearch,
  testEsClient,
  type TestPostgres,
  testPostgres,
} from "../support/servers.ts";
import { type CommandRun, runConnectors } from "../support/cli.ts";

/** What a finished CLI child printed. */
export type CliResult = CommandRun;

/**
 * Runs `connectors <args>` to the end; `env` is added to this process's environment. A child
 * still running after `timeoutMs` (default 90 s) is killed, so a hang fails instead of waiting.
 */
export function connectorsCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return runConnectors(args, {
    env: options.env,
    signal: AbortSignal.timeout(options.timeoutMs ?? 90_000),
  });
}

/** Fails when `text` holds a stack trace or an uncaught-error banner. */
export function assertNoStackTrace(text: string, what: string): void {
  assert.doesNotMatch(text, /^\s+at /m, `${what} printed a stack trace:\n${text}`);
  assert.ok(!text.includes("error: Uncaught"), `${what} crashed uncaught:\n${text}`);
}

/** A config.yml for the test Elasticsearch serving `connectorIds`, with fast loops. */
export async function writeDaemonConfig(
  server: TestElasticsearch,
  options: { dir: string; connectorIds: string[] },
): Promise<string> {
  const path = `${options.dir}/config-${crypto.randomUUID().slice(0, 8)}.yml`;
  const tree = {
    elasticsearch: {
      host: server.url,
      username: server.username,
      password: server.password,
      max_wait_duration: 30,
    },
    service: { idling: 0.5, heartbeat: 1, max_concurrent_scheduling_tasks: 8, log_level: "INFO" },
    connectors: options.connectorIds.map((id) => ({ connector_id: id })),
  };
  await Deno.writeTextFile(path, JSON.stringify(tree, null, 2));
  return path;
}

/** Values of a PostgreSQL connector's fields that reach `postgres`'s test database. */
export function postgresValues(postgres: TestPostgres, table: string): Record<string, unknown> {
  return {
    ...postgresConnectionValues(postgres),
    schema: "public",
    tables: table,
  };
}

/** A full PostgreSQL `configuration` holding `values` (field objects as Kibana stores them). */
export function postgresConfiguration(values: Record<string, unknown>): Record<string, unknown> {
  const configuration = fullConfiguration(POSTGRESQL_CONFIG_SCHEMA);
  for (const [key, value] of Object.entries(values)) {
    (configuration[key] as { value: unknown }).value = value;
  }
  return configuration;
}

/** A running {@linkcode startBodyLimitProxy}. */
export interface BodyLimitProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Requests answered 413 without forwarding them. */
  refused: number;
  close(): Promise<void>;
}

/**
 * A pass-through proxy to the real test Elasticsearch that answers HTTP 413 to request bodies
 * over `maxBytes`, as Elasticsearch does over `http.max_content_length` and as a reverse proxy
 * does over its body limit (nginx `client_max_body_size`), without sending 100 MB for real.
 */
export function startBodyLimitProxy(upstream: string, maxBytes: number): BodyLimitProxy {
  const base = upstream.replace(/\/+$/, "");
  const proxy: BodyLimitProxy = { url: "", refused: 0, close: () => server.shutdown() };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
      if (body && body.length > maxBytes) {
        proxy.refused++;
        return new Response("<html><body><h1>413 Request Entity Too Large</h1></body></html>", {
          status: 413,
          headers: { "content-type": "text/html" },
        });
      }
      const url = new URL(request.url);
      const response = await fetch(`${base}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body,
      });
      // fetch has decompressed the body already.
      const headers = new Headers(response.headers);
      headers.delete("content-encoding");
      headers.delete("content-length");
      return new Response(response.body, { status: response.status, headers });
    },
  );
  proxy.url = `http://127.0.0.1:${server.addr.port}`;
  return proxy;
}

/** What a daemon fault test works with: servers, clients, a temp dir and a fresh table. */
export interface DaemonTestKit {
  server: TestElasticsearch;
  pg: TestPostgres;
  es: EsClient;
  connectors: ConnectorIndex;
  sql: postgres.Sql;
  workDir: string;
  /** A new table `(id int PRIMARY KEY, name text)` named `<prefix>_<random>`. */
  table: string;
}

/**
 * The shared servers, clients and a fresh table for a test file that runs daemons; closed and
 * removed when the test process ends.
 */
export async function daemonTestKit(prefix: string): Promise<DaemonTestKit> {
  const server = await testElasticsearch();
  const pg = await testPostgres();
  const es = testEsClient(server, { maxRetries: 1 });
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  const workDir = await Deno.makeTempDir({ prefix: `${prefix}-` });
  const table = `${prefix.replaceAll("-", "_")}_${crypto.randomUUID().slice(0, 8)}`;
  await sql`CREATE TABLE ${sql(table)} (id int PRIMARY KEY, name text)`;
  globalThis.addEventListener("unload", () => {
    es.close();
    Deno.removeSync(workDir, { recursive: true });
  });
  return { server, pg, es, connectors: new ConnectorIndex(es), sql, workDir, table };
}
