/**
 * `--json` on the commands that print listings and documents, against the real test
 * Elasticsearch: stdout must be exactly one JSON document with stable field names.
 */
import assert from "node:assert/strict";
import { testElasticsearch, uniqueIndexName } from "./support/servers.ts";
import { runConnectors } from "./support/cli.ts";
import {
  configTree,
  createTestConnector,
  runCli,
  serviceKit,
  waitFor,
  writeConfigFile,
} from "./support/service_fixtures.ts";

const server = await testElasticsearch();
const kit = await serviceKit(server);
globalThis.addEventListener("unload", () => kit.es.close());

/** Runs `connectors <args>` and parses its stdout, which must be one JSON document. */
async function json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const run = await runConnectors(args);
  assert.equal(run.code, 0, `connectors ${args.join(" ")}\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const sortedKeys = (value: object) => Object.keys(value).sort();

Deno.test("connector create|list|show --json", async () => {
  const config = await writeConfigFile(configTree(server, { connectorIds: [] }));
  const index = uniqueIndexName("json-dir");
  const directory = await Deno.makeTempDir({ prefix: "json-output-" });
  try {
    const created = await json(
      "connector",
      "create",
      "--service-type",
      "dir",
      "--index-name",
      index,
      "--set",
      `directory=${directory}`,
      "--json",
      "-c",
      config,
    );
    assert.deepEqual(sortedKeys(created), [
      "api_key_id",
      "id",
      "index",
      "index_name",
      "missing",
      "service_type",
      "status",
    ]);
    assert.equal(created.index_name, index);
    const id = created.id as string;

    const listed = await waitFor("the connector in connector list", async () => {
      const list = await json<Record<string, unknown>[]>(
        "connector",
        "list",
        "--json",
        "-c",
        config,
      );
      return list.find((entry) => entry.id === id);
    });
    assert.deepEqual(sortedKeys(listed), [
      "id",
      "index_name",
      "last_seen",
      "last_sync_status",
      "last_synced",
      "name",
      "service_type",
      "status",
    ]);

    const shown = await json("connector", "show", id, "--json", "-c", config);
    assert.equal(shown.id, id);
    assert.equal(shown.service_type, "dir");
    const configuration = shown.configuration as Record<string, { value: unknown }>;
    assert.equal(configuration.directory.value, directory);
    assert.deepEqual(await json("connector", "show", id, "-o", "json", "-c", config), shown);

    const indices = await json<Record<string, unknown>[]>("index", "list", "--json", "-c", config);
    const entry = indices.find((row) => row.index === index);
    assert.ok(entry, `${index} in index list`);
    assert.deepEqual(sortedKeys(entry), ["documents", "health", "index", "size_bytes", "status"]);
    assert.equal(entry.documents, 0);
    assert.equal(typeof entry.size_bytes, "number");
    const dotted = indices.filter((row) => String(row.index).startsWith("."));
    assert.deepEqual(dotted, [], "protocol and system indices only with --all");
    const all = await json<{ index: string }[]>("index", "list", "--all", "--json", "-c", config);
    assert.ok(all.some((row) => row.index.startsWith(".elastic-connectors")));
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("job start|list|view --json and sync --json", async () => {
  const indexName = uniqueIndexName("json-jobs");
  const id = `conn-${indexName}`;
  await createTestConnector(kit, { id, indexName, values: { count: 12 } });
  const config = await writeConfigFile(configTree(server, { connectorIds: [id] }));

  const synced = await runCli(["sync", "--id", id, "--full", "--json", "-c", config]);
  assert.equal(synced.code, 0, synced.stderr);
  const outcome = JSON.parse(synced.stdout) as Record<string, unknown>;
  assert.deepEqual(sortedKeys(outcome), [
    "counters",
    "docs_per_sec",
    "duration_seconds",
    "error",
    "job_id",
    "job_type",
    "status",
  ]);
  assert.equal(outcome.status, "completed");
  assert.equal(outcome.job_type, "full");
  const counters = outcome.counters as Record<string, number>;
  assert.equal(counters.indexed_document_count, 12);
  assert.equal(counters.created, 12);
  assert.equal(counters.failed, 0);

  const started = await json("job", "start", "-i", id, "-t", "full", "--json", "-c", config);
  assert.deepEqual(sortedKeys(started), ["connector_id", "id", "job_type", "status"]);
  assert.equal(started.status, "pending");

  const jobs = await waitFor("both jobs in job list", async () => {
    const list = await json<Record<string, unknown>[]>("job", "list", id, "--json", "-c", config);
    return list.length === 2 ? list : undefined;
  });
  assert.deepEqual(jobs.map((job) => job.status), ["completed", "pending"], "oldest first");
  assert.equal(jobs[0].id, outcome.job_id);

  const viewed = await json("job", "view", outcome.job_id as string, "--json", "-c", config);
  assert.equal(viewed.id, outcome.job_id);
  assert.equal(viewed.status, "completed");
  assert.equal(viewed.indexed_document_count, 12);
  const progress = (viewed.metadata as Record<string, Record<string, unknown>>).progress;
  assert.deepEqual(sortedKeys(progress), [
    "deleted",
    "docs_per_sec",
    "elapsed_seconds",
    "estimated_total",
    "eta_seconds",
    "extracted",
    "failed",
    "indexed",
    "mb_per_sec",
    "phase",
    "processed",
  ]);
  assert.equal(progress.phase, "done");
  assert.equal(progress.indexed, 12);
});
