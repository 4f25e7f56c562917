/**
 * A throwaway S3-compatible server for tests: S3Proxy (from Maven Central) with its NIO.2
 * filesystem backend, started as a local Java process.
 * @module
 */

import { cacheRoot, prepareOnce } from "./cache.ts";
import { findJavaHome, jdkTool } from "./java.ts";
import { freePort } from "./ports.ts";
import { randomPassword } from "./password.ts";
import { killGroup, run, spawnGroup, stopGroup, tailFile, waitUntil } from "./process.ts";

/** S3Proxy version fetched from Maven Central. */
export const S3PROXY_VERSION = "2.6.0";

/** Options for {@linkcode startS3}. */
export interface S3Options {
  /** Access key id; random when omitted. */
  accessKeyId?: string;
  /** Secret access key; random when omitted. */
  secretAccessKey?: string;
  /** How long to wait for the server to answer HTTP, in ms (default 60 000). */
  readyTimeoutMs?: number;
}

/** A running S3-compatible server (path-style addressing, SigV2 and SigV4 accepted). */
export interface S3Server {
  /** Base URL, e.g. `http://127.0.0.1:9000`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: "us-east-1";
  /** Stops the server and deletes its data; safe to call more than once. */
  stop(): Promise<void>;
  /** Kills the server at once and deletes its data, for exit handlers that cannot await. */
  kill(): void;
}

/**
 * Starts S3Proxy on a free loopback port with random credentials, storing objects in a
 * temporary directory, and waits until it answers HTTP.
 *
 * @example
 * ```ts
 * const s3 = await startS3();
 * try {
 *   console.log(s3.endpoint);
 * } finally {
 *   await s3.stop();
 * }
 * ```
 */
export async function startS3(options: S3Options = {}): Promise<S3Server> {
  const accessKeyId = options.accessKeyId ?? randomPassword();
  const secretAccessKey = options.secretAccessKey ?? randomPassword();
  const java = await jdkTool(await findJavaHome(), "java");
  const jar = await ensureJar();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const dir = await Deno.makeTempDir({ prefix: "connectors-s3-" });
  let cleanup = async () => await Deno.remove(dir, { recursive: true });
  try {
    await Deno.mkdir(`${dir}/data`);
    const properties = {
      "s3proxy.endpoint": endpoint,
      "s3proxy.authorization": "aws-v2-or-v4",
      "s3proxy.identity": accessKeyId,
      "s3proxy.credential": secretAccessKey,
      // The NIO.2 filesystem backend lists like S3: only explicit "dir/" placeholders, size 0.
      // The older `filesystem` one invents a 4096-byte "dir/" object for every directory.
      "jclouds.provider": "filesystem-nio2",
      "jclouds.filesystem.basedir": `${dir}/data`,
      "jclouds.identity": accessKeyId,
      "jclouds.credential": secretAccessKey,
    };
    await Deno.writeTextFile(
      `${dir}/s3proxy.properties`,
      Object.entries(properties).map(([key, value]) => `${key}=${value}`).join("\n") + "\n",
    );
    const server = spawnGroup(
      [java, "-Xmx256m", "-jar", jar, "--properties", `${dir}/s3proxy.properties`],
      { logFile: `${dir}/console.log` },
    );
    let stopped: Promise<void> | undefined;
    cleanup = async () => {
      await stopGroup(server);
      await Deno.remove(dir, { recursive: true });
    };
    await waitUntil(() => answers(endpoint), {
      what: `S3Proxy ${S3PROXY_VERSION} on ${endpoint}`,
      timeoutMs: options.readyTimeoutMs ?? 60_000,
      failed: () => server.exit && `the process exited with code ${server.exit.code}`,
    }).catch(async (error) => {
      throw new Error(
        `${error.message}\n--- last lines of the server log ---\n${
          await tailFile(`${dir}/console.log`) || "(no server log)"
        }`,
      );
    });
    return {
      endpoint,
      accessKeyId,
      secretAccessKey,
      region: "us-east-1",
      stop: () => stopped ??= cleanup(),
      kill: () => {
        killGroup(server);
        Deno.removeSync(dir, { recursive: true });
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Any HTTP answer means the server is up; an unsigned request gets 403 AccessDenied. */
async function answers(endpoint: string): Promise<boolean> {
  const response = await fetch(endpoint, { signal: AbortSignal.timeout(5_000) });
  await response.body?.cancel();
  return true;
}

/** The S3Proxy jar with dependencies, downloaded with Maven once into the cache. */
async function ensureJar(): Promise<string> {
  const artifact = `org.gaul:s3proxy:${S3PROXY_VERSION}:jar:jar-with-dependencies`;
  return await prepareOnce({
    target: `${cacheRoot()}/s3proxy/s3proxy-${S3PROXY_VERSION}-jar-with-dependencies.jar`,
    build: async (output) => {
      try {
        await run([
          "mvn",
          "-q",
          "dependency:copy",
          `-Dartifact=${artifact}`,
          `-DoutputDirectory=${output.slice(0, output.lastIndexOf("/"))}`,
        ]);
      } catch (error) {
        throw new Error(
          `cannot download ${artifact} with mvn (is Maven installed and Maven Central reachable?): ${
            (error as Error).message
          }`,
        );
      }
    },
  });
}
