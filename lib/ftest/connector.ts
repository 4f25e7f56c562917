/**
 * The connector an ftest or the quickstart syncs, through the protocol layer: created with the
 * connector type's full configuration schema, the fixture's values and status `configured`;
 * read back for the sync job's outcome; deleted with its jobs and content index at teardown.
 * @module
 */
import type { EsClient } from "../es/client.ts";
import {
  ConnectorIndex,
  ensureProtocolIndices,
  SYNC_JOBS_INDEX,
  SyncJobIndex,
} from "../protocol/mod.ts";
import { fullConfiguration } from "../source/config_fields.ts";
import type { ConnectorType, FieldValue } from "../source/types.ts";

/** The outcome of a sync job, from its document. */
export interface JobCounts {
  id: string;
  status: string;
  indexed: number;
  deleted: number;
}

/** Options for {@linkcode createFtestConnector}. */
export interface NewFtestConnector {
  type: ConnectorType;
  indexName: string;
  /** Configuration values by field; every key must be a field of the type's schema. */
  values: Record<string, FieldValue>;
}

/** Sets up the protocol indices if needed and creates the connector; returns its id. */
export async function createFtestConnector(
  es: EsClient,
  options: NewFtestConnector,
): Promise<string> {
  const { type } = options;
  const configuration = fullConfiguration(type.configSchema);
  for (const [key, value] of Object.entries(options.values)) {
    const field = configuration[key];
    if (!field) {
      throw new Error(
        `the ${type.serviceType} ftest fixture sets "${key}", which is not a configuration field of ` +
          `the connector (fields: ${Object.keys(configuration).join(", ")})`,
      );
    }
    field.value = value;
  }
  await ensureProtocolIndices(es);
  const created = await new ConnectorIndex(es).create({
    indexName: options.indexName,
    serviceType: type.serviceType,
    name: options.indexName,
    description: `created by connectors ftest/quickstart`,
    configuration,
    features: type.features,
  });
  return created.id;
}

/** Deletes the connector with its jobs, and its content index. */
export async function deleteFtestConnector(
  es: EsClient,
  options: { id: string; index: string },
): Promise<void> {
  await new ConnectorIndex(es).delete(options.id, { hard: true });
  await es.request("DELETE", `/${encodeURIComponent(options.index)}`, { allow: [404] });
}

/**
 * Every job of the connector, oldest first, with their counters. The job index is refreshed
 * first: a sync that just exited wrote its last update a moment ago.
 */
export async function connectorJobs(es: EsClient, connectorId: string): Promise<JobCounts[]> {
  await es.request("POST", `/${SYNC_JOBS_INDEX}/_refresh`, {
    query: { expand_wildcards: "all" },
  });
  const jobs: JobCounts[] = [];
  for await (const job of new SyncJobIndex(es).byConnector(connectorId)) {
    jobs.push({
      id: job.id,
      status: job.doc.status,
      indexed: job.doc.indexed_document_count,
      deleted: job.doc.deleted_document_count,
    });
  }
  return jobs;
}
