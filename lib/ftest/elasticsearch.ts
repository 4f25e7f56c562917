/**
 * The Elasticsearch an ftest or the quickstart writes to: a reused one (CI shares the test
 * suite's) or a throwaway local node from the harness.
 * @module
 */
import { EsClient } from "../es/client.ts";
import { startElasticsearch } from "../harness/mod.ts";
import { FtestError, message } from "./report.ts";

/** How to reach an Elasticsearch. */
export interface ElasticsearchAccess {
  url: string;
  username: string;
  password: string;
}

/** A usable Elasticsearch and how to stop it (a no-op when reused). */
export interface ElasticsearchHandle extends ElasticsearchAccess {
  version: string;
  /** True when this process started it. */
  started: boolean;
  stop(): Promise<void>;
}

/** Checks `reuse` and returns it, or starts a local node when `reuse` is undefined. */
export async function openElasticsearch(
  reuse: ElasticsearchAccess | undefined,
): Promise<ElasticsearchHandle> {
  if (reuse) {
    const version = await nodeVersion(reuse);
    return { ...reuse, version, started: false, stop: () => Promise.resolve() };
  }
  const server = await startElasticsearch();
  return {
    url: server.url,
    username: server.username,
    password: server.password,
    version: server.version,
    started: true,
    stop: () => server.stop(),
  };
}

/** A client for `access` with short retries: a test wants to know fast. */
export function clientFor(access: ElasticsearchAccess): EsClient {
  return new EsClient({
    host: access.url,
    auth: { username: access.username, password: access.password },
    maxRetries: 2,
    retryIntervalMs: 500,
  });
}

async function nodeVersion(access: ElasticsearchAccess): Promise<string> {
  const client = clientFor(access);
  try {
    const { body } = await client.request<{ nodes: Record<string, { version: string }> }>(
      "GET",
      "/_nodes/_local",
    );
    return Object.values(body.nodes)[0]?.version ?? "unknown version";
  } catch (error) {
    throw new FtestError(`cannot use Elasticsearch at ${access.url}: ${message(error)}`);
  } finally {
    client.close();
  }
}
