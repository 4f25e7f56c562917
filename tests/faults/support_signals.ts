/**
 * Helpers of the signal and race fault tests: a seeded random generator whose seed is printed
 * so a failure can be replayed (`CONNECTORS_FAULT_SEED=<n> deno task test:faults`), the real
 * `connectors run` / `connectors sync` as child processes (with the `service_test` type) in their
 * own temp dir, and checks of the end state of job and connector documents.
 * @module
 */
import assert from "node:assert/strict";
import { Rng } from "../../lib/ftest/rng.ts";
import {
  ACTIVE_JOB_STATUSES,
  type ConnectorDoc,
  type Stored,
  type SyncJobDoc,
  WAITING_JOB_STATUSES,
} from "../../lib/protocol/mod.ts";
import { type ServiceTestKit, waitFor } from "../support/service_fixtures.ts";

/** The env var that replays a run: the seed printed by {@linkcode seededRandom}. */
export const SEED_ENV = "CONNECTORS_FAULT_SEED";

/** The ftest generator (mulberry32) that remembers its seed and shuffles. */
export class SeededRandom extends Rng {
  readonly seed: number;

  constructor(seed: number) {
    super(seed);
    this.seed = seed >>> 0;
  }

  /** A shuffled copy of `items`. */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }
}

/**
 * The generator of one test file: seeded from {@linkcode SEED_ENV} when set, else at random;
 * the seed is printed with the command that replays it.
 */
export function seededRandom(label: string): SeededRandom {
  const given = Deno.env.get(SEED_ENV);
  const seed = given ? Number(given) : crypto.getRandomValues(new Uint32Array(1))[0];
  if (!Number.isInteger(seed) || seed < 0) {
    throw new Error(`${SEED_ENV} must be a non-negative integer, got "${given}"`);
  }
  console.log(`${label}: seed ${seed} (replay: ${SEED_ENV}=${seed} deno task test:faults)`);
  return new SeededRandom(seed);
}

const MAIN = new URL("../support/service_main.ts", import.meta.url).pathname;

/** A `connectors` child process with its output collected and its own TMPDIR. */
export interface Connectors {
  /** What it was started for, in failure messages. */
  label: string;
  /** The child's TMPDIR: spill files of its syncs go there. */
  tmpDir: string;
  /** Settles when the process has exited and its output is read. */
  exited: Promise<Deno.CommandStatus>;
  /** Whether it has exited. */
  hasExited(): boolean;
  /** Sends `signal`; false when the process had already exited. */
  kill(signal: Deno.Signal): boolean;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then SIGKILL if it is still running after `graceMs`; its exit status. */
  stop(graceMs?: number): Promise<Deno.CommandStatus>;
}

/** Starts `connectors <args>` (`run`, `sync`) with the test registry. */
export async function spawnConnectors(args: string[], label: string): Promise<Connectors> {
  const tmpDir = await Deno.makeTempDir({ prefix: "connectors-fault-tmp-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { TMPDIR: tmpDir },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = { stdout: "", stderr: "" };
  const read = (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") =>
    stream.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({
        write(chunk) {
          out[key] += chunk;
        },
      }),
    ).catch(() => {});
  let done = false;
  const exited = Promise.all([read(child.stdout, "stdout"), read(child.stderr, "stderr")])
    .then(() => child.status)
    .finally(() => done = true);
  const kill = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
      return true;
    } catch {
      return false; // Already exited.
    }
  };
  return {
    label,
    tmpDir,
    exited,
    hasExited: () => done,
    kill,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    stop: async (graceMs = 12_000) => {
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Kills what still runs of `children` and removes their temp dirs (at the end of a file). */
export function disposeChildren(children: readonly Connectors[]): void {
  for (const child of children) {
    child.kill("SIGKILL");
    try {
      Deno.removeSync(child.tmpDir, { recursive: true });
    } catch {
      // Already gone.
    }
  }
}

/** Waits for the process to exit; kills it and fails when that takes longer than `ms`. */
export async function exitWithin(
  child: Connectors,
  ms: number,
): Promise<{ status: Deno.CommandStatus; tookMs: number }> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), ms));
  const first = await Promise.race([child.exited, late]);
  clearTimeout(timer);
  if (first === "late") {
    child.kill("SIGKILL");
    await child.exited;
    assert.fail(`${child.label} still ran ${ms} ms later\n${child.stderr()}`);
  }
  return { status: first, tookMs: Date.now() - started };
}

/** Spill directories of the deletion sweep (`connectors-sync-*`) left in `tmpDir`. */
export async function leftoverSpillDirs(tmpDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(tmpDir)) {
    if (entry.name.startsWith("connectors-sync-")) names.push(entry.name);
  }
  return names;
}

/** The ids in `index` (refreshed first); the fault tests keep indices small. */
export async function indexIds(kit: ServiceTestKit, index: string): Promise<string[]> {
  await kit.es.request("POST", `/${index}/_refresh`, { allow: [404] });
  const { status, body } = await kit.es.request<{ hits: { hits: { _id: string }[] } }>(
    "POST",
    `/${index}/_search`,
    { body: { size: 10_000, _source: false, query: { match_all: {} } }, allow: [404] },
  );
  return status === 404 ? [] : body.hits.hits.map((hit) => hit._id).sort();
}

/** What a full sync of the `service_test` source (ids `doc-0`..) must do to `ids`. */
export interface FullSyncCounts {
  created: number;
  updated: number;
  deleted: number;
}

/** Exact counts of a full sync of `count` documents over an index holding `ids`. */
export function fullSyncCounts(ids: readonly string[], count: number): FullSyncCounts {
  const kept = ids.filter((id) => Number(id.slice("doc-".length)) < count).length;
  return { created: count - kept, updated: kept, deleted: ids.length - kept };
}

/** The ids the `service_test` source yields for `count` documents, sorted as strings. */
export function sourceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `doc-${i}`).sort();
}

/** Parses `connectors sync`'s summary line: `... N created, N updated, N deleted, N failed`. */
export function summaryCounts(stdout: string): FullSyncCounts & { failed: number } {
  const match = stdout.match(/(\d+) created, (\d+) updated, (\d+) deleted, (\d+) failed/);
  assert.ok(match, `a summary line in ${JSON.stringify(stdout)}`);
  const [created, updated, deleted, failed] = match.slice(1).map(Number);
  return { created, updated, deleted, failed };
}

/** Every job of a connector, realtime (the jobs index is refreshed first). */
export async function connectorJobs(
  kit: ServiceTestKit,
  connectorId: string,
): Promise<Stored<SyncJobDoc>[]> {
  await kit.es.request("POST", "/.elastic-connectors-sync-jobs/_refresh");
  const listed = await Array.fromAsync(kit.jobs.byConnector(connectorId));
  const fresh = await Promise.all(listed.map((job) => kit.jobs.get(job.id)));
  return fresh.filter((job): job is Stored<SyncJobDoc> => job !== null);
}

/** Polls until the connector document satisfies `test` or `child` has exited; returns it. */
export function connectorWhile(
  kit: ServiceTestKit,
  options: { id: string; what: string; child?: Connectors; timeoutMs?: number },
  test: (doc: ConnectorDoc) => boolean,
): Promise<Stored<ConnectorDoc> | "exited"> {
  return waitFor(options.what, async () => {
    if (options.child?.hasExited()) return "exited" as const;
    const connector = await kit.connectors.get(options.id);
    return connector && test(connector.doc) ? connector : undefined;
  }, { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 25 });
}

/**
 * Fails unless every job has ended for good (nothing `pending`, `in_progress`, `canceling` or
 * `suspended`) and each end is well-formed; `what` names the test step.
 */
export function assertAllEnded(jobs: readonly Stored<SyncJobDoc>[], what: string): void {
  for (const { id, doc } of jobs) {
    const label = `${what}: job ${id} (${doc.status}, ${doc.trigger_method})`;
    assert.ok(
      !ACTIVE_JOB_STATUSES.includes(doc.status) && !WAITING_JOB_STATUSES.includes(doc.status),
      `${label} has not ended`,
    );
    assert.ok(doc.completed_at, `${label}: completed_at`);
    if (doc.status === "error") assert.ok(doc.error, `${label}: an error text`);
    else assert.equal(doc.error, null, `${label}: no error text`);
    if (doc.status === "canceled") assert.ok(doc.canceled_at, `${label}: canceled_at`);
    if (doc.status === "completed") {
      assert.ok(doc.started_at && doc.started_at <= doc.completed_at!, `${label}: started_at`);
    }
  }
}

/**
 * Fails when two jobs' `started_at`..`completed_at` (or `last_seen` for a job that has not
 * ended) intervals overlap: a connector runs one content job at a time. Jobs that never ran
 * have no `started_at`.
 */
export function assertNoOverlap(jobs: readonly Stored<SyncJobDoc>[], what: string): void {
  const ran = jobs
    .filter((job) => job.doc.started_at)
    .map((job) => ({
      id: job.id,
      status: job.doc.status,
      from: Date.parse(job.doc.started_at!),
      to: Date.parse(job.doc.completed_at ?? job.doc.last_seen ?? job.doc.started_at!),
    }))
    .sort((a, b) => a.from - b.from);
  for (let i = 1; i < ran.length; i++) {
    const [before, after] = [ran[i - 1], ran[i]];
    assert.ok(
      after.from >= before.to,
      `${what}: job ${after.id} (${after.status}) started at ` +
        `${new Date(after.from).toISOString()} while job ${before.id} (${before.status}) ran ` +
        `until ${new Date(before.to).toISOString()}`,
    );
  }
}

/**
 * Fails unless the connector mirrors `last`, its latest job, which completed a full sync of
 * `count` documents that deleted `deleted`; no schedule is set, so no scheduler marker either.
 */
export function assertMirrorsCompleted(
  connector: ConnectorDoc,
  expected: { last: Stored<SyncJobDoc>; count: number; deleted: number; what: string },
): void {
  const { last, what } = expected;
  const fields = {
    status: connector.status,
    error: connector.error,
    last_sync_status: connector.last_sync_status,
    last_sync_error: connector.last_sync_error,
    last_indexed_document_count: connector.last_indexed_document_count,
    last_deleted_document_count: connector.last_deleted_document_count,
    last_sync_scheduled_at: connector.last_sync_scheduled_at,
    last_incremental_sync_scheduled_at: connector.last_incremental_sync_scheduled_at,
    last_access_control_sync_scheduled_at: connector.last_access_control_sync_scheduled_at,
    sync_now: (connector as unknown as Record<string, unknown>).sync_now ?? false,
  };
  assert.deepEqual(fields, {
    status: "connected",
    error: null,
    last_sync_status: "completed",
    last_sync_error: null,
    last_indexed_document_count: expected.count,
    last_deleted_document_count: expected.deleted,
    last_sync_scheduled_at: null,
    last_incremental_sync_scheduled_at: null,
    last_access_control_sync_scheduled_at: null,
    sync_now: false,
  }, `${what}: the connector mirrors job ${last.id}`);
  assert.ok(
    connector.last_synced && connector.last_synced >= last.doc.completed_at!,
    `${what}: last_synced ${connector.last_synced} is not before job ${last.id} completed`,
  );
}

/** Runs `body`; when it throws, prints the end of every child's log first (to see why). */
export async function withChildLogs<T>(
  children: readonly Connectors[],
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    for (const child of children) {
      const lines = child.stderr().trimEnd().split("\n").slice(-40).join("\n");
      console.error(`--- ${child.label}: stdout ${JSON.stringify(child.stdout())}\n${lines}`);
    }
    throw error;
  }
}
