/**
 * Names, settings and mappings of the two protocol indices, as Elasticsearch's ent-search plugin
 * installs them (elastic/elasticsearch `x-pack/plugin/core/template-resources/src/main/resources/
 * entsearch/connector/elastic-connectors{,-sync-jobs}-mappings.json` and
 * `elastic-connectors-settings.json`, the latter shared by both indices). The template
 * placeholder `${xpack.application.connector.template.version}` is resolved to 1, the version
 * in the concrete index names.
 * @module
 */

/** Alias Kibana and the service read connectors through. */
export const CONNECTORS_INDEX = ".elastic-connectors";
/** Concrete index behind {@linkcode CONNECTORS_INDEX}. */
export const CONNECTORS_CONCRETE_INDEX = ".elastic-connectors-v1";
/** Alias of the sync-job documents. */
export const SYNC_JOBS_INDEX = ".elastic-connectors-sync-jobs";
/** Concrete index behind {@linkcode SYNC_JOBS_INDEX}. */
export const SYNC_JOBS_CONCRETE_INDEX = ".elastic-connectors-sync-jobs-v1";

/** `_meta.version` of both mappings (the resolved template version). */
export const PROTOCOL_MAPPING_VERSION = 1;

/** Settings of both protocol indices (`elastic-connectors-settings.json`). */
export const PROTOCOL_INDEX_SETTINGS = {
  hidden: true,
  number_of_shards: "1",
  auto_expand_replicas: "0-1",
} as const;

const keyword = { type: "keyword" } as const;
const date = { type: "date" } as const;
const boolean = { type: "boolean" } as const;
const object = { type: "object" } as const;
const enabledFlag = { properties: { enabled: boolean } } as const;

const advancedSnippet = {
  properties: { created_at: date, updated_at: date, value: object },
} as const;
const rules = {
  properties: {
    created_at: date,
    field: keyword,
    id: keyword,
    order: { type: "short" },
    policy: keyword,
    rule: keyword,
    updated_at: date,
    value: keyword,
  },
} as const;
const idsAndMessages = { properties: { ids: keyword, messages: { type: "text" } } } as const;
const filter = {
  properties: {
    advanced_snippet: advancedSnippet,
    rules,
    validation: { properties: { errors: idsAndMessages, state: keyword } },
  },
} as const;
const pipeline = {
  properties: {
    extract_binary_content: boolean,
    name: keyword,
    reduce_whitespace: boolean,
    run_ml_inference: boolean,
  },
} as const;
const schedule = { properties: { enabled: boolean, interval: { type: "text" } } } as const;

/** Mappings of `.elastic-connectors-v1` (`elastic-connectors-mappings.json`). */
export const CONNECTORS_MAPPINGS = {
  dynamic: "false",
  _meta: {
    pipeline: {
      default_name: "search-default-ingestion",
      default_extract_binary_content: true,
      default_run_ml_inference: true,
      default_reduce_whitespace: true,
    },
    version: PROTOCOL_MAPPING_VERSION,
  },
  properties: {
    api_key_id: keyword,
    configuration: object,
    custom_scheduling: object,
    description: { type: "text" },
    error: keyword,
    features: {
      properties: {
        filtering_advanced_config: boolean,
        filtering_rules: boolean,
        incremental_sync: enabledFlag,
        sync_rules: { properties: { advanced: enabledFlag, basic: enabledFlag } },
      },
    },
    filtering: { properties: { active: filter, domain: keyword, draft: filter } },
    index_name: keyword,
    is_native: boolean,
    language: keyword,
    last_access_control_sync_error: keyword,
    last_access_control_sync_scheduled_at: date,
    last_access_control_sync_status: keyword,
    last_deleted_document_count: { type: "long" },
    last_incremental_sync_scheduled_at: date,
    last_indexed_document_count: { type: "long" },
    last_seen: date,
    last_sync_error: keyword,
    last_sync_scheduled_at: date,
    last_sync_status: keyword,
    last_synced: date,
    name: keyword,
    pipeline,
    scheduling: {
      properties: { access_control: schedule, full: schedule, incremental: schedule },
    },
    service_type: keyword,
    status: keyword,
    sync_cursor: object,
    sync_now: boolean,
    deleted: boolean,
  },
} as const;

/** Mappings of `.elastic-connectors-sync-jobs-v1` (`elastic-connectors-sync-jobs-mappings.json`). */
export const SYNC_JOBS_MAPPINGS = {
  dynamic: "false",
  _meta: { version: PROTOCOL_MAPPING_VERSION },
  properties: {
    cancelation_requested_at: date,
    canceled_at: date,
    completed_at: date,
    connector: {
      properties: {
        configuration: object,
        filtering: {
          properties: {
            advanced_snippet: advancedSnippet,
            domain: keyword,
            rules,
            warnings: idsAndMessages,
          },
        },
        id: keyword,
        index_name: keyword,
        language: keyword,
        pipeline,
        service_type: keyword,
        sync_cursor: object,
      },
    },
    created_at: date,
    deleted_document_count: { type: "integer" },
    error: keyword,
    indexed_document_count: { type: "integer" },
    indexed_document_volume: { type: "integer" },
    job_type: keyword,
    last_seen: date,
    metadata: object,
    started_at: date,
    status: keyword,
    total_document_count: { type: "integer" },
    trigger_method: keyword,
    worker_hostname: keyword,
  },
} as const;
