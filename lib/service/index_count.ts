/**
 * `total_document_count` of a finished job: the content (or access-control) index is refreshed
 * first so the count includes the job's last writes. Only content indices are refreshed, never
 * the protocol indices.
 * @module
 */
import { type EsClient, EsError } from "../es/client.ts";

/** Documents in `index` after a refresh; 0 when the index does not exist. */
export async function indexDocumentCount(
  options: { es: EsClient; index: string; signal?: AbortSignal },
): Promise<number> {
  const { es, index, signal } = options;
  const path = `/${encodeURIComponent(index)}`;
  try {
    await es.request("POST", `${path}/_refresh`, { signal });
    const { body } = await es.request<{ count: number }>("GET", `${path}/_count`, { signal });
    return body.count;
  } catch (error) {
    if (error instanceof EsError && error.status === 404) return 0;
    throw error;
  }
}
