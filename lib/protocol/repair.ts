/**
 * Finds connectors whose sync-status mirror says `in_progress` while none of their jobs runs
 * (a process died between marking the connector and finishing the job, brief §8.2), so the
 * service can repair them with `ConnectorIndex.clearStaleSyncStatus`.
 * @module
 */
import type { EsClient } from "../es/client.ts";
import { CONNECTORS_INDEX, SYNC_JOBS_INDEX } from "./mappings.ts";
import { PAGE_SIZE, searchAll } from "./store.ts";
import {
  ACTIVE_JOB_STATUSES,
  type ConnectorDoc,
  type JobType,
  kindJobTypes,
  type Stored,
  type SyncJobDoc,
  type SyncKind,
  syncKind,
} from "./types.ts";

/** A connector with the sync kinds whose `in_progress` mirror has no running job. */
export interface StaleSyncMarker {
  connector: Stored<ConnectorDoc>;
  kinds: SyncKind[];
}

/**
 * Connectors (not soft-deleted, optionally only `connectorIds`) with `last_sync_status` or
 * `last_access_control_sync_status` = `in_progress` and no `in_progress`/`canceling` job of
 * that kind. Searches are near-real-time: a job claimed within the last second may be missed,
 * so repair only what is reported on two passes some seconds apart.
 */
export async function* staleSyncMarkers(
  es: EsClient,
  filter: { connectorIds?: readonly string[]; signal?: AbortSignal } = {},
): AsyncGenerator<StaleSyncMarker> {
  if (filter.connectorIds?.length === 0) return;
  const clauses: unknown[] = [{
    bool: {
      should: [
        { term: { last_sync_status: "in_progress" } },
        { term: { last_access_control_sync_status: "in_progress" } },
      ],
      minimum_should_match: 1,
    },
  }];
  if (filter.connectorIds) clauses.push({ ids: { values: filter.connectorIds } });
  const connectors = searchAll<ConnectorDoc>(es, {
    index: CONNECTORS_INDEX,
    query: { bool: { filter: clauses, must_not: [{ term: { deleted: true } }] } },
    signal: filter.signal,
  });
  let page: Stored<ConnectorDoc>[] = [];
  for await (const connector of connectors) {
    page.push(connector);
    if (page.length >= PAGE_SIZE) {
      yield* checkPage(es, page, filter.signal);
      page = [];
    }
  }
  if (page.length > 0) yield* checkPage(es, page, filter.signal);
}

async function* checkPage(
  es: EsClient,
  page: Stored<ConnectorDoc>[],
  signal?: AbortSignal,
): AsyncGenerator<StaleSyncMarker> {
  const running = await runningKinds(es, page.map((connector) => connector.id), signal);
  for (const connector of page) {
    const kinds: SyncKind[] = [];
    const active = running.get(connector.id);
    if (connector.doc.last_sync_status === "in_progress" && !active?.has("content")) {
      kinds.push("content");
    }
    if (
      connector.doc.last_access_control_sync_status === "in_progress" &&
      !active?.has("access_control")
    ) {
      kinds.push("access_control");
    }
    if (kinds.length > 0) yield { connector, kinds };
  }
}

/** Connector id to the kinds of its running jobs. */
async function runningKinds(
  es: EsClient,
  connectorIds: string[],
  signal?: AbortSignal,
): Promise<Map<string, Set<SyncKind>>> {
  type Bucket = { key: string; types: { buckets: { key: string }[] } };
  const { status, body } = await es.request<{ aggregations?: { ids: { buckets: Bucket[] } } }>(
    "POST",
    `/${SYNC_JOBS_INDEX}/_search`,
    {
      body: {
        size: 0,
        query: {
          bool: {
            filter: [
              { terms: { status: ACTIVE_JOB_STATUSES } },
              { terms: { "connector.id": connectorIds } },
            ],
          },
        },
        aggs: {
          ids: {
            terms: { field: "connector.id", size: connectorIds.length },
            aggs: { types: { terms: { field: "job_type", size: 3 } } },
          },
        },
      },
      allow: [404],
      signal,
    },
  );
  const running = new Map<string, Set<SyncKind>>();
  if (status === 404) return running;
  for (const bucket of body.aggregations?.ids.buckets ?? []) {
    running.set(
      bucket.key,
      new Set(bucket.types.buckets.map((type) => syncKind(type.key as JobType))),
    );
  }
  return running;
}

/**
 * The connector's job of `kind` that was claimed last: the one a stale `in_progress` marker
 * belongs to. Near-real-time; null when none ever started.
 */
export async function lastStartedJob(
  es: EsClient,
  options: { connectorId: string; kind: SyncKind; signal?: AbortSignal },
): Promise<Stored<SyncJobDoc> | null> {
  const { status, body } = await es.request<
    {
      hits: {
        hits: { _id: string; _seq_no: number; _primary_term: number; _source: SyncJobDoc }[];
      };
    }
  >("POST", `/${SYNC_JOBS_INDEX}/_search`, {
    body: {
      size: 1,
      seq_no_primary_term: true,
      query: {
        bool: {
          filter: [
            { term: { "connector.id": options.connectorId } },
            { terms: { job_type: kindJobTypes(options.kind) } },
            { exists: { field: "started_at" } },
          ],
        },
      },
      sort: [{ started_at: "desc" }],
    },
    allow: [404],
    signal: options.signal,
  });
  const hit = status === 404 ? undefined : body.hits.hits[0];
  return hit
    ? { id: hit._id, seqNo: hit._seq_no, primaryTerm: hit._primary_term, doc: hit._source }
    : null;
}
