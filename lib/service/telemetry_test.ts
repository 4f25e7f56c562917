import assert from "node:assert/strict";
import { emptyStats } from "../sync/stats.ts";
import { ServiceTelemetry } from "./telemetry.ts";

/** The value of the one sample whose name and labels match, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf("}"));
    if (Object.entries(labels).every(([key, value]) => inside.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return undefined;
}

const JOB = { connectorId: "c1", serviceType: "dir", jobType: "full" as const };
const LABELS = { connector_id: "c1", service_type: "dir", job_type: "full" };

Deno.test("document counters follow the live job counters at each scrape and end exact", () => {
  const telemetry = new ServiceTelemetry({ version: "1.2.3" });
  assert.match(telemetry.render(), /^connectors_build_info\{version="1.2.3"\} 1$/m);
  const job = telemetry.observeJob(JOB);
  const stats = emptyStats();
  job.progress(stats);
  assert.equal(sample(telemetry.render(), "connectors_sync_jobs_running", LABELS), 1);
  stats.docs_extracted = 7;
  stats.indexed_document_count = 5;
  assert.equal(sample(telemetry.render(), "connectors_documents_indexed_total", LABELS), 5);
  assert.equal(sample(telemetry.render(), "connectors_documents_extracted_total", LABELS), 7);
  stats.indexed_document_count = 9;
  stats.deleted_document_count = 2;
  stats.failed = 1;
  stats.docs_dropped_too_large = 1;
  stats.docs_filtered = 3;
  job.ended("completed", { ...stats, indexed_document_count: 10 });
  job.ended("completed", { ...stats, indexed_document_count: 10 });
  const text = telemetry.render();
  assert.equal(sample(text, "connectors_documents_indexed_total", LABELS), 10);
  assert.equal(sample(text, "connectors_documents_deleted_total", LABELS), 2);
  assert.equal(sample(text, "connectors_documents_failed_total", LABELS), 2);
  assert.equal(
    sample(text, "connectors_documents_skipped_total", { ...LABELS, reason: "filtered" }),
    3,
  );
  assert.equal(sample(text, "connectors_sync_jobs_running", LABELS), 0);
  assert.equal(
    sample(text, "connectors_sync_jobs_total", { ...LABELS, status: "completed" }),
    1,
    "a second ended() is ignored",
  );

  const second = telemetry.observeJob(JOB);
  second.progress({ ...emptyStats(), indexed_document_count: 4 });
  assert.equal(
    sample(telemetry.render(), "connectors_documents_indexed_total", LABELS),
    14,
    "a new job adds to the same series",
  );
});

Deno.test("bulk latency, retries and buffered bytes per connector; bytes end at zero", () => {
  const telemetry = new ServiceTelemetry({ version: "0" });
  const job = telemetry.observeJob(JOB);
  const connector = { connector_id: "c1", service_type: "dir" };
  job.bulk.requestAnswered(0.02);
  job.bulk.requestAnswered(7);
  job.bulk.retried("request", 1);
  job.bulk.retried("document", 3);
  job.bulk.bufferedChanged(1000);
  job.bulk.bufferedChanged(500);
  job.bulk.bufferedChanged(-1000);
  let text = telemetry.render();
  const bucket = (le: string) =>
    sample(text, "connectors_bulk_request_duration_seconds_bucket", { ...connector, le });
  assert.equal(bucket("0.025"), 1);
  assert.equal(bucket("5"), 1);
  assert.equal(bucket("10"), 2);
  assert.equal(bucket("+Inf"), 2);
  assert.equal(sample(text, "connectors_bulk_request_duration_seconds_count", connector), 2);
  assert.equal(sample(text, "connectors_bulk_request_duration_seconds_sum", connector), 7.02);
  assert.equal(sample(text, "connectors_bulk_retries_total", { ...connector, kind: "request" }), 1);
  assert.equal(
    sample(text, "connectors_bulk_retries_total", { ...connector, kind: "document" }),
    3,
  );
  assert.equal(sample(text, "connectors_bulk_queue_bytes", connector), 500);
  job.ended("error", emptyStats());
  text = telemetry.render();
  assert.equal(sample(text, "connectors_bulk_queue_bytes", connector), 0);
  assert.equal(sample(text, "connectors_sync_jobs_total", { ...LABELS, status: "error" }), 1);
});

Deno.test("heartbeat age is computed at scrape time and dropped for connectors no longer served", () => {
  let now = Date.parse("2026-01-01T00:00:10Z");
  const telemetry = new ServiceTelemetry({ version: "0", now: () => now });
  telemetry.connectorSeen({ id: "c1", serviceType: "dir" }, new Date("2026-01-01T00:00:00Z"));
  telemetry.connectorSeen({ id: "c2", serviceType: "s3" }, new Date("2026-01-01T00:00:04Z"));
  telemetry.connectorSeen({ id: "c3", serviceType: "s3" }, new Date("not a date"));
  const age = (id: string, type: string) =>
    sample(telemetry.render(), "connectors_heartbeat_age_seconds", {
      connector_id: id,
      service_type: type,
    });
  assert.equal(age("c1", "dir"), 10);
  assert.equal(age("c2", "s3"), 6);
  assert.equal(age("c3", "s3"), undefined);
  now += 2_500;
  assert.equal(age("c1", "dir"), 12.5);
  telemetry.connectorSeen({ id: "c1", serviceType: "mysql" }, new Date(now));
  assert.equal(age("c1", "dir"), undefined, "the old service type's series is gone");
  assert.equal(age("c1", "mysql"), 0);
  telemetry.retainConnectors(new Set(["c1"]));
  assert.equal(age("c2", "s3"), undefined);
});
