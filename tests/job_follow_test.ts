/**
 * `connectors job view --follow` against the real test Elasticsearch while a daemon (a child
 * `connectors run` with the `service_test` type) runs the job: it follows until the job ends,
 * prints the final counters and exits 0 only when the job completed.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { SyncJobDoc } from "../lib/protocol/mod.ts";
import type { ProgressSnapshot } from "../lib/sync/mod.ts";
import { testElasticsearch, uniqueIndexName } from "./support/servers.ts";
import { CLI, type CommandRun, runConnectors, runInTerminal } from "./support/cli.ts";
import {
  collectStderr,
  configTree,
  createTestConnector,
  serviceKit,
  type TestSourceValues,
  writeConfigFile,
} from "./support/service_fixtures.ts";

const server = await testElasticsearch();
const kit = await serviceKit(server);
const SERVICE_MAIN = fileURLToPath(new URL("./support/service_main.ts", import.meta.url));
globalThis.addEventListener("unload", () => kit.es.close());

/** `connectors <args>` (the product's CLI) as a child process. */
function cli(...args: string[]): Promise<CommandRun> {
  return runConnectors(args);
}

/** The same in a pseudo-terminal; stdout and stderr arrive together. */
function cliInTerminal(...args: string[]): Promise<CommandRun> {
  return runInTerminal([...CLI, ...args]);
}

/**
 * A `service_test` connector, a config whose jobs report every second
 * (`idle_job_threshold` 3 s), and a daemon serving it; `stop` ends the daemon.
 */
async function setUp(label: string, values: TestSourceValues) {
  const indexName = uniqueIndexName(label);
  const id = `conn-${indexName}`;
  await createTestConnector(kit, { id, indexName, values });
  const config = await writeConfigFile(
    configTree(server, { connectorIds: [id], service: { idle_job_threshold: 3 } }),
  );
  const daemon = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVICE_MAIN, "run", "-c", config],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = collectStderr(daemon);
  const stop = async () => {
    daemon.kill("SIGTERM");
    await daemon.status;
    await log.done;
  };
  return { id, config, stop, log: log.text };
}

/** `job start --json`: the new job's id. */
async function startJob(id: string, config: string): Promise<string> {
  const started = await cli("job", "start", "-i", id, "-t", "full", "--json", "-c", config);
  assert.equal(started.code, 0, started.stderr);
  return (JSON.parse(started.stdout) as { id: string }).id;
}

Deno.test("job view --follow: a line per change until the job ends, then its final counters", async () => {
  const { id, config, stop, log } = await setUp("follow-lines", { count: 30, delay_ms: 100 });
  try {
    const jobId = await startJob(id, config);
    const followed = await cli("job", "view", "--follow", jobId, "-c", config);
    assert.equal(followed.code, 0, `${followed.stdout}\n${followed.stderr}\n${log()}`);
    const lines = followed.stdout.trimEnd().split("\n");
    const changes = lines.filter((line) => / \| /.test(line) && !line.startsWith("progress:"));
    assert.ok(
      changes.some((line) => /^in_progress \| (connecting|indexing|deleting)/.test(line)),
      `a running line:\n${followed.stdout}`,
    );
    assert.equal(new Set(changes).size, changes.length, "a line per change, never twice");
    const changesEnd = lines.indexOf(changes.at(-1)!);
    const final = lines.slice(changesEnd + 1).join("\n");
    assert.match(final, new RegExp(`^job_id:\\s+${jobId}$`, "m"));
    assert.match(final, /^status:\s+completed$/m);
    assert.match(final, /^indexed_document_count:\s+30$/m);
    assert.match(final, /^progress:\s+done \| 30 indexed, 0 deleted, 0 failed \| /m);
    const text = followed.stdout + followed.stderr;
    assert.ok(!text.includes("\x1b") && !text.includes("\r"), "plain text off a terminal");
  } finally {
    await stop();
  }
});

Deno.test("job view --follow on a terminal: one redrawn line, then the final view", async () => {
  const { id, config, stop, log } = await setUp("follow-tty", { count: 30, delay_ms: 100 });
  try {
    const jobId = await startJob(id, config);
    const followed = await cliInTerminal("job", "view", "--follow", jobId, "-c", config);
    const output = followed.stdout;
    assert.equal(followed.code, 0, `${output}\n${log()}`);
    const frames = output.split("\r\x1b[2K");
    assert.ok(
      frames.some((frame) =>
        /^in_progress \| \S.* \| \d+ indexed, \d+ deleted, \d+ failed \| [\d.]+ docs\/s/.test(frame)
      ),
      `a live frame of the running job:\n${JSON.stringify(output)}`,
    );
    const final = frames.at(-1)!;
    assert.match(final, /^job_id: +\S+\r?\n/, "the view starts on a cleared line");
    assert.match(final, /status: +completed/);
    assert.match(final, /indexed_document_count: +30/);
  } finally {
    await stop();
  }
});

Deno.test("job view --follow --json: exit 1 when the job fails, one JSON document on stdout", async () => {
  const { id, config, stop, log } = await setUp("follow-error", {
    count: 40,
    delay_ms: 50,
    fail_after: 10,
  });
  try {
    const jobId = await startJob(id, config);
    const followed = await cli("job", "view", jobId, "--follow", "--json", "-c", config);
    assert.equal(followed.code, 1, `${followed.stdout}\n${followed.stderr}\n${log()}`);
    const job = JSON.parse(followed.stdout) as SyncJobDoc & { id: string };
    assert.equal(job.id, jobId);
    assert.equal(job.status, "error");
    assert.match(job.error ?? "", /failed on purpose after 10 documents/);
    const progress = job.metadata.progress as ProgressSnapshot;
    assert.equal(progress.phase, "indexing", "the phase it failed in");
    assert.equal(progress.extracted, 10);
    assert.match(followed.stderr, /^(pending|in_progress) \| /m, "changes go to stderr");
  } finally {
    await stop();
  }
});

Deno.test("job view --follow of a job that already ended prints it at once", async () => {
  const indexName = uniqueIndexName("follow-ended");
  const id = `conn-${indexName}`;
  await createTestConnector(kit, { id, indexName });
  const config = await writeConfigFile(configTree(server, { connectorIds: [id] }));
  const jobId = await startJob(id, config);
  assert.equal(await kit.jobs.requestCancel(jobId), "canceled", "no service runs it");
  const followed = await cli("job", "view", jobId, "--follow", "-c", config);
  assert.equal(followed.code, 1, "canceled is not completed");
  assert.match(followed.stdout, /^status:\s+canceled$/m);
  assert.doesNotMatch(followed.stdout, / \| /, "no progress lines for a job that had ended");
});
