/**
 * Start-up checks before any loop runs (brief §2.1): wait for Elasticsearch with backoff, check
 * its version, and create the protocol indices, retrying while the cluster settles.
 * @module
 */
import type { Config } from "../config/mod.ts";
import { type EsClient, EsError } from "../es/client.ts";
import type { Logger } from "../log/mod.ts";
import { sleep } from "../util/retry.ts";

/** A start-up check that failed; the service does not start. */
export class PreflightError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PreflightError";
  }
}

/** Oldest Elasticsearch major version whose connector protocol this program speaks. */
export const MIN_ES_MAJOR = 8;
/** Newest major version known to work; newer ones only get a warning. */
export const MAX_KNOWN_ES_MAJOR = 9;

/** What {@linkcode waitForElasticsearch} learned about the cluster. */
export interface ClusterInfo {
  version: string;
  /** `default` or `serverless`. */
  buildFlavor: string;
}

interface NodesInfo {
  nodes?: Record<string, { version?: string; build_flavor?: string }>;
}

/**
 * Polls `GET /_nodes/_local` (the one info endpoint every distribution has) until Elasticsearch
 * answers, waiting `initial_backoff_duration` seconds, then multiplying by `backoff_multiplier`,
 * for at most `max_wait_duration` seconds. Wrong credentials fail at once.
 */
export async function waitForElasticsearch(
  options: { es: EsClient; config: Config; logger: Logger; signal?: AbortSignal },
): Promise<ClusterInfo> {
  const { es, logger, signal } = options;
  const settings = options.config.elasticsearch;
  const deadline = Date.now() + settings.max_wait_duration * 1000;
  let delay = settings.initial_backoff_duration * 1000;
  for (;;) {
    try {
      const { body } = await es.request<NodesInfo>("GET", "/_nodes/_local", {
        retry: false,
        signal,
      });
      const node = Object.values(body.nodes ?? {})[0];
      return { version: node?.version ?? "unknown", buildFlavor: node?.build_flavor ?? "default" };
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof EsError && (error.status === 401 || error.status === 403)) {
        throw new PreflightError(
          `Elasticsearch at ${es.host} refused the credentials (HTTP ${error.status}); check ` +
            `elasticsearch.username/password or elasticsearch.api_key in config.yml`,
          { cause: error },
        );
      }
      // An untrusted certificate does not fix itself: waiting would only delay the message.
      if (error instanceof EsError && error.type === "tls") {
        throw new PreflightError(error.message, { cause: error });
      }
      const message = error instanceof Error ? error.message : String(error);
      if (Date.now() + delay > deadline) {
        throw new PreflightError(
          `Elasticsearch at ${es.host} did not answer within ${settings.max_wait_duration} s ` +
            `(elasticsearch.max_wait_duration): ${message}`,
          { cause: error },
        );
      }
      logger.warn(`waiting for Elasticsearch at ${es.host}: ${message}; next try in ${delay} ms`);
      await sleep(delay, signal);
      delay *= settings.backoff_multiplier;
    }
  }
}

/**
 * Refuses clusters older than {@linkcode MIN_ES_MAJOR}; returns warnings for unknown newer
 * majors. Serverless clusters are not checked (their version is not meaningful).
 */
export function checkVersion(info: ClusterInfo): { warnings: string[] } {
  if (info.buildFlavor === "serverless") return { warnings: [] };
  const major = Number.parseInt(info.version, 10);
  if (!Number.isFinite(major)) {
    return { warnings: [`cannot read the Elasticsearch version "${info.version}"; continuing`] };
  }
  if (major < MIN_ES_MAJOR) {
    throw new PreflightError(
      `Elasticsearch ${info.version} is too old: the connector protocol needs ` +
        `${MIN_ES_MAJOR}.x or newer; upgrade the cluster`,
    );
  }
  if (major > MAX_KNOWN_ES_MAJOR) {
    return {
      warnings: [
        `Elasticsearch ${info.version} is newer than this program was tested with ` +
        `(${MIN_ES_MAJOR}.x-${MAX_KNOWN_ES_MAJOR}.x); continuing`,
      ],
    };
  }
  return { warnings: [] };
}

/**
 * Runs `attempt` up to `service.preflight_max_attempts` times, `service.preflight_idle`
 * seconds apart (used for creating the protocol indices while a cluster is still starting).
 */
export async function withPreflightRetries<T>(
  options: {
    what: string;
    config: Config;
    logger: Logger;
    signal?: AbortSignal;
    attempt: () => Promise<T>;
  },
): Promise<T> {
  const { preflight_max_attempts: attempts, preflight_idle: idle } = options.config.service;
  for (let attempt = 1;; attempt++) {
    try {
      return await options.attempt();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= attempts) {
        throw new PreflightError(
          `could not ${options.what} after ${attempts} attempts ` +
            `(service.preflight_max_attempts): ${message}`,
          { cause: error },
        );
      }
      options.logger.warn(
        `could not ${options.what} (attempt ${attempt} of ${attempts}): ${message}; ` +
          `retrying in ${idle} s`,
      );
      await sleep(idle * 1000, options.signal);
    }
  }
}
