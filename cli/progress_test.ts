import assert from "node:assert/strict";
import { configureLogging, Logger } from "../lib/log/mod.ts";
import { PROGRESS_LOG_INTERVAL_MS, type ProgressSnapshot } from "../lib/sync/mod.ts";
import { fit, LiveLine, RemoteProgress } from "./progress.ts";
import { followLine, jobProgress } from "./progress_follow.ts";
import type { SyncJobDoc } from "../lib/protocol/mod.ts";

/** A terminal that records what was written. */
function terminal(columns = 40) {
  const writes: string[] = [];
  const line = new LiveLine({ write: (text) => writes.push(text), columns: () => columns });
  return { line, writes };
}

Deno.test("the live line redraws in place, only when it changed, and never wraps", () => {
  const { line, writes } = terminal(20);
  line.show("indexing 1");
  line.show("indexing 1");
  line.show("indexing 2 with a very long tail");
  assert.deepEqual(writes, ["\r\x1b[2Kindexing 1", "\r\x1b[2Kindexing 2 with ..."]);
  assert.equal(fit("x".repeat(100), 20).length, 19, "one column left free");
  line.stop();
  assert.equal(writes.at(-1), "\r\x1b[2K", "stop leaves a clean line");
});

Deno.test("log lines pass above the live line: clear, print, redraw", () => {
  const { line, writes } = terminal();
  line.start();
  try {
    new Logger().info("before anything is drawn");
    line.show("indexing 5");
    new Logger().info("a log line");
  } finally {
    line.stop();
    configureLogging({ write: () => {} });
  }
  assert.match(writes[0], /INFO +before anything is drawn\n$/);
  assert.equal(writes[1], "\r\x1b[2Kindexing 5");
  assert.equal(writes[2], "\r\x1b[2K");
  assert.match(writes[3], /^\S+ INFO +a log line\n$/);
  assert.equal(writes[4], "indexing 5");
  assert.equal(writes[5], "\r\x1b[2K");
});

const SNAPSHOT: ProgressSnapshot = {
  phase: "indexing",
  extracted: 10,
  processed: 10,
  indexed: 10,
  deleted: 0,
  failed: 0,
  docs_per_sec: 5,
  mb_per_sec: 0,
  estimated_total: null,
  eta_seconds: null,
  elapsed_seconds: 2,
};

Deno.test("remote progress off a terminal: a log line at most every 10 s", () => {
  let now = 0;
  const logged: string[] = [];
  const progress = new RemoteProgress({
    live: false,
    log: (line) => logged.push(line),
    now: () => now,
  });
  progress.update(SNAPSHOT);
  now += PROGRESS_LOG_INTERVAL_MS;
  progress.update({ ...SNAPSHOT, indexed: 20 });
  now += 1_000;
  progress.update({ ...SNAPSHOT, indexed: 30 });
  progress.update(null);
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^indexing \| 20 indexed/);
  const printed: string[] = [];
  progress.above(() => printed.push("step done"));
  assert.deepEqual(printed, ["step done"]);
});

Deno.test("remote progress on a terminal: the line goes when the sync ends", () => {
  const { line, writes } = terminal(200);
  const progress = new RemoteProgress({ live: true, log: () => {}, line });
  try {
    progress.update(SNAPSHOT);
    progress.update(null);
    progress.above(() => writes.push("[3] sync: ok\n"));
  } finally {
    progress.stop();
    configureLogging({ write: () => {} });
  }
  assert.ok(writes[0].startsWith("\r\x1b[2Kindexing | 10 indexed"), writes[0]);
  assert.deepEqual(writes.slice(1), ["\r\x1b[2K", "[3] sync: ok\n"], "no stale redraw");
});

function job(fields: Partial<SyncJobDoc>): SyncJobDoc {
  return {
    status: "in_progress",
    indexed_document_count: 40,
    deleted_document_count: 1,
    metadata: {},
    started_at: "2024-05-01T10:00:00.000Z",
    last_seen: "2024-05-01T10:00:10.000Z",
    ...fields,
  } as SyncJobDoc;
}

Deno.test("follow lines: waiting jobs, running jobs from the job document and its progress", () => {
  assert.equal(
    followLine(job({ status: "pending" })),
    "pending | waiting for a connector service to run it",
  );
  const running = job({
    metadata: {
      progress: { ...SNAPSHOT, estimated_total: 100, eta_seconds: 12, elapsed_seconds: 10 },
    },
  });
  assert.equal(
    followLine(running),
    "in_progress | indexing 10% ETA 0:12 | 40 indexed, 1 deleted, 0 failed | 5.0 docs/s, " +
      "0.0 MB/s | 0:10 elapsed | 10 of ~100 read",
  );
  // Live: the clock runs on from the last report.
  const live = jobProgress(running, Date.parse("2024-05-01T10:00:15.000Z"));
  assert.equal(live.elapsed_seconds, 15);
  assert.equal(live.eta_seconds, 7);
  assert.equal(jobProgress(job({})).phase, "starting", "no report yet");
});
