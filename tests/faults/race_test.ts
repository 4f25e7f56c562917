/**
 * Two daemons (`connectors run`) and cron-style `connectors sync --full` runs race on one
 * connector whose full sync is scheduled every 2 s: both daemons want to schedule and claim
 * every occurrence, their cleanup looks for stale markers every 0.5 s, and the cron runs start
 * at seeded random moments, two of them at once.
 *
 * Checked from the job documents: no two jobs ran at the same time, each scheduled occurrence
 * gave one job, every job that ran completed with exact counts, and a `connectors sync` that
 * found another job running exited 2 with a message naming it (README: exit 2, "could not
 * start"; cron can simply try again at its next run).
 *
 * Replay with the printed seed: `CONNECTORS_FAULT_SEED=<n> deno task test:faults`.
 */
import assert from "node:assert/strict";
import { testElasticsearch, uniqueIndexName } from "../support/servers.ts";
import {
  configTree,
  createTestConnector,
  serviceKit,
  waitFor,
  writeConfigFile,
} from "../support/service_fixtures.ts";
import {
  assertAllEnded,
  assertNoOverlap,
  connectorJobs,
  type Connectors,
  disposeChildren,
  exitWithin,
  indexIds,
  leftoverSpillDirs,
  seededRandom,
  sourceIds,
  spawnConnectors,
  summaryCounts,
  withChildLogs,
} from "./support_signals.ts";

const server = await testElasticsearch();
const kit = await serviceKit(server);
const random = seededRandom("race_test");
const COUNT = 40;
/** Cron runs, started within {@linkcode CRON_WINDOW_MS}; the first two start together. */
const CRON_RUNS = 5;
const CRON_WINDOW_MS = 7_000;
/** A cron run that finds the connector busy exits 2 with one of these. */
const BUSY =
  /already runs full job \S+ \(status (in_progress|canceling)\)|another full job of this connector is running|another worker claimed it first/;

const children: Connectors[] = [];
const configFiles: string[] = [];
globalThis.addEventListener("unload", () => {
  disposeChildren(children);
  for (const path of configFiles) Deno.removeSync(path);
  kit.es.close();
});

Deno.test({
  name: "two daemons and cron syncs on one connector: one job at a time, exact counts",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => withChildLogs(children, race),
});

async function race(): Promise<void> {
  const indexName = uniqueIndexName("fault-race");
  const id = `conn-${indexName}`;
  await createTestConnector(kit, { id, indexName, values: { count: COUNT, delay_ms: 15 } });
  await kit.connectors.update(id, (current) => ({
    scheduling: { ...current.doc.scheduling, full: { enabled: true, interval: "*/2 * * * * ?" } },
  }));
  const config = await writeConfigFile(
    configTree(server, {
      connectorIds: [id],
      // Cleanup's stale-marker repair runs beside the live jobs too.
      service: { idling: 0.25, job_cleanup_interval: 0.5 },
    }),
  );
  configFiles.push(config);
  const connectors = async (args: string[], label: string) => {
    const child = await spawnConnectors([...args, "-c", config], label);
    children.push(child);
    return child;
  };

  const daemons = [await connectors(["run"], "daemon A"), await connectors(["run"], "daemon B")];
  const offsets = [
    0,
    ...Array.from({ length: CRON_RUNS - 1 }, () => random.int(0, CRON_WINDOW_MS)),
  ]
    .sort((a, b) => a - b);
  offsets.unshift(offsets[0]); // Two at once.
  offsets.pop();
  console.log(`cron runs start at +${offsets.join(", +")} ms`);
  const cron = await Promise.all(offsets.map(async (offset, i) => {
    // The fault schedule itself, not a wait for some state.
    await new Promise((resolve) => setTimeout(resolve, offset));
    const run = await connectors(["sync", "--id", id, "--full"], `cron run ${i + 1}`);
    const { status } = await exitWithin(run, 60_000);
    return { run, code: status.code };
  }));

  await waitFor("two scheduled jobs", async () => {
    const jobs = await connectorJobs(kit, id);
    return jobs.filter((job) => job.doc.trigger_method === "scheduled").length >= 2
      ? true
      : undefined;
  }, { timeoutMs: 60_000 });
  // Stop scheduling, let the daemons drain, then stop them.
  await kit.connectors.update(id, (current) => ({
    scheduling: {
      ...current.doc.scheduling,
      full: { ...current.doc.scheduling.full, enabled: false },
    },
  }));
  // A tick already past its read of the connector may still create one job.
  const quietAfter = Date.now() + 2_000;
  await waitFor("every job to end", async () => {
    if (Date.now() < quietAfter) return undefined;
    const jobs = await connectorJobs(kit, id);
    return jobs.every((job) => ["completed", "error", "canceled"].includes(job.doc.status))
      ? true
      : undefined;
  }, { timeoutMs: 60_000 });
  for (const daemon of daemons) {
    const status = await daemon.stop();
    assert.equal(status.code, 0, `${daemon.label}\n${daemon.stderr()}`);
    assert.deepEqual(await leftoverSpillDirs(daemon.tmpDir), [], daemon.label);
  }

  const cronJobs = new Set<string>();
  for (const { run, code } of cron) {
    const output = `${run.label}: exit ${code}\n${run.stdout()}${run.stderr()}`;
    assert.ok(code === 0 || code === 2, output);
    if (code === 0) {
      const { created, updated, deleted, failed } = summaryCounts(run.stdout());
      assert.deepEqual({ indexed: created + updated, deleted, failed }, {
        indexed: COUNT,
        deleted: 0,
        failed: 0,
      }, output);
      cronJobs.add(run.stdout().match(/^job (\S+) \(full\) completed/m)![1]);
    } else {
      assert.match(run.stderr(), BUSY, output);
    }
    assert.deepEqual(await leftoverSpillDirs(run.tmpDir), [], run.label);
  }
  for (const { run, code } of cron) {
    const said = code === 0 ? run.stdout() : run.stderr().match(/^connectors: .*$/m)?.[0];
    console.log(`${run.label}: exit ${code}: ${said?.trim()}`);
  }

  const jobs = await connectorJobs(kit, id);
  assertAllEnded(jobs, "race");
  assertNoOverlap(jobs, "race");
  const ran = jobs.filter((job) => job.doc.started_at);
  for (const job of ran) {
    const label = `job ${job.id} (${job.doc.trigger_method})`;
    assert.equal(job.doc.status, "completed", `${label}: ${job.doc.error}`);
    assert.equal(job.doc.indexed_document_count, COUNT, label);
    assert.equal(job.doc.deleted_document_count, 0, label);
    assert.equal(job.doc.total_document_count, COUNT, label);
  }
  for (const job of jobs.filter((job) => !job.doc.started_at)) {
    const label = `job ${job.id} (${job.doc.trigger_method}, ${job.doc.status})`;
    assert.equal(job.doc.status, "canceled", label);
    const by = job.doc.metadata?.superseded_by as string | undefined;
    if (by === undefined) {
      // A cron run that lost the race cancels the job it had created.
      assert.equal(job.doc.trigger_method, "on_demand", label);
    } else {
      // A cron run that completed cancels the older waiting jobs it made pointless.
      const newer = ran.find((other) => other.id === by);
      assert.ok(newer && newer.doc.created_at > job.doc.created_at, `${label} by ${by}`);
    }
  }
  for (const jobId of cronJobs) assert.ok(ran.some((job) => job.id === jobId), jobId);

  // One job per scheduled occurrence, each created by the daemon that won the marker.
  const scheduled = daemons.flatMap((daemon) =>
    [...daemon.stderr().matchAll(/scheduled full job (\S+) for (\S+)/g)]
      .map(([, job, at]) => ({ job, at }))
  );
  const scheduledJobs = jobs.filter((job) => job.doc.trigger_method === "scheduled");
  assert.deepEqual(
    scheduled.map((entry) => entry.job).sort(),
    scheduledJobs.map((job) => job.id).sort(),
  );
  const occurrences = scheduled.map((entry) => entry.at).sort();
  assert.equal(new Set(occurrences).size, occurrences.length, "one job per occurrence");
  assert.ok(occurrences.length >= 2, `scheduled runs: ${occurrences.length}`);

  const connector = (await kit.connectors.get(id))!.doc;
  assert.equal(connector.last_sync_scheduled_at, occurrences.at(-1), "the scheduler marker");
  assert.deepEqual({
    status: connector.status,
    error: connector.error,
    last_sync_status: connector.last_sync_status,
    last_sync_error: connector.last_sync_error,
    last_indexed_document_count: connector.last_indexed_document_count,
    last_deleted_document_count: connector.last_deleted_document_count,
  }, {
    status: "connected",
    error: null,
    last_sync_status: "completed",
    last_sync_error: null,
    last_indexed_document_count: COUNT,
    last_deleted_document_count: 0,
  });
  assert.deepEqual(await indexIds(kit, indexName), sourceIds(COUNT));
}
