/**
 * The contract every connector implements. A source only yields documents; it knows nothing
 * about Elasticsearch. The sync engine owns batching, retries, deletions and counters.
 * @module
 */
import type { Logger } from "../log/mod.ts";

/** Value types of a configuration field, in the reference's (Python) names. */
export type FieldType = "str" | "int" | "float" | "bool" | "list";
/** How Kibana renders a field. */
export type FieldDisplay = "text" | "textarea" | "numeric" | "toggle" | "dropdown";
/** A value a configuration field can hold after coercion. */
export type FieldValue = string | number | boolean | string[] | number[] | null;

/** A field validation, as stored in the connector document. */
export interface FieldValidation {
  type: "less_than" | "greater_than" | "list_type" | "included_in" | "regex";
  constraint: string | number | (string | number)[];
}

/**
 * A "rich configurable field" exactly as stored in the connector document's `configuration`
 * map (brief §1.3). Kibana renders these.
 */
export interface ConfigField {
  label: string;
  type: FieldType;
  display: FieldDisplay;
  options: { label: string; value: string | number | boolean }[];
  required: boolean;
  sensitive: boolean;
  depends_on: { field: string; value: FieldValue }[];
  validations: FieldValidation[];
  order: number;
  ui_restrictions: string[];
  default_value: FieldValue;
  tooltip: string | null;
  value: FieldValue;
}

/** What a connector declares per field; the rest comes from the reference's defaults. */
export type ConfigFieldSpec = Partial<ConfigField> & { label: string };
/** A connector's configuration schema: field name to spec. */
export type ConfigSchema = Record<string, ConfigFieldSpec>;
/** Coerced configuration values handed to a source: field name to value. */
export type ConfigValues = Record<string, FieldValue>;

/** A document as a source yields it. `_id` may be a number; the engine stringifies it. */
export interface SourceDocument {
  _id: string | number;
  /** ISO-8601 modification time chosen by the source; the engine sets it when absent. */
  _timestamp?: string;
  [field: string]: unknown;
}

/** Content fetched lazily, only when the engine decides the document will be indexed. */
export interface DownloadedContent {
  /** Base64 of the binary, for the ingest pipeline's attachment processor. */
  _attachment?: string;
  /** Extracted text. */
  body?: string;
}

/** Fetches a document's binary content on demand; null when there is nothing to add. */
export type Download = (signal: AbortSignal) => Promise<DownloadedContent | null>;

/** One item of a full sync: a document and, optionally, how to fetch its content. */
export interface SourceItem {
  doc: SourceDocument;
  download?: Download;
}

/** One item of a true incremental sync. */
export type SourceChange =
  | { op: "index" | "update"; doc: SourceDocument; download?: Download }
  | { op: "delete"; id: string | number };

/** Per-sync context the engine gives a source. */
export interface SyncContext {
  /** Aborted when the job is cancelled or the service stops. */
  signal: AbortSignal;
  logger: Logger;
  /** The active advanced sync rules (`advanced_snippet.value`), or undefined when none. */
  advancedRules?: unknown;
  /** Binary files larger than this are not downloaded (`service.max_file_download_size`). */
  maxFileSize: number;
  /** Warnings the job document should show (e.g. "table t has no primary key, skipped"). */
  warn(message: string): void;
}

/** Opaque per-connector state for true incremental syncs, stored as `sync_cursor`. */
export type SyncCursor = Record<string, unknown>;

/** A problem with one advanced rule, shown to the user in Kibana. */
export interface RuleProblem {
  /** The rule's id, or "advanced_snippet". */
  id: string;
  message: string;
}

/** A running source: one configured connection to a data source. */
export interface Source {
  /** Checks remote facts (tables exist, bucket readable...); throws {@linkcode ConfigValueError}. */
  validateConfig(): Promise<void>;
  /** Throws when the data source cannot be reached, with a message a user can act on. */
  ping(): Promise<void>;
  /** Every document of a full sync. */
  docs(context: SyncContext): AsyncIterable<SourceItem>;
  /**
   * About how many items {@linkcode Source.docs} will yield, for the progress display's ETA;
   * null when unknown. Called once before `docs()`; must be quick (a catalog lookup, a count
   * of a small table), so return null rather than read everything twice.
   */
  estimateTotal?(context: SyncContext): Promise<number | null>;
  /**
   * True incremental sync: the changes since `cursor`. After the iterable ends,
   * {@linkcode Source.cursor} returns the cursor to store.
   */
  changes?(context: SyncContext & { cursor: SyncCursor | null }): AsyncIterable<SourceChange>;
  /** The cursor after a full or incremental sync, persisted only when the job completes. */
  cursor?(): SyncCursor | null;
  /** Access-control (identity) documents for document-level security. */
  accessControlDocs?(context: SyncContext): AsyncIterable<SourceDocument>;
  /** Checks advanced sync rules against the data source; returns problems, empty when valid. */
  validateAdvancedRules?(rules: unknown): Promise<RuleProblem[]>;
  /** Releases connections. Always called, also after errors. */
  close(): Promise<void>;
}

/** What a connector type can do; written to the connector document's `features`. */
export interface SourceFeatures {
  basicRules: boolean;
  advancedRules: boolean;
  documentLevelSecurity: boolean;
  /** Incremental syncs: true incremental when the source has `changes`, else skip-unchanged. */
  incrementalSync: boolean;
}

/** A connector type as listed in connectors/registry.ts. */
export interface ConnectorType {
  /** Key stored as `service_type`, e.g. `postgresql`. */
  serviceType: string;
  /** Human name, e.g. "PostgreSQL". */
  name: string;
  configSchema: ConfigSchema;
  features: SourceFeatures;
  /** Creates a source over coerced configuration values. Must not do I/O. */
  create(options: { config: ConfigValues; logger: Logger }): Source;
}

/** A configuration value a user must fix; the message names the field and the fix. */
export class ConfigValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigValueError";
  }
}
