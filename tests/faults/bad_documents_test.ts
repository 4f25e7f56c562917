/**
 * Documents Elasticsearch (or JSON) cannot take: each is dropped with its id and reason in the
 * failed sample and counted, or repaired with a warning, and the rest of the sync completes with
 * exact counts. Real PostgreSQL rows through the real `connectors sync` child, the generated
 * source through `runSync` for values no database yields, and a body-limit proxy for requests
 * over Elasticsearch's `http.max_content_length`.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { configureLogging, Logger } from "../../lib/log/mod.ts";
import { ConnectorIndex, type SyncJobDoc, SyncJobIndex } from "../../lib/protocol/mod.ts";
import type { SourceDocument } from "../../lib/source/types.ts";
import { runSync, type SyncOptions, type SyncResult } from "../../lib/sync/mod.ts";
import { testBulkSettings } from "../support/bulk_settings.ts";
import { generatedSource } from "../support/generated_source.ts";
import {
  testElasticsearch,
  testEsClient,
  testPostgres,
  uniqueIndexName,
} from "../support/servers.ts";
import {
  assertNoStackTrace,
  connectorsCli,
  postgresConfiguration,
  postgresValues,
  startBodyLimitProxy,
  writeDaemonConfig,
} from "./support_bad_input.ts";

const server = await testElasticsearch();
const pg = await testPostgres();
const es = testEsClient(server, { maxRetries: 1 });
const workDir = await Deno.makeTempDir({ prefix: "bad-documents-" });
globalThis.addEventListener("unload", () => {
  es.close();
  Deno.removeSync(workDir, { recursive: true });
});

const logLines: string[] = [];
configureLogging({ level: "INFO", write: (line) => logLines.push(line) });

const MIB = 1024 * 1024;

/** `{"l0": {"l1": ... {"leaf": leaf}}}`, `depth` objects deep. */
function nested(depth: number, leaf: unknown = "bottom"): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf };
  for (let i = depth - 2; i >= 0; i--) value = { [`l${i}`]: value };
  return value;
}

async function indexCount(index: string): Promise<number> {
  await es.request("POST", `/${index}/_refresh`);
  return (await es.request<{ count: number }>("GET", `/${index}/_count`)).body.count;
}

async function source(index: string, id: string): Promise<Record<string, unknown> | undefined> {
  const response = await es.request<{ found: boolean; _source: Record<string, unknown> }>(
    "GET",
    `/${index}/_doc/${encodeURIComponent(id)}`,
    { allow: [404] },
  );
  return response.body.found ? response.body._source : undefined;
}

/** The sample entry of `id`; fails unless its reason matches. */
function assertFailed(failed: { id: string; reason: string }[], id: string, reason: RegExp) {
  const entry = failed.find((item) => item.id === id);
  assert.ok(entry, `${id} is not in the failed sample: ${JSON.stringify(failed)}`);
  assert.match(entry.reason, reason, `${id}: ${entry.reason}`);
}

Deno.test({
  name: "bad PostgreSQL rows through `connectors sync`: dropped with reasons, counted, rest exact",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    const table = `bad_docs_${crypto.randomUUID().slice(0, 8)}`;
    const index = uniqueIndexName("bad-docs-pg");
    const connectorId = `bad-docs-${crypto.randomUUID().slice(0, 8)}`;
    const good = 40;
    try {
      await sql`CREATE TABLE ${sql(table)} (id int PRIMARY KEY, body text, doc jsonb, raw json)`;
      await sql`INSERT INTO ${sql(table)}
        SELECT i, 'row ' || i, jsonb_build_object('n', i), '{"ok": true}' FROM generate_series(1, ${good}) i`;
      // A 40 MiB text field: over elasticsearch.bulk.max_text_document_size (3 MiB).
      await sql`INSERT INTO ${sql(table)} VALUES (101, ${"x".repeat(40 * MIB)}, '{}', '{}')`;
      // 200 levels: over index.mapping.depth.limit (20).
      await sql`INSERT INTO ${sql(table)} VALUES (102, 'deep', ${
        JSON.stringify(nested(200))
      }::text::jsonb, '{}')`;
      // 1500 fields: over index.mapping.total_fields.limit (1000).
      const wide = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`f${i}`, i]));
      await sql`INSERT INTO ${sql(table)} VALUES (103, 'wide', ${
        JSON.stringify(wide)
      }::text::jsonb, '{}')`;
      // json (unlike jsonb) keeps a lone surrogate escape: repaired, not dropped.
      await sql`INSERT INTO ${sql(table)} VALUES (104, 'surrogate', '{}', '{"text": "a\\ud800b"}')`;

      const connectors = new ConnectorIndex(es);
      await connectors.create({
        id: connectorId,
        indexName: index,
        serviceType: "postgresql",
        configuration: postgresConfiguration(postgresValues(pg, table)),
      });
      const config = await writeDaemonConfig(server, { dir: workDir, connectorIds: [connectorId] });
      const run = await connectorsCli(["sync", "--id", connectorId, "--full", "-c", config]);
      const output = run.stdout + run.stderr;
      assertNoStackTrace(output, "connectors sync");
      assert.equal(run.code, 0, output);
      const indexed = good + 1; // the repaired row too
      const notWritten = 3;
      assert.match(
        run.stdout,
        new RegExp(
          `completed in .* s: ${indexed} created, 0 updated, 0 deleted, ${notWritten} failed`,
        ),
      );
      assert.match(run.stderr, /dropped document \S+_101: document is \d+ bytes, more than/);

      const jobs = new SyncJobIndex(es);
      await es.request("POST", "/.elastic-connectors-sync-jobs/_refresh");
      const [job] = await Array.fromAsync(jobs.byConnector(connectorId));
      const doc: SyncJobDoc = job.doc;
      assert.equal(doc.status, "completed", doc.error ?? "");
      assert.equal(doc.indexed_document_count, indexed);
      const metadata = doc.metadata as {
        failed_document_count: number;
        failed_documents: { id: string; reason: string }[];
        warnings: string[];
      };
      assert.equal(metadata.failed_document_count, notWritten);
      const idOf = (key: number) =>
        metadata.failed_documents.find((f) => f.id.endsWith(`_${key}`))?.id ?? `?_${key}`;
      assertFailed(metadata.failed_documents, idOf(101), /max_text_document_size/);
      assertFailed(metadata.failed_documents, idOf(102), /Limit of mapping depth \[20\]/);
      assertFailed(metadata.failed_documents, idOf(103), /Limit of total fields \[1000\]/);
      assert.equal(metadata.failed_documents.length, notWritten);
      assert.ok(
        metadata.warnings.some((w) => /_104": field ".*raw.text" held invalid Unicode/.test(w)),
        JSON.stringify(metadata.warnings),
      );

      assert.equal(await indexCount(index), indexed);
      const repaired = await source(index, idOf(101).replace(/_101$/, "_104"));
      const raw = Object.entries(repaired ?? {}).find(([key]) => key.endsWith("_raw"))?.[1];
      assert.deepEqual(raw, { text: "a\ufffdb" });
    } finally {
      await sql`DROP TABLE IF EXISTS ${sql(table)}`;
      await sql.end();
      await es.request("DELETE", `/${index}`, { allow: [404] });
    }
  },
});

/** A full sync of `count` generated documents, with `bad` replacing some by id. */
async function syncGenerated(
  options: {
    index: string;
    count: number;
    bad: Record<string, (doc: SourceDocument) => void>;
    overrides?: Partial<SyncOptions>;
  },
): Promise<SyncResult> {
  const names = Object.keys(options.bad);
  const source = generatedSource({ count: options.count });
  const docs = source.docs.bind(source);
  source.docs = async function* (context) {
    for await (const item of docs(context)) {
      const i = item.doc._id as number;
      if (i < names.length) {
        item.doc._id = names[i];
        options.bad[names[i]](item.doc);
      }
      yield item;
    }
  };
  return await runSync({
    es,
    indexName: options.index,
    language: null,
    jobType: "full",
    source,
    features: {
      basicRules: true,
      advancedRules: false,
      documentLevelSecurity: false,
      incrementalSync: false,
    },
    basicRules: [],
    pipeline: {
      name: "",
      extract_binary_content: false,
      reduce_whitespace: false,
      run_ml_inference: false,
    },
    cursor: null,
    bulk: testBulkSettings(),
    maxFileSize: 0,
    maxDeletionRatio: 0.5,
    allowMassDelete: false,
    tempDir: workDir,
    signal: new AbortController().signal,
    logger: new Logger({ index_name: options.index }),
    ...options.overrides,
  });
}

Deno.test("values JSON cannot carry and unserializable documents: repaired or dropped, rest exact", async () => {
  const index = uniqueIndexName("bad-docs-values");
  const count = 300;
  try {
    const result = await syncGenerated({
      index,
      count,
      bad: {
        "nan": (doc) => (doc.rank = NaN),
        "infinity": (doc) => (doc.stats = { max: Infinity, min: -Infinity }),
        "surrogates": (doc) => (doc.tags = ["ok", "half \udc00 pair"]),
        // Deep enough to overflow JSON.stringify's stack: refused before sending.
        "deep-100k": (doc) => (doc.extra = { tree: nested(100_000) }),
        "bigint": (doc) => (doc.rank = 2n ** 70n as unknown as number),
      },
    });
    const dropped = ["deep-100k", "bigint"];
    assert.equal(result.stats.failed, dropped.length);
    assert.equal(result.stats.docs_extracted, count);
    assert.equal(result.stats.indexed_document_count, count - dropped.length);
    assert.equal(result.stats.created, count - dropped.length);
    assert.deepEqual(result.failedSample.map((failed) => failed.id).sort(), [...dropped].sort());
    assertFailed(result.failedSample, "deep-100k", /cannot be serialized as JSON/);
    assertFailed(result.failedSample, "bigint", /cannot be serialized as JSON .*BigInt/);
    for (
      const [id, field] of [["nan", "rank"], ["infinity", "stats.max"], ["surrogates", "tags"]]
    ) {
      assert.ok(
        result.warnings.some((w) => w.startsWith(`document "${id}": field "${field}" held`)),
        `${id}: ${JSON.stringify(result.warnings)}`,
      );
    }
    assert.equal(await indexCount(index), count - dropped.length);
    assert.equal((await source(index, "nan"))?.rank, null);
    assert.deepEqual((await source(index, "infinity"))?.stats, { max: null, min: null });
    assert.deepEqual((await source(index, "surrogates"))?.tags, ["ok", "half \ufffd pair"]);
  } finally {
    await es.request("DELETE", `/${index}`, { allow: [404] });
  }
});

Deno.test("requests over the body limit (HTTP 413) are split; a document alone over it is dropped", async () => {
  const index = uniqueIndexName("bad-docs-413");
  const limit = 128 * 1024;
  const proxy = startBodyLimitProxy(server.url, limit);
  const viaProxy = testEsClient(server, { host: proxy.url, maxRetries: 1 });
  const count = 200;
  try {
    logLines.length = 0;
    const result = await syncGenerated({
      index,
      count,
      bad: { "too-big": (doc) => (doc.body = "y".repeat(limit * 2)) },
      overrides: { es: viaProxy },
    });
    assert.ok(proxy.refused > 1, `the proxy refused ${proxy.refused} requests`);
    assert.equal(result.stats.failed, 1);
    assert.equal(result.stats.indexed_document_count, count - 1);
    assert.deepEqual(result.failedSample.map((failed) => failed.id), ["too-big"]);
    assertFailed(result.failedSample, "too-big", /refused as too large \(HTTP 413\)/);
    assert.equal(await indexCount(index), count - 1);
    const splits = logLines.filter((line) => line.includes("sending it in halves"));
    assert.equal(splits.filter((line) => line.includes("WARNING")).length, 1, "warned once");
  } finally {
    viaProxy.close();
    await proxy.close();
    await es.request("DELETE", `/${index}`, { allow: [404] });
  }
});
