/**
 * The S3-compatible server integration tests use: the one given in `CONNECTORS_TEST_S3_*` env
 * vars, or, when unset, an S3Proxy started lazily once per process and killed when it exits.
 *
 * Call {@linkcode testS3} at the top level of a test module (`const s3 = await testS3();`), not
 * inside a test: a server started inside a test would trip that test's resource sanitizer.
 * @module
 */

import { type S3Server, startS3 } from "../../lib/harness/mod.ts";

/** How tests reach S3. */
export interface TestS3 {
  /** Base URL, e.g. `http://127.0.0.1:9000`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

let s3: Promise<TestS3> | undefined;
const started: S3Server[] = [];

/**
 * The shared test S3: `CONNECTORS_TEST_S3_ENDPOINT`, `CONNECTORS_TEST_S3_ACCESS_KEY` and
 * `CONNECTORS_TEST_S3_SECRET_KEY` (region `CONNECTORS_TEST_S3_REGION`, default us-east-1),
 * else a local S3Proxy.
 *
 * @example
 * ```ts
 * const s3 = await testS3();
 * console.log(s3.endpoint);
 * ```
 */
export function testS3(): Promise<TestS3> {
  return s3 ??= (async () => {
    const endpoint = Deno.env.get("CONNECTORS_TEST_S3_ENDPOINT");
    if (endpoint) {
      return {
        endpoint,
        accessKeyId: Deno.env.get("CONNECTORS_TEST_S3_ACCESS_KEY") ?? "",
        secretAccessKey: Deno.env.get("CONNECTORS_TEST_S3_SECRET_KEY") ?? "",
        region: Deno.env.get("CONNECTORS_TEST_S3_REGION") ?? "us-east-1",
      };
    }
    const server = await startS3();
    started.push(server);
    const { accessKeyId, secretAccessKey, region } = server;
    return { endpoint: server.endpoint, accessKeyId, secretAccessKey, region };
  })();
}

// The server started here belongs to this process. "unload" handlers cannot await, hence kill().
globalThis.addEventListener("unload", () => {
  for (const server of started.splice(0)) server.kill();
});
