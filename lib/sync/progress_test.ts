import assert from "node:assert/strict";
import { Logger } from "../log/mod.ts";
import type { Source, SyncContext } from "../source/types.ts";
import {
  describeProgress,
  formatDuration,
  parseProgressLine,
  progressLine,
  type ProgressSnapshot,
  RATE_WINDOW_MS,
  SyncProgress,
} from "./progress.ts";
import { emptyStats } from "./stats.ts";

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

Deno.test("rates follow the last seconds of the current phase; ETA from the estimated total", () => {
  const time = clock();
  const progress = new SyncProgress({ now: time.now });
  const stats = emptyStats();
  progress.track(stats);
  time.advance(5_000); // connecting: no documents, and no rate carried into indexing
  progress.setPhase("indexing");
  progress.setEstimatedTotal(10_000);
  for (let second = 1; second <= 20; second++) {
    time.advance(1_000);
    // 100 docs/s for 10 s, then 400 docs/s.
    const pace = second <= 10 ? 100 : 400;
    stats.docs_extracted += pace;
    stats.indexed_document_count += pace;
    stats.indexed_document_volume_bytes += pace * 2_000;
    progress.snapshot();
  }
  const snapshot = progress.snapshot();
  assert.equal(snapshot.phase, "indexing");
  assert.equal(snapshot.extracted, 5_000);
  assert.equal(snapshot.indexed, 5_000);
  assert.equal(snapshot.docs_per_sec, 400, "the window holds only the fast part");
  assert.equal(snapshot.mb_per_sec, 0.8);
  assert.equal(snapshot.estimated_total, 10_000);
  assert.equal(snapshot.eta_seconds, Math.round(5_000 / 400));
  assert.equal(snapshot.elapsed_seconds, 25);
});

Deno.test("a reader every 10 s (the job runner) gets the rate of those 10 s", () => {
  const time = clock();
  const progress = new SyncProgress({ now: time.now });
  const stats = emptyStats();
  progress.track(stats);
  progress.setPhase("indexing");
  time.advance(RATE_WINDOW_MS);
  stats.indexed_document_count = 1_000;
  assert.equal(progress.snapshot().docs_per_sec, 100);
  time.advance(RATE_WINDOW_MS);
  stats.indexed_document_count = 6_000;
  assert.equal(progress.snapshot().docs_per_sec, 500);
});

Deno.test("deleting counts deletions, has no ETA; done freezes the whole job's average", () => {
  const time = clock();
  const progress = new SyncProgress({ now: time.now });
  const stats = emptyStats();
  progress.track(stats);
  progress.setPhase("indexing");
  progress.setEstimatedTotal(1_000);
  time.advance(10_000);
  stats.docs_extracted = 1_000;
  stats.indexed_document_count = 900;
  stats.docs_filtered = 100;
  progress.setPhase("deleting stale documents");
  time.advance(2_000);
  stats.deleted_document_count = 200;
  const deleting = progress.snapshot();
  assert.equal(deleting.docs_per_sec, 100);
  assert.equal(deleting.eta_seconds, null);
  progress.setPhase("done");
  time.advance(60_000);
  const done = progress.snapshot();
  assert.equal(done.elapsed_seconds, 12, "figures stop when the job is done");
  assert.equal(done.docs_per_sec, 100, "(1000 processed + 200 deleted) / 12 s");
});

Deno.test("an estimate below what was read gives no ETA; bad totals are unknown", () => {
  const time = clock();
  const progress = new SyncProgress({ now: time.now });
  const stats = emptyStats();
  progress.track(stats);
  progress.setPhase("indexing");
  progress.setEstimatedTotal(10);
  time.advance(2_000);
  stats.docs_extracted = 50;
  stats.indexed_document_count = 50;
  const beyond = progress.snapshot();
  assert.equal(beyond.eta_seconds, null);
  assert.match(describeProgress(beyond), /^indexing 99% \|/, "never 100% before the end");
  progress.setEstimatedTotal(-1);
  assert.equal(progress.snapshot().estimated_total, null);
  progress.setEstimatedTotal(Number.NaN);
  assert.equal(progress.snapshot().estimated_total, null);
});

Deno.test("estimate asks the source once and survives its failure", async () => {
  const context: SyncContext = {
    signal: new AbortController().signal,
    logger: new Logger(),
    maxFileSize: 0,
    warn: () => {},
  };
  const source = (
    estimateTotal?: () => Promise<number | null>,
  ) => ({ estimateTotal } as unknown as Source);
  const progress = new SyncProgress();
  await progress.estimate(source(() => Promise.resolve(1234.4)), context);
  assert.equal(progress.snapshot().estimated_total, 1234);
  await progress.estimate(source(() => Promise.reject(new Error("no catalog access"))), context);
  assert.equal(progress.snapshot().estimated_total, 1234, "a failed estimate changes nothing");
  const fresh = new SyncProgress();
  await fresh.estimate(source(), context);
  assert.equal(fresh.snapshot().estimated_total, null);
});

const SNAPSHOT: ProgressSnapshot = {
  phase: "indexing",
  extracted: 12_345,
  processed: 12_100,
  indexed: 12_000,
  deleted: 0,
  failed: 2,
  docs_per_sec: 812.46,
  mb_per_sec: 0.93,
  estimated_total: 20_000,
  eta_seconds: 83,
  elapsed_seconds: 12,
};

Deno.test("describeProgress: phase, percent and ETA first, then counters, rates, time", () => {
  assert.equal(
    describeProgress(SNAPSHOT),
    "indexing 60% ETA 1:23 | 12000 indexed, 0 deleted, 2 failed | 812 docs/s, 0.9 MB/s | " +
      "0:12 elapsed | 12345 of ~20000 read",
  );
  assert.equal(
    describeProgress({ ...SNAPSHOT, estimated_total: null, eta_seconds: null, docs_per_sec: 4.25 }),
    "indexing | 12000 indexed, 0 deleted, 2 failed | 4.3 docs/s, 0.9 MB/s | 0:12 elapsed | " +
      "12345 read",
  );
  assert.match(describeProgress({ ...SNAPSHOT, phase: "done", eta_seconds: null }), /^done \| /);
});

Deno.test("formatDuration is a clock", () => {
  assert.equal(formatDuration(0), "0:00");
  assert.equal(formatDuration(42.4), "0:42");
  assert.equal(formatDuration(185), "3:05");
  assert.equal(formatDuration(7629), "2:07:09");
  assert.equal(formatDuration(-3), "0:00");
});

Deno.test("progress lines round-trip; other lines are not progress", () => {
  assert.deepEqual(parseProgressLine(progressLine(SNAPSHOT)), SNAPSHOT);
  assert.equal(parseProgressLine("2024-01-01T00:00:00Z INFO syncing"), undefined);
  assert.equal(parseProgressLine('{"progress": broken'), undefined);
  assert.equal(parseProgressLine('{"progress":{"indexed":1}}'), undefined);
});
