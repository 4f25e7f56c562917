/**
 * Everything the service sends to Elasticsearch: the HTTP client, content and access-control
 * index preparation, and the {@linkcode BulkSink} that writes documents.
 *
 * @example
 * ```ts
 * import { BulkSink, EsClient, ensureContentIndex } from "./mod.ts";
 *
 * const es = new EsClient({ host: "http://127.0.0.1:9200", auth: { apiKey: "..." } });
 * await ensureContentIndex({ es, index: "search-books", language: null, logger });
 * const sink = new BulkSink({ es, index: "search-books", settings, stats, logger, signal });
 * await sink.index("1", { id: "1", title: "Dune" });
 * await sink.close();
 * ```
 * @module
 */

export {
  type EsAuth,
  EsClient,
  type EsClientOptions,
  EsError,
  type EsRequestOptions,
  type EsResponse,
  RETRYABLE_STATUSES,
} from "./client.ts";
export { BulkSink, type BulkSinkOptions, FAILED_SAMPLE_SIZE } from "./bulk_sink.ts";
export { ErrorMonitor, TooManyErrors } from "./error_monitor.ts";
export {
  ACCESS_CONTROL_INDEX_PREFIX,
  accessControlIndexName,
  ensureAccessControlIndex,
  ensureContentIndex,
  type EnsureContentIndexOptions,
  type EnsureIndexOutcome,
  pipelineExists,
} from "./content_index.ts";
export { DEFAULT_LANGUAGE, type LanguageAnalysis, LANGUAGES } from "./content_index_settings.ts";
