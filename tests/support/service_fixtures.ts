/**
 * Helpers for service tests: configs pointing at the test Elasticsearch, `service_test`
 * connectors, polling with deadlines, in-process daemons and CLI child processes
 * (`tests/support/service_main.ts`).
 * @module
 */
import { type Config, defaultConfig } from "../../lib/config/mod.ts";
import { EsClient } from "../../lib/es/client.ts";
import { configureLogging, Logger } from "../../lib/log/mod.ts";
import {
  type ConnectorDoc,
  ConnectorIndex,
  ensureProtocolIndices,
  type Stored,
  type SyncJobDoc,
  SyncJobIndex,
} from "../../lib/protocol/mod.ts";
import { runService } from "../../lib/service/mod.ts";
import { fullConfiguration } from "../../lib/source/mod.ts";
import { type TestElasticsearch, testEsClient } from "./servers.ts";
import { SERVICE_TEST_TYPES, serviceTestConnector } from "./service_source.ts";

/** Clients and protocol indices of the test Elasticsearch. */
export interface ServiceTestKit {
  es: EsClient;
  connectors: ConnectorIndex;
  jobs: SyncJobIndex;
}

/**
 * A client with the test cluster's credentials, and the protocol indices over it. The indices
 * are created first, as the service's preflight does: a document written before would make
 * Elasticsearch create them with dynamic mappings.
 */
export async function serviceKit(server: TestElasticsearch): Promise<ServiceTestKit> {
  const es = testEsClient(server);
  await ensureProtocolIndices(es);
  return { es, connectors: new ConnectorIndex(es), jobs: new SyncJobIndex(es) };
}

/** `service.*` settings tests may change. */
export type ServiceOverrides = Partial<Config["service"]>;

/** The settings a test config file holds (also written as YAML for child processes). */
export function configTree(
  server: TestElasticsearch,
  options: { connectorIds: string[]; service?: ServiceOverrides },
): Record<string, unknown> {
  return {
    elasticsearch: {
      host: server.url,
      username: server.username,
      password: server.password,
      max_wait_duration: 30,
    },
    service: { idling: 0.5, log_level: "INFO", ...options.service },
    connectors: options.connectorIds.map((id) => ({
      connector_id: id,
      service_type: serviceTestConnector.serviceType,
    })),
  };
}

/** The same settings as a {@linkcode Config}, for in-process services. */
export function serviceConfig(
  server: TestElasticsearch,
  options: { connectorIds: string[]; service?: ServiceOverrides },
): Config {
  const config = defaultConfig();
  config.elasticsearch.host = server.url;
  config.elasticsearch.username = server.username;
  config.elasticsearch.password = server.password;
  Object.assign(config.service, { idling: 0.5 }, options.service);
  config.connectors = options.connectorIds.map((id) => ({
    connector_id: id,
    service_type: serviceTestConnector.serviceType,
  }));
  return config;
}

/** Writes a config file (JSON is valid YAML) and returns its path. */
export async function writeConfigFile(tree: Record<string, unknown>): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "connectors-service-test-", suffix: ".yml" });
  await Deno.writeTextFile(path, JSON.stringify(tree, null, 2));
  return path;
}

/** Values of the `service_test` configuration fields. */
export interface TestSourceValues {
  count?: number;
  delay_ms?: number;
  fail_after?: number;
  ping_error?: string;
}

/** A full `service_test` configuration holding `values`. */
export function testConfiguration(values: TestSourceValues = {}): Record<string, unknown> {
  const configuration = fullConfiguration(serviceTestConnector.configSchema);
  for (const [key, value] of Object.entries(values)) {
    (configuration[key] as { value: unknown }).value = value;
  }
  return configuration;
}

/**
 * Creates a `service_test` connector; configured (status `configured`) unless
 * `configuration` is `{}` (then `needs_configuration`, as Kibana leaves a new connector).
 */
export async function createTestConnector(
  kit: ServiceTestKit,
  options: { id: string; indexName: string; values?: TestSourceValues; empty?: boolean },
): Promise<Stored<ConnectorDoc>> {
  return await kit.connectors.create({
    id: options.id,
    indexName: options.indexName,
    serviceType: serviceTestConnector.serviceType,
    configuration: options.empty ? {} : testConfiguration(options.values),
  });
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`, or
 * at once when `failed` names a reason to give up (a child that exited early).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; failed?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    const failed = options.failed?.();
    if (failed) throw new Error(`gave up waiting for ${what}: ${failed}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

/** Waits until the connector document satisfies `test`; returns it. */
export function waitForConnector(
  kit: ServiceTestKit,
  id: string,
  what: string,
  test: (doc: ConnectorDoc) => boolean,
  timeoutMs = 30_000,
): Promise<Stored<ConnectorDoc>> {
  return waitFor(what, async () => {
    const connector = await kit.connectors.get(id);
    return connector && test(connector.doc) ? connector : undefined;
  }, { timeoutMs });
}

/** Waits until the job document satisfies `test`; returns it. */
export function waitForJob(
  kit: ServiceTestKit,
  id: string,
  what: string,
  test: (doc: SyncJobDoc) => boolean,
  timeoutMs = 30_000,
): Promise<Stored<SyncJobDoc>> {
  return waitFor(what, async () => {
    const job = await kit.jobs.get(id);
    return job && test(job.doc) ? job : undefined;
  }, { timeoutMs });
}

/** Every job of a connector (realtime enough: the jobs index is refreshed first). */
export async function jobsOf(
  kit: ServiceTestKit,
  connectorId: string,
): Promise<Stored<SyncJobDoc>[]> {
  // Tests only: services never refresh the protocol indices.
  await kit.es.request("POST", "/.elastic-connectors-sync-jobs/_refresh");
  return await Array.fromAsync(kit.jobs.byConnector(connectorId));
}

/** A daemon running in this process. */
export interface InProcessDaemon {
  /** Stops it like SIGTERM does and waits for it to return. */
  stop(): Promise<void>;
  /** Settles when the service returns (rejects with its error). */
  done: Promise<void>;
}

/** Starts `runService` with the test registry. */
export function startDaemon(config: Config, name = "daemon"): InProcessDaemon {
  const controller = new AbortController();
  const es = new EsClient({
    host: config.elasticsearch.host,
    auth: { username: config.elasticsearch.username, password: config.elasticsearch.password },
  });
  const done = runService({
    config,
    es,
    types: SERVICE_TEST_TYPES,
    logger: new Logger({ daemon: name }),
    signal: controller.signal,
  }).finally(() => es.close());
  return {
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/** Log lines written while tests run (service logs go here instead of stderr). */
export const capturedLogs: string[] = [];

/** Sends service logs to {@linkcode capturedLogs}; set `CONNECTORS_TEST_LOGS=1` to see them. */
export function captureLogs(): void {
  const show = Deno.env.get("CONNECTORS_TEST_LOGS") === "1";
  configureLogging({
    level: "INFO",
    write: (line) => {
      capturedLogs.push(line);
      if (capturedLogs.length > 20_000) capturedLogs.splice(0, 10_000);
      if (show) console.error(line);
    },
  });
}

const MAIN = new URL("./service_main.ts", import.meta.url).pathname;

/** `connectors <args>` with the test registry, as a child process. */
export function spawnCli(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
}

/** Runs `connectors <args>` to the end: exit code, stdout and stderr. */
export async function runCli(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await spawnCli(args).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Collects a child's stderr in the background (so its pipe never fills). */
export function collectStderr(child: Deno.ChildProcess): { text(): string; done: Promise<void> } {
  let text = "";
  const decoder = new TextDecoder();
  const done = child.stderr.pipeTo(
    new WritableStream({
      write(chunk) {
        text += decoder.decode(chunk, { stream: true });
      },
    }),
  ).catch(() => {});
  return { text: () => text, done };
}
