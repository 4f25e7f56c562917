/**
 * The protocol documents with the field names Kibana, the `_connector` API and the reference
 * service use (brief §1.2, §1.8). Documents written by others may lack fields or hold nulls, so
 * read them through the helpers in `defaults.ts` where a default exists.
 * @module
 */
import type { SyncCursor } from "../source/types.ts";
import type { BasicRule, JobType, PipelineSettings } from "../sync/types.ts";

export type { JobType, PipelineSettings, SyncCursor };

/** Connector `status`. */
export type ConnectorStatus =
  | "created"
  | "needs_configuration"
  | "configured"
  | "connected"
  | "error";

/** Sync job `status` (also used for connector `last_sync_status`). */
export type JobStatus =
  | "pending"
  | "in_progress"
  | "canceling"
  | "canceled"
  | "suspended"
  | "completed"
  | "error";

/** Content syncs (full, incremental) or access-control syncs: each has its connector mirrors. */
export type SyncKind = "content" | "access_control";

/** The kind of sync a job type belongs to. */
export function syncKind(jobType: JobType): SyncKind {
  return jobType === "access_control" ? "access_control" : "content";
}

/** The job types of a sync kind. */
export function kindJobTypes(kind: SyncKind): readonly JobType[] {
  return kind === "content" ? ["full", "incremental"] : ["access_control"];
}

/** How a job was asked for. */
export type TriggerMethod = "on_demand" | "scheduled";

/** Statuses after which a job never changes again. */
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ["completed", "error", "canceled"];
/** Statuses of a job some process is (or should be) running. */
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ["in_progress", "canceling"];
/** Statuses of a job waiting for a worker. */
export const WAITING_JOB_STATUSES: readonly JobStatus[] = ["pending", "suspended"];

/** `filtering[].draft.validation.state`. */
export type FilteringValidationState = "edited" | "valid" | "invalid";

/** Result of validating sync rules, as stored in `validation`. */
export interface FilteringValidation {
  state: FilteringValidationState;
  errors: { ids: string[]; messages: string[] }[];
}

/** Advanced sync rules: a connector-specific JSON value. */
export interface AdvancedSnippet {
  value: unknown;
  created_at?: string | null;
  updated_at?: string | null;
}

/** One set of sync rules (`active` or `draft`). */
export interface Filter {
  rules: BasicRule[];
  advanced_snippet: AdvancedSnippet;
  validation: FilteringValidation;
  /** Only in job snapshots written by some versions. */
  warnings?: { ids: string[]; messages: string[] }[];
}

/** One entry of the connector's `filtering` array; only domain `DEFAULT` is used. */
export interface FilteringEntry {
  domain: string;
  active: Filter;
  draft: Filter;
}

/** One schedule: Quartz cron `interval` and whether it fires. */
export interface ScheduleSetting {
  enabled: boolean;
  interval: string;
}

/** Connector `scheduling`. */
export interface Scheduling {
  full: ScheduleSetting;
  incremental: ScheduleSetting;
  access_control: ScheduleSetting;
}

/** Connector `features` (new keys plus the legacy booleans still honoured when reading). */
export interface FeaturesDoc {
  sync_rules?: { basic?: { enabled: boolean }; advanced?: { enabled: boolean } };
  document_level_security?: { enabled: boolean };
  incremental_sync?: { enabled: boolean };
  native_connector_api_keys?: { enabled: boolean };
  filtering_rules?: boolean;
  filtering_advanced_config?: boolean;
}

/** A document of `.elastic-connectors` (brief §1.2). */
export interface ConnectorDoc {
  api_key_id?: string | null;
  api_key_secret_id?: string | null;
  /** Field name to rich configurable field (see `lib/source/config_fields.ts`). */
  configuration: Record<string, unknown>;
  custom_scheduling?: Record<string, unknown>;
  description?: string | null;
  error: string | null;
  features?: FeaturesDoc | null;
  filtering: FilteringEntry[];
  index_name: string;
  is_native: boolean;
  language: string | null;
  last_access_control_sync_error: string | null;
  last_access_control_sync_scheduled_at: string | null;
  last_access_control_sync_status: JobStatus | null;
  last_deleted_document_count: number | null;
  last_incremental_sync_scheduled_at: string | null;
  last_indexed_document_count: number | null;
  last_seen: string | null;
  last_sync_error: string | null;
  last_sync_scheduled_at: string | null;
  last_sync_status: JobStatus | null;
  last_synced: string | null;
  name: string | null;
  pipeline: PipelineSettings | null;
  scheduling: Scheduling;
  service_type: string | null;
  status: ConnectorStatus | null;
  sync_cursor?: SyncCursor | null;
  /** Soft-delete flag of the `_connector` API; such connectors are not served. */
  deleted?: boolean;
  created_at?: string | null;
  updated_at?: string | null;
}

/** The connector as copied into a job when the job is created (brief §1.8). */
export interface JobConnectorSnapshot {
  id: string;
  configuration: Record<string, unknown>;
  /** The connector's active filter of domain DEFAULT (an object, not an array). */
  filtering: Filter | null;
  /** Content index, or `.search-acl-filter-<index>` for access-control jobs. */
  index_name: string;
  language: string | null;
  pipeline: PipelineSettings;
  service_type: string | null;
  /** Set when the job is claimed (incremental jobs: the connector's cursor). */
  sync_cursor: SyncCursor | null;
}

/** A document of `.elastic-connectors-sync-jobs` (brief §1.8). */
export interface SyncJobDoc {
  cancelation_requested_at: string | null;
  canceled_at: string | null;
  completed_at: string | null;
  connector: JobConnectorSnapshot;
  created_at: string;
  deleted_document_count: number;
  indexed_document_count: number;
  /** MiB, rounded. */
  indexed_document_volume: number;
  total_document_count: number | null;
  error: string | null;
  job_type: JobType;
  last_seen: string | null;
  metadata: Record<string, unknown>;
  started_at: string | null;
  status: JobStatus;
  trigger_method: TriggerMethod;
  worker_hostname: string | null;
}

/** A document as read, with what optimistic concurrency control needs. */
export interface Stored<T> {
  id: string;
  seqNo: number;
  primaryTerm: number;
  doc: T;
}

/** Counters a running job reports; `SyncStats` fits. */
export interface JobCounters {
  indexed_document_count: number;
  deleted_document_count: number;
  /** Bytes; the job document stores MiB, rounded. */
  indexed_document_volume_bytes: number;
  /** Documents in the target index at the end of the job. */
  total_document_count?: number;
}
