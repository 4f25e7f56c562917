/**
 * The daemon (`connectors run`) against the real test Elasticsearch, with the `service_test`
 * connector type: the connector lifecycle, sync rules, jobs, two daemons sharing schedules,
 * cancellation, and daemons that die (kill -9) or stop (SIGTERM) mid-sync. In-process daemons
 * where a signal is not needed, child processes where it is.
 */
import assert from "node:assert/strict";
import { ACTIVE_JOB_STATUSES, type ConnectorDoc } from "../lib/protocol/mod.ts";
import { idleJobError } from "../lib/service/mod.ts";
import { testElasticsearch, uniqueIndexName } from "./support/servers.ts";
import {
  capturedLogs,
  captureLogs,
  collectStderr,
  configTree,
  createTestConnector,
  jobsOf,
  serviceConfig,
  serviceKit,
  spawnCli,
  startDaemon,
  type TestSourceValues,
  waitFor,
  waitForConnector,
  waitForJob,
  writeConfigFile,
} from "./support/service_fixtures.ts";
import { SERVICE_TEST_USERS, serviceSourceActivity } from "./support/service_source.ts";

const server = await testElasticsearch();
const kit = await serviceKit(server);
captureLogs();

function names(label: string) {
  const indexName = uniqueIndexName(label);
  return { indexName, id: `conn-${indexName}` };
}

async function setValues(id: string, values: TestSourceValues, extra: Partial<ConnectorDoc> = {}) {
  await kit.connectors.update(id, (current) => {
    for (const [key, value] of Object.entries(values)) {
      (current.doc.configuration[key] as { value: unknown }).value = value;
    }
    return { configuration: current.doc.configuration, ...extra };
  });
}

async function editDraft(id: string, advanced: unknown) {
  await kit.connectors.update(id, (current) => {
    const entry = current.doc.filtering[0];
    entry.draft.advanced_snippet = { value: advanced };
    entry.draft.validation = { state: "edited", errors: [] };
    return { filtering: current.doc.filtering };
  });
}

async function startJob(id: string, jobType: "full" | "access_control" = "full") {
  const connector = (await kit.connectors.get(id))!;
  return await kit.jobs.create({ connector, jobType, triggerMethod: "on_demand" });
}

async function indexCount(index: string): Promise<number> {
  await kit.es.request("POST", `/${index}/_refresh`);
  const { body } = await kit.es.request<{ count: number }>("GET", `/${index}/_count`);
  return body.count;
}

Deno.test({
  name: "daemon: schema, configuration, connected, sync rules, jobs, failing source",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { id, indexName } = names("daemon-lifecycle");
    const bad = names("daemon-bad-type");
    await createTestConnector(kit, { id, indexName, empty: true });
    // As Kibana creates it: no features, status created -> the service fills both in.
    await kit.connectors.update(id, () => ({ features: null, status: "needs_configuration" }));
    await createTestConnector(kit, { id: bad.id, indexName: bad.indexName });
    await kit.connectors.update(bad.id, () => ({ service_type: "no_such_type" }));
    const daemon = startDaemon(serviceConfig(server, { connectorIds: [id, bad.id] }));
    try {
      const prepared = await waitForConnector(
        kit,
        id,
        "the schema",
        (doc) => "count" in doc.configuration && doc.last_seen !== null,
      );
      assert.equal(prepared.doc.status, "needs_configuration");
      assert.equal(prepared.doc.features?.incremental_sync?.enabled, true);
      assert.equal(prepared.doc.features?.document_level_security?.enabled, true);
      const badDoc = await waitForConnector(
        kit,
        bad.id,
        "the bad type",
        (d) => d.status === "error",
      );
      assert.match(badDoc.doc.error ?? "", /service_type "no_such_type" is not served/);

      await setValues(id, { count: 12 }, { status: "configured" });
      await waitForConnector(kit, id, "connected", (doc) => doc.status === "connected");

      await editDraft(id, { max_id: "four" });
      const invalid = await waitForConnector(
        kit,
        id,
        "invalid draft",
        (doc) => doc.filtering[0].draft.validation.state === "invalid",
      );
      assert.deepEqual(invalid.doc.filtering[0].draft.validation.errors[0].ids, [
        "advanced_snippet",
      ]);
      assert.deepEqual(invalid.doc.filtering[0].active.advanced_snippet.value, {});
      await editDraft(id, { max_id: 4 });
      const valid = await waitForConnector(
        kit,
        id,
        "valid draft",
        (doc) => doc.filtering[0].draft.validation.state === "valid",
      );
      assert.deepEqual(valid.doc.filtering[0].active.advanced_snippet.value, { max_id: 4 });

      const job = await startJob(id);
      const done = await waitForJob(
        kit,
        job.id,
        "job completed",
        (doc) => doc.status === "completed",
      );
      assert.equal(done.doc.indexed_document_count, 5, "advanced rule max_id 4 keeps 0..4");
      assert.equal(done.doc.deleted_document_count, 0);
      assert.equal(done.doc.total_document_count, 5);
      assert.equal(done.doc.indexed_document_volume, 0);
      assert.equal(done.doc.error, null);
      assert.equal(await indexCount(indexName), 5);
      const mirrored = (await kit.connectors.get(id))!.doc;
      assert.equal(mirrored.last_sync_status, "completed");
      assert.equal(mirrored.last_indexed_document_count, 5);

      const acl = await startJob(id, "access_control");
      const aclDone = await waitForJob(kit, acl.id, "ACL job", (doc) => doc.status === "completed");
      assert.equal(aclDone.doc.indexed_document_count, SERVICE_TEST_USERS);
      assert.equal(await indexCount(`.search-acl-filter-${indexName}`), SERVICE_TEST_USERS);
      assert.equal(
        (await kit.connectors.get(id))!.doc.last_access_control_sync_status,
        "completed",
      );

      // A failing data source: tolerated once (hysteresis), then reported.
      await setValues(id, { ping_error: "the test source is unreachable" });
      const failed = await waitForConnector(kit, id, "status error", (d) => d.status === "error");
      assert.equal(failed.doc.error, "the test source is unreachable");
      assert.ok(
        capturedLogs.some((line) => line.includes(id) && /will retry before reporting/.test(line)),
      );
      await setValues(id, { ping_error: "" });
      await waitForConnector(kit, id, "connected again", (doc) => doc.status === "connected");
    } finally {
      await daemon.stop();
    }
  },
});

Deno.test({
  name: "two daemons: one job per scheduled occurrence, each job runs once",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { id, indexName } = names("two-daemons");
    await createTestConnector(kit, { id, indexName, values: { count: 3 } });
    await kit.connectors.update(id, (current) => ({
      scheduling: { ...current.doc.scheduling, full: { enabled: true, interval: "*/2 * * * * ?" } },
    }));
    const config = serviceConfig(server, { connectorIds: [id] });
    const runsBefore = serviceSourceActivity.contentRuns;
    const first = startDaemon(config, "one");
    const second = startDaemon(config, "two");
    try {
      await waitFor("five scheduled jobs", async () => {
        const jobs = await jobsOf(kit, id);
        return jobs.filter((job) => job.doc.status === "completed").length >= 5 ? true : undefined;
      }, { timeoutMs: 60_000 });
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
    const jobs = await jobsOf(kit, id);
    const scheduled = capturedLogs.flatMap((line) => {
      const match = line.includes(id) && line.match(/scheduled full job (\S+) for (\S+)/);
      return match ? [{ job: match[1], at: match[2], line }] : [];
    });
    assert.deepEqual(
      scheduled.map((entry) => entry.job).sort(),
      jobs.map((job) => job.id).sort(),
      "every job document was created by a scheduler that won its marker",
    );
    const occurrences = scheduled.map((entry) => entry.at);
    assert.equal(new Set(occurrences).size, occurrences.length, "one job per occurrence");
    for (const at of occurrences) assert.equal(new Date(at).getUTCSeconds() % 2, 0, at);
    assert.ok(jobs.every((job) => job.doc.trigger_method === "scheduled"));
    const ran = jobs.filter((job) => ["completed", "suspended", "error"].includes(job.doc.status));
    assert.ok(jobs.every((job) => job.doc.status !== "error"), "no job failed");
    assert.equal(serviceSourceActivity.contentRuns - runsBefore, ran.length, "each job ran once");
    for (const job of jobs.filter((job) => job.doc.status === "completed")) {
      assert.equal(job.doc.indexed_document_count, 3);
    }
  },
});

Deno.test({
  name: "a cancel request is honoured within 5 s",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { id, indexName } = names("daemon-cancel");
    await createTestConnector(kit, { id, indexName, values: { count: 400, delay_ms: 50 } });
    const daemon = startDaemon(serviceConfig(server, { connectorIds: [id] }));
    try {
      const job = await startJob(id);
      await waitForJob(kit, job.id, "job running", (doc) => doc.status === "in_progress");
      assert.equal(await kit.jobs.requestCancel(job.id), "canceling");
      const asked = Date.now();
      const canceled = await waitForJob(
        kit,
        job.id,
        "job canceled",
        (doc) => doc.status === "canceled",
        10_000,
      );
      const took = Date.now() - asked;
      assert.ok(took <= 5_000, `canceled after ${took} ms`);
      assert.ok(canceled.doc.canceled_at);
      const connector = await waitForConnector(
        kit,
        id,
        "the connector mirror",
        (doc) => doc.last_sync_status !== "in_progress",
      );
      assert.equal(connector.doc.last_sync_status, "canceled");
      assert.equal(connector.doc.status, "connected");
    } finally {
      await daemon.stop();
    }
  },
});

Deno.test({
  name: "catch-up: five missed hourly runs give one job and the latest occurrence as marker",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { id, indexName } = names("daemon-catch-up");
    await createTestConnector(kit, { id, indexName, values: { count: 2 } });
    const fiveHoursAgo = new Date(Date.now() - 5 * 3600_000);
    await kit.connectors.update(id, (current) => ({
      scheduling: { ...current.doc.scheduling, full: { enabled: true, interval: "0 0 * * * ?" } },
      last_sync_scheduled_at: fiveHoursAgo.toISOString(),
    }));
    const startedAt = Date.now();
    const daemon = startDaemon(serviceConfig(server, { connectorIds: [id] }));
    try {
      await waitFor("the caught-up job to complete", async () => {
        const jobs = await jobsOf(kit, id);
        return jobs.some((job) => job.doc.status === "completed") ? true : undefined;
      });
    } finally {
      await daemon.stop();
    }
    const jobs = await jobsOf(kit, id);
    assert.equal(jobs.length, 1, "one job, not a burst");
    const marker = new Date((await kit.connectors.get(id))!.doc.last_sync_scheduled_at!);
    // The latest top of the hour when the daemon looked (the test may straddle an hour).
    const hours = [startedAt, Date.now()].map((ms) => Math.floor(ms / 3600_000) * 3600_000);
    assert.ok(hours.includes(marker.getTime()), `marker ${marker.toISOString()}`);
  },
});

Deno.test({
  name: "cleanup repairs a connector left in_progress with no running job, and fails orphans",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { id, indexName } = names("daemon-stale");
    await createTestConnector(kit, { id, indexName });
    await kit.connectors.update(id, () => ({ last_sync_status: "in_progress" }));
    const ghost = names("daemon-ghost");
    const ghostConnector = await createTestConnector(kit, {
      id: ghost.id,
      indexName: ghost.indexName,
    });
    const orphan = await kit.jobs.create({
      connector: ghostConnector,
      jobType: "full",
      triggerMethod: "on_demand",
    });
    await kit.connectors.delete(ghost.id, { hard: false });
    const daemon = startDaemon(
      serviceConfig(server, { connectorIds: [id], service: { job_cleanup_interval: 0.5 } }),
    );
    try {
      const repaired = await waitForConnector(
        kit,
        id,
        "the repair",
        (doc) => doc.last_sync_status === "error",
      );
      assert.match(repaired.doc.last_sync_error ?? "", /interrupted/);
      const failed = await waitForJob(kit, orphan.id, "orphan failed", (d) => d.status === "error");
      assert.match(failed.doc.error ?? "", /no longer exists/);
    } finally {
      await daemon.stop();
    }
  },
});

/** A `connectors run` child process with its stderr collected. */
function startChildDaemon(config: string) {
  const child = spawnCli(["run", "-c", config]);
  return { child, stderr: collectStderr(child) };
}

Deno.test({
  name: "kill -9 mid-sync: a restarted daemon fails the orphaned job, the next sync completes",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { id, indexName } = names("daemon-kill");
    await createTestConnector(kit, { id, indexName, values: { count: 60, delay_ms: 100 } });
    const threshold = 3;
    const config = await writeConfigFile(configTree(server, {
      connectorIds: [id],
      service: { job_cleanup_interval: 1, idle_job_threshold: threshold },
    }));
    const killed = startChildDaemon(config);
    const job = await startJob(id);
    try {
      // A stats write after the claim: the worker was alive and reporting.
      await waitForJob(
        kit,
        job.id,
        "a progress report",
        (doc) => doc.status === "in_progress" && doc.last_seen! > doc.started_at!,
      );
    } finally {
      killed.child.kill("SIGKILL");
      await killed.child.status;
      await killed.stderr.done;
    }
    assert.equal((await kit.jobs.get(job.id))!.doc.status, "in_progress", "nobody ended it");
    const restarted = startChildDaemon(config);
    try {
      const failed = await waitForJob(kit, job.id, "idle job failed", (d) => d.status === "error");
      assert.equal(failed.doc.error, idleJobError(threshold));
      const connector = await waitForConnector(
        kit,
        id,
        "connector mirror",
        (doc) => doc.last_sync_status === "error",
      );
      assert.equal(connector.doc.last_sync_error, idleJobError(threshold));

      await setValues(id, { delay_ms: 0 });
      const next = await startJob(id);
      const done = await waitForJob(kit, next.id, "next job", (doc) => doc.status === "completed");
      assert.equal(done.doc.indexed_document_count, 60);
      assert.equal(done.doc.total_document_count, 60);
    } finally {
      restarted.child.kill("SIGTERM");
      const status = await restarted.child.status;
      await restarted.stderr.done;
      assert.equal(status.code, 0, restarted.stderr.text());
    }
  },
});

Deno.test({
  name: "SIGTERM mid-sync suspends the job; the next daemon completes it",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { id, indexName } = names("daemon-sigterm");
    await createTestConnector(kit, { id, indexName, values: { count: 60, delay_ms: 100 } });
    const config = await writeConfigFile(configTree(server, { connectorIds: [id] }));
    const stopped = startChildDaemon(config);
    const job = await startJob(id);
    await waitForJob(kit, job.id, "job running", (doc) => doc.status === "in_progress");
    const signalled = Date.now();
    stopped.child.kill("SIGTERM");
    const status = await stopped.child.status;
    await stopped.stderr.done;
    const took = Date.now() - signalled;
    assert.equal(status.code, 0, stopped.stderr.text());
    assert.ok(took < 10_000, `exited ${took} ms after SIGTERM`);
    const suspended = (await kit.jobs.get(job.id))!;
    assert.equal(suspended.doc.status, "suspended");
    const connector = (await kit.connectors.get(id))!.doc;
    assert.equal(connector.last_sync_status, "suspended");
    assert.ok(!ACTIVE_JOB_STATUSES.includes(connector.last_sync_status!));

    const resumed = startChildDaemon(config);
    try {
      const done = await waitForJob(kit, job.id, "job completed", (d) => d.status === "completed");
      assert.equal(done.doc.indexed_document_count, 60);
      assert.equal(done.doc.total_document_count, 60);
      assert.equal(await indexCount(indexName), 60);
    } finally {
      resumed.child.kill("SIGTERM");
      await resumed.child.status;
      await resumed.stderr.done;
    }
  },
});

globalThis.addEventListener("unload", () => kit.es.close());
