/**
 * Integration test of the connector protocol layer (lib/protocol) against a real Elasticsearch:
 * index setup, connector documents, optimistic concurrency, atomic job claims, job lifecycle,
 * cleanup queries and the scheduler marker. Every test uses fresh connector ids; the protocol
 * indices are shared per cluster and never deleted here. Searches are near-real-time, so tests
 * refresh before listing (the service itself never refreshes).
 */
import assert from "node:assert/strict";
import {
  ConcurrentUpdateError,
  type ConnectorDoc,
  ConnectorIndex,
  CONNECTORS_CONCRETE_INDEX,
  CONNECTORS_INDEX,
  CONNECTORS_MAPPINGS,
  ensureProtocolIndices,
  isTerminal,
  JOB_NOT_FOUND_ERROR,
  staleSyncMarkers,
  type Stored,
  SYNC_JOBS_CONCRETE_INDEX,
  SYNC_JOBS_INDEX,
  SYNC_JOBS_MAPPINGS,
  SyncJobIndex,
} from "../lib/protocol/mod.ts";
import { validateBasicRules } from "../lib/rules/mod.ts";
import { testElasticsearch, testEsClient } from "./support/servers.ts";

const server = await testElasticsearch();
const es = testEsClient(server, { maxRetries: 1 });
const connectors = new ConnectorIndex(es);
const jobs = new SyncJobIndex(es);

/** A fresh id for one test. */
function freshId(label: string): string {
  return `test-${label}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Test-only: make recent writes visible to searches. */
async function refresh(): Promise<void> {
  await es.request("POST", `/${CONNECTORS_INDEX},${SYNC_JOBS_INDEX}/_refresh`);
}

async function newConnector(
  label: string,
  extra: Partial<Parameters<ConnectorIndex["create"]>[0]> = {},
): Promise<Stored<ConnectorDoc>> {
  const id = freshId(label);
  return await connectors.create({ id, indexName: `search-${id}`, serviceType: "mysql", ...extra });
}

await ensureProtocolIndices(es);

Deno.test("ensureProtocolIndices is idempotent, race-safe and installs Elasticsearch's mappings", async () => {
  const outcomes = await Promise.all([ensureProtocolIndices(es), ensureProtocolIndices(es)]);
  for (const outcome of outcomes) {
    assert.deepEqual(outcome, { connectors: "exists", syncJobs: "exists" });
  }

  const { body: mappings } = await es.request<Record<string, { mappings: unknown }>>(
    "GET",
    `/${CONNECTORS_CONCRETE_INDEX},${SYNC_JOBS_CONCRETE_INDEX}/_mapping`,
  );
  assert.deepEqual(mappings[CONNECTORS_CONCRETE_INDEX].mappings, CONNECTORS_MAPPINGS);
  assert.deepEqual(mappings[SYNC_JOBS_CONCRETE_INDEX].mappings, SYNC_JOBS_MAPPINGS);

  const { body: aliases } = await es.request<Record<string, { aliases: Record<string, unknown> }>>(
    "GET",
    `/_alias/${CONNECTORS_INDEX},${SYNC_JOBS_INDEX}`,
    { query: { expand_wildcards: "all" } },
  );
  assert.ok(CONNECTORS_INDEX in aliases[CONNECTORS_CONCRETE_INDEX].aliases);
  assert.ok(SYNC_JOBS_INDEX in aliases[SYNC_JOBS_CONCRETE_INDEX].aliases);

  const { body: settings } = await es.request<
    Record<string, { settings: { index: Record<string, unknown> } }>
  >("GET", `/${CONNECTORS_CONCRETE_INDEX}/_settings`);
  assert.equal(settings[CONNECTORS_CONCRETE_INDEX].settings.index.hidden, "true");
  assert.equal(settings[CONNECTORS_CONCRETE_INDEX].settings.index.auto_expand_replicas, "0-1");
});

Deno.test("a new connector gets the defaults and can be read back with seq_no", async () => {
  const created = await newConnector("create", {
    features: {
      basicRules: true,
      advancedRules: false,
      documentLevelSecurity: true,
      incrementalSync: false,
    },
  });
  const read = await connectors.get(created.id);
  assert.ok(read);
  assert.equal(read.seqNo, created.seqNo);
  assert.equal(read.primaryTerm, created.primaryTerm);
  const doc = read.doc;
  assert.equal(doc.status, "needs_configuration");
  assert.deepEqual(doc.scheduling.full, { enabled: false, interval: "0 0 0 * * ?" });
  assert.equal(doc.scheduling.access_control.enabled, false);
  assert.equal(doc.filtering[0].domain, "DEFAULT");
  assert.equal(doc.filtering[0].active.rules[0].id, "DEFAULT");
  assert.equal(doc.filtering[0].draft.validation.state, "valid");
  assert.deepEqual(doc.pipeline, {
    name: "search-default-ingestion",
    extract_binary_content: true,
    reduce_whitespace: true,
    run_ml_inference: true,
  });
  assert.equal(doc.features?.document_level_security?.enabled, true);
  assert.equal(doc.features?.sync_rules?.basic?.enabled, true);
  assert.equal(doc.is_native, false);
  assert.equal(await connectors.get(freshId("missing")), null);

  await assert.rejects(
    connectors.create({ id: created.id, indexName: "x", serviceType: "mysql" }),
    /already exists/,
  );
  const configured = await newConnector("configured", {
    configuration: { host: { label: "Host", value: "db" } },
  });
  assert.equal(configured.doc.status, "configured");
});

Deno.test("update re-reads and retries after a concurrent write, then gives up after 3 conflicts", async () => {
  const connector = await newConnector("occ");
  let calls = 0;
  const written = await connectors.update(connector.id, async (current) => {
    calls += 1;
    if (calls === 1) await connectors.heartbeat(connector.id); // a concurrent writer
    return { name: `${current.doc.name}-renamed` };
  });
  assert.equal(calls, 2);
  const after = await connectors.get(connector.id);
  assert.ok(after && written);
  assert.equal(after.doc.name, `search-${connector.id}-renamed`);
  assert.ok(after.doc.last_seen, "the concurrent heartbeat survived");
  assert.equal(after.seqNo, written.seqNo);

  let attempts = 0;
  await assert.rejects(
    connectors.update(connector.id, async () => {
      attempts += 1;
      await connectors.heartbeat(connector.id);
      return { name: "never" };
    }),
    ConcurrentUpdateError,
  );
  assert.equal(attempts, 3);
  assert.equal(await connectors.update(connector.id, () => null), null);
});

Deno.test("exactly one of two racing claimers wins a job", async () => {
  const connector = await newConnector("claim");
  const otherClient = testEsClient(server);
  const otherJobs = new SyncJobIndex(otherClient);
  for (let round = 0; round < 5; round++) {
    const job = await jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
    assert.equal(job.doc.status, "pending");
    const results = await Promise.all([
      jobs.claim(job.id, { syncCursor: null, workerHostname: "worker-a" }),
      otherJobs.claim(job.id, { syncCursor: null, workerHostname: "worker-b" }),
    ]);
    const winners = results.filter((result) => result !== null);
    assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results.map(Boolean))}`);
    const stored = await jobs.get(job.id);
    assert.ok(stored);
    assert.equal(stored.doc.status, "in_progress");
    assert.equal(stored.doc.worker_hostname, winners[0]!.doc.worker_hostname);
    assert.ok(stored.doc.started_at);
    assert.equal(await jobs.claim(job.id, { syncCursor: null }), null, "no second claim");
  }
  otherClient.close();
});

Deno.test("a job snapshots the connector; a claim replaces the cursor whole", async () => {
  const connector = await newConnector("snapshot", { language: "en" });
  const withCursor = await connectors.update(connector.id, () => ({ sync_cursor: { a: 1 } }));
  assert.ok(withCursor);
  const acl = await jobs.create({
    connector: withCursor,
    jobType: "access_control",
    triggerMethod: "scheduled",
  });
  assert.equal(acl.doc.connector.index_name, `.search-acl-filter-search-${connector.id}`);
  assert.equal(acl.doc.connector.filtering?.rules[0].id, "DEFAULT");
  assert.equal(acl.doc.connector.language, "en");
  assert.equal(acl.doc.trigger_method, "scheduled");
  assert.equal(acl.doc.indexed_document_count, 0);

  const job = await jobs.create({
    connector: withCursor,
    jobType: "incremental",
    triggerMethod: "on_demand",
  });
  assert.equal(job.doc.connector.index_name, `search-${connector.id}`);
  assert.deepEqual(job.doc.connector.sync_cursor, { a: 1 });
  const claimed = await jobs.claim(job.id, { syncCursor: { b: 2 } });
  assert.ok(claimed);
  assert.deepEqual((await jobs.get(job.id))?.doc.connector.sync_cursor, { b: 2 });
});

Deno.test("stats, cancel and terminate write the protocol fields", async () => {
  const connector = await newConnector("lifecycle");
  const job = await jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
  await jobs.claim(job.id, { syncCursor: null });
  const counters = {
    indexed_document_count: 7,
    deleted_document_count: 2,
    indexed_document_volume_bytes: 3.4 * 1024 * 1024,
  };
  assert.equal(await jobs.updateStats(job.id, { counters, metadata: { pages: 3 } }), "in_progress");
  let stored = (await jobs.get(job.id))!.doc;
  assert.equal(stored.indexed_document_count, 7);
  assert.equal(stored.deleted_document_count, 2);
  assert.equal(stored.indexed_document_volume, 3);
  assert.deepEqual(stored.metadata, { pages: 3 });

  assert.equal(await jobs.requestCancel(job.id), "canceling");
  stored = (await jobs.get(job.id))!.doc;
  assert.equal(stored.status, "canceling");
  assert.ok(stored.cancelation_requested_at);
  assert.equal(await jobs.updateStats(job.id, { counters }), "canceling");

  const ended = await jobs.terminate(job.id, {
    status: "canceled",
    counters: { ...counters, total_document_count: 40 },
  });
  assert.ok(ended);
  stored = (await jobs.get(job.id))!.doc;
  assert.equal(stored.status, "canceled");
  assert.ok(stored.completed_at && stored.canceled_at);
  assert.equal(stored.total_document_count, 40);
  assert.equal(stored.error, null);
  assert.ok(isTerminal(stored.status));
  assert.equal(await jobs.requestCancel(job.id), null, "an ended job cannot be canceled");

  const failed = await jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
  await jobs.terminate(failed.id, { status: "error", error: "" });
  stored = (await jobs.get(failed.id))!.doc;
  assert.equal(stored.status, "error");
  assert.equal(stored.error, "unknown error");
  assert.ok(stored.completed_at);
  assert.equal(stored.canceled_at, null);

  const waiting = await jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
  assert.equal(await jobs.requestCancel(waiting.id), "canceled");
  stored = (await jobs.get(waiting.id))!.doc;
  assert.equal(stored.status, "canceled");
  assert.ok(stored.canceled_at && stored.cancelation_requested_at);

  const suspended = await jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
  await jobs.claim(suspended.id, { syncCursor: null });
  await jobs.terminate(suspended.id, { status: "suspended" });
  stored = (await jobs.get(suspended.id))!.doc;
  assert.equal(stored.status, "suspended");
  assert.equal(stored.completed_at, null);
  assert.ok(await jobs.claim(suspended.id, { syncCursor: null }), "suspended jobs are claimable");

  const guarded = await jobs.terminate(suspended.id, {
    status: "error",
    error: "only pending jobs may be failed here",
    onlyIf: (doc) => doc.status === "pending",
  });
  assert.equal(guarded, null);
  assert.equal((await jobs.get(suspended.id))!.doc.status, "in_progress");

  // A claim that cannot run (its connector is busy) is released back to what it was.
  await jobs.release(suspended.id, "suspended");
  stored = (await jobs.get(suspended.id))!.doc;
  assert.equal(stored.status, "suspended");
  assert.equal(stored.started_at, null);
  assert.equal(stored.worker_hostname, null);
  assert.ok(await jobs.claim(suspended.id, { syncCursor: null }), "a released job is claimable");
});

Deno.test("pending jobs are listed oldest first, filtered by connector and job type", async () => {
  const connector = await newConnector("pending");
  const base = Date.now() - 60_000;
  const first = await jobs.create({
    connector,
    jobType: "full",
    triggerMethod: "on_demand",
    now: new Date(base),
  });
  const acl = await jobs.create({
    connector,
    jobType: "access_control",
    triggerMethod: "on_demand",
    now: new Date(base + 1),
  });
  const second = await jobs.create({
    connector,
    jobType: "incremental",
    triggerMethod: "on_demand",
    now: new Date(base + 2),
  });
  const claimed = await jobs.create({
    connector,
    jobType: "full",
    triggerMethod: "on_demand",
    now: new Date(base + 3),
  });
  await jobs.claim(claimed.id, { syncCursor: null });
  await refresh();
  const content = await Array.fromAsync(
    jobs.pending({ connectorIds: [connector.id], jobTypes: ["full", "incremental"] }),
  );
  assert.deepEqual(content.map((job) => job.id), [first.id, second.id]);
  const access = await Array.fromAsync(
    jobs.pending({ connectorIds: [connector.id], jobTypes: ["access_control"] }),
  );
  assert.deepEqual(access.map((job) => job.id), [acl.id]);
  const all = await Array.fromAsync(jobs.byConnector(connector.id));
  assert.deepEqual(all.map((job) => job.id), [first.id, acl.id, second.id, claimed.id]);
});

Deno.test("idle and orphaned jobs are found; fresh and healthy ones are not", async () => {
  const connector = await newConnector("idle");
  const old = new Date(Date.now() - 10 * 60_000);
  const stale = await jobs.create({
    connector,
    jobType: "full",
    triggerMethod: "on_demand",
    now: old,
  });
  await jobs.claim(stale.id, { syncCursor: null, now: old });
  const fresh = await jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
  await jobs.claim(fresh.id, { syncCursor: null });
  const ghost: Stored<ConnectorDoc> = { ...connector, id: freshId("ghost") };
  const orphan = await jobs.create({
    connector: ghost,
    jobType: "full",
    triggerMethod: "on_demand",
  });
  const softDeleted = await newConnector("soft-deleted");
  const orphanOfDeleted = await jobs.create({
    connector: softDeleted,
    jobType: "full",
    triggerMethod: "on_demand",
  });
  assert.equal(await connectors.delete(softDeleted.id), true);
  await refresh();

  const idle = await Array.fromAsync(jobs.idle({ connectorIds: [connector.id] }));
  assert.deepEqual(idle.map((job) => job.id), [stale.id]);

  const orphanIds = new Set<string>();
  for await (const job of jobs.orphans()) orphanIds.add(job.id);
  assert.ok(orphanIds.has(orphan.id));
  assert.ok(orphanIds.has(orphanOfDeleted.id), "soft-deleted connectors count as gone");
  assert.ok(!orphanIds.has(stale.id) && !orphanIds.has(fresh.id));
});

Deno.test("the scheduler marker is written once per occurrence", async () => {
  const connector = await newConnector("marker");
  const wakeUp = new Date(Date.now() - 60_000);
  const at = new Date(Date.now() - 1_000);
  const results = await Promise.all([
    connectors.markScheduled(connector.id, { jobType: "full", at, since: wakeUp }),
    connectors.markScheduled(connector.id, { jobType: "full", at, since: wakeUp }),
  ]);
  assert.deepEqual(results.filter(Boolean).length, 1);
  const doc = (await connectors.get(connector.id))!.doc;
  assert.equal(doc.last_sync_scheduled_at, at.toISOString());
  assert.equal(doc.last_incremental_sync_scheduled_at, null);
  assert.equal(
    await connectors.markScheduled(connector.id, {
      jobType: "full",
      at: new Date(at.getTime() + 60_000),
      since: new Date(at.getTime() - 1),
    }),
    false,
    "another instance scheduled after our wake-up",
  );
  assert.equal(
    await connectors.markScheduled(connector.id, { jobType: "access_control", at }),
    true,
  );
  assert.equal(
    (await connectors.get(connector.id))!.doc.last_access_control_sync_scheduled_at,
    at.toISOString(),
  );
});

Deno.test("sync start and done mirror the job on the connector", async () => {
  const connector = await newConnector("mirror");
  await connectors.update(connector.id, () => ({ sync_cursor: { old: 1, keep: false } }));
  assert.equal(await connectors.markSyncStarted(connector.id, "full"), true);
  assert.equal(await connectors.markSyncStarted(connector.id, "incremental"), false);
  assert.equal(await connectors.markSyncStarted(connector.id, "access_control"), true);
  let doc = (await connectors.get(connector.id))!.doc;
  assert.equal(doc.last_sync_status, "in_progress");
  assert.equal(doc.status, "connected");

  const job = await jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
  await jobs.claim(job.id, { syncCursor: null });
  await jobs.terminate(job.id, {
    status: "completed",
    counters: {
      indexed_document_count: 5,
      deleted_document_count: 1,
      indexed_document_volume_bytes: 0,
    },
  });
  const ended = (await jobs.get(job.id))!.doc;
  await connectors.markSyncDone(connector.id, { job: ended, cursor: { fresh: 2 } });
  doc = (await connectors.get(connector.id))!.doc;
  assert.equal(doc.last_sync_status, "completed");
  assert.equal(doc.last_sync_error, null);
  assert.equal(doc.status, "connected");
  assert.equal(doc.last_indexed_document_count, 5);
  assert.equal(doc.last_deleted_document_count, 1);
  assert.deepEqual(doc.sync_cursor, { fresh: 2 }, "the cursor is replaced, not merged");
  assert.ok(doc.last_synced);
  assert.equal(doc.last_access_control_sync_status, "in_progress", "ACL mirror untouched");

  await connectors.markSyncDone(connector.id, { job: null });
  doc = (await connectors.get(connector.id))!.doc;
  assert.equal(doc.status, "error");
  assert.equal(doc.error, JOB_NOT_FOUND_ERROR);
  assert.equal(doc.last_sync_status, "error");
  assert.equal(doc.last_access_control_sync_status, "error");
});

Deno.test("an edited draft filter is validated and, when valid, activated", async () => {
  const connector = await newConnector("filtering");
  const rule = {
    id: "r1",
    policy: "exclude" as const,
    field: "title",
    rule: "equals",
    value: "secret",
    order: 1,
  };
  await connectors.update(connector.id, (current) => {
    const filtering = current.doc.filtering;
    filtering[0].draft.rules = [...filtering[0].draft.rules, rule];
    filtering[0].draft.validation = { state: "edited", errors: [] };
    return { filtering };
  });
  const outcome = await connectors.validateDraftFiltering(
    connector.id,
    (draft) => validateBasicRules(draft.rules),
  );
  assert.deepEqual(outcome, { validation: { state: "valid", errors: [] }, activated: true });
  const doc = (await connectors.get(connector.id))!.doc;
  assert.deepEqual(doc.filtering[0].active.rules.map((r) => r.id), ["DEFAULT", "r1"]);
  assert.equal(doc.filtering[0].draft.validation.state, "valid");
  assert.equal(await connectors.validateDraftFiltering(connector.id, () => assert.fail()), null);

  await connectors.update(connector.id, (current) => {
    const filtering = current.doc.filtering;
    filtering[0].draft.rules = [...filtering[0].draft.rules, {
      ...rule,
      id: "r2",
      rule: "regex",
      value: ".*",
    }];
    filtering[0].draft.validation = { state: "edited", errors: [] };
    return { filtering };
  });
  const invalid = await connectors.validateDraftFiltering(
    connector.id,
    (draft) => validateBasicRules(draft.rules),
  );
  assert.equal(invalid?.activated, false);
  assert.equal(invalid?.validation.state, "invalid");
  const after = (await connectors.get(connector.id))!.doc;
  assert.deepEqual(after.filtering[0].active.rules.map((r) => r.id), ["DEFAULT", "r1"]);
});

Deno.test("supported connectors: by id, or by service type when not native; never deleted", async () => {
  const serviceType = freshId("type");
  const byId = await newConnector("by-id", { serviceType: "other" });
  const byType = await newConnector("by-type", { serviceType });
  const native = await newConnector("native", { serviceType, isNative: true });
  const deleted = await newConnector("deleted", { serviceType });
  await connectors.delete(deleted.id);
  await refresh();
  const served = await Array.fromAsync(
    connectors.supported({ connectorIds: [byId.id, deleted.id], serviceTypes: [serviceType] }),
  );
  assert.deepEqual(served.map((c) => c.id).sort(), [byId.id, byType.id].sort());
  assert.ok(!served.some((c) => c.id === native.id));
  assert.deepEqual(
    await Array.fromAsync(connectors.supported({ connectorIds: [], serviceTypes: [] })),
    [],
  );
});

Deno.test("stale in_progress mirrors without a running job are found and repaired", async () => {
  const wedged = await newConnector("wedged");
  await connectors.markSyncStarted(wedged.id, "full");
  const busy = await newConnector("busy");
  await connectors.markSyncStarted(busy.id, "full");
  const job = await jobs.create({ connector: busy, jobType: "full", triggerMethod: "on_demand" });
  await jobs.claim(job.id, { syncCursor: null });
  await refresh();
  const found = await Array.fromAsync(staleSyncMarkers(es, { connectorIds: [wedged.id, busy.id] }));
  assert.deepEqual(found.map((m) => [m.connector.id, m.kinds]), [[wedged.id, ["content"]]]);
  assert.equal(
    await connectors.clearStaleSyncStatus(wedged.id, { kind: "content", message: "x" }),
    true,
  );
  assert.equal(
    await connectors.clearStaleSyncStatus(wedged.id, { kind: "content", message: "x" }),
    false,
  );
  const doc = (await connectors.get(wedged.id))!.doc;
  assert.equal(doc.last_sync_status, "error");
  assert.equal(doc.last_sync_error, "x");
});

Deno.test("a hard delete removes the connector and its jobs; a soft delete keeps them", async () => {
  const connector = await newConnector("hard-delete");
  const job = await jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
  await refresh();
  assert.equal(await connectors.delete(connector.id, { hard: true }), true);
  assert.equal(await connectors.get(connector.id), null);
  assert.equal(await jobs.get(job.id), null);
  assert.equal(await connectors.delete(connector.id, { hard: true }), false);
  assert.equal(await connectors.delete(connector.id), false);

  const soft = await newConnector("soft-delete");
  assert.equal(await connectors.delete(soft.id), true);
  assert.equal((await connectors.get(soft.id))?.doc.deleted, true);
});
