/**
 * What the daemon does for each served connector every `service.idling` seconds (brief §2.3,
 * `schedule`): prepare the document for its connector type, heartbeat, check the configuration
 * and the data source, validate edited sync rules, then create the jobs whose schedule is due.
 * @module
 */
import type { Config } from "../config/mod.ts";
import { EsError } from "../es/client.ts";
import type { Logger } from "../log/mod.ts";
import {
  type ConnectorDoc,
  type ConnectorIndex,
  mirrorFields,
  type Stored,
  type SyncJobIndex,
} from "../protocol/mod.ts";
import { CronError, parseCron } from "../schedule/mod.ts";
import {
  checkConfiguration,
  ConfigValueError,
  type ConnectorType,
  type Source,
} from "../source/mod.ts";
import type { ConnectionHealth } from "./connection_health.ts";
import {
  prepareConnector,
  scheduledJobTypes,
  settingsProblems,
  validateDraft,
} from "./connector_prepare.ts";
import { errorText } from "./loop.ts";
import { dueOccurrence } from "./schedule_plan.ts";

/** What a tick shares across connectors. */
export interface ConnectorTickContext {
  connectors: ConnectorIndex;
  jobs: SyncJobIndex;
  config: Config;
  types: ReadonlyMap<string, ConnectorType>;
  health: ConnectionHealth;
  logger: Logger;
  signal: AbortSignal;
  /** When this scheduler last looked at schedules (the service start on the first tick). */
  lastTick: Date;
  now: Date;
  /** Heartbeat every connector on the service's first tick, whatever its `last_seen`. */
  forceHeartbeat: boolean;
  /** Told the connector's `last_seen` after the heartbeat step (the daemon's metrics). */
  connectorSeen?(connector: { id: string; serviceType: string }, lastSeen: Date): void;
}

/**
 * One connector's tick. Problems of this connector (its configuration, its data source) are
 * written to the connector and logged, never thrown; only Elasticsearch failures propagate, so
 * the caller can count them.
 */
export async function tickConnector(
  stored: Stored<ConnectorDoc>,
  context: ConnectorTickContext,
): Promise<void> {
  const { connectors, config } = context;
  const entry = config.connectors.find((item) => item.connector_id === stored.id);
  const serviceType = stored.doc.service_type || entry?.service_type || "";
  const logger = context.logger.child({
    connector_id: stored.id,
    index_name: stored.doc.index_name,
    service_type: serviceType,
  });
  const type = context.types.get(serviceType);
  if (!type) {
    const message = `service_type "${serviceType}" is not served by this build (known: ` +
      `${[...context.types.keys()].sort().join(", ")}); fix the connector's service_type`;
    await setError({ connectors, stored, message, logger });
    return;
  }
  let connector = await prepareConnector({
    connectors,
    connector: stored,
    type,
    logger,
    signal: context.signal,
  });
  const lastSeen = await heartbeat(connector, context);
  context.connectorSeen?.({ id: stored.id, serviceType }, lastSeen);
  const status = connector.doc.status;
  if (status === "created" || status === "needs_configuration") {
    logger.debug(`waiting for the connector to be configured (status ${status})`);
    return;
  }
  if (!(await checkConnector({ connector, type, context, logger }))) return;
  connector = (await connectors.get(stored.id, { signal: context.signal })) ?? connector;
  await schedule({ connector, type, context, logger });
}

/** Writes `last_seen` when due; returns it (written now, or as stored). */
async function heartbeat(
  connector: Stored<ConnectorDoc>,
  context: ConnectorTickContext,
): Promise<Date> {
  const lastSeen = connector.doc.last_seen ? Date.parse(connector.doc.last_seen) : NaN;
  const due = Number.isNaN(lastSeen) ||
    context.now.getTime() - lastSeen >= context.config.service.heartbeat * 1000;
  if (due || context.forceHeartbeat) {
    await context.connectors.heartbeat(connector.id, { now: context.now, signal: context.signal });
    return context.now;
  }
  return new Date(lastSeen);
}

/**
 * Configuration, `validateConfig`, `ping` and draft sync rules. Marks the connector
 * `connected` or `error` (with hysteresis for data-source failures); true when it may be
 * scheduled.
 */
async function checkConnector(
  options: {
    connector: Stored<ConnectorDoc>;
    type: ConnectorType;
    context: ConnectorTickContext;
    logger: Logger;
  },
): Promise<boolean> {
  const { connector, type, context, logger } = options;
  const { connectors, health, signal } = context;
  let source: Source | undefined;
  try {
    const values = checkConfiguration(connector.doc.configuration, type.configSchema);
    const problems = settingsProblems({ connector: connector.doc, type });
    if (problems.length > 0) throw new ConfigValueError(problems.join(" "));
    source = type.create({ config: values, logger });
    await source.validateConfig();
    await source.ping();
    const outcome = await connectors.validateDraftFiltering(
      connector.id,
      (draft) => validateDraft({ draft, type, source }),
      { signal },
    );
    if (outcome) {
      const state = outcome.validation.state;
      logger.info(
        `validated edited sync rules: ${state}` + (outcome.activated ? ", now active" : "") +
          outcome.validation.errors.map((error) => `; ${error.ids.join(",")}: ${error.messages}`)
            .join(""),
      );
    }
  } catch (error) {
    if (error instanceof EsError) throw error;
    const immediate = error instanceof ConfigValueError;
    const message = errorText(error);
    if (health.failed(connector.id, { immediate })) {
      await setError({ connectors, stored: connector, message, logger });
    } else {
      logger.warn(`connector check failed (will retry before reporting it): ${message}`);
    }
    return false;
  } finally {
    await source?.close().catch(() => {});
  }
  health.succeeded(connector.id);
  if (connector.doc.status !== "connected" || connector.doc.error !== null) {
    await connectors.markConnected(connector.id, { signal });
    logger.info("connector checked: connected");
  }
  return true;
}

async function schedule(
  options: {
    connector: Stored<ConnectorDoc>;
    type: ConnectorType;
    context: ConnectorTickContext;
    logger: Logger;
  },
): Promise<void> {
  const { connector, type, context, logger } = options;
  for (const jobType of scheduledJobTypes({ features: connector.doc.features, type })) {
    const setting = connector.doc.scheduling?.[jobType];
    if (!setting?.enabled) continue;
    let cron;
    try {
      cron = parseCron(setting.interval);
    } catch (error) {
      if (!(error instanceof CronError)) throw error;
      const message = `scheduling.${jobType}.interval: ${error.message}; use Quartz syntax ` +
        `such as "0 0 * * * ?" (hourly)`;
      await setError({ connectors: context.connectors, stored: connector, message, logger });
      continue;
    }
    const markerText = connector.doc[mirrorFields(jobType).scheduledAt];
    const marker = markerText ? new Date(markerText) : null;
    const due = dueOccurrence({
      schedule: cron,
      marker: marker && !Number.isNaN(marker.getTime()) ? marker : null,
      now: context.now,
      lastTick: context.lastTick,
      catchUp: context.config.service.catch_up_missed_schedules,
    });
    if (!due) continue;
    // Only the instance whose marker write wins creates the job: one job per occurrence.
    const won = await context.connectors.markScheduled(connector.id, { jobType, at: due }, {
      signal: context.signal,
    });
    if (!won) continue;
    const fresh = await context.connectors.get(connector.id, { signal: context.signal });
    if (!fresh) return;
    const job = await context.jobs.create(
      { connector: fresh, jobType, triggerMethod: "scheduled" },
      { signal: context.signal },
    );
    logger.info(`scheduled ${jobType} job ${job.id} for ${due.toISOString()}`);
  }
}

/** Status `error` with `message`, written only when it changes (no write storm per tick). */
async function setError(
  options: {
    connectors: ConnectorIndex;
    stored: Stored<ConnectorDoc>;
    message: string;
    logger: Logger;
  },
): Promise<void> {
  const { stored, message } = options;
  if (stored.doc.status === "error" && stored.doc.error === message) return;
  options.logger.error(`connector error: ${message}`);
  await options.connectors.markError(stored.id, message);
}
