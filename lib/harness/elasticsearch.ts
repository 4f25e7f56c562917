/**
 * A throwaway Elasticsearch node with security on, started as a local process for tests.
 * @module
 */

import { DEFAULT_ES_VERSION, ensureDistribution } from "./elasticsearch_dist.ts";
import { findJavaHome } from "./java.ts";
import { freePort } from "./ports.ts";
import { randomPassword } from "./password.ts";
import { writeTestCertificates } from "./tls_certificates.ts";
import {
  asUser,
  isRoot,
  killGroup,
  run,
  spawnGroup,
  stopGroup,
  tailFile,
  waitUntil,
} from "./process.ts";

/** Options for {@linkcode startElasticsearch}. */
export interface ElasticsearchOptions {
  /** Password of the `elastic` superuser; random when omitted. */
  password?: string;
  /** Distribution version; default `$CONNECTORS_ES_VERSION` or {@linkcode DEFAULT_ES_VERSION}. */
  version?: string;
  /** How long to wait for the node to become ready, in ms (default 120 000). */
  readyTimeoutMs?: number;
  /** Heap size for `-Xms`/`-Xmx` (default "512m"). */
  heap?: string;
  /** Serve HTTPS with a certificate signed by a throwaway CA (see `caCertFile`); default false. */
  tls?: boolean;
}

/** A running Elasticsearch node. */
export interface ElasticsearchServer {
  /** Base URL, e.g. `http://127.0.0.1:9201`. */
  url: string;
  username: "elastic";
  password: string;
  /** Version reported by the node, e.g. "8.19.7". */
  version: string;
  /** With `tls`: the PEM file of the CA that signed the node's certificate (while it runs). */
  caCertFile?: string;
  /** Stops the node and deletes its data; safe to call more than once. */
  stop(): Promise<void>;
  /** Kills the node at once and deletes its data, for exit handlers that cannot await. */
  kill(): void;
  /**
   * Stops the node (SIGTERM, or SIGKILL with `kill: true`) and starts it again on the same
   * ports with the same data, then waits until it is ready: for fault tests.
   */
  restart(options?: { kill?: boolean }): Promise<void>;
}

/** The unprivileged user the server runs as when we are root (Elasticsearch refuses root). */
const SERVER_USER = "nobody";

/**
 * Starts a single-node Elasticsearch on free loopback ports with security enabled and the
 * `elastic` user's password set, and waits until the cluster is yellow.
 *
 * @example
 * ```ts
 * const es = await startElasticsearch();
 * try {
 *   await fetch(`${es.url}/_cluster/health`, {
 *     headers: { authorization: `Basic ${btoa(`elastic:${es.password}`)}` },
 *   });
 * } finally {
 *   await es.stop();
 * }
 * ```
 */
export async function startElasticsearch(
  options: ElasticsearchOptions = {},
): Promise<ElasticsearchServer> {
  const version = options.version ?? Deno.env.get("CONNECTORS_ES_VERSION") ?? DEFAULT_ES_VERSION;
  const password = options.password ?? randomPassword();
  const javaHome = await findJavaHome();
  const home = await ensureDistribution({ version, javaHome });
  const [httpPort, transportPort] = [await freePort(), await freePort()];
  const dir = await Deno.makeTempDir({ prefix: "connectors-es-" });
  let cleanup = async () => await Deno.remove(dir, { recursive: true });
  try {
    const env = {
      ES_JAVA_HOME: javaHome,
      ES_PATH_CONF: `${dir}/config`,
      ES_TMPDIR: `${dir}/tmp`,
      ES_JAVA_OPTS: `-Xms${options.heap ?? "512m"} -Xmx${options.heap ?? "512m"}`,
    };
    const caCertFile = await writeInstance({
      dir,
      home,
      httpPort,
      transportPort,
      tls: options.tls ?? false,
    });
    const caCert = caCertFile && await Deno.readTextFile(caCertFile);
    await run(
      asUser(SERVER_USER, [
        `${home}/bin/elasticsearch-keystore`,
        "add",
        "-x",
        "-f",
        "bootstrap.password",
      ]),
      { env, stdin: password },
    );
    const launch = () =>
      spawnGroup(asUser(SERVER_USER, [`${home}/bin/elasticsearch`]), {
        env,
        logFile: `${dir}/console.log`,
      });
    let server = launch();
    let stopped: Promise<void> | undefined;
    cleanup = async () => {
      await stopGroup(server);
      await Deno.remove(dir, { recursive: true });
    };
    const url = `${caCert ? "https" : "http"}://127.0.0.1:${httpPort}`;
    const authorization = `Basic ${btoa(`elastic:${password}`)}`;
    const untilReady = () =>
      waitUntil(() => ready(url, authorization, caCert), {
        what: `Elasticsearch ${version} on ${url}`,
        timeoutMs: options.readyTimeoutMs ?? 120_000,
        failed: () => server.exit && `the process exited with code ${server.exit.code}`,
      }).catch(async (error) => {
        const log = await tailFile(`${dir}/logs/connectors-test.log`) ||
          await tailFile(`${dir}/console.log`);
        throw new Error(`${error.message}\n--- last lines of the server log ---\n${log}`);
      });
    await untilReady();
    return {
      url,
      username: "elastic",
      password,
      version: await nodeVersion(url, authorization, caCert),
      caCertFile,
      stop: () => stopped ??= cleanup(),
      kill: () => {
        killGroup(server);
        Deno.removeSync(dir, { recursive: true });
      },
      restart: async (restartOptions = {}) => {
        if (stopped) throw new Error(`Elasticsearch on ${url} was stopped; it cannot restart`);
        if (restartOptions.kill) {
          killGroup(server);
          await server.child.status;
        } else {
          await stopGroup(server);
        }
        server = launch();
        await untilReady();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

interface InstanceOptions {
  dir: string;
  home: string;
  httpPort: number;
  transportPort: number;
  tls: boolean;
}

/**
 * Lays out config (copied from the distribution), data, logs and tmp for one node; with `tls`,
 * certificates too, and returns the CA's file.
 */
async function writeInstance(
  { dir, home, httpPort, transportPort, tls }: InstanceOptions,
): Promise<string | undefined> {
  await run(["cp", "-r", `${home}/config`, `${dir}/config`]);
  for (const sub of ["data", "logs", "tmp"]) await Deno.mkdir(`${dir}/${sub}`);
  const settings: Record<string, string | number | boolean> = {
    "cluster.name": "connectors-test",
    "node.name": "connectors-test-node",
    "path.data": `${dir}/data`,
    "path.logs": `${dir}/logs`,
    "network.host": "127.0.0.1",
    "http.port": httpPort,
    "transport.port": transportPort,
    "discovery.type": "single-node",
    "xpack.security.enabled": true,
    "xpack.security.http.ssl.enabled": false,
    "xpack.security.transport.ssl.enabled": false,
    "action.destructive_requires_name": false,
    // A nearly full CI disk must not turn test indices read-only.
    "cluster.routing.allocation.disk.threshold_enabled": false,
  };
  let caCertFile: string | undefined;
  if (tls) {
    await Deno.mkdir(`${dir}/config/certs`);
    const files = await writeTestCertificates(`${dir}/config/certs`);
    caCertFile = files.caCert;
    Object.assign(settings, {
      "xpack.security.http.ssl.enabled": true,
      "xpack.security.http.ssl.key": files.serverKey,
      "xpack.security.http.ssl.certificate": files.serverCert,
      "xpack.security.http.ssl.certificate_authorities": files.caCert,
    });
  }
  const yml = Object.entries(settings).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  await Deno.writeTextFile(`${dir}/config/elasticsearch.yml`, yml.join("\n") + "\n");
  if (isRoot()) await run(["chown", "-R", `${SERVER_USER}:`, dir]);
  return caCertFile;
}

/**
 * Ready means: the cluster is yellow and the .security index is usable. The node creates that
 * index just after startup, and while its shard initialises even the `elastic` user is refused,
 * so a write to it (a throwaway role) is forced and awaited here, not left to the first test.
 */
async function ready(url: string, authorization: string, caCert?: string): Promise<boolean> {
  const headers = { authorization, "content-type": "application/json" };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await harnessFetch(`${url}${path}`, caCert, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return response.status === 200;
  };
  return await call("GET", "/_cluster/health?wait_for_status=yellow&timeout=1s") &&
    await call("PUT", "/_security/role/connectors_harness_ready", { cluster: [] }) &&
    await call("DELETE", "/_security/role/connectors_harness_ready") &&
    await call("GET", "/_cluster/health/.security?wait_for_status=green&timeout=1s") &&
    await call("GET", "/_security/_authenticate");
}

async function nodeVersion(url: string, authorization: string, caCert?: string): Promise<string> {
  const response = await harnessFetch(`${url}/_nodes/_local`, caCert, {
    headers: { authorization },
  });
  const body = JSON.parse(response.text) as { nodes: Record<string, { version: string }> };
  return Object.values(body.nodes)[0].version;
}

/**
 * One request trusting `caCert` when given; the HTTP client lives only as long as the request,
 * so no test sanitizer sees a leftover resource.
 */
async function harnessFetch(
  url: string,
  caCert: string | undefined,
  init: RequestInit,
): Promise<{ status: number; text: string }> {
  const client = caCert ? Deno.createHttpClient({ caCerts: [caCert] }) : undefined;
  try {
    const response = await fetch(url, { ...init, client });
    return { status: response.status, text: await response.text() };
  } finally {
    client?.close();
  }
}
