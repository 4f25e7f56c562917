/**
 * End to end through the real CLI, every step a child process against the test Elasticsearch
 * and PostgreSQL: `connector create --update-config` writes config.yml, `connectors run` serves
 * it, `job start` asks for syncs, and the outcome is read back from Elasticsearch by id.
 */
import assert from "node:assert/strict";
import {
  type ConnectorDoc,
  ConnectorIndex,
  type SyncJobDoc,
  SyncJobIndex,
} from "../lib/protocol/mod.ts";
import {
  testElasticsearch,
  testEsClient,
  testPostgres,
  uniqueIndexName,
} from "./support/servers.ts";
import { waitFor } from "./support/service_fixtures.ts";
import { runConnectors, startDaemonChild } from "./support/cli.ts";

const server = await testElasticsearch();
const postgres = await testPostgres();
const es = testEsClient(server, { maxRetries: 1 });
const connectors = new ConnectorIndex(es);
const jobs = new SyncJobIndex(es);
const DEADLINE_MS = 60_000;
const workDir = await Deno.makeTempDir({ prefix: "cli-daemon-test-" });
globalThis.addEventListener("unload", () => {
  es.close();
  try {
    Deno.removeSync(workDir, { recursive: true });
  } catch {
    // Already gone.
  }
});

/** A config.yml holding only the elasticsearch section, as a new user starts. */
async function writeConfig(): Promise<string> {
  const path = `${workDir}/config-${crypto.randomUUID().slice(0, 8)}.yml`;
  await Deno.writeTextFile(
    path,
    `elasticsearch:\n  host: ${server.url}\n  username: ${server.username}\n` +
      `  password: "${server.password}"\n`,
  );
  return path;
}

/** Fast service settings, appended once `--update-config` has added the connector. */
async function addFastServiceSettings(config: string): Promise<void> {
  await Deno.writeTextFile(config, "service:\n  idling: 0.5\n  heartbeat: 1\n", { append: true });
}

/** Runs `connectors <args>` to the end; fails the test unless it exits 0. */
async function cli(...args: string[]): Promise<string> {
  const run = await runConnectors(args);
  assert.equal(run.code, 0, `connectors ${args.join(" ")}\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

async function waitForConnector(
  id: string,
  what: string,
  test: (doc: ConnectorDoc) => boolean,
): Promise<ConnectorDoc> {
  return await waitFor(what, async () => {
    const stored = await connectors.get(id);
    return stored && test(stored.doc) ? stored.doc : undefined;
  }, { timeoutMs: DEADLINE_MS });
}

async function waitForJobEnd(id: string): Promise<SyncJobDoc> {
  return await waitFor(`job ${id} to end`, async () => {
    const stored = await jobs.get(id);
    const status = stored?.doc.status;
    return status && !["pending", "in_progress", "canceling"].includes(status)
      ? stored.doc
      : undefined;
  }, { timeoutMs: DEADLINE_MS });
}

async function startFullJob(config: string, connectorId: string): Promise<string> {
  const out = await cli(
    "job",
    "start",
    "-i",
    connectorId,
    "-t",
    "full",
    "-o",
    "json",
    "-c",
    config,
  );
  return JSON.parse(out).id;
}

async function indexCount(index: string): Promise<number> {
  await es.request("POST", `/${index}/_refresh`);
  const { body } = await es.request<{ count: number }>("GET", `/${index}/_count`);
  return body.count;
}

/** `count` text files spread over nested folders, plus files the pattern must skip. */
async function generateFiles(dir: string, count: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const folder = `${dir}/part-${i % 3}/sub-${i % 2}`;
    await Deno.mkdir(folder, { recursive: true });
    const path = `${folder}/file-${i}.txt`;
    await Deno.writeTextFile(path, `document ${i}\n${"lorem ipsum ".repeat(i + 1)}\n`);
    paths.push(path);
  }
  await Deno.writeTextFile(`${dir}/skipped.md`, "# not a .txt file\n");
  await Deno.writeTextFile(`${dir}/part-0/skipped.json`, "{}\n");
  return paths;
}

Deno.test("CLI end to end: create dir connector, daemon connects, full syncs add then delete", async () => {
  const files = 25;
  const removed = 7;
  const dir = `${workDir}/files-${crypto.randomUUID().slice(0, 8)}`;
  const paths = await generateFiles(dir, files);
  const config = await writeConfig();
  const index = uniqueIndexName("cli-daemon-dir");
  const created = await cli(
    "connector",
    "create",
    "--service-type",
    "dir",
    "--index-name",
    index,
    "--set",
    `directory=${dir}`,
    "--set",
    "pattern=**/*.txt",
    "--update-config",
    "-o",
    "json",
    "-c",
    config,
  );
  const id = JSON.parse(created).id as string;
  assert.match(await Deno.readTextFile(config), new RegExp(`connector_id: ${id}`));
  await addFastServiceSettings(config);

  const daemon = startDaemonChild(config);
  try {
    const connected = await waitForConnector(
      id,
      "status connected and last_seen",
      (doc) => doc.status === "connected" && doc.last_seen !== null,
    );
    assert.equal(connected.error, null);

    const firstId = await startFullJob(config, id);
    const first = await waitForJobEnd(firstId);
    assert.equal(first.status, "completed", first.error ?? "");
    assert.equal(first.job_type, "full");
    assert.equal(first.indexed_document_count, files);
    assert.equal(first.deleted_document_count, 0);
    assert.equal(first.error, null);
    assert.equal(await indexCount(index), files);
    const mirrored = await waitForConnector(
      id,
      "the first job mirrored",
      (doc) => doc.last_sync_status === "completed",
    );
    assert.equal(mirrored.last_indexed_document_count, files);
    assert.equal(mirrored.last_deleted_document_count, 0);

    for (const path of paths.slice(0, removed)) await Deno.remove(path);
    const secondId = await startFullJob(config, id);
    const second = await waitForJobEnd(secondId);
    assert.equal(second.status, "completed", second.error ?? "");
    assert.equal(second.deleted_document_count, removed);
    assert.equal(second.indexed_document_count, files - removed, "a full sync re-sends the rest");
    assert.equal(await indexCount(index), files - removed);
    const after = (await connectors.get(id))!.doc;
    assert.equal(after.last_sync_status, "completed");
    assert.equal(after.last_deleted_document_count, removed);

    const stopped = await daemon.stop();
    assert.equal(stopped.code, 0, daemon.log());
    assert.ok(stopped.tookMs < 10_000, `exited ${stopped.tookMs} ms after SIGTERM`);
  } finally {
    await daemon.stop();
  }
});

Deno.test("CLI end to end: a PostgreSQL connector with a wrong password ends in status error", async () => {
  const url = new URL(postgres.url);
  const wrong = `wrong-pw-${crypto.randomUUID()}`;
  const config = await writeConfig();
  const created = await cli(
    "connector",
    "create",
    "--service-type",
    "postgresql",
    "--index-name",
    uniqueIndexName("cli-daemon-pg"),
    "--set",
    `host=${url.hostname}`,
    "--set",
    `port=${url.port}`,
    "--set",
    `username=${decodeURIComponent(url.username)}`,
    "--set",
    `password=${wrong}`,
    "--set",
    `database=${url.pathname.slice(1)}`,
    "--set",
    "schema=public",
    "--update-config",
    "-o",
    "json",
    "-c",
    config,
  );
  const { id, status } = JSON.parse(created) as { id: string; status: string };
  assert.equal(status, "configured");
  await addFastServiceSettings(config);

  const daemon = startDaemonChild(config);
  try {
    // Hysteresis: the first failed check only warns, the second writes status error.
    const failed = await waitForConnector(id, "status error", (doc) => doc.status === "error");
    assert.match(failed.error ?? "", /password authentication failed/);
    assert.ok(!(failed.error ?? "").includes(wrong), "the error hides the password");
    assert.match(daemon.log(), /connector check failed \(will retry before reporting it\)/);
  } finally {
    const stopped = await daemon.stop();
    assert.equal(stopped.code, 0, daemon.log());
  }
  assert.ok(!daemon.log().includes(wrong), "the daemon's log hides the password");
});
