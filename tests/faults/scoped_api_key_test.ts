/**
 * A connector's own `api_key` is used for its content index writes: a key created through
 * Elasticsearch's security API with privileges on index A only (the scoping `connector create
 * --create-api-key` and Kibana use: cluster `monitor`, no pipeline privileges) cannot write
 * index B. The real CLI's sync into B ends in a clear 403 error on the job and the connector
 * and leaves B as it was; the same key syncs into A through the connector's ingest pipeline.
 */
import assert from "node:assert/strict";
import { connectorApiKeyRequest } from "../../cli/api_key.ts";
import { ConnectorIndex } from "../../lib/protocol/mod.ts";
import { testElasticsearch, testEsClient, uniqueIndexName } from "../support/servers.ts";
import { assertNoSecrets, registerSecret } from "../support/secrets.ts";
import { connectors } from "./support_cli.ts";
import { connectorOf, createConnector, indexCount, jobsOf, parseSummary } from "./support_sync.ts";

const FILES = 3;
const server = await testElasticsearch();
await registerSecret("Elasticsearch password", server.password);
const es = testEsClient(server, { maxRetries: 2 });

Deno.test("an API key scoped to index A: a sync into B fails with 403 and writes nothing, into A it syncs", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "connectors-scoped-key-" });
  const indexA = uniqueIndexName("faults-key-a");
  const indexB = uniqueIndexName("faults-key-b");
  const { body: key } = await es.request<{ id: string; api_key: string; encoded: string }>(
    "POST",
    "/_security/api_key",
    { body: connectorApiKeyRequest(indexA) },
  );
  await registerSecret("scoped API key (encoded)", key.encoded);
  await registerSecret("scoped API key (secret part)", key.api_key);
  // Test clusters lack search-default-ingestion; an empty pipeline of our own stands in for it.
  const pipeline = `${indexA}-pipeline`;
  await es.request("PUT", `/_ingest/pipeline/${pipeline}`, {
    body: { description: "scoped API key test", processors: [] },
  });
  try {
    const folder = `${work}/files`;
    await Deno.mkdir(folder);
    for (let i = 0; i < FILES; i++) await Deno.writeTextFile(`${folder}/f${i}.txt`, `file ${i}\n`);

    /** A dir connector on `index` and a config.yml giving it the scoped key; runs one sync. */
    const syncWithKey = async (index: string) => {
      const id = await createConnector(es, {
        serviceType: "dir",
        indexName: index,
        values: { directory: folder, pattern: "*.txt" },
      });
      await new ConnectorIndex(es).update(id, (current) => ({
        pipeline: { ...current.doc.pipeline!, name: pipeline, extract_binary_content: false },
      }));
      const config = `${work}/${id}.yml`;
      const tree = {
        elasticsearch: { host: server.url, username: server.username, password: server.password },
        service: { log_level: "INFO" },
        connectors: [{ connector_id: id, service_type: "dir", api_key: key.encoded }],
      };
      await Deno.writeTextFile(config, JSON.stringify(tree, null, 2), { mode: 0o600 });
      const run = await connectors(["sync", "--id", id, "--full", "-c", config]);
      assertNoSecrets(run.stdout + run.stderr, `sync into ${index}`);
      return { id, run };
    };
    const forbidden = new RegExp(
      `failed with 403.*; the credentials \\(the api_key of connector \\S+ in config\\.yml\\) ` +
        `lack a privilege for this request`,
    );

    await t.step(
      "into an existing index B: 403 on the job and the connector, B untouched",
      async () => {
        await es.request("PUT", `/${indexB}/_doc/kept`, {
          body: { title: "written by an admin" },
          query: { refresh: "true" },
        });
        const { id, run } = await syncWithKey(indexB);
        assert.equal(run.code, 1, `the job ends in error\n${run.stdout}\n${run.stderr}`);
        assert.doesNotMatch(run.stderr, /^\s+at /m, "no stack trace");
        const summary = parseSummary(run.stdout);
        assert.equal(summary.status, "error");
        assert.equal(summary.created + summary.updated + summary.deleted, 0);
        assert.match(run.stdout, forbidden);
        const [job] = await jobsOf(es, id);
        assert.equal(job.doc.status, "error");
        assert.match(job.doc.error ?? "", forbidden);
        assert.match(job.doc.error ?? "", new RegExp(indexB), "the message names the index");
        const connector = await connectorOf(es, id);
        assert.equal(connector.last_sync_status, "error");
        assert.equal(connector.status, "error");
        assert.match(connector.last_sync_error ?? "", forbidden);
        assert.equal(await indexCount(es, indexB), 1, "nothing written to B, nothing deleted");
        const kept = await es.request("GET", `/${indexB}/_doc/kept`, { allow: [404] });
        assert.equal(kept.status, 200);
      },
    );

    await t.step(
      "into a missing index: refused the same way, the index is not created",
      async () => {
        const missing = uniqueIndexName("faults-key-c");
        const { id, run } = await syncWithKey(missing);
        assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
        assert.match(run.stdout, forbidden);
        const [job] = await jobsOf(es, id);
        assert.equal(job.doc.status, "error");
        assert.match(job.doc.error ?? "", forbidden);
        const head = await es.request("HEAD", `/${missing}`, { allow: [404] });
        assert.equal(head.status, 404, "the key could not create the index");
      },
    );

    await t.step("into A, the index it is scoped to, the same key syncs", async () => {
      const { id, run } = await syncWithKey(indexA);
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      const summary = parseSummary(run.stdout);
      assert.equal(summary.status, "completed");
      assert.equal(summary.created, FILES);
      assert.equal(await indexCount(es, indexA), FILES);
      const [job] = await jobsOf(es, id);
      assert.equal(job.doc.status, "completed");
      assert.equal(job.doc.indexed_document_count, FILES);
    });
  } finally {
    await es.request("DELETE", "/_security/api_key", { body: { ids: [key.id] } });
    await es.request("DELETE", `/_ingest/pipeline/${pipeline}`, { allow: [404] });
    for (const index of [indexA, indexB]) {
      await es.request("DELETE", `/${index}`, { allow: [404] });
    }
    await Deno.remove(work, { recursive: true });
  }
});
