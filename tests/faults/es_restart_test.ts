/**
 * Elasticsearch crashes and comes back while `connectors sync` (the real CLI, a child process)
 * copies a PostgreSQL table: the job completes with every row, or ends in `error` and the next
 * sync completes. Either way no document is lost, no job or connector stays `in_progress`, and
 * the counters agree with the index. A dedicated node is started (and killed) here; the shared
 * one is never touched.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { BulkSink } from "../../lib/es/bulk_sink.ts";
import { startElasticsearch } from "../../lib/harness/mod.ts";
import { Logger } from "../../lib/log/mod.ts";
import { emptyStats } from "../../lib/sync/stats.ts";
import { testBulkSettings } from "../support/bulk_settings.ts";
import { startEs429Proxy } from "../support/es_429_proxy.ts";
import {
  postgresConnectionValues,
  testElasticsearch,
  testEsClient,
  testPostgres,
  uniqueIndexName,
} from "../support/servers.ts";
import {
  connectorOf,
  createConnector,
  indexCount,
  indexIds,
  jobsOf,
  parseSummary,
  poll,
  spawnSync,
  tailOf,
  writeSyncConfig,
} from "./support_sync.ts";

const ROWS = 12_000;
/** Documents indexed before the node is killed: enough to be mid-sync, far from the end. */
const KILL_AFTER = 2_000;

const pg = await testPostgres();
const shared = await testElasticsearch();

Deno.test({
  name: "Elasticsearch killed and restarted mid-sync: no document lost, no job stuck",
  // The restarted node is a new child process that outlives the test's bookkeeping.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const pgUrl = new URL(pg.url);
  const schema = `faults_es_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  const node = await startElasticsearch({ heap: "512m" });
  const server = { url: node.url, username: node.username, password: node.password };
  const es = testEsClient(server, { maxRetries: 10, retryIntervalMs: 500 });
  try {
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    await admin.unsafe(
      `CREATE TABLE ${schema}.items (id integer PRIMARY KEY, title text NOT NULL, ` +
        `body text NOT NULL, n integer NOT NULL)`,
    );
    await admin.unsafe(
      `INSERT INTO ${schema}.items SELECT g, 'item ' || g, repeat(md5(g::text), 8), g % 97 ` +
        `FROM generate_series(1, ${ROWS}) AS g`,
    );
    const indexName = uniqueIndexName("faults-es-restart");
    const connectorId = await createConnector(es, {
      serviceType: "postgresql",
      indexName,
      values: {
        ...postgresConnectionValues(pg),
        schema,
        tables: "items",
      },
    });
    // The product's defaults: bulk requests retried 5 times, 2 s doubling.
    const config = await writeSyncConfig({ es: server, connectorId, serviceType: "postgresql" });

    const first = spawnSync({ config, connectorId });
    let exited = false;
    first.done.finally(() => exited = true);
    try {
      const before = await poll(`${KILL_AFTER} documents in ${indexName}`, async () => {
        const count = await indexCount(es, indexName);
        return count >= KILL_AFTER ? count : undefined;
      }, { failed: () => exited ? `the sync exited early:\n${tailOf(first.log())}` : undefined });
      assert.ok(before < ROWS, `the kill must land mid-sync (${before} of ${ROWS} indexed)`);
      const down = performance.now();
      await node.restart({ kill: true });
      console.log(
        `  killed at ${before} documents; node back after ${
          ((performance.now() - down) / 1000).toFixed(1)
        } s`,
      );
    } catch (error) {
      first.kill();
      throw error;
    }
    const firstRun = await first.finish();
    const jobs = await jobsOf(es, connectorId);
    assert.equal(jobs.length, 1);
    const firstJob = jobs[0].doc;
    let finalJob = firstJob;
    if (firstRun.code === 0) {
      assert.equal(firstJob.status, "completed");
      const summary = parseSummary(firstRun.stdout);
      assert.equal(summary.created + summary.updated, ROWS, firstRun.stdout);
      assert.match(firstRun.stderr, /_bulk request to .* failed .*retry 1 of/);
    } else {
      // Out of retries while the node was down: a clear error, then the next sync completes.
      assert.equal(firstRun.code, 1, tailOf(firstRun.stderr));
      assert.equal(firstJob.status, "error", tailOf(firstRun.stderr));
      assert.match(firstJob.error ?? "", /Elasticsearch|_bulk|index/);
      assert.ok(firstJob.indexed_document_count < ROWS);
      assert.equal((await connectorOf(es, connectorId)).last_sync_status, "error");
      const second = spawnSync({ config, connectorId });
      const secondRun = await second.finish();
      assert.equal(secondRun.code, 0, tailOf(secondRun.stderr));
      const summary = parseSummary(secondRun.stdout);
      assert.equal(summary.created + summary.updated, ROWS);
      assert.equal(summary.deleted, 0);
      const both = await jobsOf(es, connectorId);
      assert.equal(both.length, 2);
      finalJob = both[1].doc;
      assert.equal(finalJob.status, "completed");
    }
    console.log(
      `  first sync: exit ${firstRun.code}, job ${firstJob.status}, ` +
        `${firstJob.indexed_document_count} indexed` +
        (firstJob.error ? `, error: ${firstJob.error}` : ""),
    );
    assert.equal(finalJob.indexed_document_count, ROWS);
    assert.equal(finalJob.deleted_document_count, 0);
    assert.equal(finalJob.total_document_count, ROWS);
    assert.equal(await indexCount(es, indexName), ROWS);
    const ids = await indexIds(es, indexName);
    const database = decodeURIComponent(pgUrl.pathname.slice(1));
    for (let id = 1; id <= ROWS; id++) {
      const docId = `${database}_${schema}_items_${id}`;
      if (!ids.has(docId)) assert.fail(`document ${docId} was lost`);
    }
    const connector = await connectorOf(es, connectorId);
    assert.equal(connector.last_sync_status, "completed");
    assert.equal(connector.last_indexed_document_count, ROWS);
    assert.equal(connector.last_deleted_document_count, 0);
    const active = (await jobsOf(es, connectorId)).filter((job) =>
      ["pending", "in_progress", "canceling", "suspended"].includes(job.doc.status)
    );
    assert.deepEqual(active, [], "no job is left waiting or running");
  } finally {
    es.close();
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
    await node.stop();
  }
});

Deno.test("a 401 once the credentials worked is retried (security index recovering); a first 401 fails at once", async () => {
  const index = uniqueIndexName("faults-401");
  const proxy = startEs429Proxy(shared.url);
  const sinkFor = (es: ReturnType<typeof testEsClient>) => {
    const stats = emptyStats();
    const sink = new BulkSink({
      es,
      index,
      settings: testBulkSettings({ maxRetries: 3, retryIntervalMs: 50 }),
      stats,
      logger: new Logger({ test: "faults-401" }),
      signal: new AbortController().signal,
    });
    return { sink, stats };
  };
  const fresh = testEsClient(shared, { host: proxy.url, retryIntervalMs: 50 });
  const proven = testEsClient(shared, { host: proxy.url, retryIntervalMs: 50 });
  const bulkOf = (id: string) => `{"index":{"_id":"${id}"}}\n{"title":"${id}"}\n`;
  try {
    // Never authenticated: a 401 means wrong credentials, and retrying cannot help.
    proxy.rejectNextRequests(1, 401);
    const first = sinkFor(fresh);
    await first.sink.index("a", { title: "a" });
    await assert.rejects(first.sink.close(), /401 security_exception: unable to authenticate/);
    assert.equal(proxy.counters.bulkRequests, 1);
    proxy.rejectNextRequests(1, 401);
    await assert.rejects(
      fresh.request("POST", `/${index}/_bulk`, { ndjson: bulkOf("z") }),
      /401 security_exception/,
    );
    assert.equal(proxy.counters.bulkRequests, 2, "the client did not retry either");

    // Credentials accepted once, then refused twice, as by a node that just restarted.
    await proven.request("GET", "/_security/_authenticate");
    assert.ok(proven.authenticated);
    proxy.rejectNextRequests(2, 401);
    const second = sinkFor(proven);
    await second.sink.index("b", { title: "b" });
    await second.sink.close();
    assert.equal(second.stats.created, 1);
    assert.equal(second.stats.retries, 2);
    // The client's own retries (protocol documents) follow the same rule.
    proxy.rejectNextRequests(1, 401);
    await proven.request("POST", `/${index}/_bulk`, { ndjson: bulkOf("c") });
    assert.equal(proxy.counters.rejectedRequests, 5);
    assert.equal(proxy.counters.acceptedById.get("b"), 1);
    assert.equal(proxy.counters.acceptedById.get("c"), 1);
  } finally {
    await proxy.close();
    fresh.close();
    proven.close();
    await testEsClient(shared).request("DELETE", `/${index}`, { allow: [404] });
  }
});
