/**
 * The daemon's metrics: jobs by status, documents, `_bulk` latency, retries and buffered bytes,
 * and heartbeat age, per connector, rendered for `/metrics`. The job runner and the connector
 * ticks report through {@linkcode ServiceTelemetry.observeJob} and
 * {@linkcode ServiceTelemetry.connectorSeen}; documents are read from the live job counters at
 * each scrape, so syncing pays nothing per document for them.
 *
 * @example
 * ```ts
 * const telemetry = new ServiceTelemetry({ version: "0.1.0" });
 * const job = telemetry.observeJob({ connectorId: "c1", serviceType: "dir", jobType: "full" });
 * job.progress(stats);
 * job.ended("completed", stats);
 * telemetry.render(); // Prometheus text
 * ```
 * @module
 */
import type { BulkObserver } from "../es/bulk_sink.ts";
import {
  type Counter,
  type CounterSeries,
  type Gauge,
  type Histogram,
  LATENCY_BUCKETS,
  Registry,
} from "../metrics/mod.ts";
import type { JobEnd } from "../protocol/mod.ts";
import { documentsNotWritten } from "../sync/stats.ts";
import type { SyncStats } from "../sync/types.ts";
import type { JobObserver, ObservedJob } from "./job_observer.ts";

type ConnectorLabel = "connector_id" | "service_type";
type JobLabel = ConnectorLabel | "job_type";
const CONNECTOR_LABELS: readonly ConnectorLabel[] = ["connector_id", "service_type"];
const JOB_LABELS: readonly JobLabel[] = [...CONNECTOR_LABELS, "job_type"];

/** A live counter of a job and the part of it already added to a metric. */
interface Tally {
  series: CounterSeries;
  read(stats: Readonly<SyncStats>): number;
  added: number;
}

/** A job being observed. */
interface LiveJob {
  stats?: Readonly<SyncStats>;
  tallies: Tally[];
}

/** See the module docs. */
export class ServiceTelemetry {
  readonly #registry = new Registry();
  readonly #now: () => number;
  readonly #jobsRunning: Gauge<JobLabel>;
  readonly #jobsEnded: Counter<JobLabel | "status">;
  readonly #documents: ReadonlyArray<{
    counter: Counter<JobLabel>;
    read(stats: Readonly<SyncStats>): number;
  }>;
  readonly #skipped: Counter<JobLabel | "reason">;
  readonly #bulkLatency: Histogram<ConnectorLabel>;
  readonly #bulkRetries: Counter<ConnectorLabel | "kind">;
  readonly #bulkBytes: Gauge<ConnectorLabel>;
  readonly #heartbeatAge: Gauge<ConnectorLabel>;
  readonly #live = new Set<LiveJob>();
  /** When each connector's `last_seen` was, in ms since the epoch. */
  readonly #lastSeen = new Map<string, { serviceType: string; at: number }>();

  constructor(options: { version: string; now?: () => number }) {
    this.#now = options.now ?? Date.now;
    const registry = this.#registry;
    registry.gauge({
      name: "connectors_build_info",
      help: "The version of this connectors service (the value is always 1).",
      labelNames: ["version"],
    }).labels({ version: options.version }).set(1);
    this.#jobsRunning = registry.gauge({
      name: "connectors_sync_jobs_running",
      help: "Sync jobs this process is running now.",
      labelNames: JOB_LABELS,
    });
    this.#jobsEnded = registry.counter({
      name: "connectors_sync_jobs_total",
      help: "Sync jobs this process ran, by the status they ended with " +
        "(completed, error, canceled, suspended).",
      labelNames: [...JOB_LABELS, "status"],
    });
    const documents = (
      name: string,
      help: string,
      read: (stats: Readonly<SyncStats>) => number,
    ) => ({ counter: registry.counter({ name, help, labelNames: JOB_LABELS }), read });
    this.#documents = [
      documents(
        "connectors_documents_extracted_total",
        "Documents read from the data source.",
        (stats) => stats.docs_extracted,
      ),
      documents(
        "connectors_documents_indexed_total",
        "Documents created or updated in Elasticsearch, counted from _bulk responses.",
        (stats) => stats.indexed_document_count,
      ),
      documents(
        "connectors_documents_deleted_total",
        "Documents deleted from Elasticsearch, counted from _bulk responses.",
        (stats) => stats.deleted_document_count,
      ),
      documents(
        "connectors_documents_failed_total",
        "Documents not written: refused by Elasticsearch or by the sync (bad id, failed " +
          "download), or larger than elasticsearch.bulk.max_text_document_size.",
        documentsNotWritten,
      ),
    ];
    this.#skipped = registry.counter({
      name: "connectors_documents_skipped_total",
      help: "Documents not sent on purpose: excluded by sync rules (reason=filtered) or " +
        "unchanged since the last sync (reason=unchanged).",
      labelNames: [...JOB_LABELS, "reason"],
    });
    this.#bulkLatency = registry.histogram({
      name: "connectors_bulk_request_duration_seconds",
      help: "Duration of _bulk requests that got an HTTP answer, retried attempts included.",
      labelNames: CONNECTOR_LABELS,
      buckets: LATENCY_BUCKETS,
    });
    this.#bulkRetries = registry.counter({
      name: "connectors_bulk_retries_total",
      help: "Whole _bulk requests sent again after a connection error or overload " +
        "(kind=request), and documents sent again after an item-level 429/503 (kind=document).",
      labelNames: [...CONNECTOR_LABELS, "kind"],
    });
    this.#bulkBytes = registry.gauge({
      name: "connectors_bulk_queue_bytes",
      help: "Serialized bytes held by the bulk sink: the batch being filled plus requests " +
        "in flight.",
      labelNames: CONNECTOR_LABELS,
    });
    this.#heartbeatAge = registry.gauge({
      name: "connectors_heartbeat_age_seconds",
      help: "Seconds since the connector's last_seen heartbeat, as this service last wrote " +
        "or read it.",
      labelNames: CONNECTOR_LABELS,
    });
    registry.onCollect(() => this.#collect());
  }

  /** Starts observing a job; pass as the job runner's `observeJob`. */
  readonly observeJob = (job: ObservedJob): JobObserver => {
    const connector = { connector_id: job.connectorId, service_type: job.serviceType };
    const labels = { ...connector, job_type: job.jobType };
    const tally = (series: CounterSeries, read: Tally["read"]): Tally => ({
      series,
      read,
      added: 0,
    });
    const live: LiveJob = {
      tallies: [
        ...this.#documents.map(({ counter, read }) => tally(counter.labels(labels), read)),
        tally(
          this.#skipped.labels({ ...labels, reason: "filtered" }),
          (stats) => stats.docs_filtered,
        ),
        tally(
          this.#skipped.labels({ ...labels, reason: "unchanged" }),
          (stats) => stats.docs_skipped_unchanged,
        ),
      ],
    };
    this.#live.add(live);
    const running = this.#jobsRunning.labels(labels);
    running.inc();
    const bytes = this.#bulkBytes.labels(connector);
    let held = 0;
    const latency = this.#bulkLatency.labels(connector);
    const retries = {
      request: this.#bulkRetries.labels({ ...connector, kind: "request" }),
      document: this.#bulkRetries.labels({ ...connector, kind: "document" }),
    };
    const bulk: BulkObserver = {
      requestAnswered: (seconds) => latency.observe(seconds),
      retried: (kind, count) => retries[kind].inc(count),
      bufferedChanged: (delta) => {
        held += delta;
        bytes.inc(delta);
      },
    };
    let ended = false;
    return {
      bulk,
      progress: (stats) => {
        live.stats = stats;
      },
      ended: (status: JobEnd, stats) => {
        if (ended) return;
        ended = true;
        live.stats = stats;
        addTallies(live);
        this.#live.delete(live);
        running.dec();
        // Whatever a sink still held when the job ended is gone with it.
        bytes.dec(held);
        this.#jobsEnded.labels({ ...labels, status }).inc();
      },
    };
  };

  /** Records the connector's `last_seen` (just written by a heartbeat, or as read). */
  connectorSeen(connector: { id: string; serviceType: string }, lastSeen: Date): void {
    const at = lastSeen.getTime();
    if (Number.isNaN(at)) return;
    const previous = this.#lastSeen.get(connector.id);
    if (previous && previous.serviceType !== connector.serviceType) {
      this.#heartbeatAge.remove({ connector_id: connector.id, service_type: previous.serviceType });
    }
    this.#lastSeen.set(connector.id, { serviceType: connector.serviceType, at });
  }

  /** Stops reporting the heartbeat of connectors this service no longer serves. */
  retainConnectors(ids: ReadonlySet<string>): void {
    for (const [id, seen] of this.#lastSeen) {
      if (ids.has(id)) continue;
      this.#lastSeen.delete(id);
      this.#heartbeatAge.remove({ connector_id: id, service_type: seen.serviceType });
    }
  }

  /** Every metric in the Prometheus text format. */
  render(): string {
    return this.#registry.render();
  }

  #collect(): void {
    for (const live of this.#live) addTallies(live);
    const now = this.#now();
    for (const [id, seen] of this.#lastSeen) {
      this.#heartbeatAge.labels({ connector_id: id, service_type: seen.serviceType })
        .set(Math.max(0, (now - seen.at) / 1000));
    }
  }
}

/** Adds what a job counted since the last call to its counters. */
function addTallies(live: LiveJob): void {
  const stats = live.stats;
  if (!stats) return;
  for (const tally of live.tallies) {
    const value = tally.read(stats);
    if (value > tally.added) {
      tally.series.inc(value - tally.added);
      tally.added = value;
    }
  }
}
