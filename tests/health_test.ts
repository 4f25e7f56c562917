/**
 * `/healthz` and `/readyz` of a real `connectors run` child process: ready while its own
 * Elasticsearch answers, not ready while that node restarts, ready again once it is back; not
 * ready while Elasticsearch cannot be reached at start; a port in use stops the start.
 *
 * The restart test starts a dedicated Elasticsearch (the shared one is never stopped).
 */
import assert from "node:assert/strict";
import { type ElasticsearchServer, freePort, startElasticsearch } from "../lib/harness/mod.ts";
import { uniqueIndexName } from "./support/servers.ts";
import {
  collectStderr,
  configTree,
  createTestConnector,
  serviceKit,
  spawnCli,
  waitFor,
  writeConfigFile,
} from "./support/service_fixtures.ts";

const DEADLINE_MS = 180_000;

// Started at the top level, not in a test, so the test's resource sanitizer is not tripped.
const dedicated: ElasticsearchServer = await startElasticsearch();
globalThis.addEventListener("unload", () => dedicated.kill());

/** Status and body of a GET. */
async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

/** Waits until GET `url` answers `status`; returns the body. */
async function waitForStatus(url: string, status: number): Promise<string> {
  return await waitFor(`${url} to answer ${status}`, async () => {
    const answer = await get(url);
    return answer.status === status ? answer.body : undefined;
  }, { timeoutMs: DEADLINE_MS, intervalMs: 100 });
}

/** `connectors run` as a child; `stop()` sends SIGTERM and returns the exit code and stderr. */
function startDaemon(config: string) {
  const child = spawnCli(["run", "-c", config]);
  const stderr = collectStderr(child);
  let stopped: Promise<{ code: number; log: string }> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // It has exited already.
      }
      const { code } = await child.status;
      await stderr.done;
      return { code, log: stderr.text() };
    })();
  return { child, stderr, stop };
}

Deno.test({
  name: "readyz: ready, unready while Elasticsearch restarts, ready again once it is back",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const kit = await serviceKit(dedicated);
    const indexName = uniqueIndexName("health");
    const id = `conn-${indexName}`;
    await createTestConnector(kit, { id, indexName });
    const port = await freePort();
    const tree = configTree(dedicated, { connectorIds: [id], service: { heartbeat: 1 } });
    // The outage must not spend the error budget, and loops keep trying at a steady pace.
    Object.assign(tree.service as Record<string, unknown>, { max_errors: 100_000, http: { port } });
    Object.assign(tree.elasticsearch as Record<string, unknown>, {
      max_retries: 1,
      retry_interval: 0.2,
    });
    const config = await writeConfigFile(tree);
    const url = `http://127.0.0.1:${port}`;
    const daemon = startDaemon(config);
    try {
      assert.equal(await waitForStatus(`${url}/readyz`, 200), "ready\n");
      assert.equal((await get(`${url}/healthz`)).body, "ok\n");

      const restarting = dedicated.restart();
      try {
        const down = await waitForStatus(`${url}/readyz`, 503);
        assert.match(down, /^not ready: Elasticsearch does not answer: .+\n$/);
        assert.deepEqual(await get(`${url}/healthz`), { status: 200, body: "ok\n" });
        const metrics = await get(`${url}/metrics`);
        assert.equal(metrics.status, 200, "metrics are served while Elasticsearch is away");
      } finally {
        await restarting;
      }
      const outageEnded = Date.now();
      assert.equal(await waitForStatus(`${url}/readyz`, 200), "ready\n");
      // The loops really work again: the connector's heartbeat is written after the restart.
      await waitFor("a heartbeat after the restart", async () => {
        const connector = await kit.connectors.get(id);
        const lastSeen = Date.parse(connector?.doc.last_seen ?? "");
        return lastSeen > outageEnded || undefined;
      }, { timeoutMs: DEADLINE_MS });
      const { code, log } = await daemon.stop();
      assert.equal(code, 0, log);
    } finally {
      await daemon.stop();
      kit.es.close();
      await Deno.remove(config);
    }
  },
});

Deno.test({
  name: "readyz: not ready while Elasticsearch cannot be reached at start; healthz answers",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const nobody = await freePort();
    const port = await freePort();
    const tree = configTree(
      { url: `http://127.0.0.1:${nobody}`, username: "elastic", password: "unused" },
      { connectorIds: ["never-served"], service: {} },
    );
    (tree.service as Record<string, unknown>).http = { port, host: "localhost" };
    Object.assign(tree.elasticsearch as Record<string, unknown>, {
      max_wait_duration: 600,
      initial_backoff_duration: 0.2,
      backoff_multiplier: 1,
    });
    const config = await writeConfigFile(tree);
    const daemon = startDaemon(config);
    const url = `http://localhost:${port}`;
    try {
      assert.equal(await waitForStatus(`${url}/healthz`, 200), "ok\n");
      assert.deepEqual(await get(`${url}/readyz`), {
        status: 503,
        body: "not ready: starting: waiting for Elasticsearch and the connector indices\n",
      });
      // Stopped before it started: the exit code is the CLI's business, not this test's.
      const { log } = await daemon.stop();
      assert.match(log, /serving \/healthz, \/readyz and \/metrics on http:\/\/localhost:\d+\n/);
    } finally {
      await daemon.stop();
      await Deno.remove(config);
    }
  },
});

Deno.test({
  name: "service.http.port in use: connectors run exits 2 with one line naming the key",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (taken.addr as Deno.NetAddr).port;
    const tree = configTree(dedicated, { connectorIds: ["never-served"], service: {} });
    (tree.service as Record<string, unknown>).http = { port };
    const config = await writeConfigFile(tree);
    try {
      const output = await spawnCli(["run", "-c", config]).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 2, stderr);
      assert.equal(
        stderr,
        `connectors: service.http cannot listen on 127.0.0.1:${port}: the port is in use; set ` +
          `service.http.port to a free port or stop the other process\n`,
      );
    } finally {
      taken.close();
      await Deno.remove(config);
    }
  },
});
