/**
 * The sync engine against a real Elasticsearch, with a generated in-process source.
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { configureLogging, Logger } from "../lib/log/mod.ts";
import type { SourceFeatures } from "../lib/source/types.ts";
import {
  runSync,
  SyncFailed,
  type SyncOptions,
  type SyncResult,
  type SyncStats,
} from "../lib/sync/mod.ts";
import {
  generatedDoc,
  generatedPlan,
  generatedSource,
  type GeneratedSourceOptions,
  generatedState,
} from "./support/generated_source.ts";
import { testBulkSettings } from "./support/bulk_settings.ts";
import { testElasticsearch, testEsClient, uniqueIndexName } from "./support/servers.ts";

const server = await testElasticsearch();
const es = testEsClient(server, { maxRetries: 2, retryIntervalMs: 200 });

// Spill files go here, so tests can check that every sync removes its own.
const spillDir = await Deno.makeTempDir({ prefix: "sync-engine-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(spillDir, { recursive: true }));

function assertNoSpillFiles(): void {
  assert.deepEqual([...Deno.readDirSync(spillDir)].map((entry) => entry.name), []);
}

const logLines: string[] = [];
configureLogging({ level: "INFO", write: (line) => logLines.push(line) });

const BULK = testBulkSettings({
  chunkSize: 1000,
  maxConcurrency: 2,
  concurrentDownloads: 4,
  maxRetries: 3,
  retryIntervalMs: 200,
});
const FEATURES: SourceFeatures = {
  basicRules: true,
  advancedRules: false,
  documentLevelSecurity: true,
  incrementalSync: true,
};

function options(overrides: Partial<SyncOptions> & Pick<SyncOptions, "indexName" | "source">) {
  return {
    es,
    language: null,
    jobType: "full",
    features: FEATURES,
    basicRules: [],
    pipeline: {
      name: "search-default-ingestion",
      extract_binary_content: true,
      reduce_whitespace: true,
      run_ml_inference: true,
    },
    cursor: null,
    bulk: BULK,
    maxFileSize: 10 * 1024 * 1024,
    maxDeletionRatio: 0.5,
    allowMassDelete: false,
    tempDir: spillDir,
    signal: new AbortController().signal,
    logger: new Logger({ index_name: overrides.indexName }),
    ...overrides,
  } satisfies SyncOptions;
}

function sync(
  index: string,
  source: GeneratedSourceOptions,
  overrides: Partial<SyncOptions> = {},
): Promise<SyncResult> {
  return runSync(options({ indexName: index, source: generatedSource(source), ...overrides }));
}

async function count(index: string, query?: unknown): Promise<number> {
  await es.request("POST", `/${index}/_refresh`);
  const response = await es.request<{ count: number }>("POST", `/${index}/_count`, {
    body: query ? { query } : undefined,
  });
  return response.body.count;
}

async function getDoc(index: string, id: string): Promise<Record<string, unknown> | undefined> {
  const response = await es.request<{ found: boolean; _source: Record<string, unknown> }>(
    "GET",
    `/${encodeURIComponent(index)}/_doc/${encodeURIComponent(id)}`,
    { allow: [404] },
  );
  return response.body.found ? response.body._source : undefined;
}

async function dropIndex(index: string): Promise<void> {
  await es.request("DELETE", `/${encodeURIComponent(index)}`, { allow: [404] });
}

/** Only the counters a test pins exactly. */
function counters(stats: SyncStats, keys: (keyof SyncStats)[]): Partial<SyncStats> {
  return Object.fromEntries(keys.map((key) => [key, stats[key]]));
}

const WRITE_COUNTERS: (keyof SyncStats)[] = [
  "indexed_document_count",
  "deleted_document_count",
  "created",
  "updated",
  "deleted",
  "failed",
  "docs_extracted",
  "docs_filtered",
  "docs_skipped_unchanged",
  "docs_dropped_too_large",
];

function expected(values: Partial<SyncStats>): Partial<SyncStats> {
  const zero = Object.fromEntries(WRITE_COUNTERS.map((key) => [key, 0]));
  return { ...zero, ...values };
}

Deno.test("full sync of 50k documents, then removals and changes are exact", async () => {
  const index = uniqueIndexName("sync-50k");
  try {
    const N = 50_000;
    const progress: number[] = [];
    const first = await sync(index, { count: N }, {
      onProgress: (stats) => progress.push(stats.indexed_document_count),
    });
    assert.deepEqual(
      counters(first.stats, WRITE_COUNTERS),
      expected({ indexed_document_count: N, created: N, docs_extracted: N }),
    );
    assert.equal(await count(index), N);
    assert.ok(progress.length > 10 && progress.at(-1) === N, "progress reported along the way");
    assert.equal(first.warnings.length, 1, "one warning for the missing pipeline");
    assert.match(first.warnings[0], /ingest pipeline search-default-ingestion does not exist/);
    assert.deepEqual(first.cursor, { version: 1 });

    const shares = { count: N, removeShare: 0.1, changeShare: 0.05 };
    const plan = generatedPlan(shares);
    assert.ok(plan.removed > 4500 && plan.removed < 5500 && plan.changed > 2000);
    const second = await sync(index, shares);
    assert.deepEqual(
      counters(second.stats, WRITE_COUNTERS),
      expected({
        indexed_document_count: plan.present,
        updated: plan.present,
        deleted_document_count: plan.removed,
        deleted: plan.removed,
        docs_extracted: plan.present,
      }),
    );
    assert.equal(await count(index), plan.present);
    assert.equal(await count(index, { term: { version: 2 } }), plan.changed);
    assertNoSpillFiles();
    const removedId = [...Array(N).keys()].find((i) => generatedState(i, shares) === -1)!;
    assert.equal(await getDoc(index, String(removedId)), undefined);
    const changedId = [...Array(N).keys()].find((i) => generatedState(i, shares) === 2)!;
    const changed = await getDoc(index, String(changedId));
    assert.equal(changed?.version, 2);
    assert.equal(changed?.id, String(changedId));
    assert.equal(changed?._timestamp, generatedDoc(changedId, 2)._timestamp);
    assert.equal(changed?._extract_binary_content, true);
    assert.equal(changed?._reduce_whitespace, true);
    assert.equal(changed?._run_ml_inference, true);
  } finally {
    await dropIndex(index);
  }
});

Deno.test("mass-delete guard refuses and deletes nothing; allowMassDelete deletes", async () => {
  const index = uniqueIndexName("sync-guard");
  try {
    await sync(index, { count: 1000 });
    const shares = { count: 1000, removeShare: 0.6 };
    const plan = generatedPlan(shares);
    const refused = await sync(index, shares).then(
      () => assert.fail("the guard should refuse"),
      (error) => error,
    );
    assert.ok(refused instanceof SyncFailed);
    assert.equal(refused.cancelled, false);
    assert.equal(
      refused.message,
      `full sync would delete ${plan.removed} of 1000 documents (${plan.removed / 10}%) in ` +
        `${index}, more than service.max_deletion_ratio 50%; nothing was deleted. If this is ` +
        `expected, rerun with --allow-mass-delete or raise service.max_deletion_ratio`,
    );
    assert.equal(refused.result.stats.deleted_document_count, 0);
    assert.equal(refused.result.stats.indexed_document_count, plan.present);
    assert.equal(await count(index), 1000, "nothing deleted");
    assertNoSpillFiles();

    const emptySource = await sync(index, { count: 0 }).catch((error) => error);
    assert.match(emptySource.message, /would delete 1000 of 1000 documents \(100%\)/);
    assert.equal(await count(index), 1000);

    const allowed = await sync(index, shares, { allowMassDelete: true });
    assert.equal(allowed.stats.deleted_document_count, plan.removed);
    assert.equal(await count(index), plan.present);
  } finally {
    await dropIndex(index);
  }
});

Deno.test("id edge cases: 0, empty, unicode, newlines, over 512 bytes", async () => {
  const index = uniqueIndexName("sync-ids");
  const long = "ü".repeat(300); // 600 UTF-8 bytes
  const hashed = createHash("md5").update(long, "utf8").digest("hex");
  const ids: (string | number)[] = [0, "", "ünïcødé 😀", "line\nbreak", "back\\slash", long, "1"];
  const idSource = (count: number) => ({ count, id: (i: number) => ids[i] });
  try {
    logLines.length = 0;
    const result = await sync(index, idSource(ids.length));
    assert.equal(result.stats.failed, 1, "the empty id is refused");
    assert.equal(result.stats.indexed_document_count, ids.length - 1);
    assert.deepEqual(result.failedSample.map((failed) => failed.id), [""]);
    assert.match(result.failedSample[0].reason, /empty _id/);
    assert.ok(logLines.some((line) => line.includes("empty _id")), "the refusal is logged");
    assert.equal(await count(index), ids.length - 1);
    assert.equal((await getDoc(index, "0"))?.id, "0");
    assert.equal((await getDoc(index, "ünïcødé 😀"))?.title, "Document 2");
    assert.equal((await getDoc(index, "line\nbreak"))?.title, "Document 3");
    assert.equal((await getDoc(index, hashed))?.title, "Document 5");
    assert.equal((await getDoc(index, hashed))?.id, hashed);

    // Keep only 0 and "": everything else is stale, deleted by its exact (or hashed) id.
    const second = await sync(index, idSource(2), { allowMassDelete: true });
    assert.equal(second.stats.deleted_document_count, ids.length - 2);
    assert.equal(await count(index), 1);
    assert.ok(await getDoc(index, "0"));
  } finally {
    await dropIndex(index);
  }
});

Deno.test("a document over max_text_document_size is dropped and counted", async () => {
  const index = uniqueIndexName("sync-too-large");
  try {
    const result = await sync(index, { count: 20 }, {
      bulk: { ...BULK, maxTextDocumentBytes: 3000 },
      source: (() => {
        const source = generatedSource({ count: 20 });
        const docs = source.docs.bind(source);
        source.docs = async function* (context) {
          for await (const item of docs(context)) {
            if (item.doc._id === 7) item.doc.body = "x".repeat(5000);
            yield item;
          }
        };
        return source;
      })(),
    });
    assert.equal(result.stats.docs_dropped_too_large, 1);
    assert.equal(result.stats.indexed_document_count, 19);
    assert.equal(await count(index), 19);
    assert.equal(await getDoc(index, "7"), undefined);
    assert.ok(result.failedSample.some((failed) => failed.id === "7"));
  } finally {
    await dropIndex(index);
  }
});

Deno.test("skip-unchanged incremental re-indexes only changed documents", async () => {
  const index = uniqueIndexName("sync-skip");
  try {
    const N = 3000;
    await sync(index, { count: N });
    const shares = { count: N, removeShare: 0.1, changeShare: 0.05, downloads: {} };
    const plan = generatedPlan(shares);
    const source = generatedSource(shares);
    const result = await runSync(
      options({ indexName: index, source, jobType: "incremental" }),
    );
    assert.deepEqual(
      counters(result.stats, WRITE_COUNTERS),
      expected({
        indexed_document_count: plan.changed,
        updated: plan.changed,
        deleted_document_count: plan.removed,
        deleted: plan.removed,
        docs_extracted: plan.present,
        docs_skipped_unchanged: plan.unchanged,
      }),
    );
    assert.equal(source.downloadsStarted, plan.changed, "unchanged documents are not downloaded");
    assert.equal(await count(index), plan.present);
    assert.equal(await count(index, { term: { version: 2 } }), plan.changed);
    assert.equal(await count(index, { exists: { field: "_attachment" } }), plan.changed);
  } finally {
    await dropIndex(index);
  }
});

Deno.test("incremental without the feature or changes() is refused", async () => {
  const index = uniqueIndexName("sync-no-incremental");
  const error = await runSync(options({
    indexName: index,
    source: generatedSource({ count: 1 }),
    jobType: "incremental",
    features: { ...FEATURES, incrementalSync: false },
    logger: new Logger({ service_type: "dir" }),
  })).catch((error) => error);
  assert.ok(error instanceof SyncFailed);
  assert.match(error.message, /^dir does not support incremental syncs/);
});

Deno.test("true incremental applies changes from the cursor and returns the new one", async () => {
  const index = uniqueIndexName("sync-changes");
  try {
    const N = 2000;
    const full = await sync(index, { count: N, trueIncremental: true });
    assert.deepEqual(full.cursor, { version: 1 });
    const shares = { count: N, removeShare: 0.1, changeShare: 0.05, trueIncremental: true };
    const plan = generatedPlan(shares);
    const source = generatedSource(shares);
    const result = await runSync(options({
      indexName: index,
      source,
      jobType: "incremental",
      cursor: full.cursor,
      basicRules: [rule({ policy: "exclude", field: "rank", rule: "equals", value: "-1" })],
    }));
    assert.deepEqual(source.receivedCursor, { version: 1 });
    assert.deepEqual(result.cursor, { version: 2 });
    assert.deepEqual(
      counters(result.stats, WRITE_COUNTERS),
      expected({
        indexed_document_count: plan.changed,
        updated: plan.changed,
        deleted_document_count: plan.removed,
        deleted: plan.removed,
        docs_extracted: plan.changed,
      }),
    );
    assert.equal(await count(index), plan.present);
    assert.equal(await count(index, { term: { version: 2 } }), plan.changed);
  } finally {
    await dropIndex(index);
  }
});

function rule(
  fields: { policy: "include" | "exclude"; field: string; rule: string; value: string },
) {
  return { id: crypto.randomUUID(), order: 1, ...fields };
}

Deno.test("basic rules filter documents; a full sync deletes newly filtered copies", async () => {
  const index = uniqueIndexName("sync-rules");
  try {
    const N = 900;
    await sync(index, { count: N });
    const fizz = Math.ceil(N / 3);
    const result = await sync(index, { count: N }, {
      basicRules: [
        { id: "DEFAULT", policy: "include", field: "_", rule: "regex", value: ".*", order: 0 },
        rule({ policy: "exclude", field: "category", rule: "equals", value: "fizz" }),
      ],
    });
    assert.equal(result.stats.docs_filtered, fizz);
    assert.equal(result.stats.indexed_document_count, N - fizz);
    assert.equal(result.stats.deleted_document_count, fizz);
    assert.equal(await count(index), N - fizz);
    assert.equal(await count(index, { term: { category: "fizz" } }), 0);
  } finally {
    await dropIndex(index);
  }
});

Deno.test("failed downloads are counted, sampled and logged; others are merged", async () => {
  const index = uniqueIndexName("sync-downloads");
  try {
    logLines.length = 0;
    const N = 500;
    const fails = (i: number) => i % 50 === 7;
    const failures = [...Array(N).keys()].filter(fails).length;
    const source = generatedSource({ count: N, downloads: { fail: fails } });
    const result = await runSync(options({ indexName: index, source }));
    assert.equal(source.downloadsStarted, N);
    assert.equal(result.stats.failed, failures);
    assert.equal(result.stats.indexed_document_count, N - failures);
    assert.equal(result.failedSample.length, failures);
    assert.match(result.failedSample[0].reason, /download of its content failed \(file 7/);
    assert.ok(logLines.some((line) => line.includes("file 57 is unreadable")));
    assert.equal(await count(index, { exists: { field: "_attachment" } }), N - failures);

    const off = generatedSource({ count: N, downloads: {} });
    await runSync(options({
      indexName: index,
      source: off,
      pipeline: { ...options({ indexName: index, source: off }).pipeline, name: "" },
      maxDeletionRatio: 1,
    }));
    assert.equal(off.downloadsStarted, N, "extract_binary_content on: downloads run");
    const skipped = generatedSource({ count: N, downloads: {} });
    const base = options({ indexName: index, source: skipped });
    await runSync({ ...base, pipeline: { ...base.pipeline, extract_binary_content: false } });
    assert.equal(skipped.downloadsStarted, 0, "extract_binary_content off: no downloads");
  } finally {
    await dropIndex(index);
  }
});

Deno.test("access-control sync writes identities and sweeps stale ones", async () => {
  const content = uniqueIndexName("sync-acl");
  const index = `.search-acl-filter-${content}`;
  try {
    const first = await runSync(options({
      indexName: index,
      source: generatedSource({ count: 0, accessControl: 300 }),
      jobType: "access_control",
    }));
    assert.equal(first.stats.created, 300);
    assert.equal(first.cursor, null);
    const second = await runSync(options({
      indexName: index,
      source: generatedSource({ count: 0, accessControl: 250 }),
      jobType: "access_control",
    }));
    assert.equal(second.stats.deleted_document_count, 50);
    assert.equal(await count(index), 250);
    const user = await getDoc(index, "user-1");
    assert.equal(user?.id, "user-1");
    assert.equal(user?._extract_binary_content, undefined, "no pipeline flags on identities");
  } finally {
    await dropIndex(index);
  }
});

Deno.test("an access-control sync given the content index writes its ACL index", async () => {
  const content = uniqueIndexName("sync-acl-name");
  try {
    const result = await runSync(options({
      indexName: content,
      source: generatedSource({ count: 0, accessControl: 3 }),
      jobType: "access_control",
    }));
    assert.equal(result.stats.created, 3);
    assert.equal(await count(`.search-acl-filter-${content}`), 3);
    const exists = await es.request("HEAD", `/${content}`, { allow: [404] });
    assert.equal(exists.status, 404, "the content index is not touched");
  } finally {
    await dropIndex(`.search-acl-filter-${content}`);
  }
});

Deno.test("cancellation stops promptly with the counters so far", async () => {
  const index = uniqueIndexName("sync-cancel");
  try {
    const controller = new AbortController();
    const source = generatedSource({ count: 100_000 });
    const started = performance.now();
    let abortedAt = 0;
    const error = await runSync(options({
      indexName: index,
      source,
      signal: controller.signal,
      onProgress: (stats) => {
        if (stats.docs_extracted >= 5000 && !controller.signal.aborted) {
          abortedAt = performance.now();
          controller.abort(new Error("job canceled by user"));
        }
      },
    })).catch((error) => error);
    assert.ok(error instanceof SyncFailed, String(error));
    assert.equal(error.cancelled, true);
    assert.match(error.message, /was cancelled \(job canceled by user\) after 5000 documents/);
    assert.equal(error.result.stats.docs_extracted, 5000);
    assert.ok(error.result.stats.indexed_document_count <= 5000);
    assert.ok(performance.now() - abortedAt < 2000, "stopped within 2 s of the abort");
    assert.ok(source.iterationClosed, "the source iterator was closed");
    assertNoSpillFiles();
    assert.ok(performance.now() - started < 30_000);
  } finally {
    await dropIndex(index);
  }
});

Deno.test("cancellation does not wait for a source stuck in a request", async () => {
  const index = uniqueIndexName("sync-cancel-stuck");
  try {
    const controller = new AbortController();
    let abortedAt = 0;
    const running = runSync(options({
      indexName: index,
      source: generatedSource({ count: 1000, hangAfter: 100 }),
      signal: controller.signal,
      onProgress: (stats) => {
        if (stats.docs_extracted === 100 && abortedAt === 0) {
          // Abort once the source is stuck, from outside the sync's own call stack.
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort(new Error("service stopping"));
          }, 200);
        }
      },
    }));
    const error = await running.catch((error) => error);
    assert.ok(error instanceof SyncFailed);
    assert.equal(error.cancelled, true);
    assert.equal(error.result.stats.docs_extracted, 100);
    assert.ok(performance.now() - abortedAt < 2000, "stopped within 2 s of the abort");
  } finally {
    await dropIndex(index);
  }
});
