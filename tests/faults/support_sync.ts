/**
 * Shared by the fault tests: a connector of a real type created through the protocol, a config
 * file for `connectors sync`, the real CLI as a child process whose output is collected in the
 * background, the job documents and the content index's count, and the summary line parsed.
 * @module
 */
import assert from "node:assert/strict";
import { CLI } from "../support/cli.ts";
import { CONNECTOR_TYPES } from "../../connectors/registry.ts";
import type { EsClient } from "../../lib/es/client.ts";
import { createFtestConnector } from "../../lib/ftest/connector.ts";
import {
  type ConnectorDoc,
  ConnectorIndex,
  type Stored,
  SYNC_JOBS_INDEX,
  type SyncJobDoc,
  SyncJobIndex,
} from "../../lib/protocol/mod.ts";
import type { FieldValue } from "../../lib/source/types.ts";
import type { TestElasticsearch } from "../support/servers.ts";
import { waitFor } from "../support/service_fixtures.ts";

/** Creates a connector of `serviceType` (status configured) and returns its id. */
export async function createConnector(
  es: EsClient,
  options: { serviceType: string; indexName: string; values: Record<string, FieldValue> },
): Promise<string> {
  const type = CONNECTOR_TYPES.get(options.serviceType);
  if (!type) throw new Error(`no connector type "${options.serviceType}" in the registry`);
  return await createFtestConnector(es, {
    type,
    indexName: options.indexName,
    values: options.values,
  });
}

/**
 * Writes a config.yml (JSON is YAML) for one connector; `settings` are dotted keys merged over
 * it, e.g. `{"elasticsearch.bulk.max_retries": 8}`. Returns its path.
 */
export async function writeSyncConfig(
  options: {
    es: TestElasticsearch;
    connectorId: string;
    serviceType: string;
    settings?: Record<string, unknown>;
  },
): Promise<string> {
  const tree = {
    elasticsearch: {
      host: options.es.url,
      username: options.es.username,
      password: options.es.password,
    },
    service: { log_level: "INFO" },
    connectors: [{ connector_id: options.connectorId, service_type: options.serviceType }],
    ...options.settings,
  };
  const path = await Deno.makeTempFile({ prefix: "connectors-faults-", suffix: ".yml" });
  await Deno.writeTextFile(path, JSON.stringify(tree, null, 2), { mode: 0o600 });
  configFiles.push(path);
  return path;
}

// Config files hold passwords: removed when the test process ends.
const configFiles: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const path of configFiles.splice(0)) {
    try {
      Deno.removeSync(path);
    } catch {
      // Already gone.
    }
  }
});

/** A `connectors sync` child process; output is read in the background so pipes never fill. */
export interface SyncChild {
  /** Everything written to stderr so far (the log). */
  log(): string;
  /** Settles when the process has exited and its output is read. */
  done: Promise<SyncRun>;
  /** Waits for the exit; a sync still running after `timeoutMs` is stuck: killed, and thrown. */
  finish(timeoutMs?: number): Promise<SyncRun>;
  /** Kills the process if it still runs (test cleanup). */
  kill(): void;
}

/** How a `connectors sync` process ended. */
export interface SyncRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts `connectors sync --id <id> --full -c <config>` through the real CLI. */
export function spawnSync(options: { config: string; connectorId: string }): SyncChild {
  const [program, ...args] = CLI;
  const child = new Deno.Command(program, {
    args: [...args, "sync", "--id", options.connectorId, "--full", "-c", options.config],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  let stderr = "";
  const collect = (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
    const decoder = new TextDecoder();
    return stream.pipeTo(
      new WritableStream({ write: (chunk) => add(decoder.decode(chunk, { stream: true })) }),
    ).catch(() => {});
  };
  const done = Promise.all([
    collect(child.stdout, (text) => stdout += text),
    collect(child.stderr, (text) => stderr += text),
    child.status,
  ]).then(([, , status]) => ({ code: status.code, stdout, stderr }));
  let exited = false;
  done.finally(() => exited = true);
  const kill = () => {
    if (exited) return;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  };
  return {
    log: () => stderr,
    done,
    kill,
    finish: async (timeoutMs = 120_000) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) => timer = setTimeout(resolve, timeoutMs, "late"));
      try {
        const result = await Promise.race([done, late]);
        if (result !== "late") return result;
      } finally {
        clearTimeout(timer);
      }
      kill();
      await done;
      throw new Error(
        `the sync was still running after ${timeoutMs / 1000} s (stuck); its log ends:\n` +
          tailOf(stderr),
      );
    },
  };
}

/** Counters of the `connectors sync` summary line. */
export interface SummaryCounts {
  status: string;
  created: number;
  updated: number;
  deleted: number;
  failed: number;
}

/** Parses `job <id> (full) <status> in <s> s: N created, N updated, N deleted, N failed, ...`. */
export function parseSummary(stdout: string): SummaryCounts {
  const match = /\) (\w+) in [\d.]+ s: (\d+) created, (\d+) updated, (\d+) deleted, (\d+) failed/
    .exec(
      stdout,
    );
  if (!match) throw new Error(`no job summary in the sync's output: ${stdout}`);
  const [, status, created, updated, deleted, failed] = match;
  return {
    status,
    created: Number(created),
    updated: Number(updated),
    deleted: Number(deleted),
    failed: Number(failed),
  };
}

/** Every job of the connector, oldest first (the jobs index is refreshed first: tests only). */
export async function jobsOf(es: EsClient, connectorId: string): Promise<Stored<SyncJobDoc>[]> {
  await es.request("POST", `/${SYNC_JOBS_INDEX}/_refresh`, { query: { expand_wildcards: "all" } });
  const jobs = await Array.fromAsync(new SyncJobIndex(es).byConnector(connectorId));
  return jobs.sort((a, b) => a.doc.created_at.localeCompare(b.doc.created_at));
}

/** The connector document (realtime get). */
export async function connectorOf(es: EsClient, id: string): Promise<ConnectorDoc> {
  const connector = await new ConnectorIndex(es).get(id);
  if (!connector) throw new Error(`connector ${id} is gone`);
  return connector.doc;
}

/** Documents in `index` after a refresh; 0 while it does not exist. */
export async function indexCount(es: EsClient, index: string): Promise<number> {
  const path = `/${encodeURIComponent(index)}`;
  const refreshed = await es.request("POST", `${path}/_refresh`, { allow: [404], retry: false });
  if (refreshed.status === 404) return 0;
  const { body } = await es.request<{ count: number }>("GET", `${path}/_count`, { retry: false });
  return body.count;
}

/** Ids of every document of `index` (a few tens of thousands at most in these tests). */
export async function indexIds(es: EsClient, index: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const path = `/${encodeURIComponent(index)}`;
  let { body } = await es.request<ScrollPage>("POST", `${path}/_search`, {
    query: { scroll: "1m" },
    body: { size: 5000, _source: false, sort: ["_doc"] },
  });
  try {
    while (body.hits.hits.length > 0) {
      for (const hit of body.hits.hits) ids.add(hit._id);
      ({ body } = await es.request<ScrollPage>("POST", "/_search/scroll", {
        body: { scroll: "1m", scroll_id: body._scroll_id },
      }));
    }
  } finally {
    await es.request("DELETE", "/_search/scroll", {
      body: { scroll_id: body._scroll_id },
      allow: [404],
    });
  }
  return ids;
}

interface ScrollPage {
  _scroll_id: string;
  hits: { hits: Array<{ _id: string }> };
}

/** {@linkcode waitFor} with the fault tests' defaults: 60 s, every 100 ms. */
export function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; failed?: () => string | undefined } = {},
): Promise<T> {
  return waitFor(what, probe, { timeoutMs: 60_000, intervalMs: 100, ...options });
}

/**
 * Fails unless the sync exited 0 and its summary is `completed` with exactly `created` new
 * documents and nothing updated, deleted or failed; `message` explains a wrong summary.
 */
export function assertCompletedExactly(run: SyncRun, created: number, message = run.stdout): void {
  assert.equal(run.code, 0, tailOf(run.stderr));
  assert.deepEqual(parseSummary(run.stdout), {
    status: "completed",
    created,
    updated: 0,
    deleted: 0,
    failed: 0,
  }, message);
}

/** The last `count` lines of a log, for assertion messages. */
export function tailOf(text: string, count = 40): string {
  return text.split("\n").slice(-count).join("\n");
}
