/**
 * Integration tests of the BulkSink and index preparation against the real test Elasticsearch,
 * directly or through a proxy that simulates overload (429) and counts requests.
 */

import assert from "node:assert/strict";
import { basicAuth, testElasticsearch, testEsClient, uniqueIndexName } from "./support/servers.ts";
import { startEs429Proxy } from "./support/es_429_proxy.ts";
import type { EsClient } from "../lib/es/client.ts";
import { BulkSink } from "../lib/es/bulk_sink.ts";
import { TooManyErrors } from "../lib/es/error_monitor.ts";
import {
  accessControlIndexName,
  ensureAccessControlIndex,
  ensureContentIndex,
  pipelineExists,
} from "../lib/es/content_index.ts";
import { configureLogging, Logger } from "../lib/log/mod.ts";
import type { BulkSettings, SyncStats } from "../lib/sync/types.ts";
import { emptyStats } from "../lib/sync/stats.ts";
import { testBulkSettings } from "./support/bulk_settings.ts";

const es = await testElasticsearch();
const json = { ...basicAuth(es), "content-type": "application/json" };

const lines: string[] = [];
configureLogging({ level: "DEBUG", format: "text", write: (line) => lines.push(line) });
const logger = new Logger({ index_name: "bulk-sink-test" });

function settings(overrides: Partial<BulkSettings> = {}): BulkSettings {
  return testBulkSettings({
    chunkMaxBytes: 3 * 1024 * 1024,
    maxConcurrency: 5,
    maxRetries: 3,
    retryIntervalMs: 5,
    ...overrides,
  });
}

function client(url = es.url): EsClient {
  return testEsClient(es, { host: url, retryIntervalMs: 5 });
}

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return await fetch(es.url + path, {
    method,
    headers: json,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function count(index: string): Promise<number> {
  await (await call("POST", `/${index}/_refresh`)).body?.cancel();
  const response = await call("GET", `/${index}/_count`);
  assert.equal(response.status, 200);
  return (await response.json()).count;
}

async function getDoc(index: string, id: string): Promise<Record<string, unknown> | undefined> {
  const response = await call("GET", `/${index}/_doc/${encodeURIComponent(id)}`);
  const body = await response.json();
  return body.found ? body._source : undefined;
}

async function dropIndex(index: string): Promise<void> {
  await (await call("DELETE", `/${index}`)).body?.cancel();
}

function sinkFor(
  options: { index: string; es?: EsClient; settings?: BulkSettings; stats?: SyncStats } & {
    signal?: AbortSignal;
    pipeline?: string;
  },
): { sink: BulkSink; stats: SyncStats } {
  const stats = options.stats ?? emptyStats();
  const sink = new BulkSink({
    es: options.es ?? client(),
    index: options.index,
    pipeline: options.pipeline,
    settings: options.settings ?? settings(),
    stats,
    logger,
    signal: options.signal ?? new AbortController().signal,
  });
  return { sink, stats };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("counters come from bulk responses: created, updated, noop, deleted, missing delete", async () => {
  const index = uniqueIndexName("bulk-counters");
  try {
    const first = sinkFor({ index });
    for (let i = 0; i < 10; i++) await first.sink.index(`doc-${i}`, { id: `doc-${i}`, n: i });
    await first.sink.close();
    assert.equal(first.stats.created, 10);
    assert.equal(first.stats.indexed_document_count, 10);
    const volume = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `doc-${i}`, n: i }))
      .reduce((sum, text) => sum + new TextEncoder().encode(text).length, 0);
    assert.equal(first.stats.indexed_document_volume_bytes, volume);

    const second = sinkFor({
      index,
      settings: settings({ enableOperationsLogging: true, chunkSize: 4 }),
    });
    lines.length = 0;
    await second.sink.index("doc-0", { id: "doc-0", n: 100 }); // replace: updated
    await second.sink.update("doc-1", { n: 101 }); // partial update: updated
    await second.sink.update("doc-2", { n: 2 }); // same value: noop
    await second.sink.update("new-1", { id: "new-1", n: -1 }); // upsert: created
    await second.sink.delete("doc-3");
    await second.sink.delete("doc-4");
    await second.sink.delete("never-existed"); // 404: neither deleted nor failed
    await second.sink.close();
    assert.deepEqual(
      {
        created: second.stats.created,
        updated: second.stats.updated,
        noop: second.stats.noop,
        deleted: second.stats.deleted,
        failed: second.stats.failed,
        indexed: second.stats.indexed_document_count,
        deletedCount: second.stats.deleted_document_count,
      },
      { created: 1, updated: 2, noop: 1, deleted: 2, failed: 0, indexed: 3, deletedCount: 2 },
    );
    assert.deepEqual(second.sink.failedSample, []);
    assert.ok(lines.some((line) => line.includes("DEBUG") && line.includes("update doc-2: noop")));
    assert.ok(lines.some((line) => line.includes("delete never-existed: not found")));
    assert.equal(await count(index), 9);
    assert.deepEqual(await getDoc(index, "doc-1"), { id: "doc-1", n: 101 });
    assert.equal(await getDoc(index, "doc-3"), undefined);
  } finally {
    await dropIndex(index);
  }
});

Deno.test("failed items are counted, logged with id and reason, and sampled", async () => {
  const index = uniqueIndexName("bulk-failures");
  try {
    const created = await call("PUT", `/${index}`, {
      mappings: { properties: { size: { type: "long" } } },
    });
    assert.equal(created.status, 200);
    await created.body?.cancel();
    lines.length = 0;
    const { sink, stats } = sinkFor({ index });
    await sink.index("good-1", { size: 1 });
    await sink.index("bad-1", { size: "not a number" });
    await sink.index("good-2", { size: 2 });
    await sink.close();
    assert.equal(stats.created, 2);
    assert.equal(stats.failed, 1);
    assert.equal(sink.failedSample.length, 1);
    assert.equal(sink.failedSample[0].id, "bad-1");
    assert.match(sink.failedSample[0].reason, /parsing_exception.*size/);
    const warning = lines.find((line) => line.includes("WARNING") && line.includes("bad-1"));
    assert.ok(warning, `no warning about bad-1 in:\n${lines.join("\n")}`);
    assert.match(warning, /could not index document bad-1: \w+_exception/);
    assert.equal(await count(index), 2);
  } finally {
    await dropIndex(index);
  }
});

Deno.test("the error monitor stops the sink; the whole batch is still counted", async () => {
  const index = uniqueIndexName("bulk-monitor");
  try {
    await (await call("PUT", `/${index}`, {
      mappings: { properties: { size: { type: "long" } } },
    })).body?.cancel();
    const base = settings();
    const { sink, stats } = sinkFor({
      index,
      settings: settings({
        chunkSize: 6,
        errorMonitor: { ...base.errorMonitor, maxConsecutiveErrors: 2 },
      }),
    });
    for (let i = 0; i < 6; i++) await sink.index(`bad-${i}`, { size: `x${i}` });
    await until("the monitor to trip", () => sink.error !== undefined);
    assert.ok(sink.error instanceof TooManyErrors);
    assert.match(sink.error.message, /3 errors in a row.*max_consecutive_errors \(2\)/);
    assert.equal(stats.failed, 6);
    await assert.rejects(sink.index("after", { size: 1 }), TooManyErrors);
    await assert.rejects(sink.close(), TooManyErrors);
  } finally {
    await dropIndex(index);
  }
});

Deno.test("too-large text documents are dropped and counted; attachments are not", async () => {
  const index = uniqueIndexName("bulk-too-large");
  try {
    lines.length = 0;
    const { sink, stats } = sinkFor({ index, settings: settings({ maxTextDocumentBytes: 1000 }) });
    await sink.index("small", { id: "small", body: "x".repeat(100) });
    await sink.index("big", { id: "big", body: "x".repeat(2000) });
    await sink.update("big-update", { id: "big-update", body: "é".repeat(600) }); // 1200 bytes
    await sink.index("with-file", { id: "with-file", _attachment: "QUJD".repeat(1000) });
    await sink.close();
    assert.equal(stats.docs_dropped_too_large, 2);
    assert.equal(stats.created, 2);
    assert.deepEqual(sink.failedSample.map((failed) => failed.id), ["big", "big-update"]);
    assert.match(sink.failedSample[0].reason, /\d+ bytes, more than .*max_text_document_size/);
    assert.ok(
      lines.some((line) => line.includes("WARNING") && line.includes("dropped document big")),
    );
    assert.equal(await count(index), 2);
    assert.equal(await getDoc(index, "big"), undefined);
  } finally {
    await dropIndex(index);
  }
});

Deno.test("requests respect chunkSize documents and chunkMaxBytes; a huge doc goes alone", async () => {
  const index = uniqueIndexName("bulk-limits");
  const proxy = startEs429Proxy(es.url);
  try {
    // One request at a time: the deletes must not overtake the indexing of the same ids.
    const bySize = sinkFor({
      index,
      es: client(proxy.url),
      settings: settings({ chunkSize: 3, maxConcurrency: 1 }),
    });
    for (let i = 0; i < 7; i++) await bySize.sink.index(`n-${i}`, { i });
    await bySize.sink.delete("n-0");
    await bySize.sink.delete("n-1");
    await bySize.sink.close();
    assert.deepEqual(proxy.counters.operationsPerRequest, [3, 3, 3]);
    assert.equal(await count(index), 5);

    proxy.counters.operationsPerRequest.length = 0;
    proxy.counters.bytesPerRequest.length = 0;
    const limit = 1000;
    const byBytes = sinkFor({
      index,
      es: client(proxy.url),
      settings: settings({ chunkMaxBytes: limit, maxConcurrency: 1 }),
    });
    for (let i = 0; i < 10; i++) await byBytes.sink.index(`b-${i}`, { text: "y".repeat(200) });
    await byBytes.sink.index("huge", { text: "z".repeat(5000) });
    await byBytes.sink.index("after-huge", { text: "y".repeat(200) });
    await byBytes.sink.close();
    const { bytesPerRequest, operationsPerRequest } = proxy.counters;
    const hugeRequest = bytesPerRequest.findIndex((bytes) => bytes > limit);
    assert.ok(hugeRequest >= 0);
    assert.equal(operationsPerRequest[hugeRequest], 1, "the huge doc went alone");
    for (const [i, bytes] of bytesPerRequest.entries()) {
      if (i !== hugeRequest) assert.ok(bytes <= limit, `request ${i} has ${bytes} bytes`);
    }
    // 10 docs of ~240 bytes: 4 per request, then the huge one, then the last.
    assert.deepEqual(operationsPerRequest, [4, 4, 2, 1, 1]);
    assert.equal(byBytes.stats.created, 12);
    assert.equal(await count(index), 17);
  } finally {
    await proxy.close();
    await dropIndex(index);
  }
});

Deno.test("acceptance: items and requests answered 429 are retried until every document arrives", async () => {
  const index = uniqueIndexName("bulk-429");
  const proxy = startEs429Proxy(es.url);
  try {
    const total = 300;
    const rejected = Array.from({ length: 15 }, (_, i) => `doc-${i * 19}`);
    proxy.rejectItems(rejected);
    proxy.rejectNextRequests(2);
    const { sink, stats } = sinkFor({
      index,
      es: client(proxy.url),
      settings: settings({ chunkSize: 25, maxConcurrency: 3 }),
    });
    for (let i = 0; i < total; i++) {
      await sink.index(`doc-${i}`, { id: `doc-${i}`, title: `document ${i}` });
    }
    await sink.close();
    assert.equal(proxy.counters.rejectedRequests, 2);
    assert.equal(proxy.counters.rejectedItems, 15);
    assert.equal(stats.retries, 2 + 15);
    assert.equal(stats.created, total);
    assert.equal(stats.failed, 0);
    assert.equal(await count(index), total);
  } finally {
    await proxy.close();
    await dropIndex(index);
  }
});

Deno.test("items still answered 429 after max_retries fail without losing the others", async () => {
  const index = uniqueIndexName("bulk-429-exhausted");
  const proxy = startEs429Proxy(es.url);
  try {
    const { sink, stats } = sinkFor({
      index,
      es: client(proxy.url),
      settings: settings({ maxRetries: 2 }),
    });
    // Rejected on the first send and on both retries.
    proxy.rejectItems(["stubborn"], 3);
    await sink.index("fine", { a: 1 });
    await sink.index("stubborn", { a: 2 });
    await sink.close();
    assert.equal(proxy.counters.bulkRequests, 3);
    assert.deepEqual(proxy.counters.operationsPerRequest, [2, 1, 1]);
    assert.equal(stats.created, 1);
    assert.equal(stats.failed, 1);
    assert.equal(stats.retries, 2);
    assert.equal(sink.failedSample[0].id, "stubborn");
    assert.match(sink.failedSample[0].reason, /es_rejected_execution_exception/);
  } finally {
    await proxy.close();
    await dropIndex(index);
  }
});

Deno.test("backpressure: at most maxConcurrency requests in flight, then callers wait", async () => {
  const index = uniqueIndexName("bulk-backpressure");
  const proxy = startEs429Proxy(es.url);
  try {
    proxy.hold();
    const { sink, stats } = sinkFor({
      index,
      es: client(proxy.url),
      settings: settings({ chunkSize: 2, maxConcurrency: 2 }),
    });
    for (let i = 0; i < 4; i++) await sink.index(`d-${i}`, { i });
    await until("two held requests", () => proxy.held === 2);
    await sink.index("d-4", { i: 4 });
    let settled = false;
    const blocked = sink.index("d-5", { i: 5 }).then(() => settled = true);
    // Give the event loop a chance to wrongly resolve the call before asserting it waits.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(settled, false, "the third full batch must wait for a free request slot");
    assert.equal(proxy.held, 2);
    proxy.release();
    await blocked;
    await sink.close();
    assert.equal(proxy.counters.maxConcurrent, 2);
    assert.equal(stats.created, 6);
    assert.equal(await count(index), 6);
  } finally {
    await proxy.close();
    await dropIndex(index);
  }
});

Deno.test("abort: waiting callers and close() reject promptly", async () => {
  const index = uniqueIndexName("bulk-abort");
  const proxy = startEs429Proxy(es.url);
  try {
    proxy.hold();
    const controller = new AbortController();
    const { sink } = sinkFor({
      index,
      es: client(proxy.url),
      settings: settings({ chunkSize: 1, maxConcurrency: 1 }),
      signal: controller.signal,
    });
    await sink.index("a", { i: 1 });
    await until("one held request", () => proxy.held === 1);
    const waiting = sink.index("b", { i: 2 });
    const started = Date.now();
    controller.abort(new Error("job cancelled by test"));
    await assert.rejects(waiting, /job cancelled by test/);
    await assert.rejects(sink.close(), /job cancelled by test/);
    assert.ok(Date.now() - started < 2000, "abort took too long");
    await assert.rejects(sink.index("c", { i: 3 }), /job cancelled by test/);
  } finally {
    await proxy.close();
    await dropIndex(index);
  }
});

Deno.test("pipelineExists, and the pipeline is sent only when set", async () => {
  const index = uniqueIndexName("bulk-pipeline");
  const pipeline = uniqueIndexName("pipeline");
  const proxy = startEs429Proxy(es.url);
  const esClient = client();
  try {
    assert.equal(await pipelineExists(esClient, pipeline), false);
    const put = await call("PUT", `/_ingest/pipeline/${pipeline}`, { processors: [] });
    assert.equal(put.status, 200);
    await put.body?.cancel();
    assert.equal(await pipelineExists(esClient, pipeline), true);

    const withPipeline = sinkFor({ index, es: client(proxy.url), pipeline });
    await withPipeline.sink.index("p", { a: 1 });
    await withPipeline.sink.close();
    const without = sinkFor({ index, es: client(proxy.url) });
    await without.sink.index("q", { a: 1 });
    await without.sink.close();
    assert.match(proxy.counters.bulkUrls[0], new RegExp(`[?&]pipeline=${pipeline}(&|$)`));
    assert.doesNotMatch(proxy.counters.bulkUrls[1], /pipeline=/);
    assert.match(proxy.counters.bulkUrls[1], new RegExp(`^/${index}/_bulk\\?filter_path=`));
    assert.equal(await count(index), 2);
  } finally {
    await (await call("DELETE", `/_ingest/pipeline/${pipeline}`)).body?.cancel();
    await proxy.close();
    await dropIndex(index);
  }
});

async function clusterHasAnalysisCommon(): Promise<boolean> {
  const response = await call("POST", "/_analyze", { tokenizer: "whitespace", text: "a b" });
  await response.body?.cancel();
  return response.status === 200;
}

Deno.test("ensureContentIndex creates Kibana's content index once, or a plain one on minimal clusters", async () => {
  const index = uniqueIndexName("search-content");
  const esClient = client();
  try {
    lines.length = 0;
    const full = await clusterHasAnalysisCommon();
    const outcome = await ensureContentIndex({ es: esClient, index, language: "fr", logger });
    assert.equal(outcome, full ? "created" : "created_without_analyzers");
    const warnings = lines.filter((line) => line.includes("WARNING"));
    assert.equal(warnings.length, full ? 0 : 1, warnings.join("\n"));

    const got = await (await call("GET", `/${index}`)).json();
    const { mappings, settings: indexSettings } = got[index];
    assert.equal(mappings.dynamic, "true");
    assert.deepEqual(mappings.properties.id, { type: "keyword" });
    assert.equal(indexSettings.index.number_of_shards, "2");
    const template = mappings.dynamic_templates[0].all_text_fields;
    assert.equal(template.match_mapping_type, "string");
    assert.deepEqual(template.mapping.fields.enum, { type: "keyword", ignore_above: 2048 });
    if (full) {
      assert.equal(template.mapping.analyzer, "iq_text_base");
      const analysis = indexSettings.index.analysis;
      assert.ok(analysis.filter["fr-elision"]);
      assert.deepEqual(analysis.analyzer.iq_text_stem.filter.slice(0, 2), [
        "fr-elision",
        "cjk_width",
      ]);
    } else {
      assert.equal(indexSettings.index.analysis, undefined);
    }

    // Documents get the dynamic mapping: strings searchable, `.enum` exact.
    const { sink } = sinkFor({ index });
    await sink.index("1", { id: "1", title: "Les élèves", _allow_access_control: ["alice"] });
    await sink.close();
    await count(index);
    const search = await (await call("POST", `/${index}/_search`, {
      query: { term: { "_allow_access_control.enum": "alice" } },
    })).json();
    assert.equal(search.hits.total.value, 1);

    assert.equal(
      await ensureContentIndex({ es: esClient, index, language: "fr", logger }),
      "exists",
    );
    const alias = `${index}-alias`;
    await (await call("PUT", `/${index}/_alias/${alias}`)).body?.cancel();
    assert.equal(
      await ensureContentIndex({ es: esClient, index: alias, language: null, logger }),
      "exists",
    );
  } finally {
    await dropIndex(index);
  }
});

Deno.test("ensureContentIndex with no language uses the English analyzers", async () => {
  if (!(await clusterHasAnalysisCommon())) return; // covered by the fallback test above
  const index = uniqueIndexName("search-universal");
  try {
    assert.equal(
      await ensureContentIndex({ es: client(), index, language: null, logger }),
      "created",
    );
    const got = await (await call("GET", `/${index}/_settings`)).json();
    const filters = got[index].settings.index.analysis.filter;
    assert.equal(filters["en-stem-filter"].language, "light_english");
    assert.equal(filters["en-stop-words-filter"].stopwords, "_english_");
  } finally {
    await dropIndex(index);
  }
});

Deno.test("ensureAccessControlIndex creates the hidden .search-acl-filter- index once", async () => {
  const content = uniqueIndexName("search-acl");
  const name = accessControlIndexName(content);
  const esClient = client();
  try {
    assert.equal(
      await ensureAccessControlIndex({ es: esClient, index: content, logger }),
      "created",
    );
    assert.equal(await ensureAccessControlIndex({ es: esClient, index: name, logger }), "exists");
    const got = await (await call("GET", `/${name}?expand_wildcards=all`)).json();
    assert.equal(got[name].mappings.dynamic, "false");
    assert.deepEqual(got[name].mappings.properties.created_at, { type: "date" });
    assert.equal(got[name].settings.index.hidden, "true");
  } finally {
    await dropIndex(name);
  }
});
