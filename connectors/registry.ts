/**
 * The only file that lists every connector type. `lib/` never imports connectors; the CLI
 * passes this registry in.
 * @module
 */
import type { ConnectorType } from "../lib/source/types.ts";
import { dirConnector } from "./dir/mod.ts";
import { mysqlConnector } from "./mysql/mod.ts";
import { postgresqlConnector } from "./postgresql/mod.ts";
import { s3Connector } from "./s3/mod.ts";

/** Every connector type this build serves, by `service_type`. */
export const CONNECTOR_TYPES: ReadonlyMap<string, ConnectorType> = new Map(
  [dirConnector, mysqlConnector, postgresqlConnector, s3Connector].map((
    type,
  ) => [type.serviceType, type]),
);
