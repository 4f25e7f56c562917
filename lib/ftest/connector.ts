/**
 * The ftest's connector: created through the protocol layer with the fixture's configuration
 * values and status `configured`, read back for the sync job's outcome, deleted at teardown.
 * @module
 */
import type { EsClient } from "../es/client.ts";
import type { FieldValue } from "../source/types.ts";

/** The outcome of a sync job, from its document. */
export interface JobCounts {
  status: string;
  indexed: number;
  deleted: number;
}

/** Creates the connector document; returns its id. */
export function createFtestConnector(
  _es: EsClient,
  _options: { serviceType: string; indexName: string; configuration: Record<string, FieldValue> },
): Promise<string> {
  throw new Error("lib/protocol has not landed yet");
}

/** Deletes the connector, its jobs and its content index. */
export function deleteFtestConnector(
  _es: EsClient,
  _options: { id: string; index: string },
): Promise<void> {
  throw new Error("lib/protocol has not landed yet");
}

/** The connector's most recent sync job, or undefined. */
export function latestJob(_es: EsClient, _connectorId: string): Promise<JobCounts | undefined> {
  throw new Error("lib/protocol has not landed yet");
}
