/**
 * SIGTERM, SIGINT and `kill -9` at seeded random moments of real syncs: the daemon
 * (`connectors run`) and the one-shot `connectors sync`, child processes against the test
 * Elasticsearch, on one `service_test` connector whose document count changes every iteration
 * (so every sync creates and deletes). Moments: start-up (before, around or just after the
 * claim), mid-bulk (bulks of 10 documents while the source yields), and late (end of the
 * source, the deletion sweep, the final writes).
 *
 * After each interruption the product's own recovery runs: a restarted daemon (it resumes
 * suspended jobs and fails the job of a killed worker once `idle_job_threshold` has passed), or
 * the next `connectors sync` (it fails such a job too, and a completed run cancels older waiting
 * jobs as superseded). Then no job is left running, waiting or suspended, no two jobs ran at
 * once, the connector mirrors the last job, and the next sync's counts are exact.
 *
 * Replay a failure with the printed seed: `CONNECTORS_FAULT_SEED=<n> deno task test:faults`;
 * `CONNECTORS_FAULT_ITERATIONS` sets how many interruptions run (12).
 */
import assert from "node:assert/strict";
import { ACTIVE_JOB_STATUSES, type Stored, type SyncJobDoc } from "../../lib/protocol/mod.ts";
import { idleJobError } from "../../lib/service/mod.ts";
import { testElasticsearch, uniqueIndexName } from "../support/servers.ts";
import {
  configTree,
  createTestConnector,
  serviceKit,
  waitFor,
  waitForConnector,
  waitForJob,
  writeConfigFile,
} from "../support/service_fixtures.ts";
import {
  assertAllEnded,
  assertMirrorsCompleted,
  assertNoOverlap,
  connectorJobs,
  type Connectors,
  connectorWhile,
  disposeChildren,
  exitWithin,
  fullSyncCounts,
  indexIds,
  leftoverSpillDirs,
  seededRandom,
  sourceIds,
  spawnConnectors,
  summaryCounts,
} from "./support_signals.ts";

const server = await testElasticsearch();
const kit = await serviceKit(server);
const random = seededRandom("signals_test");
const ITERATIONS = Number(Deno.env.get("CONNECTORS_FAULT_ITERATIONS") ?? "12");
/** `service.idle_job_threshold` of the test config (a live job reports every 0.67 s). */
const IDLE_THRESHOLD_S = 2;
/** Source delay per document: a sync of 60 documents yields for about 0.7 s. */
const DELAY_MS = 12;
/** SIGTERM/SIGINT must end a process within this (README: "exit within 10 s"). */
const GRACE_MS = 10_000;

type Target = "daemon" | "sync";
type Phase = "startup" | "mid-bulk" | "late";

interface Plan {
  n: number;
  target: Target;
  signal: Deno.Signal;
  phase: Phase;
  /** Documents the source yields in this iteration. */
  count: number;
  /** Delay before the signal: from the spawn (startup) or from `in_progress`. */
  waitMs: number;
}

const indexName = uniqueIndexName("fault-signals");
const connectorId = `conn-${indexName}`;
await createTestConnector(kit, { id: connectorId, indexName, values: { count: 60 } });
const tree = configTree(server, {
  connectorIds: [connectorId],
  service: { idle_job_threshold: IDLE_THRESHOLD_S, job_cleanup_interval: 0.5, idling: 0.25 },
});
(tree.elasticsearch as Record<string, unknown>).bulk = { chunk_size: 10 };
const config = await writeConfigFile(tree);

/** Jobs as their interruption left them, by id. */
const interrupted = new Map<string, Stored<SyncJobDoc>>();

/** Every child this file started, killed at exit if a failed assertion left one running. */
const children: Connectors[] = [];
globalThis.addEventListener("unload", () => {
  disposeChildren(children);
  Deno.removeSync(config);
  kit.es.close();
});

async function connectors(args: string[], label: string): Promise<Connectors> {
  const child = await spawnConnectors([...args, "-c", config], label);
  children.push(child);
  return child;
}

async function setCount(count: number): Promise<void> {
  await kit.connectors.update(connectorId, (current) => {
    const configuration = current.doc.configuration as Record<string, { value: unknown }>;
    configuration.count.value = count;
    configuration.delay_ms.value = DELAY_MS;
    return { configuration: current.doc.configuration };
  });
}

async function spillFree(child: Connectors, what: string): Promise<void> {
  assert.deepEqual(await leftoverSpillDirs(child.tmpDir), [], `${what}: spill files left behind`);
}

function plan(n: number, combo: { target: Target; signal: Deno.Signal }, previous: number): Plan {
  const phase = random.pick<Phase>(["startup", "mid-bulk", "late"]);
  // Deletes stay under the mass-delete guard's 50%.
  const count = random.int(Math.max(20, Math.ceil(previous * 0.65)), Math.min(previous + 30, 120));
  const yieldMs = count * DELAY_MS;
  // A sync claims its job about 0.4 s after it was spawned, a daemon about 0.7 s.
  const waitMs = phase === "startup"
    ? random.int(0, combo.target === "sync" ? 600 : 1_000)
    : phase === "mid-bulk"
    ? random.int(0, Math.floor(yieldMs * 0.7))
    : random.int(Math.floor(yieldMs * 0.7), yieldMs + 500);
  return { n, ...combo, phase, count, waitMs };
}

/** Waits for the moment of `plan`, then sends its signal; whether the process still ran. */
async function interrupt(child: Connectors, plan: Plan): Promise<boolean> {
  if (plan.phase !== "startup") {
    await connectorWhile(kit, {
      id: connectorId,
      what: `${child.label}: the job in progress`,
      child,
    }, (doc) => doc.last_sync_status === "in_progress");
  }
  // The fault injection point itself, not a wait for some state.
  await new Promise((resolve) => setTimeout(resolve, plan.waitMs));
  return child.kill(plan.signal);
}

/** What the interrupted process left, checked before any recovery runs. */
interface Interrupted {
  job?: Stored<SyncJobDoc>;
  /** Index ids right after the interruption. */
  ids: string[];
  report: string;
}

async function afterInterruption(
  child: Connectors,
  options: { plan: Plan; sent: boolean; before: Set<string>; what: string },
): Promise<Interrupted> {
  const { plan, sent, what } = options;
  const { status, tookMs } = await exitWithin(child, GRACE_MS + 5_000);
  const mine = (await connectorJobs(kit, connectorId)).filter((job) => !options.before.has(job.id));
  assert.ok(mine.length <= 1, `${what}: one job at most, got ${mine.length}`);
  const job = mine[0];
  const connector = (await kit.connectors.get(connectorId))!.doc;
  // Killed by the signal itself: before the handlers were installed, or after the work ended.
  const early = status.signal !== null;
  if (plan.signal !== "SIGKILL" && sent) {
    assert.ok(tookMs < GRACE_MS, `${what}: exited ${tookMs} ms after the signal`);
    const ended: string = job?.doc.status ?? "none";
    const output = `${what}: exit ${status.code}, job ${ended}\n${child.stdout()}${child.stderr()}`;
    if (early) {
      assert.ok(["none", "pending", "completed"].includes(ended), output);
    } else if (plan.target === "daemon") {
      assert.equal(status.code, 0, output);
    } else if (ended === "none" || ended === "canceled") {
      assert.equal(status.code, 2, output);
      assert.match(child.stderr(), /stopped by SIG(TERM|INT) before the job started/, output);
    } else {
      assert.equal(status.code, ended === "completed" ? 0 : 1, output);
      assert.match(child.stdout(), new RegExp(`\\(full\\) ${ended} in `), output);
    }
    assert.ok(
      !job || !ACTIVE_JOB_STATUSES.includes(job.doc.status),
      `${what}: the stopped process left its job ${job?.doc.status}\n${child.stderr()}`,
    );
    assert.notEqual(connector.last_sync_status, "in_progress", `${what}: the connector marker`);
    assert.doesNotMatch(child.stderr(), /^\s+at /m, `${what}: no stack trace`);
    await spillFree(child, what);
  }
  if (job) interrupted.set(job.id, job);
  const ids = await indexIds(kit, indexName);
  const exit = early ? status.signal : `exit ${status.code}`;
  // kill -9 cannot clean up: its spill directory stays in the temp dir (README).
  const spilled = plan.signal === "SIGKILL" ? (await leftoverSpillDirs(child.tmpDir)).length : 0;
  const report = `${what}: ${sent ? "signalled" : "had exited"}, ${exit}, ` +
    `job ${job?.doc.status ?? "none"}, marker ${connector.last_sync_status}` +
    (spilled ? `, ${spilled} spill dir left` : "");
  return { job, ids, report };
}

/** A daemon is interrupted while it runs an on-demand job; a restarted daemon recovers. */
async function daemonIteration(plan: Plan, what: string): Promise<Stored<SyncJobDoc>> {
  const before = new Set((await connectorJobs(kit, connectorId)).map((job) => job.id));
  const daemon = await connectors(["run"], `${what}: daemon`);
  const connector = (await kit.connectors.get(connectorId))!;
  const job = await kit.jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
  const sent = await interrupt(daemon, plan);
  const left = await afterInterruption(daemon, { plan, sent, before, what });
  console.log(left.report);
  const was = left.job!.doc.status;

  const restarted = await connectors(["run"], `${what}: restarted daemon`);
  try {
    const ended = await waitForJob(
      kit,
      job.id,
      `${what}: the interrupted job to end`,
      (doc) => ["completed", "error", "canceled"].includes(doc.status),
      60_000,
    );
    if (was === "pending" || was === "suspended") {
      assert.equal(ended.doc.status, "completed", `${what}: resumed\n${restarted.stderr()}`);
      assert.equal(ended.doc.indexed_document_count, plan.count, `${what}: resumed, indexed`);
      assert.equal(
        ended.doc.deleted_document_count,
        fullSyncCounts(left.ids, plan.count).deleted,
        `${what}: resumed, deleted`,
      );
    } else if (was === "in_progress" || was === "canceling") {
      assert.equal(ended.doc.status, "error", what);
      assert.equal(ended.doc.error, idleJobError(IDLE_THRESHOLD_S), what);
    } else {
      assert.equal(ended.doc.status, left.job!.doc.status, `${what}: an ended job stays ended`);
    }
    await waitForConnector(
      kit,
      connectorId,
      `${what}: the connector to mirror the interrupted job's end`,
      (doc) =>
        doc.last_sync_status === ended.doc.status && doc.last_sync_error === ended.doc.error &&
        doc.status === (ended.doc.status === "error" ? "error" : "connected"),
    );
    const ids = await indexIds(kit, indexName);
    const fresh = (await kit.connectors.get(connectorId))!;
    const next = await kit.jobs.create({
      connector: fresh,
      jobType: "full",
      triggerMethod: "on_demand",
    });
    const done = await waitForJob(
      kit,
      next.id,
      `${what}: the next job to end`,
      (doc) => ["completed", "error", "canceled"].includes(doc.status),
      60_000,
    );
    assert.equal(done.doc.status, "completed", `${what}: ${done.doc.error}\n${restarted.stderr()}`);
    assert.equal(done.doc.deleted_document_count, fullSyncCounts(ids, plan.count).deleted, what);
    return done;
  } finally {
    const stopped = await restarted.stop();
    assert.equal(stopped.code, 0, `${what}: the restarted daemon's exit\n${restarted.stderr()}`);
    await spillFree(restarted, `${what}: restarted daemon`);
  }
}

/** A `connectors sync` is interrupted; the next `connectors sync` recovers on its own. */
async function syncIteration(plan: Plan, what: string): Promise<Stored<SyncJobDoc>> {
  const before = new Set((await connectorJobs(kit, connectorId)).map((job) => job.id));
  const sync = await connectors(["sync", "--id", connectorId, "--full"], `${what}: sync`);
  const sent = await interrupt(sync, plan);
  const left = await afterInterruption(sync, { plan, sent, before, what });
  console.log(left.report);
  const was = left.job?.doc.status;
  if (left.job && (was === "in_progress" || was === "canceling")) {
    // A killed run's job blocks the next run until it has been silent for the threshold.
    await waitForJob(
      kit,
      left.job.id,
      `${what}: the killed run's job to go idle`,
      (doc) => Date.now() - Date.parse(doc.last_seen!) > IDLE_THRESHOLD_S * 1000 + 200,
    );
  }
  const next = await connectors(["sync", "--id", connectorId, "--full"], `${what}: next sync`);
  const { status } = await exitWithin(next, 60_000);
  assert.equal(status.code, 0, `${what}: the next sync\n${next.stdout()}${next.stderr()}`);
  await spillFree(next, `${what}: next sync`);
  const expected = fullSyncCounts(left.ids, plan.count);
  assert.deepEqual(summaryCounts(next.stdout()), { ...expected, failed: 0 }, what);
  const jobId = next.stdout().match(/^job (\S+) \(full\) completed/m)?.[1];
  const done = (await kit.jobs.get(jobId!))!;
  assert.equal(done.doc.deleted_document_count, expected.deleted, what);
  if (left.job) {
    const ended = (await kit.jobs.get(left.job.id))!.doc;
    if (was === "in_progress" || was === "canceling") {
      assert.equal(ended.status, "error", what);
      assert.equal(ended.error, idleJobError(IDLE_THRESHOLD_S), what);
    } else if (was === "pending" || was === "suspended") {
      assert.equal(ended.status, "canceled", `${what}: the waiting job is superseded`);
      assert.equal(ended.metadata.superseded_by, done.id, what);
    } else {
      assert.equal(ended.status, was, `${what}: an ended job stays ended`);
    }
  }
  return done;
}

Deno.test({
  name: "signals at seeded random moments: nothing stuck, the next sync is exact",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const baseline = await connectors(["sync", "--id", connectorId, "--full"], "baseline sync");
    assert.equal((await exitWithin(baseline, 60_000)).status.code, 0, baseline.stderr());

    const combos = (["daemon", "sync"] as const).flatMap((target) =>
      (["SIGTERM", "SIGINT", "SIGKILL"] as const).map((signal) => ({ target, signal }))
    );
    const order: typeof combos = [];
    while (order.length < ITERATIONS) order.push(...random.shuffle(combos));
    let count = 60;
    let failed = false;
    for (const [i, combo] of order.slice(0, ITERATIONS).entries()) {
      const step = plan(i + 1, combo, count);
      const what = `#${step.n} ${step.target} ${step.signal} ${step.phase} +${step.waitMs} ms ` +
        `(${count} -> ${step.count} docs)`;
      await t.step({
        name: what,
        ignore: failed,
        fn: async () => {
          try {
            await setCount(step.count);
            const last = step.target === "daemon"
              ? await daemonIteration(step, what)
              : await syncIteration(step, what);
            const jobs = await connectorJobs(kit, connectorId);
            assertAllEnded(jobs, what);
            // A waiting job canceled later no longer records when its run stopped: use the
            // document as the interruption left it.
            assertNoOverlap(
              jobs.map((job) =>
                job.doc.metadata?.superseded_by ? interrupted.get(job.id) ?? job : job
              ),
              what,
            );
            assert.equal(last.doc.indexed_document_count, step.count, what);
            assert.equal(last.doc.total_document_count, step.count, what);
            assert.deepEqual(await indexIds(kit, indexName), sourceIds(step.count), what);
            const connector = (await kit.connectors.get(connectorId))!.doc;
            assertMirrorsCompleted(connector, {
              last,
              count: step.count,
              deleted: last.doc.deleted_document_count,
              what,
            });
            count = step.count;
          } catch (error) {
            failed = true;
            throw error;
          }
        },
      });
    }
    await waitFor(
      "no child left running",
      () => Promise.resolve(children.every((child) => child.hasExited()) ? true : undefined),
    );
  },
});
