/**
 * Lookups the management commands share: a connector type by `service_type`, and a connector
 * or sync job by id, each failing with one line that says what to run instead.
 * @module
 */
import { CONNECTOR_TYPES } from "../connectors/registry.ts";
import type {
  ConnectorDoc,
  ConnectorIndex,
  Stored,
  SyncJobDoc,
  SyncJobIndex,
} from "../lib/protocol/mod.ts";
import type { ConnectorType } from "../lib/source/mod.ts";
import { closestKey } from "../lib/config/did_you_mean.ts";
import { CommandError } from "./context.ts";

/** The connector type of `serviceType`; throws listing the known ones. */
export function connectorType(serviceType: string): ConnectorType {
  const type = CONNECTOR_TYPES.get(serviceType);
  if (type) return type;
  const known = [...CONNECTOR_TYPES.keys()];
  const close = closestKey(serviceType, known);
  throw new CommandError(
    `unknown service type "${serviceType}"` + (close ? ` (did you mean "${close}"?)` : "") +
      `; this build knows: ${known.join(", ")}`,
  );
}

/** The connector type of `serviceType`, or undefined when this build does not know it. */
export function knownConnectorType(serviceType: string | null): ConnectorType | undefined {
  return serviceType ? CONNECTOR_TYPES.get(serviceType) : undefined;
}

/** The connector `id` (soft-deleted ones only when `deleted` allows); throws when missing. */
export async function findConnector(
  connectors: ConnectorIndex,
  id: string,
  options: { deleted?: boolean } = {},
): Promise<Stored<ConnectorDoc>> {
  const connector = await connectors.get(id);
  if (!connector || (connector.doc.deleted === true && !options.deleted)) {
    const state = connector ? "was deleted" : "does not exist";
    throw new CommandError(`connector "${id}" ${state}; see connectors connector list`);
  }
  return connector;
}

/** The sync job `id`; throws when missing. */
export async function findJob(jobs: SyncJobIndex, id: string): Promise<Stored<SyncJobDoc>> {
  const job = await jobs.get(id);
  if (!job) {
    throw new CommandError(
      `sync job "${id}" does not exist; see connectors job list <connector_id>`,
    );
  }
  return job;
}
