/**
 * The daemon (`connectors run`): preflight, then three loops until the stop signal: connectors
 * (prepare, heartbeat, check, sync rules, schedules) and job execution every `service.idling`
 * seconds, cleanup every `service.job_cleanup_interval`. On stop, running jobs end `suspended`
 * and the function returns. Too many loop errors (`service.max_errors` within
 * `service.max_errors_span`) stop it with {@linkcode TooManyServiceErrors}.
 * @module
 */
import type { Config } from "../config/mod.ts";
import { type EsClient, EsError } from "../es/client.ts";
import { esClientFromConfig } from "../es/from_config.ts";
import type { Logger } from "../log/mod.ts";
import {
  type ConnectorDoc,
  ConnectorIndex,
  ensureProtocolIndices,
  type Stored,
  type SupportedConnectors,
  SyncJobIndex,
} from "../protocol/mod.ts";
import type { ConnectorType } from "../source/types.ts";
import { JobCleanup } from "./cleanup.ts";
import { ConnectionHealth } from "./connection_health.ts";
import { type ConnectorTickContext, tickConnector } from "./connector_tick.ts";
import { ErrorBudget } from "./error_budget.ts";
import { JobExecutor } from "./executor.ts";
import { errorText, runLoop } from "./loop.ts";
import { checkVersion, waitForElasticsearch, withPreflightRetries } from "./preflight.ts";
import { startStatusServer } from "./http.ts";
import { Readiness } from "./readiness.ts";
import { ServiceTelemetry } from "./telemetry.ts";
import { VERSION } from "../version.ts";

/** Options of {@linkcode runService}. */
export interface ServiceOptions {
  config: Config;
  /** Client with the global credentials. */
  es: EsClient;
  caCerts?: string;
  types: ReadonlyMap<string, ConnectorType>;
  logger: Logger;
  /** Abort to stop the service (SIGINT/SIGTERM). */
  signal: AbortSignal;
}

/**
 * Runs the service until `signal` aborts; throws `PreflightError` when it cannot start and
 * `TooManyServiceErrors` when the error budget is spent.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * Deno.addSignalListener("SIGTERM", () => controller.abort());
 * await runService({ config, es, types: CONNECTOR_TYPES, logger: log, signal: controller.signal });
 * ```
 */
export async function runService(options: ServiceOptions): Promise<void> {
  const { config, es, logger, signal } = options;
  const status = startStatus(options);
  try {
    const info = await waitForElasticsearch({ es, config, logger, signal });
    for (const warning of checkVersion(info).warnings) logger.warn(warning);
    await withPreflightRetries({
      what: "create the connector indices",
      config,
      logger,
      signal,
      attempt: () => ensureProtocolIndices(es, { signal }),
    });
    const service = new Service(options, status);
    logger.info(
      `service started (Elasticsearch ${info.version}); serving ` + describeServed(service.served),
    );
    await service.run();
  } finally {
    await status?.close();
  }
}

/** `/healthz`, `/readyz` and `/metrics` and what they report, when `service.http.port` is set. */
interface ServiceStatus {
  telemetry: ServiceTelemetry;
  readiness: Readiness;
  close(): Promise<void>;
}

function startStatus(options: ServiceOptions): ServiceStatus | undefined {
  const { host, port } = options.config.service.http;
  if (port === 0) return undefined;
  const { es, logger } = options;
  const telemetry = new ServiceTelemetry({ version: VERSION });
  const readiness = new Readiness({
    // The endpoint preflight uses: every distribution has it and the service may read it.
    probe: async (signal) => {
      await es.request("GET", "/_nodes/_local", {
        query: { filter_path: "nodes.*.version" },
        retry: false,
        signal,
      });
    },
  });
  const server = startStatusServer({ host, port, telemetry, readiness, logger });
  return { telemetry, readiness, close: server.close };
}

function describeServed(served: SupportedConnectors): string {
  const parts: string[] = [];
  if (served.connectorIds.length) parts.push(`connectors ${served.connectorIds.join(", ")}`);
  if (served.serviceTypes.length) {
    parts.push(`every non-native connector of type ${served.serviceTypes.join(", ")}`);
  }
  return parts.join(" and ");
}

class Service {
  readonly served: SupportedConnectors;
  readonly #options: ServiceOptions;
  readonly #stop = new AbortController();
  readonly #connectors: ConnectorIndex;
  readonly #jobs: SyncJobIndex;
  readonly #budget: ErrorBudget;
  readonly #health = new ConnectionHealth();
  readonly #executor: JobExecutor;
  readonly #cleanup: JobCleanup;
  readonly #contentClients = new Map<string, EsClient>();
  readonly #logger: Logger;
  readonly #status?: ServiceStatus;
  #lastTick = new Date();
  #firstTick = true;

  constructor(options: ServiceOptions, status?: ServiceStatus) {
    const { config, es } = options;
    this.#options = options;
    this.#logger = options.logger;
    this.#status = status;
    this.#stop.signal.addEventListener("abort", () => status?.readiness.setState("stopping"), {
      once: true,
    });
    this.served = {
      connectorIds: config.connectors.map((entry) => entry.connector_id),
      serviceTypes: config.service.service_types,
    };
    this.#connectors = new ConnectorIndex(es);
    this.#jobs = new SyncJobIndex(es);
    this.#budget = new ErrorBudget({
      maxErrors: config.service.max_errors,
      spanSeconds: config.service.max_errors_span,
    });
    this.#executor = new JobExecutor({
      connectors: this.#connectors,
      jobs: this.#jobs,
      config,
      types: options.types,
      logger: this.#logger,
      stopSignal: this.#stop.signal,
      contentEs: (id) => this.#contentEs(id),
      observeJob: status?.telemetry.observeJob,
    });
    this.#cleanup = new JobCleanup({
      es,
      connectors: this.#connectors,
      jobs: this.#jobs,
      config,
      logger: this.#logger,
      signal: this.#stop.signal,
      runsHere: (id) => this.#executor.runs(id),
    });
  }

  async run(): Promise<void> {
    const { signal, config } = this.#options;
    const stop = () => this.#stop.abort();
    signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted) stop();
    const loop = (name: string, intervalSeconds: number, tick: () => Promise<void>) =>
      runLoop({
        name,
        intervalSeconds,
        signal: this.#stop.signal,
        budget: this.#budget,
        logger: this.#logger,
        tick,
      }).catch((error) => {
        // The budget is spent: everything stops, running jobs are suspended.
        this.#stop.abort();
        throw error;
      });
    if (!this.#stop.signal.aborted) this.#status?.readiness.setState("running");
    try {
      await Promise.all([
        loop("connector checks and scheduling", config.service.idling, () => this.#schedule()),
        loop("job execution", config.service.idling, () => this.#execute()),
        loop("job cleanup", config.service.job_cleanup_interval, () => this.#clean()),
      ]);
    } finally {
      signal.removeEventListener("abort", stop);
      this.#stop.abort();
      await this.#executor.drain();
      for (const client of this.#contentClients.values()) client.close();
      this.#logger.info("service stopped");
    }
  }

  async #servedConnectors(): Promise<Stored<ConnectorDoc>[]> {
    return await Array.fromAsync(
      this.#connectors.supported(this.served, { signal: this.#stop.signal }),
    );
  }

  async #schedule(): Promise<void> {
    const now = new Date();
    const connectors = await this.#servedConnectors();
    const served = new Set(connectors.map((connector) => connector.id));
    this.#health.retain(served);
    const telemetry = this.#status?.telemetry;
    telemetry?.retainConnectors(served);
    const context: ConnectorTickContext = {
      connectors: this.#connectors,
      jobs: this.#jobs,
      config: this.#options.config,
      types: this.#options.types,
      health: this.#health,
      logger: this.#logger,
      signal: this.#stop.signal,
      lastTick: this.#lastTick,
      now,
      forceHeartbeat: this.#firstTick,
      connectorSeen: telemetry && ((connector, lastSeen) => {
        telemetry.connectorSeen(connector, lastSeen);
      }),
    };
    await forEachLimited(
      connectors,
      this.#options.config.service.max_concurrent_scheduling_tasks,
      async (connector) => {
        try {
          await tickConnector(connector, context);
        } catch (error) {
          if (this.#stop.signal.aborted) return;
          this.#logger.child({ connector_id: connector.id })
            .error(`connector tick failed: ${errorText(error)}`);
          // Elasticsearch trouble counts against the budget; one connector's data never does.
          if (error instanceof EsError) this.#budget.record(error);
        }
      },
    );
    this.#lastTick = now;
    this.#firstTick = false;
  }

  async #execute(): Promise<void> {
    const connectors = await this.#servedConnectors();
    await this.#executor.tick(connectors.map((connector) => connector.id));
  }

  async #clean(): Promise<void> {
    const connectors = await this.#servedConnectors();
    await this.#cleanup.tick(connectors.map((connector) => connector.id));
  }

  #contentEs(connectorId: string): EsClient {
    const { config, es, caCerts } = this.#options;
    const entry = config.connectors.find((item) => item.connector_id === connectorId);
    if (!entry?.api_key) return es;
    let client = this.#contentClients.get(connectorId);
    if (!client) {
      client = esClientFromConfig(config, { connector: entry, caCerts });
      this.#contentClients.set(connectorId, client);
    }
    return client;
  }
}

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
