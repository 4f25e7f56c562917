/**
 * Elasticsearch throttles: a proxy in front of the shared test cluster answers 429 to a share of
 * the `_bulk` requests and of the documents of the others, for most of a sync. The sync slows
 * down and completes with exact counts; every refusal was retried (the log says so), nothing was
 * lost and nothing was written twice.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { BulkSink } from "../../lib/es/bulk_sink.ts";
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
  assertCompletedExactly,
  createConnector,
  indexCount,
  jobsOf,
  poll,
  spawnSync,
  tailOf,
  writeSyncConfig,
} from "./support_sync.ts";

const server = await testElasticsearch();
const pg = await testPostgres();

const ROWS = 3_000;
/** The throttling lasts until this share of the documents is in the index. */
const THROTTLED_SHARE = 0.8;

Deno.test("sustained 429s on 60% of _bulk requests and 30% of documents: the sync slows down and completes exactly", async () => {
  const schema = `faults_429_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  const es = testEsClient(server);
  const proxy = startEs429Proxy(server.url);
  const indexName = uniqueIndexName("faults-throttled");
  try {
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    await admin.unsafe(
      `CREATE TABLE ${schema}.items (id integer PRIMARY KEY, title text NOT NULL, n integer)`,
    );
    await admin.unsafe(
      `INSERT INTO ${schema}.items SELECT g, 'item ' || g, g % 89 ` +
        `FROM generate_series(1, ${ROWS}) AS g`,
    );
    const connectorId = await createConnector(es, {
      serviceType: "postgresql",
      indexName,
      values: {
        ...postgresConnectionValues(pg),
        schema,
        tables: "items",
      },
    });
    // Small requests so the throttle meets many of them; short backoffs keep the test quick
    // (the default 2 s would only make it slower). max_retries keeps its default, 5.
    const config = await writeSyncConfig({
      es: { ...server, url: proxy.url },
      connectorId,
      serviceType: "postgresql",
      settings: {
        "elasticsearch.bulk.chunk_size": 50,
        "elasticsearch.bulk.retry_interval": 0.1,
      },
    });
    proxy.throttle({ requests: 0.6, items: 0.3, seed: 42 });
    const sync = spawnSync({ config, connectorId });
    let exited = false;
    sync.done.finally(() => exited = true);
    try {
      await poll(`${THROTTLED_SHARE * ROWS} documents in ${indexName}`, async () => {
        const count = await indexCount(es, indexName);
        return count >= THROTTLED_SHARE * ROWS ? count : undefined;
      }, {
        timeoutMs: 240_000,
        failed: () => exited ? `the sync exited early:\n${tailOf(sync.log())}` : undefined,
      });
    } finally {
      proxy.stopThrottling();
    }
    const run = await sync.finish();
    assertCompletedExactly(run, ROWS);

    const { rejectedRequests, rejectedItems, acceptedById } = proxy.counters;
    assert.ok(rejectedRequests >= 30, `requests refused: ${rejectedRequests}`);
    assert.ok(rejectedItems >= 300, `documents refused: ${rejectedItems}`);
    // Every refusal was sent again (and logged), none given up: exact accounting.
    const requestRetries = run.stderr.match(/_bulk request to \S+ failed .*429.*; retry \d+ of 5/g);
    assert.equal(requestRetries?.length, rejectedRequests);
    const itemRetries = [...run.stderr.matchAll(/(\d+) documents answered 429\/503/g)]
      .reduce((sum, match) => sum + Number(match[1]), 0);
    assert.equal(itemRetries, rejectedItems);
    // Each document was accepted exactly once: nothing lost, nothing written twice.
    assert.equal(acceptedById.size, ROWS);
    const twice = [...acceptedById].filter(([, times]) => times !== 1);
    assert.deepEqual(twice, []);

    const [job, ...others] = await jobsOf(es, connectorId);
    assert.equal(others.length, 0);
    assert.equal(job.doc.status, "completed");
    assert.equal(job.doc.indexed_document_count, ROWS);
    assert.equal(job.doc.deleted_document_count, 0);
    assert.equal(job.doc.total_document_count, ROWS);
    assert.equal(await indexCount(es, indexName), ROWS);
    console.log(
      `  ${rejectedRequests} requests and ${rejectedItems} documents refused, all retried`,
    );
  } finally {
    await proxy.close();
    await es.request("DELETE", `/${indexName}`, { allow: [404] });
    es.close();
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  }
});

Deno.test("a document refused more than max_retries times is sent again while others get through", async () => {
  const index = uniqueIndexName("faults-patient");
  const proxy = startEs429Proxy(server.url);
  const es = testEsClient(server, { host: proxy.url });
  try {
    const stats = emptyStats();
    const sink = new BulkSink({
      es,
      index,
      // One retry allowed in a row; backoffs of 3-6 s leave time for the others to pass, also
      // on a loaded machine.
      settings: testBulkSettings({
        chunkSize: 1,
        maxConcurrency: 2,
        maxRetries: 1,
        retryIntervalMs: 6_000,
      }),
      stats,
      logger: new Logger({ test: "faults-patient" }),
      signal: new AbortController().signal,
    });
    proxy.rejectItems(["stubborn"], 3);
    await sink.index("stubborn", { title: "refused three times" });
    for (let refusal = 1; refusal <= 3; refusal++) {
      await poll(
        `refusal ${refusal}`,
        () => Promise.resolve(proxy.counters.rejectedItems >= refusal ? true : undefined),
      );
      // Another document gets through before the stubborn one is sent again.
      await sink.index(`other-${refusal}`, { title: `other ${refusal}` });
      await poll(
        `other-${refusal} accepted`,
        () => Promise.resolve(stats.created >= refusal ? true : undefined),
      );
      assert.equal(
        proxy.counters.rejectedItems,
        refusal,
        "accepted before the next send of the stubborn one",
      );
    }
    await sink.close();
    assert.equal(stats.created, 4);
    assert.equal(stats.failed, 0);
    assert.equal(stats.retries, 3);
    assert.equal(proxy.counters.acceptedById.get("stubborn"), 1);
  } finally {
    await proxy.close();
    es.close();
    await fetch(`${server.url}/${index}`, {
      method: "DELETE",
      headers: { authorization: `Basic ${btoa(`${server.username}:${server.password}`)}` },
    }).then((response) => response.body?.cancel());
  }
});
