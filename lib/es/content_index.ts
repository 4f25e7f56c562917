/**
 * Prepares the indices a sync writes to: the content index (created like Kibana creates
 * `search-*` indices, analyzers chosen by the connector's language), the access-control index
 * `.search-acl-filter-<index>`, and the check whether an ingest pipeline exists.
 *
 * @example
 * ```ts
 * await ensureContentIndex({ es, index: "search-books", language: "fr", logger });
 * const pipeline = (await pipelineExists(es, "search-default-ingestion")) ? "search-default-ingestion" : undefined;
 * ```
 * @module
 */

import { EsError } from "./client.ts";
import type { EsClient } from "./client.ts";
import type { Logger } from "../log/mod.ts";
import {
  accessControlIndexBody,
  CONTENT_INDEX_BASE_SETTINGS,
  contentIndexMappings,
  contentIndexSettings,
  DEFAULT_LANGUAGE,
  LANGUAGES,
} from "./content_index_settings.ts";

/** Prefix of access-control indices, as in the reference service. */
export const ACCESS_CONTROL_INDEX_PREFIX = ".search-acl-filter-";

/** Options for {@linkcode ensureContentIndex}. */
export interface EnsureContentIndexOptions {
  es: EsClient;
  /** Content index name (an existing alias of that name is fine). */
  index: string;
  /** Connector `language`; null or empty means Kibana's default (English analysis). */
  language: string | null;
  logger: Logger;
  signal?: AbortSignal;
}

/** What {@linkcode ensureContentIndex} did. */
export type EnsureIndexOutcome = "exists" | "created" | "created_without_analyzers";

/**
 * Creates the content index when it does not exist, with Kibana's settings and mappings. On
 * clusters missing the analysis components (no `analysis-common` module), logs one warning and
 * creates it with the same mappings but Elasticsearch's standard analyzer.
 */
export async function ensureContentIndex(
  options: EnsureContentIndexOptions,
): Promise<EnsureIndexOutcome> {
  const { es, index, logger, signal } = options;
  if (await indexExists(es, index, signal)) return "exists";
  const language = analysisLanguage(options.language, logger);
  try {
    await createIndex(es, index, {
      settings: contentIndexSettings(language),
      mappings: contentIndexMappings({ analyzers: true }),
    }, signal);
    logger.info(`created index ${index} with ${LANGUAGES[language].name} analyzers`);
    return "created";
  } catch (error) {
    if (!missingAnalysisComponent(error)) throw error;
    logger.warn(
      `Elasticsearch lacks analysis components for Kibana's search analyzers ` +
        `(${(error as Error).message}); creating index ${index} with the standard analyzer. ` +
        `Install the analysis-common module to get language analysis.`,
    );
  }
  await createIndex(es, index, {
    settings: { ...CONTENT_INDEX_BASE_SETTINGS },
    mappings: contentIndexMappings({ analyzers: false }),
  }, signal);
  return "created_without_analyzers";
}

/** The access-control index of a content index: `.search-acl-filter-<index>`. */
export function accessControlIndexName(contentIndex: string): string {
  return ACCESS_CONTROL_INDEX_PREFIX + contentIndex;
}

/**
 * Creates `.search-acl-filter-<index>` when missing, with the mappings of Elasticsearch's
 * built-in template (which clusters without the ent-search plugin do not have).
 */
export async function ensureAccessControlIndex(
  options: { es: EsClient; index: string; logger: Logger; signal?: AbortSignal },
): Promise<EnsureIndexOutcome> {
  const { es, logger, signal } = options;
  const name = options.index.startsWith(ACCESS_CONTROL_INDEX_PREFIX)
    ? options.index
    : accessControlIndexName(options.index);
  if (await indexExists(es, name, signal)) return "exists";
  await createIndex(es, name, accessControlIndexBody(), signal);
  logger.info(`created access-control index ${name}`);
  return "created";
}

/**
 * Whether the ingest pipeline `name` exists; false when it does not or when the cluster has no
 * ingest API, so the caller sends `?pipeline=` only when it would work. True when the
 * credentials may not read pipelines (403): connector API keys made by Kibana or `connector
 * create --create-api-key` have cluster `monitor` only, and the reference service sends the
 * pipeline unchecked too (a missing one then fails each document with its reason).
 */
export async function pipelineExists(
  es: EsClient,
  name: string,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    const response = await es.request("GET", `/_ingest/pipeline/${encodeURIComponent(name)}`, {
      allow: [404],
      signal,
    });
    return response.status === 200 && name in response.body;
  } catch (error) {
    // 400/405/410: the endpoint is not there (e.g. serverless projects or trimmed clusters).
    if (error instanceof EsError && [400, 405, 410].includes(error.status)) return false;
    if (error instanceof EsError && error.status === 403) return true;
    throw error;
  }
}

async function indexExists(es: EsClient, index: string, signal?: AbortSignal): Promise<boolean> {
  const response = await es.request("HEAD", `/${encodeURIComponent(index)}`, {
    allow: [404],
    signal,
  });
  return response.status === 200;
}

async function createIndex(
  es: EsClient,
  index: string,
  body: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await es.request("PUT", `/${encodeURIComponent(index)}`, { body, signal });
  } catch (error) {
    // Another process (or a parallel sync) created it between our check and our create.
    if (error instanceof EsError && error.type === "resource_already_exists_exception") return;
    throw error;
  }
}

function analysisLanguage(language: string | null, logger: Logger): string {
  const code = language?.trim().toLowerCase();
  if (!code) return DEFAULT_LANGUAGE;
  if (code in LANGUAGES) return code;
  logger.warn(
    `connector language "${language}" has no search analyzers; using English. ` +
      `Supported: ${Object.keys(LANGUAGES).join(", ")}`,
  );
  return DEFAULT_LANGUAGE;
}

// Elasticsearch's messages for analyzers, tokenizers and filters it does not know.
const MISSING_COMPONENT =
  /failed to find (?:global )?(?:filter|tokenizer|char_filter|analyzer)|unknown (?:filter|tokenizer|char_filter|analyzer) type|unknown stemmer|analyzer \[[^\]]*\] (?:has not been configured|not found)/i;

function missingAnalysisComponent(error: unknown): boolean {
  return error instanceof EsError && error.type === "illegal_argument_exception" &&
    MISSING_COMPONENT.test(error.message);
}
