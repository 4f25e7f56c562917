/**
 * Creates the protocol indices when Elasticsearch has not. On clusters with the ent-search
 * plugin Elasticsearch creates them itself; on others (or before first use) the service must.
 * @module
 */
import { EsError } from "../es/client.ts";
import type { EsClient } from "../es/client.ts";
import {
  CONNECTORS_CONCRETE_INDEX,
  CONNECTORS_INDEX,
  CONNECTORS_MAPPINGS,
  PROTOCOL_INDEX_SETTINGS,
  SYNC_JOBS_CONCRETE_INDEX,
  SYNC_JOBS_INDEX,
  SYNC_JOBS_MAPPINGS,
} from "./mappings.ts";

/** What {@linkcode ensureProtocolIndices} found or did for one index. */
export type ProtocolIndexOutcome = "exists" | "created" | "alias_added";

/** Outcome per alias. */
export interface ProtocolIndicesOutcome {
  connectors: ProtocolIndexOutcome;
  syncJobs: ProtocolIndexOutcome;
}

/**
 * Ensures `.elastic-connectors` and `.elastic-connectors-sync-jobs` resolve: an existing alias
 * or index of that name is left alone; an existing concrete `-v1` index without the alias gets
 * the alias; otherwise the concrete index is created with Elasticsearch's own settings and
 * mappings. Safe when several processes race.
 *
 * @example
 * ```ts
 * const outcome = await ensureProtocolIndices(es);
 * if (outcome.connectors === "created") logger.info("created .elastic-connectors-v1");
 * ```
 */
export async function ensureProtocolIndices(
  es: EsClient,
  options: { signal?: AbortSignal } = {},
): Promise<ProtocolIndicesOutcome> {
  const connectors = await ensureIndex(es, {
    alias: CONNECTORS_INDEX,
    concrete: CONNECTORS_CONCRETE_INDEX,
    mappings: CONNECTORS_MAPPINGS,
    signal: options.signal,
  });
  const syncJobs = await ensureIndex(es, {
    alias: SYNC_JOBS_INDEX,
    concrete: SYNC_JOBS_CONCRETE_INDEX,
    mappings: SYNC_JOBS_MAPPINGS,
    signal: options.signal,
  });
  return { connectors, syncJobs };
}

async function ensureIndex(
  es: EsClient,
  options: { alias: string; concrete: string; mappings: unknown; signal?: AbortSignal },
): Promise<ProtocolIndexOutcome> {
  const { alias, concrete, signal } = options;
  if (await exists(es, alias, signal)) return "exists";
  if (await exists(es, concrete, signal)) {
    await es.request("POST", "/_aliases", {
      body: { actions: [{ add: { index: concrete, alias } }] },
      signal,
    });
    return "alias_added";
  }
  try {
    await es.request("PUT", `/${concrete}`, {
      body: {
        settings: PROTOCOL_INDEX_SETTINGS,
        // Same alias body as Elasticsearch's template: a plain alias on a hidden index.
        aliases: { [alias]: {} },
        mappings: options.mappings,
      },
      signal,
    });
    return "created";
  } catch (error) {
    if (error instanceof EsError && error.type === "resource_already_exists_exception") {
      return "exists";
    }
    throw error;
  }
}

async function exists(es: EsClient, name: string, signal?: AbortSignal): Promise<boolean> {
  const { status } = await es.request("HEAD", `/${name}`, {
    query: { expand_wildcards: "all" },
    allow: [404],
    signal,
  });
  return status === 200;
}
