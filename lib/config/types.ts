/** The typed, defaulted shape of `config.yml`. Key names are the YAML names, so docs, errors and code agree. */

/** Log levels accepted by `service.log_level` (input is case-insensitive, stored upper-case). */
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

/** `service.log_format`: human-readable lines or ECS JSON, one object per line. */
export type LogFormat = "text" | "json";

/** `elasticsearch.bulk.error_monitor`: when too many documents fail, the sync fails. */
export interface ErrorMonitorConfig {
  enabled: boolean;
  max_total_errors: number;
  max_consecutive_errors: number;
  /** Share (0..1) of failed documents within the last `error_window_size` documents. */
  max_error_rate: number;
  error_window_size: number;
  /** How many recent errors are kept to explain a failure. */
  error_queue_size: number;
}

/** `elasticsearch.bulk`: how documents are written. Sizes are MiB unless named otherwise. */
export interface BulkConfig {
  /** Documents per `_bulk` request (the reference counted bulk lines). */
  chunk_size: number;
  /** MiB of serialized JSON per `_bulk` request. */
  chunk_max_mem_size: number;
  /** Concurrent `_bulk` requests per sync. */
  max_concurrency: number;
  /** MiB of serialized JSON per document; larger ones are skipped and counted. 0 disables. */
  max_text_document_size: number;
  concurrent_downloads: number;
  /** Retries of a whole `_bulk` request and of items rejected with 429/503. */
  max_retries: number;
  /** Seconds before the first bulk retry; doubles with jitter up to 60 s. */
  retry_interval: number;
  enable_operations_logging: boolean;
  error_monitor: ErrorMonitorConfig;
}

/** `elasticsearch`: how to reach the cluster. `api_key` wins over `username`/`password`. */
export interface ElasticsearchConfig {
  host: string;
  username: string;
  password: string;
  api_key?: string;
  /** Path to a PEM file with the CA certificate(s) to trust. */
  ca_certs?: string;
  verify_certs: boolean;
  /** Seconds per request. */
  request_timeout: number;
  max_retries: number;
  /** Seconds before the first retry; doubles with jitter up to 60 s. */
  retry_interval: number;
  retry_on_timeout: boolean;
  /** Extra HTTP headers sent with every request. */
  headers: Record<string, string>;
  /** Seconds to wait for Elasticsearch at start-up. */
  max_wait_duration: number;
  initial_backoff_duration: number;
  backoff_multiplier: number;
  bulk: BulkConfig;
}

/** `service.http`: `/healthz`, `/readyz` and `/metrics` of the daemon; off while `port` is 0. */
export interface ServiceHttpConfig {
  /** Address to listen on; loopback by default. */
  host: string;
  /** TCP port; 0 turns the endpoints off. */
  port: number;
}

/** `service`: the daemon's loops and limits. Durations are seconds. */
export interface ServiceConfig {
  idling: number;
  heartbeat: number;
  max_errors: number;
  max_errors_span: number;
  max_concurrent_content_syncs: number;
  max_concurrent_access_control_syncs: number;
  max_concurrent_scheduling_tasks: number;
  job_cleanup_interval: number;
  /** Bytes. */
  max_file_download_size: number;
  preflight_max_attempts: number;
  preflight_idle: number;
  /** Serve every non-native connector of these service types. */
  service_types: string[];
  log_level: LogLevel;
  log_format: LogFormat;
  /** Seconds without a job heartbeat before cleanup marks the job as failed. */
  idle_job_threshold: number;
  /** Run a schedule missed while the service was down once, on start. */
  catch_up_missed_schedules: boolean;
  /** A full sync that would delete more than this share (0..1) of the index deletes nothing and fails; 1 disables. */
  max_deletion_ratio: number;
  http: ServiceHttpConfig;
}

/** One `connectors` entry: a connector this process serves. */
export interface ConnectorEntry {
  connector_id: string;
  service_type?: string;
  /** Used instead of the global credentials for this connector's content writes. */
  api_key?: string;
}

/** The whole configuration, every key present (defaults filled in). */
export interface Config {
  elasticsearch: ElasticsearchConfig;
  service: ServiceConfig;
  connectors: ConnectorEntry[];
}
