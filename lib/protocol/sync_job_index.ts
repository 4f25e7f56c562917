/**
 * Reads and writes of sync-job documents (`.elastic-connectors-sync-jobs`). Claiming is atomic
 * on the job document (`if_seq_no`/`if_primary_term`), so two workers never run the same job.
 * Nothing here refreshes the index.
 * @module
 */
import type { EsClient } from "../es/client.ts";
import { accessControlIndexName } from "../es/content_index.ts";
import { UNKNOWN_ERROR } from "./connector_index.ts";
import { activeFilter, pipelineOf } from "./defaults.ts";
import { CONNECTORS_INDEX, SYNC_JOBS_INDEX } from "./mappings.ts";
import {
  DocumentNotFound,
  getMany,
  getStored,
  isoNow,
  type OccUpdateOptions,
  PAGE_SIZE,
  searchAll,
  updateFields,
  updateWithOcc,
} from "./store.ts";
import {
  ACTIVE_JOB_STATUSES,
  type ConnectorDoc,
  type JobCounters,
  type JobStatus,
  type JobType,
  type Stored,
  type SyncCursor,
  type SyncJobDoc,
  TERMINAL_JOB_STATUSES,
  type TriggerMethod,
  WAITING_JOB_STATUSES,
} from "./types.ts";
import { newDocumentId } from "./ids.ts";

/** A job without a `last_seen` update for this long is idle (`IDLE_JOBS_THRESHOLD`). */
export const IDLE_JOB_THRESHOLD_MS = 300_000;

const BYTES_PER_MIB = 1024 * 1024;

/** How a job ends. */
export type JobEnd = "completed" | "error" | "canceled" | "suspended";

/** Options of {@linkcode SyncJobIndex.terminate}. */
export interface TerminateOptions {
  status: JobEnd;
  /** Error text for `error` (empty becomes "unknown error"); ignored otherwise. */
  error?: string | null;
  counters?: JobCounters;
  metadata?: Record<string, unknown>;
  /** Guard evaluated on the fresh document; the job is left alone when it returns false. */
  onlyIf?: (job: SyncJobDoc) => boolean;
  now?: Date;
  signal?: AbortSignal;
}

/**
 * The sync-job documents.
 *
 * @example
 * ```ts
 * const jobs = new SyncJobIndex(es);
 * for await (const job of jobs.pending({ connectorIds: ["abc"], jobTypes: ["full"] })) {
 *   const claimed = await jobs.claim(job.id, { syncCursor: null });
 *   if (claimed) run(claimed);
 * }
 * ```
 */
export class SyncJobIndex {
  readonly #es: EsClient;

  constructor(es: EsClient) {
    this.#es = es;
  }

  /**
   * Creates a `pending` job with a snapshot of the connector: configuration, the active
   * DEFAULT filter, target index (`.search-acl-filter-<index>` for access control), language,
   * pipeline (defaults filled in), service type and cursor; counters 0.
   */
  async create(
    job: {
      connector: Stored<ConnectorDoc>;
      jobType: JobType;
      triggerMethod: TriggerMethod;
      now?: Date;
    },
    options: { signal?: AbortSignal } = {},
  ): Promise<Stored<SyncJobDoc>> {
    const { connector } = job;
    const now = isoNow(job.now);
    const indexName = job.jobType === "access_control"
      ? accessControlIndexName(connector.doc.index_name)
      : connector.doc.index_name;
    const doc: SyncJobDoc = {
      cancelation_requested_at: null,
      canceled_at: null,
      completed_at: null,
      connector: {
        id: connector.id,
        configuration: connector.doc.configuration ?? {},
        filtering: activeFilter(connector.doc),
        index_name: indexName,
        language: connector.doc.language ?? null,
        pipeline: pipelineOf(connector.doc),
        service_type: connector.doc.service_type ?? null,
        sync_cursor: connector.doc.sync_cursor ?? null,
      },
      created_at: now,
      deleted_document_count: 0,
      indexed_document_count: 0,
      indexed_document_volume: 0,
      total_document_count: null,
      error: null,
      job_type: job.jobType,
      last_seen: now,
      metadata: {},
      started_at: null,
      status: "pending",
      trigger_method: job.triggerMethod,
      worker_hostname: null,
    };
    const { body } = await this.#es.request<
      { _id: string; _seq_no: number; _primary_term: number }
    >("PUT", `/${SYNC_JOBS_INDEX}/_create/${newDocumentId()}`, {
      body: doc,
      signal: options.signal,
    });
    return { id: body._id, seqNo: body._seq_no, primaryTerm: body._primary_term, doc };
  }

  /** The job, realtime; null when it does not exist. */
  get(id: string, options: { signal?: AbortSignal } = {}): Promise<Stored<SyncJobDoc> | null> {
    return getStored<SyncJobDoc>(this.#es, { index: SYNC_JOBS_INDEX, id, ...options });
  }

  /** Read-modify-write under OCC (see `ConnectorIndex.update`). */
  update(
    id: string,
    change: OccUpdateOptions<SyncJobDoc>["change"],
    options: { signal?: AbortSignal } = {},
  ): Promise<Stored<SyncJobDoc> | null> {
    return updateWithOcc(this.#es, { index: SYNC_JOBS_INDEX, id, change, ...options });
  }

  /** A connector's jobs, oldest first, optionally filtered; near-real-time. */
  byConnector(
    connectorId: string,
    filter: { statuses?: readonly JobStatus[]; jobTypes?: readonly JobType[] } = {},
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<Stored<SyncJobDoc>> {
    const clauses: unknown[] = [{ term: { "connector.id": connectorId } }];
    if (filter.statuses) clauses.push({ terms: { status: filter.statuses } });
    if (filter.jobTypes) clauses.push({ terms: { job_type: filter.jobTypes } });
    return this.#search(clauses, options.signal);
  }

  /** Jobs waiting for a worker (`pending`/`suspended`) of these connectors and types, oldest first. */
  async *pending(
    filter: { connectorIds: readonly string[]; jobTypes: readonly JobType[] },
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<Stored<SyncJobDoc>> {
    if (filter.connectorIds.length === 0 || filter.jobTypes.length === 0) return;
    yield* this.#search([
      { terms: { status: WAITING_JOB_STATUSES } },
      { terms: { "connector.id": filter.connectorIds } },
      { terms: { job_type: filter.jobTypes } },
    ], options.signal);
  }

  /**
   * Claims a waiting job atomically: `pending`/`suspended` -> `in_progress` with `started_at`,
   * `last_seen`, `worker_hostname` and `connector.sync_cursor`, written with
   * `if_seq_no`/`if_primary_term`. Returns null when another worker won (or the job is no
   * longer waiting, or is gone).
   */
  async claim(
    id: string,
    claim: { syncCursor: SyncCursor | null; workerHostname?: string; now?: Date },
    options: { signal?: AbortSignal } = {},
  ): Promise<Stored<SyncJobDoc> | null> {
    const now = isoNow(claim.now);
    try {
      return await this.update(id, (current) => {
        if (!WAITING_JOB_STATUSES.includes(current.doc.status)) return null;
        return {
          status: "in_progress",
          started_at: now,
          last_seen: now,
          worker_hostname: claim.workerHostname ?? Deno.hostname(),
          connector: { ...current.doc.connector, sync_cursor: claim.syncCursor },
        };
      }, options);
    } catch (error) {
      if (error instanceof DocumentNotFound) return null;
      throw error;
    }
  }

  /**
   * Undoes {@linkcode SyncJobIndex.claim} for a job its worker cannot run: `in_progress` goes
   * back to `previous` (its waiting status as listed; `pending` otherwise) without `started_at`
   * and `worker_hostname`, so another worker (or a later tick) runs it. Any other status is left.
   */
  async release(
    id: string,
    previous: JobStatus,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const back = WAITING_JOB_STATUSES.includes(previous) ? previous : "pending";
    await this.update(
      id,
      (current) =>
        current.doc.status === "in_progress"
          ? { status: back, started_at: null, worker_hostname: null }
          : null,
      options,
    );
  }

  /**
   * Reports progress: counters (volume stored in MiB, rounded), `last_seen` and `metadata`
   * when given (plain update). Returns the job's status after the write, so a runner notices
   * `canceling` without another read.
   */
  async updateStats(
    id: string,
    progress: { counters: JobCounters; metadata?: Record<string, unknown>; now?: Date },
    options: { signal?: AbortSignal } = {},
  ): Promise<JobStatus> {
    const fields: Record<string, unknown> = {
      ...counterFields(progress.counters),
      last_seen: isoNow(progress.now),
    };
    if (progress.metadata && Object.keys(progress.metadata).length > 0) {
      fields.metadata = progress.metadata;
    }
    const after = await updateFields(this.#es, {
      index: SYNC_JOBS_INDEX,
      id,
      fields,
      returnFields: ["status"],
      signal: options.signal,
    });
    return after.status as JobStatus;
  }

  /**
   * Ends a job: `completed`/`error`/`canceled` get `completed_at`, `canceled` also
   * `canceled_at`; `error` gets its text (others null); `suspended` only `last_seen`. Written
   * under OCC; returns null when `onlyIf` rejected the fresh document.
   */
  terminate(id: string, end: TerminateOptions): Promise<Stored<SyncJobDoc> | null> {
    const now = isoNow(end.now);
    return this.update(id, (current) => {
      if (end.onlyIf && !end.onlyIf(current.doc)) return null;
      const fields: Partial<SyncJobDoc> = {
        status: end.status,
        last_seen: now,
        error: end.status === "error" ? end.error || UNKNOWN_ERROR : null,
      };
      if (end.status !== "suspended") fields.completed_at = now;
      if (end.status === "canceled") fields.canceled_at = now;
      if (end.counters) Object.assign(fields, counterFields(end.counters));
      if (end.metadata && Object.keys(end.metadata).length > 0) fields.metadata = end.metadata;
      return fields;
    }, { signal: end.signal });
  }

  /**
   * Asks for cancellation as Elasticsearch's `_cancel` does: a waiting job becomes `canceled`
   * at once, a running one `canceling` (the runner then ends it `canceled`); both get
   * `cancelation_requested_at`. Returns the new status, or null when the job had already ended.
   */
  async requestCancel(
    id: string,
    options: { now?: Date; signal?: AbortSignal } = {},
  ): Promise<"canceled" | "canceling" | null> {
    const now = isoNow(options.now);
    let result: "canceled" | "canceling" | null = null;
    await this.update(id, (current) => {
      const status = current.doc.status;
      if (WAITING_JOB_STATUSES.includes(status)) {
        result = "canceled";
        return {
          status: "canceled",
          cancelation_requested_at: now,
          canceled_at: now,
          completed_at: now,
        };
      }
      result = status === "in_progress" || status === "canceling" ? "canceling" : null;
      if (status !== "in_progress") return null;
      return { status: "canceling", cancelation_requested_at: now };
    }, { signal: options.signal });
    return result;
  }

  /**
   * Running jobs (`in_progress`/`canceling`) whose `last_seen` is older than `thresholdMs`
   * (default 300 s) or missing, optionally only of some connectors.
   */
  async *idle(
    filter: { connectorIds?: readonly string[]; thresholdMs?: number; now?: Date } = {},
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<Stored<SyncJobDoc>> {
    if (filter.connectorIds?.length === 0) return;
    const now = (filter.now ?? new Date()).getTime();
    const cutoff = new Date(now - (filter.thresholdMs ?? IDLE_JOB_THRESHOLD_MS)).toISOString();
    const clauses: unknown[] = [
      { terms: { status: ACTIVE_JOB_STATUSES } },
      {
        bool: {
          should: [
            { range: { last_seen: { lte: cutoff } } },
            { bool: { must_not: { exists: { field: "last_seen" } } } },
          ],
          minimum_should_match: 1,
        },
      },
    ];
    if (filter.connectorIds) clauses.push({ terms: { "connector.id": filter.connectorIds } });
    yield* this.#search(clauses, options.signal);
  }

  /**
   * Unfinished jobs (by default any non-terminal status) whose connector no longer exists or
   * is soft-deleted. Connectors are checked with a realtime multi-get per page of jobs.
   */
  async *orphans(
    filter: { statuses?: readonly JobStatus[] } = {},
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<Stored<SyncJobDoc>> {
    const statuses = filter.statuses ??
      (["pending", "suspended", "in_progress", "canceling"] as const);
    let page: Stored<SyncJobDoc>[] = [];
    const check = async function* (es: EsClient, jobs: Stored<SyncJobDoc>[]) {
      const ids = [...new Set(jobs.map((job) => job.doc.connector?.id).filter(Boolean))];
      const connectors = await getMany<ConnectorDoc>(es, {
        index: CONNECTORS_INDEX,
        ids,
        signal: options.signal,
      });
      for (const job of jobs) {
        const connector = connectors.get(job.doc.connector?.id);
        if (!connector || connector.doc.deleted === true) yield job;
      }
    };
    for await (const job of this.#search([{ terms: { status: statuses } }], options.signal)) {
      page.push(job);
      if (page.length >= PAGE_SIZE) {
        yield* check(this.#es, page);
        page = [];
      }
    }
    if (page.length > 0) yield* check(this.#es, page);
  }

  #search(filter: unknown[], signal?: AbortSignal): AsyncGenerator<Stored<SyncJobDoc>> {
    return searchAll<SyncJobDoc>(this.#es, {
      index: SYNC_JOBS_INDEX,
      query: { bool: { filter } },
      sort: [{ created_at: "asc" }],
      signal,
    });
  }
}

/** Whether a job status is final. */
export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

function counterFields(counters: JobCounters): Record<string, number> {
  const fields: Record<string, number> = {
    indexed_document_count: counters.indexed_document_count,
    deleted_document_count: counters.deleted_document_count,
    indexed_document_volume: Math.round(counters.indexed_document_volume_bytes / BYTES_PER_MIB),
  };
  if (counters.total_document_count !== undefined) {
    fields.total_document_count = counters.total_document_count;
  }
  return fields;
}
