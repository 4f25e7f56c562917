/**
 * The connector protocol: the `.elastic-connectors` and `.elastic-connectors-sync-jobs`
 * documents Kibana and the service share, their setup, statuses and optimistic concurrency.
 * Every read and write of those documents goes through here; nothing refreshes them.
 *
 * @example
 * ```ts
 * import { ConnectorIndex, ensureProtocolIndices, SyncJobIndex } from "./mod.ts";
 *
 * await ensureProtocolIndices(es);
 * const connectors = new ConnectorIndex(es);
 * const jobs = new SyncJobIndex(es);
 * const connector = await connectors.get("my-connector");
 * if (connector) await jobs.create({ connector, jobType: "full", triggerMethod: "on_demand" });
 * ```
 * @module
 */

export {
  CONNECTORS_CONCRETE_INDEX,
  CONNECTORS_INDEX,
  CONNECTORS_MAPPINGS,
  PROTOCOL_INDEX_SETTINGS,
  PROTOCOL_MAPPING_VERSION,
  SYNC_JOBS_CONCRETE_INDEX,
  SYNC_JOBS_INDEX,
  SYNC_JOBS_MAPPINGS,
} from "./mappings.ts";
export {
  ensureProtocolIndices,
  type ProtocolIndexOutcome,
  type ProtocolIndicesOutcome,
} from "./indices.ts";
export {
  ACTIVE_JOB_STATUSES,
  type AdvancedSnippet,
  type ConnectorDoc,
  type ConnectorStatus,
  type FeaturesDoc,
  type Filter,
  type FilteringEntry,
  type FilteringValidation,
  type FilteringValidationState,
  type JobConnectorSnapshot,
  type JobCounters,
  type JobStatus,
  type JobType,
  kindJobTypes,
  type PipelineSettings,
  type ScheduleSetting,
  type Scheduling,
  type Stored,
  type SyncCursor,
  type SyncJobDoc,
  type SyncKind,
  syncKind,
  TERMINAL_JOB_STATUSES,
  type TriggerMethod,
  WAITING_JOB_STATUSES,
} from "./types.ts";
export {
  activeFilter,
  DEFAULT_DOMAIN,
  DEFAULT_INTERVAL,
  DEFAULT_PIPELINE,
  defaultFilter,
  defaultFiltering,
  defaultFilteringEntry,
  defaultScheduling,
  featuresDoc,
  type MirrorFields,
  mirrorFields,
  type NewConnector,
  newConnectorDoc,
  pipelineOf,
  readFeatures,
  syncRulesEnabled,
} from "./defaults.ts";
export {
  ConcurrentUpdateError,
  DocumentNotFound,
  isConflict,
  OCC_ATTEMPTS,
  type OccUpdateOptions,
} from "./store.ts";
export {
  ConnectorIndex,
  type DraftValidationOutcome,
  JOB_NOT_FOUND_ERROR,
  type SupportedConnectors,
  UNKNOWN_ERROR,
} from "./connector_index.ts";
export {
  IDLE_JOB_THRESHOLD_MS,
  isTerminal,
  type JobEnd,
  SyncJobIndex,
  type TerminateOptions,
} from "./sync_job_index.ts";
export { lastStartedJob, type StaleSyncMarker, staleSyncMarkers } from "./repair.ts";
