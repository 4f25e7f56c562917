/**
 * Defaults of the connector document and readers that apply them: a new connector as the
 * reference CLI writes it (with the fixes of brief §8.21), the DEFAULT filtering, the pipeline
 * defaults (§1.6) and `features` in both directions (§1.4).
 * @module
 */
import { defaultBasicRule } from "../rules/default_rule.ts";
import type { SourceFeatures } from "../source/types.ts";
import type { PipelineSettings } from "../sync/types.ts";
import type {
  ConnectorDoc,
  FeaturesDoc,
  Filter,
  FilteringEntry,
  JobType,
  Scheduling,
} from "./types.ts";

/** Pipeline used when a connector has none (`PIPELINE_DEFAULT`). */
export const DEFAULT_PIPELINE: Readonly<PipelineSettings> = Object.freeze({
  name: "search-default-ingestion",
  extract_binary_content: true,
  reduce_whitespace: true,
  run_ml_inference: true,
});

/** Quartz interval of a new connector's schedules (daily at midnight, all disabled). */
export const DEFAULT_INTERVAL = "0 0 0 * * ?";
/** The only filtering domain the protocol uses. */
export const DEFAULT_DOMAIN = "DEFAULT";

/** A filter holding only the DEFAULT rule, validated. */
export function defaultFilter(timestamp: string): Filter {
  return {
    rules: [defaultBasicRule(timestamp)],
    advanced_snippet: { value: {}, created_at: timestamp, updated_at: timestamp },
    validation: { state: "valid", errors: [] },
  };
}

/** `filtering` of a new connector: DEFAULT rule in active and draft. */
export function defaultFiltering(timestamp: string): FilteringEntry[] {
  return [{
    domain: DEFAULT_DOMAIN,
    active: defaultFilter(timestamp),
    draft: defaultFilter(timestamp),
  }];
}

/** `scheduling` of a new connector. */
export function defaultScheduling(): Scheduling {
  const off = () => ({ enabled: false, interval: DEFAULT_INTERVAL });
  return { full: off(), incremental: off(), access_control: off() };
}

/** `features` as written from a connector type's flags. */
export function featuresDoc(features: SourceFeatures): FeaturesDoc {
  return {
    sync_rules: {
      basic: { enabled: features.basicRules },
      advanced: { enabled: features.advancedRules },
    },
    document_level_security: { enabled: features.documentLevelSecurity },
    incremental_sync: { enabled: features.incrementalSync },
    native_connector_api_keys: { enabled: false },
  };
}

/** Reads `features`, honouring the legacy `filtering_rules`/`filtering_advanced_config`. */
export function readFeatures(features: FeaturesDoc | null | undefined): SourceFeatures {
  return {
    basicRules: features?.sync_rules?.basic?.enabled ?? features?.filtering_rules ?? false,
    advancedRules: features?.sync_rules?.advanced?.enabled ??
      features?.filtering_advanced_config ?? false,
    documentLevelSecurity: features?.document_level_security?.enabled ?? false,
    incrementalSync: features?.incremental_sync?.enabled ?? false,
  };
}

/** Whether sync rules are on at all (any of the four flags, as in the reference). */
export function syncRulesEnabled(features: FeaturesDoc | null | undefined): boolean {
  return Boolean(
    features?.sync_rules?.basic?.enabled || features?.sync_rules?.advanced?.enabled ||
      features?.filtering_rules || features?.filtering_advanced_config,
  );
}

/** The connector's pipeline with the defaults filled in for absent keys. */
export function pipelineOf(doc: Pick<ConnectorDoc, "pipeline">): PipelineSettings {
  return { ...DEFAULT_PIPELINE, ...(doc.pipeline ?? {}) };
}

/** The `filtering` entry of domain DEFAULT (else the first), or undefined when none. */
export function defaultFilteringEntry(
  doc: Pick<ConnectorDoc, "filtering">,
): FilteringEntry | undefined {
  const entries = Array.isArray(doc.filtering) ? doc.filtering : [];
  return entries.find((entry) => entry.domain === DEFAULT_DOMAIN) ?? entries[0];
}

/** The active filter of domain DEFAULT, or null when the connector has none. */
export function activeFilter(doc: Pick<ConnectorDoc, "filtering">): Filter | null {
  return defaultFilteringEntry(doc)?.active ?? null;
}

/** Connector fields that mirror the last job of each kind. */
export interface MirrorFields {
  status: "last_sync_status" | "last_access_control_sync_status";
  error: "last_sync_error" | "last_access_control_sync_error";
  scheduledAt:
    | "last_sync_scheduled_at"
    | "last_incremental_sync_scheduled_at"
    | "last_access_control_sync_scheduled_at";
}

/** Which connector fields a job type's status, error and scheduler marker live in. */
export function mirrorFields(jobType: JobType): MirrorFields {
  if (jobType === "access_control") {
    return {
      status: "last_access_control_sync_status",
      error: "last_access_control_sync_error",
      scheduledAt: "last_access_control_sync_scheduled_at",
    };
  }
  return {
    status: "last_sync_status",
    error: "last_sync_error",
    scheduledAt: jobType === "full"
      ? "last_sync_scheduled_at"
      : "last_incremental_sync_scheduled_at",
  };
}

/** What a new connector needs; everything else gets the defaults. */
export interface NewConnector {
  /** Document id; generated by Elasticsearch when absent. */
  id?: string;
  indexName: string;
  serviceType: string;
  /** Defaults to the index name. */
  name?: string;
  description?: string | null;
  language?: string | null;
  isNative?: boolean;
  /** Full `configuration` map; empty means the service fills it in (`needs_configuration`). */
  configuration?: Record<string, unknown>;
  /** The connector type's flags; written as `features` so Kibana shows the right options. */
  features?: SourceFeatures;
  pipeline?: Partial<PipelineSettings>;
  apiKeyId?: string | null;
  apiKeySecretId?: string | null;
}

/** The document of a new connector, stamped `timestamp` (ISO-8601). */
export function newConnectorDoc(connector: NewConnector, timestamp: string): ConnectorDoc {
  const configuration = connector.configuration ?? {};
  return {
    api_key_id: connector.apiKeyId ?? null,
    api_key_secret_id: connector.apiKeySecretId ?? null,
    configuration,
    custom_scheduling: {},
    description: connector.description ?? null,
    error: null,
    features: connector.features ? featuresDoc(connector.features) : null,
    filtering: defaultFiltering(timestamp),
    index_name: connector.indexName,
    is_native: connector.isNative ?? false,
    language: connector.language ?? null,
    last_access_control_sync_error: null,
    last_access_control_sync_scheduled_at: null,
    last_access_control_sync_status: null,
    last_deleted_document_count: 0,
    last_incremental_sync_scheduled_at: null,
    last_indexed_document_count: 0,
    last_seen: null,
    last_sync_error: null,
    last_sync_scheduled_at: null,
    last_sync_status: null,
    last_synced: null,
    name: connector.name ?? connector.indexName,
    pipeline: { ...DEFAULT_PIPELINE, ...connector.pipeline },
    scheduling: defaultScheduling(),
    service_type: connector.serviceType,
    status: Object.keys(configuration).length === 0 ? "needs_configuration" : "configured",
    sync_cursor: null,
    deleted: false,
    created_at: timestamp,
    updated_at: timestamp,
  };
}
