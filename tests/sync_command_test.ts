/**
 * `connectors sync` as cron runs it: a child process per run, against the real test
 * Elasticsearch, with the `service_test` connector type. Exit codes: 0 completed, 1 the job
 * ended in error, 2 it could not start.
 */
import assert from "node:assert/strict";
import { testElasticsearch, uniqueIndexName } from "./support/servers.ts";
import {
  collectStderr,
  configTree,
  createTestConnector,
  jobsOf,
  runCli,
  serviceKit,
  spawnCli,
  waitFor,
  writeConfigFile,
} from "./support/service_fixtures.ts";

const server = await testElasticsearch();
const kit = await serviceKit(server);

async function setUp(label: string, values = {}, options: { empty?: boolean } = {}) {
  const indexName = uniqueIndexName(label);
  const id = `conn-${indexName}`;
  await createTestConnector(kit, { id, indexName, values, ...options });
  const config = await writeConfigFile(configTree(server, { connectorIds: [id] }));
  return { id, indexName, config };
}

async function indexCount(index: string): Promise<number> {
  await kit.es.request("POST", `/${index}/_refresh`);
  const { body } = await kit.es.request<{ count: number }>("GET", `/${index}/_count`);
  return body.count;
}

Deno.test("sync exits 0 when the job completed, prints the summary, writes exact counters", async () => {
  const { id, indexName, config } = await setUp("sync-ok", { count: 25 });
  const result = await runCli(["sync", "--id", id, "--full", "-c", config]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^job \S+ \(full\) completed in \d+\.\d s: 25 created, 0 updated, 0 deleted, 0 failed, \d+\.\d docs\/s\n$/,
  );
  const [job] = await jobsOf(kit, id);
  assert.equal(job.doc.status, "completed");
  assert.equal(job.doc.trigger_method, "on_demand");
  assert.equal(job.doc.indexed_document_count, 25);
  assert.equal(job.doc.deleted_document_count, 0);
  assert.equal(job.doc.total_document_count, 25);
  assert.equal(job.doc.error, null);
  assert.ok(job.doc.started_at && job.doc.completed_at);
  assert.equal(await indexCount(indexName), 25);
  const connector = (await kit.connectors.get(id))!.doc;
  assert.equal(connector.last_sync_status, "completed");
  assert.equal(connector.last_indexed_document_count, 25);
  assert.equal(connector.status, "connected");

  // A second full sync with fewer documents deletes the rest.
  await kit.connectors.update(id, (current) => {
    (current.doc.configuration.count as { value: number }).value = 20;
    return { configuration: current.doc.configuration };
  });
  const again = await runCli(["sync", "--id", id, "--full", "-c", config]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /completed .*: 0 created, 20 updated, 5 deleted, 0 failed/);
  assert.equal(await indexCount(indexName), 20);
});

Deno.test("sync exits 1 when the job ends in error, with the error in the job and connector", async () => {
  const { id, config } = await setUp("sync-error", { count: 30, fail_after: 7 });
  const result = await runCli(["sync", "--id", id, "--full", "-c", config]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /\(full\) error in .*; error: .*failed on purpose after 7 documents/);
  const [job] = await jobsOf(kit, id);
  assert.equal(job.doc.status, "error");
  assert.match(job.doc.error ?? "", /failed on purpose after 7 documents/);
  const connector = (await kit.connectors.get(id))!.doc;
  assert.equal(connector.last_sync_status, "error");
  assert.equal(connector.status, "error");
  assert.match(connector.last_sync_error ?? "", /failed on purpose/);
});

Deno.test("sync exits 2 without creating a job when it cannot start", async (t) => {
  await t.step("connector missing", async () => {
    const config = await writeConfigFile(configTree(server, { connectorIds: ["nope"] }));
    const result = await runCli(["sync", "--id", "no-such-connector", "--full", "-c", config]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /connector "no-such-connector" does not exist/);
  });
  await t.step("not configured", async () => {
    const { id, config } = await setUp("sync-unconfigured", {}, { empty: true });
    const result = await runCli(["sync", "--id", id, "--full", "-c", config]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is not configured yet \(status needs_configuration\)/);
    const connector = (await kit.connectors.get(id))!.doc;
    assert.ok("count" in connector.configuration, "the schema was written meanwhile");
    assert.deepEqual(await jobsOf(kit, id), []);
  });
  await t.step("configuration invalid", async () => {
    const { id, config } = await setUp("sync-invalid", { count: "lots" as unknown as number });
    const result = await runCli(["sync", "--id", id, "--full", "-c", config]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Invalid connector configuration: .*Documents/);
    assert.deepEqual(await jobsOf(kit, id), []);
  });
  await t.step("no job type, or two", async () => {
    const { id, config } = await setUp("sync-flags");
    const none = await runCli(["sync", "--id", id, "-c", config]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /choose exactly one of --full, --incremental or --access-control/);
    const bad = await runCli(["sync", "--id", id, "-c", "/nonexistent/config.yml", "--full"]);
    assert.equal(bad.code, 2);
  });
});

Deno.test("overlapping runs: the second exits 2 and the first completes untouched", async () => {
  const { id, indexName, config } = await setUp("sync-overlap", { count: 40, delay_ms: 100 });
  const first = spawnCli(["sync", "--id", id, "--full", "-c", config]);
  const firstErr = collectStderr(first);
  try {
    await waitFor("the first run's job to be in progress", async () => {
      const jobs = await jobsOf(kit, id);
      return jobs.some((job) => job.doc.status === "in_progress") ? true : undefined;
    });
    const second = await runCli(["sync", "--id", id, "--full", "-c", config]);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, /already runs full job \S+ \(status in_progress\)/);
  } finally {
    const status = await first.status;
    await firstErr.done;
    assert.equal(status.code, 0, firstErr.text());
  }
  const jobs = await jobsOf(kit, id);
  assert.equal(jobs.length, 1, "the second run created no job");
  assert.equal(jobs[0].doc.status, "completed");
  assert.equal(jobs[0].doc.indexed_document_count, 40);
  assert.equal(await indexCount(indexName), 40);
});

Deno.test("--allow-mass-delete lets a full sync delete more than max_deletion_ratio", async () => {
  const { id, indexName, config } = await setUp("sync-mass-delete", { count: 20 });
  assert.equal((await runCli(["sync", "--id", id, "--full", "-c", config])).code, 0);
  await kit.connectors.update(id, (current) => {
    (current.doc.configuration.count as { value: number }).value = 2;
    return { configuration: current.doc.configuration };
  });
  const refused = await runCli(["sync", "--id", id, "--full", "-c", config]);
  assert.equal(refused.code, 1, `90% deletion is refused by default: ${refused.stderr}`);
  assert.equal(await indexCount(indexName), 20);
  const allowed = await runCli(["sync", "--id", id, "--full", "--allow-mass-delete", "-c", config]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /18 deleted/);
  assert.equal(await indexCount(indexName), 2);
});

Deno.test("SIGINT during a sync suspends the job and exits 1", async () => {
  const { id, config } = await setUp("sync-sigint", { count: 60, delay_ms: 100 });
  const child = spawnCli(["sync", "--id", id, "--full", "-c", config]);
  const output = child.output();
  const [job] = await waitFor("the job to run", async () => {
    const jobs = await jobsOf(kit, id);
    return jobs[0]?.doc.status === "in_progress" ? jobs : undefined;
  });
  const signalled = Date.now();
  child.kill("SIGINT");
  const result = await output;
  assert.ok(Date.now() - signalled < 10_000);
  assert.equal(result.code, 1, new TextDecoder().decode(result.stderr));
  assert.match(new TextDecoder().decode(result.stdout), /\(full\) suspended in /);
  assert.equal((await kit.jobs.get(job.id))!.doc.status, "suspended");
  assert.equal((await kit.connectors.get(id))!.doc.last_sync_status, "suspended");
});

globalThis.addEventListener("unload", () => kit.es.close());
