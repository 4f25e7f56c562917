/**
 * Reads and writes of connector documents (`.elastic-connectors`). Writes that decide from the
 * stored state use optimistic concurrency control; single-owner fields use plain updates.
 * Nothing here refreshes the index.
 * @module
 */
import type { EsClient } from "../es/client.ts";
import type { SourceFeatures } from "../source/types.ts";
import {
  defaultFilteringEntry,
  featuresDoc,
  mirrorFields,
  type NewConnector,
  newConnectorDoc,
} from "./defaults.ts";
import { CONNECTORS_INDEX, SYNC_JOBS_INDEX } from "./mappings.ts";
import {
  DocumentNotFound,
  getStored,
  isoNow,
  type OccUpdateOptions,
  searchAll,
  updateFields,
  updateWithOcc,
} from "./store.ts";
import {
  type ConnectorDoc,
  type ConnectorStatus,
  type Filter,
  type FilteringValidation,
  type JobType,
  type Stored,
  type SyncCursor,
  type SyncJobDoc,
  type SyncKind,
  TERMINAL_JOB_STATUSES,
} from "./types.ts";
import { EsError } from "../es/client.ts";
import { newDocumentId } from "./ids.ts";

/** Connector `error` when the job a sync ended with cannot be found. */
export const JOB_NOT_FOUND_ERROR = "Couldn't find the job";
/** Connector and job `error` when a job failed without a message. */
export const UNKNOWN_ERROR = "unknown error";

/** Which connectors one process serves (brief §2.2). */
export interface SupportedConnectors {
  /** Ids from `connectors[].connector_id` in config.yml. */
  connectorIds: readonly string[];
  /** `service.service_types`: any non-native connector of these types is served too. */
  serviceTypes: readonly string[];
}

/** Outcome of {@linkcode ConnectorIndex.validateDraftFiltering}. */
export interface DraftValidationOutcome {
  validation: FilteringValidation;
  /** Whether the draft became the active filter. */
  activated: boolean;
}

/**
 * The connector documents.
 *
 * @example
 * ```ts
 * const connectors = new ConnectorIndex(es);
 * for await (const c of connectors.supported({ connectorIds: ["abc"], serviceTypes: [] })) {
 *   await connectors.heartbeat(c.id);
 * }
 * ```
 */
export class ConnectorIndex {
  readonly #es: EsClient;

  constructor(es: EsClient) {
    this.#es = es;
  }

  /** The connector, realtime, with its seq_no/primary_term; null when it does not exist. */
  get(id: string, options: { signal?: AbortSignal } = {}): Promise<Stored<ConnectorDoc> | null> {
    return getStored<ConnectorDoc>(this.#es, { index: CONNECTORS_INDEX, id, ...options });
  }

  /**
   * The connectors this process serves: not `deleted`, and either listed by id or of a served
   * service type with `is_native: false`. Near-real-time; paged without a 10k limit.
   */
  async *supported(
    served: SupportedConnectors,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<Stored<ConnectorDoc>> {
    const should: unknown[] = [];
    if (served.connectorIds.length > 0) should.push({ ids: { values: served.connectorIds } });
    if (served.serviceTypes.length > 0) {
      should.push({
        bool: {
          filter: [
            { terms: { service_type: served.serviceTypes } },
            { term: { is_native: false } },
          ],
        },
      });
    }
    if (should.length === 0) return;
    yield* this.#search({ bool: { should, minimum_should_match: 1 } }, options.signal);
  }

  /** Every connector not soft-deleted (for listings). */
  all(options: { signal?: AbortSignal } = {}): AsyncGenerator<Stored<ConnectorDoc>> {
    return this.#search({ match_all: {} }, options.signal);
  }

  /** Connectors (not soft-deleted) writing to `indexName`; near-real-time. */
  async byIndexName(
    indexName: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Stored<ConnectorDoc>[]> {
    return await Array.fromAsync(this.#search({ term: { index_name: indexName } }, options.signal));
  }

  /**
   * Creates a connector document with defaults: status `needs_configuration` when the
   * configuration is empty (else `configured`), schedules `0 0 0 * * ?` disabled, the DEFAULT
   * rule active and valid, default pipeline, `features` when given. Refuses an existing id.
   */
  async create(
    connector: NewConnector,
    options: { now?: Date; signal?: AbortSignal } = {},
  ): Promise<Stored<ConnectorDoc>> {
    const doc = newConnectorDoc(connector, isoNow(options.now));
    const path = `/${CONNECTORS_INDEX}/_create/${
      encodeURIComponent(connector.id || newDocumentId())
    }`;
    try {
      const { body } = await this.#es.request<
        { _id: string; _seq_no: number; _primary_term: number }
      >("PUT", path, { body: doc, signal: options.signal });
      return { id: body._id, seqNo: body._seq_no, primaryTerm: body._primary_term, doc };
    } catch (error) {
      if (error instanceof EsError && error.status === 409) {
        throw new Error(
          `connector "${connector.id}" already exists; choose another id or update that connector`,
        );
      }
      throw error;
    }
  }

  /**
   * Read-modify-write with `if_seq_no`/`if_primary_term`, retried on conflict up to 3 times;
   * `change` returns the top-level fields to replace, or null to skip. Throws
   * `DocumentNotFound` when the connector is gone.
   */
  update(
    id: string,
    change: OccUpdateOptions<ConnectorDoc>["change"],
    options: { signal?: AbortSignal } = {},
  ): Promise<Stored<ConnectorDoc> | null> {
    return updateWithOcc(this.#es, { index: CONNECTORS_INDEX, id, change, ...options });
  }

  /** Writes `last_seen` (plain update). */
  async heartbeat(id: string, options: { now?: Date; signal?: AbortSignal } = {}): Promise<void> {
    await this.#set(id, { last_seen: isoNow(options.now) }, options.signal);
  }

  /** Status `connected`, no error (plain update). */
  async markConnected(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#set(id, { status: "connected", error: null }, options.signal);
  }

  /** Status `error` with `message` (plain update). */
  async markError(
    id: string,
    message: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#set(id, { status: "error", error: message || UNKNOWN_ERROR }, options.signal);
  }

  /**
   * Replaces `configuration` (and `status` when given) under OCC. To decide from the stored
   * configuration (upgrade it), use {@linkcode ConnectorIndex.update} with a function instead.
   */
  writeConfiguration(
    id: string,
    fields: { configuration: Record<string, unknown>; status?: ConnectorStatus },
    options: { signal?: AbortSignal } = {},
  ): Promise<Stored<ConnectorDoc> | null> {
    const { configuration, status } = fields;
    return this.update(id, () => (status ? { configuration, status } : { configuration }), options);
  }

  /** Writes `features` from a connector type's flags, under OCC; null when already equal. */
  writeFeatures(
    id: string,
    features: SourceFeatures,
    options: { signal?: AbortSignal } = {},
  ): Promise<Stored<ConnectorDoc> | null> {
    const wanted = featuresDoc(features);
    return this.update(id, (current) => {
      const stored = current.doc.features ?? {};
      const merged = { ...stored, ...wanted };
      return JSON.stringify(merged) === JSON.stringify(stored) ? null : { features: merged };
    }, options);
  }

  /**
   * Validates the DEFAULT draft filter when its state is `edited`: `validate` gets the draft
   * (re-run after a conflict, so a concurrent Kibana edit is validated too); the result is
   * written to `draft.validation`, and a valid draft is copied to `active` in the same write.
   * Returns null when there was nothing to validate.
   */
  async validateDraftFiltering(
    id: string,
    validate: (draft: Filter) => FilteringValidation | Promise<FilteringValidation>,
    options: { signal?: AbortSignal } = {},
  ): Promise<DraftValidationOutcome | null> {
    let outcome: DraftValidationOutcome | null = null;
    await this.update(id, async (current) => {
      outcome = null;
      const filtering = current.doc.filtering;
      const entry = defaultFilteringEntry(current.doc);
      if (!entry || entry.draft?.validation?.state !== "edited") return null;
      const validation = await validate(structuredClone(entry.draft));
      entry.draft.validation = validation;
      const activated = validation.state === "valid";
      if (activated) entry.active = structuredClone(entry.draft);
      outcome = { validation, activated };
      return { filtering };
    }, options);
    return outcome;
  }

  /**
   * Scheduler marker: sets `last_<type>_scheduled_at` to `at` under OCC. Returns false when
   * another instance already scheduled this occurrence (marker >= `at`) or wrote it after
   * `since` (this scheduler's last wake-up).
   */
  async markScheduled(
    id: string,
    marker: { jobType: JobType; at: Date; since?: Date },
    options: { signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const field = mirrorFields(marker.jobType).scheduledAt;
    const written = await this.update(id, (current) => {
      const stored = current.doc[field] ? Date.parse(current.doc[field]!) : NaN;
      if (!Number.isNaN(stored)) {
        if (stored >= marker.at.getTime()) return null;
        if (marker.since && stored > marker.since.getTime()) return null;
      }
      return { [field]: isoNow(marker.at) };
    }, options);
    return written !== null;
  }

  /**
   * Sync-start mirror (brief §1.9): `last_sync_status` (content) or
   * `last_access_control_sync_status` becomes `in_progress`, its error null, connector status
   * `connected`. Returns false, writing nothing, when that status is already `in_progress`.
   */
  async markSyncStarted(
    id: string,
    jobType: JobType,
    options: { signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const fields = mirrorFields(jobType);
    const written = await this.update(id, (current) => {
      if (current.doc[fields.status] === "in_progress") return null;
      return {
        [fields.status]: "in_progress",
        [fields.error]: null,
        status: "connected",
        error: null,
      };
    }, options);
    return written !== null;
  }

  /**
   * Sync-done mirror (brief §1.9): `last_synced`, status (`error` iff the job failed), the
   * job's status and error in the content or access-control fields, document counts of a
   * terminated job, and `sync_cursor` (replaced whole) only for a completed content job.
   * `job` null means the job document vanished: both kinds are marked failed. `onlyIf`, checked
   * on the fresh document, can skip the write (then null is returned).
   */
  markSyncDone(
    id: string,
    done: {
      job: SyncJobDoc | null;
      cursor?: SyncCursor | null;
      now?: Date;
      onlyIf?: (connector: ConnectorDoc) => boolean;
    },
    options: { signal?: AbortSignal } = {},
  ): Promise<Stored<ConnectorDoc> | null> {
    const { job } = done;
    const status = job ? job.status : "error";
    let error = job ? job.error : JOB_NOT_FOUND_ERROR;
    if (status === "error" && !error) error = UNKNOWN_ERROR;
    const fields: Partial<ConnectorDoc> = {
      last_synced: isoNow(done.now),
      status: status === "error" ? "error" : "connected",
      error,
    };
    if (job && TERMINAL_JOB_STATUSES.includes(job.status)) {
      fields.last_indexed_document_count = job.indexed_document_count;
      fields.last_deleted_document_count = job.deleted_document_count;
    }
    if (!job || job.job_type !== "access_control") {
      fields.last_sync_status = status;
      fields.last_sync_error = error;
      if (job?.status === "completed" && done.cursor !== undefined) {
        fields.sync_cursor = done.cursor;
      }
    }
    if (!job || job.job_type === "access_control") {
      fields.last_access_control_sync_status = status;
      fields.last_access_control_sync_error = error;
    }
    return this.update(
      id,
      (current) => done.onlyIf?.(current.doc) === false ? null : fields,
      options,
    );
  }

  /**
   * Repairs a connector whose `last_*_status` says `in_progress` although no job runs: sets it
   * to `error` with `message` under OCC. Returns false when the status moved on meanwhile.
   */
  async clearStaleSyncStatus(
    id: string,
    stale: { kind: SyncKind; message: string },
    options: { signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const fields = mirrorFields(stale.kind === "content" ? "full" : "access_control");
    const written = await this.update(id, (current) => {
      if (current.doc[fields.status] !== "in_progress") return null;
      return { [fields.status]: "error", [fields.error]: stale.message };
    }, options);
    return written !== null;
  }

  /**
   * Deletes a connector. By default a soft delete (`deleted: true`, as the `_connector` API
   * does): the document and its job history stay, and the service stops serving it and fails
   * its unfinished jobs as orphans. `hard: true` removes the document and all its jobs.
   * Returns false when the connector did not exist.
   */
  async delete(
    id: string,
    options: { hard?: boolean; signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const { signal } = options;
    if (!options.hard) {
      try {
        await this.update(id, () => ({ deleted: true, updated_at: isoNow() }), { signal });
        return true;
      } catch (error) {
        if (error instanceof DocumentNotFound) return false;
        throw error;
      }
    }
    const { status } = await this.#es.request(
      "DELETE",
      `/${CONNECTORS_INDEX}/_doc/${encodeURIComponent(id)}`,
      { allow: [404], signal },
    );
    await deleteJobsOf(this.#es, id, signal);
    return status !== 404;
  }

  async #set(id: string, fields: Partial<ConnectorDoc>, signal?: AbortSignal): Promise<void> {
    await updateFields(this.#es, { index: CONNECTORS_INDEX, id, fields, signal });
  }

  #search(query: unknown, signal?: AbortSignal): AsyncGenerator<Stored<ConnectorDoc>> {
    return searchAll<ConnectorDoc>(this.#es, {
      index: CONNECTORS_INDEX,
      query: { bool: { filter: [query], must_not: [{ term: { deleted: true } }] } },
      signal,
    });
  }
}

/** Deletes every job of a connector with `_bulk` (no `_delete_by_query`: it needs a module). */
async function deleteJobsOf(es: EsClient, connectorId: string, signal?: AbortSignal) {
  const jobs = searchAll<unknown>(es, {
    index: SYNC_JOBS_INDEX,
    query: { term: { "connector.id": connectorId } },
    signal,
  });
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const ndjson =
      batch.map((jobId) => JSON.stringify({ delete: { _index: SYNC_JOBS_INDEX, _id: jobId } }))
        .join("\n") + "\n";
    batch = [];
    await es.request("POST", "/_bulk", { ndjson, signal });
  };
  for await (const job of jobs) {
    batch.push(job.id);
    if (batch.length >= 500) await flush();
  }
  await flush();
}
