/**
 * `/metrics` against the real test Elasticsearch: a `connectors run` child process with
 * `service.http.port` set is scraped while it runs a real sync, and the bulk sink's metric hooks
 * are checked through the overload proxy.
 */
import assert from "node:assert/strict";
import { type BulkObserver, BulkSink } from "../lib/es/bulk_sink.ts";
import { ensureContentIndex } from "../lib/es/content_index.ts";
import { freePort } from "../lib/harness/mod.ts";
import { Logger } from "../lib/log/mod.ts";
import { EXPOSITION_CONTENT_TYPE } from "../lib/metrics/mod.ts";
import { emptyStats } from "../lib/sync/stats.ts";
import { testBulkSettings } from "./support/bulk_settings.ts";
import { startEs429Proxy } from "./support/es_429_proxy.ts";
import { type Exposition, parseExposition } from "./support/prometheus_text.ts";
import { testElasticsearch, testEsClient, uniqueIndexName } from "./support/servers.ts";
import {
  captureLogs,
  collectStderr,
  configTree,
  createTestConnector,
  serviceKit,
  spawnCli,
  waitFor,
  writeConfigFile,
} from "./support/service_fixtures.ts";

const server = await testElasticsearch();
const kit = await serviceKit(server);
captureLogs();
const DEADLINE_MS = 90_000;
const ENDED: readonly string[] = ["completed", "error", "canceled", "suspended"];

async function scrape(url: string): Promise<Exposition> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), EXPOSITION_CONTENT_TYPE);
  return parseExposition(await response.text());
}

Deno.test({
  name: "metrics: scraped during a real sync, documents indexed rise to the exact final count",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const indexName = uniqueIndexName("metrics");
    const id = `conn-${indexName}`;
    const count = 120;
    const chunk = 10;
    // 10 ms per document: the sync lasts over a second, one _bulk request every 10 documents.
    await createTestConnector(kit, { id, indexName, values: { count, delay_ms: 10 } });
    const port = await freePort();
    const tree = configTree(server, { connectorIds: [id], service: { heartbeat: 1 } });
    (tree.service as Record<string, unknown>).http = { port };
    (tree.elasticsearch as Record<string, unknown>).bulk = {
      chunk_size: chunk,
      max_concurrency: 1,
    };
    const config = await writeConfigFile(tree);
    const child = spawnCli(["run", "-c", config]);
    const stderr = collectStderr(child);
    const url = `http://127.0.0.1:${port}`;
    const labels = { connector_id: id, service_type: "service_test" };
    const jobLabels = { ...labels, job_type: "full" };
    try {
      await waitFor("/readyz to answer 200", async () => {
        const response = await fetch(`${url}/readyz`);
        await response.body?.cancel();
        return response.status === 200 || undefined;
      }, { timeoutMs: DEADLINE_MS });
      const before = await scrape(url);
      assert.equal(before.types.get("connectors_documents_indexed_total"), "counter");
      assert.equal(before.types.get("connectors_bulk_request_duration_seconds"), "histogram");
      assert.equal(before.value("connectors_documents_indexed_total", jobLabels), undefined);

      const connector = (await kit.connectors.get(id))!;
      const job = await kit.jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
      const indexed: number[] = [];
      let sawRunning = false;
      let peakBytes = 0;
      const ended = await waitFor("the job to end while /metrics is scraped", async () => {
        const metrics = await scrape(url);
        indexed.push(metrics.value("connectors_documents_indexed_total", jobLabels) ?? 0);
        sawRunning ||= metrics.value("connectors_sync_jobs_running", jobLabels) === 1;
        peakBytes = Math.max(peakBytes, metrics.value("connectors_bulk_queue_bytes", labels) ?? 0);
        const stored = await kit.jobs.get(job.id);
        return stored && ENDED.includes(stored.doc.status) ? stored : undefined;
      }, { timeoutMs: DEADLINE_MS, intervalMs: 50 });
      assert.equal(ended.doc.status, "completed", ended.doc.error ?? "");
      assert.equal(ended.doc.indexed_document_count, count);

      const after = await scrape(url);
      assert.equal(after.value("connectors_documents_indexed_total", jobLabels), count);
      assert.equal(after.value("connectors_documents_extracted_total", jobLabels), count);
      assert.equal(after.value("connectors_documents_deleted_total", jobLabels), 0);
      assert.equal(after.value("connectors_documents_failed_total", jobLabels), 0);
      assert.deepEqual(indexed, [...indexed].sort((a, b) => a - b), "a counter never goes down");
      const between = indexed.filter((value) => value > 0 && value < count);
      assert.ok(between.length >= 2, `values seen: ${[...new Set(indexed)].join(", ")}`);
      assert.ok(between.every((value) => value % chunk === 0), "counted per _bulk response");
      assert.ok(sawRunning, "the job was seen running");
      assert.ok(peakBytes > 0, "bytes were seen buffered in the bulk sink");

      assert.equal(after.value("connectors_sync_jobs_running", jobLabels), 0);
      assert.equal(
        after.value("connectors_sync_jobs_total", { ...jobLabels, status: "completed" }),
        1,
      );
      const requests = count / chunk;
      const histogram = "connectors_bulk_request_duration_seconds";
      assert.equal(after.value(`${histogram}_count`, labels), requests);
      assert.equal(after.value(`${histogram}_bucket`, { ...labels, le: "+Inf" }), requests);
      assert.ok(after.value(`${histogram}_sum`, labels)! > 0);
      const buckets = after.samples.filter((sample) =>
        sample.name === `${histogram}_bucket` && sample.labels.connector_id === id
      );
      assert.deepEqual(
        buckets.map((sample) => sample.value),
        buckets.map((sample) => sample.value).sort((a, b) => a - b),
        "buckets are cumulative",
      );
      for (const kind of ["request", "document"]) {
        assert.equal(after.value("connectors_bulk_retries_total", { ...labels, kind }), 0);
      }
      assert.equal(after.value("connectors_bulk_queue_bytes", labels), 0);
      const age = after.value("connectors_heartbeat_age_seconds", labels);
      assert.ok(age !== undefined && age >= 0 && age < 30, `heartbeat age ${age}`);
    } finally {
      child.kill("SIGTERM");
      const status = await child.status;
      await stderr.done;
      assert.equal(status.code, 0, stderr.text());
      await Deno.remove(config);
    }
  },
});

Deno.test("bulk sink metrics: every answered request timed, retries by kind, bytes back to 0", async () => {
  const index = uniqueIndexName("metrics-sink");
  const es = testEsClient(server, { retryIntervalMs: 5 });
  const proxy = startEs429Proxy(server.url);
  const viaProxy = testEsClient(server, { host: proxy.url, retryIntervalMs: 5 });
  const answered: number[] = [];
  const retried = { request: 0, document: 0 };
  let buffered = 0;
  let peak = 0;
  const observer: BulkObserver = {
    requestAnswered: (seconds) => answered.push(seconds),
    retried: (kind, count) => retried[kind] += count,
    bufferedChanged: (delta) => {
      buffered += delta;
      peak = Math.max(peak, buffered);
    },
  };
  try {
    const logger = new Logger({ index_name: index });
    await ensureContentIndex({
      es,
      index,
      language: null,
      logger,
      signal: AbortSignal.timeout(60_000),
    });
    proxy.rejectNextRequests(1);
    proxy.rejectItems(["doc-3", "doc-7"]);
    const stats = emptyStats();
    const sink = new BulkSink({
      es: viaProxy,
      index,
      settings: testBulkSettings({ chunkSize: 10, maxConcurrency: 2, retryIntervalMs: 5 }),
      stats,
      logger,
      signal: new AbortController().signal,
      observer,
    });
    for (let i = 0; i < 30; i++) await sink.index(`doc-${i}`, { title: `Document ${i}` });
    await sink.close();

    assert.equal(stats.indexed_document_count, 30);
    assert.equal(answered.length, proxy.counters.bulkRequests, "the 429 answer is timed too");
    assert.ok(answered.every((seconds) => seconds > 0 && seconds < 60));
    assert.deepEqual(retried, { request: 1, document: 2 });
    assert.equal(stats.retries, retried.request + retried.document);
    assert.equal(buffered, 0, "nothing held once closed");
    assert.ok(peak > 0);
  } finally {
    await proxy.close();
    es.close();
    viaProxy.close();
    await fetch(`${server.url}/${index}`, {
      method: "DELETE",
      headers: { authorization: `Basic ${btoa(`${server.username}:${server.password}`)}` },
    }).then((response) => response.body?.cancel());
  }
});
