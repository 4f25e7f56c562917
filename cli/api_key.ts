/**
 * API keys for one connector, scoped as the reference CLI scopes them: its content index, its
 * access-control index and the protocol indices, plus cluster `monitor`.
 * @module
 */
import type { EsClient } from "../lib/es/client.ts";
import { accessControlIndexName } from "../lib/es/content_index.ts";

/** Index pattern covering the connector and sync-job indices (aliases and concrete). */
export const PROTOCOL_INDEX_PATTERN = ".elastic-connectors*";

/** A created API key; `encoded` is the secret and can never be read back. */
export interface ConnectorApiKey {
  id: string;
  name: string;
  /** base64 of `id:api_key`, the value for `api_key` in config.yml. */
  encoded: string;
}

/** The body of `POST /_security/api_key` for the connector writing to `index`. */
export function connectorApiKeyRequest(index: string): Record<string, unknown> {
  return {
    name: `${index}-connector`,
    role_descriptors: {
      [`${index}-connector-role`]: {
        cluster: ["monitor"],
        indices: [{
          names: [index, accessControlIndexName(index), PROTOCOL_INDEX_PATTERN],
          privileges: ["all"],
        }],
      },
    },
    metadata: { created_by: "connectors CLI" },
  };
}

/** Creates the connector's API key with the client's (basic-auth) credentials. */
export async function createConnectorApiKey(es: EsClient, index: string): Promise<ConnectorApiKey> {
  const { body } = await es.request<
    { id: string; name: string; api_key: string; encoded?: string }
  >(
    "POST",
    "/_security/api_key",
    { body: connectorApiKeyRequest(index) },
  );
  return {
    id: body.id,
    name: body.name,
    encoded: body.encoded ?? btoa(`${body.id}:${body.api_key}`),
  };
}

/** Invalidates an API key, e.g. one created for a connector that then failed to be created. */
export async function invalidateApiKey(es: EsClient, id: string): Promise<void> {
  await es.request("DELETE", "/_security/api_key", { body: { ids: [id] } });
}
