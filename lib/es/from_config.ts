/**
 * Turns `config.yml` settings into clients and bulk settings, so every command builds them
 * the same way. Protocol-index traffic uses the global credentials; a connector's own
 * `api_key` is used only for its content index writes (brief §2.2).
 * @module
 */
import { type Config, type ConnectorEntry, defaultConfig } from "../config/mod.ts";
import { log } from "../log/mod.ts";
import type { BulkSettings } from "../sync/types.ts";
import { USER_AGENT } from "../version.ts";
import { type EsAuth, EsClient } from "./client.ts";

const MIB = 1024 * 1024;

/** Whether the `verify_certs: false` warning was logged: once per process is enough. */
let warnedUnverified = false;

/**
 * A client with the global credentials (`elasticsearch.api_key`, else username/password), or
 * with a connector's own API key when `connector.api_key` is set. With `verify_certs: false`
 * and an `https` host, the server certificate is not checked, and a warning is logged.
 */
export function esClientFromConfig(
  config: Config,
  options: { connector?: ConnectorEntry; caCerts?: string; userAgent?: string } = {},
): EsClient {
  const es = config.elasticsearch;
  if (!es.verify_certs && es.host.startsWith("https:") && !warnedUnverified) {
    warnedUnverified = true;
    log.warn(
      `elasticsearch.verify_certs is false: the TLS certificate of ${es.host} is not checked, ` +
        `so a machine in the middle could read the credentials; set elasticsearch.ca_certs to ` +
        `the cluster's CA certificate file instead`,
    );
  }
  const connectorKey = options.connector?.api_key;
  const apiKey = connectorKey ?? es.api_key;
  const auth: EsAuth = apiKey ? { apiKey } : { username: es.username, password: es.password };
  const credentials = connectorKey
    ? `the api_key of connector ${options.connector!.connector_id} in config.yml`
    : apiKey
    ? "elasticsearch.api_key"
    : `elasticsearch.username/password of user ${es.username}`;
  return new EsClient({
    host: es.host,
    auth,
    caCerts: options.caCerts,
    verifyCerts: es.verify_certs,
    headers: es.headers,
    requestTimeoutMs: es.request_timeout * 1000,
    maxRetries: es.max_retries,
    retryIntervalMs: es.retry_interval * 1000,
    retryOnTimeout: es.retry_on_timeout,
    userAgent: options.userAgent ?? USER_AGENT,
    credentials,
  });
}

/** Reads `elasticsearch.ca_certs` once, so callers can share the PEM between clients. */
export async function readCaCerts(config: Config): Promise<string | undefined> {
  const path = config.elasticsearch.ca_certs;
  return path ? await Deno.readTextFile(path) : undefined;
}

/** `elasticsearch.bulk.*` in the engine's units (bytes, milliseconds). */
export function bulkSettingsFromConfig(config: Config): BulkSettings {
  const bulk = config.elasticsearch.bulk;
  const monitor = bulk.error_monitor;
  return {
    chunkSize: bulk.chunk_size,
    chunkMaxBytes: Math.round(bulk.chunk_max_mem_size * MIB),
    maxConcurrency: bulk.max_concurrency,
    maxTextDocumentBytes: Math.round(bulk.max_text_document_size * MIB),
    concurrentDownloads: bulk.concurrent_downloads,
    maxRetries: bulk.max_retries,
    retryIntervalMs: bulk.retry_interval * 1000,
    enableOperationsLogging: bulk.enable_operations_logging,
    errorMonitor: {
      enabled: monitor.enabled,
      maxTotalErrors: monitor.max_total_errors,
      maxConsecutiveErrors: monitor.max_consecutive_errors,
      maxErrorRate: monitor.max_error_rate,
      errorWindowSize: monitor.error_window_size,
      errorQueueSize: monitor.error_queue_size,
    },
  };
}

/** The bulk settings of a `config.yml` that sets none: the product's defaults. */
export function defaultBulkSettings(): BulkSettings {
  return bulkSettingsFromConfig(defaultConfig());
}
