/**
 * What the service writes into a connector document before serving it (reference
 * `Connector.prepare`), as pure functions: the configuration schema and its upgrades, the
 * `features` of the connector type, the check of the document's own settings (index name,
 * schedules) and the validation of draft sync rules; {@linkcode prepareConnector} writes them.
 * @module
 */
import { indexNameProblem } from "../es/index_name.ts";
import type { Logger } from "../log/mod.ts";
import {
  type ConnectorDoc,
  type ConnectorIndex,
  type FeaturesDoc,
  featuresDoc,
  type JobType,
  readFeatures,
  type Scheduling,
  type Stored,
} from "../protocol/mod.ts";
import { CronError, parseCron } from "../schedule/mod.ts";
import { type FilteringValidation, validateBasicRules } from "../rules/mod.ts";
import {
  type ConnectorType,
  fullConfiguration,
  type Source,
  upgradeConfiguration,
} from "../source/mod.ts";

/** Fields of a connector document {@linkcode preparedFields} may change. */
export interface PreparableConnector {
  configuration?: unknown;
  features?: unknown;
  status?: string | null;
  service_type?: string | null;
}

/**
 * The fields to write so the document matches `type` (empty when it already does): an empty
 * configuration gets the full schema and status `needs_configuration`; missing fields are added
 * (values kept, an upgrade warning logged); `features` are rewritten when they differ.
 */
export function preparedFields(
  options: { connector: PreparableConnector; type: ConnectorType; logger: Logger },
): Record<string, unknown> {
  const { connector, type, logger } = options;
  const update: Record<string, unknown> = {};
  const stored = connector.configuration;
  const empty = stored === undefined || stored === null ||
    (typeof stored === "object" && Object.keys(stored).length === 0);
  if (empty) {
    update.configuration = fullConfiguration(type.configSchema);
    update.status = "needs_configuration";
    logger.info(`wrote the ${type.name} configuration schema; waiting for it to be configured`);
  } else {
    const upgrade = upgradeConfiguration(stored, type.configSchema);
    if (upgrade.changed) {
      update.configuration = upgrade.configuration;
      if (upgrade.added.length > 0) {
        logger.warn(
          `the connector's configuration lacked ${upgrade.added.join(", ")}; added them with ` +
            `their defaults (the connector type gained fields)`,
        );
      }
    }
  }
  // Merged like ConnectorIndex.writeFeatures: keys of other writers are kept.
  const storedFeatures = isObject(connector.features) ? connector.features : {};
  const features = { ...storedFeatures, ...featuresDoc(type.features) };
  if (!sameJson(storedFeatures, features)) update.features = features;
  if (!connector.service_type) update.service_type = type.serviceType;
  return update;
}

/**
 * Writes {@linkcode preparedFields} into the connector (under OCC, so they are computed on the
 * fresh document); returns the connector as written, or `connector` when nothing changed.
 */
export async function prepareConnector(
  options: {
    connectors: ConnectorIndex;
    connector: Stored<ConnectorDoc>;
    type: ConnectorType;
    logger: Logger;
    signal?: AbortSignal;
  },
): Promise<Stored<ConnectorDoc>> {
  const { connectors, connector, type, logger } = options;
  const written = await connectors.update(connector.id, (current) => {
    const fields = preparedFields({ connector: current.doc, type, logger });
    return Object.keys(fields).length > 0 ? fields as Partial<ConnectorDoc> : null;
  }, { signal: options.signal });
  return written ?? connector;
}

/** Order of scheduling per tick, as in the reference: access control, incremental, full. */
const SCHEDULED_TYPES: readonly JobType[] = ["access_control", "incremental", "full"];

/**
 * The job types whose schedules the service honours for this connector, in scheduling order:
 * full always; incremental and access control only when both the document's `features` and
 * the connector type have them.
 */
export function scheduledJobTypes(
  options: { features: FeaturesDoc | null | undefined; type: ConnectorType },
): JobType[] {
  const stored = readFeatures(options.features);
  const offered = options.type.features;
  return SCHEDULED_TYPES.filter((jobType) =>
    jobType === "full" ||
    (jobType === "incremental" && stored.incrementalSync && offered.incrementalSync) ||
    (jobType === "access_control" && stored.documentLevelSecurity &&
      offered.documentLevelSecurity)
  );
}

/** Fields of a connector document {@linkcode settingsProblems} checks. */
export interface ConnectorSettings {
  index_name?: string | null;
  scheduling?: Partial<Scheduling> | null;
  features?: FeaturesDoc | null;
}

/**
 * What is wrong with the connector document's own settings, one sentence each naming the
 * field, its value and the fix: an `index_name` Elasticsearch would refuse, and the cron of
 * each enabled schedule the service honours. An unset index name is not a problem here
 * (Kibana attaches it later; a job without one fails on its own).
 */
export function settingsProblems(
  options: { connector: ConnectorSettings; type: ConnectorType },
): string[] {
  const { connector, type } = options;
  const problems: string[] = [];
  const index = connector.index_name;
  if (typeof index === "string" && index !== "") {
    const problem = indexNameProblem(index);
    if (problem !== undefined) {
      problems.push(
        `index_name ${JSON.stringify(index)} ${problem}: set the connector's index_name to a ` +
          `valid name such as "search-${type.serviceType}".`,
      );
    }
  }
  for (const jobType of scheduledJobTypes({ features: connector.features, type })) {
    const setting = connector.scheduling?.[jobType];
    if (!setting?.enabled) continue;
    const problem = cronProblem(setting.interval);
    if (problem !== undefined) {
      problems.push(
        `scheduling.${jobType}.interval: ${problem}; use Quartz syntax such as ` +
          `"0 0 * * * ?" (hourly) or turn the schedule off.`,
      );
    }
  }
  return problems;
}

function cronProblem(interval: unknown): string | undefined {
  if (typeof interval !== "string") {
    return `expected a cron string, got ${JSON.stringify(interval)}`;
  }
  try {
    parseCron(interval);
    return undefined;
  } catch (error) {
    if (error instanceof CronError) return error.message;
    throw error;
  }
}

/** A draft filter as stored in `filtering[].draft`. */
export interface DraftFilter {
  rules?: unknown[];
  advanced_snippet?: { value?: unknown };
  validation?: { state?: string; errors?: unknown[] };
}

/**
 * Validates a draft in state `edited`: the basic rules, then the source's advanced-rule
 * checks. Returns the validation to store (`valid` drafts are then activated).
 */
export async function validateDraft(
  options: { draft: DraftFilter; type: ConnectorType; source?: Source },
): Promise<FilteringValidation> {
  const { draft, type, source } = options;
  const result: FilteringValidation = type.features.basicRules
    ? validateBasicRules(draft.rules ?? [])
    : { state: "valid", errors: [] };
  const advanced = draft.advanced_snippet?.value;
  const hasAdvanced = advanced !== undefined && advanced !== null &&
    !(typeof advanced === "object" && Object.keys(advanced).length === 0);
  if (hasAdvanced) {
    if (!type.features.advancedRules) {
      result.errors.push({
        ids: ["advanced_snippet"],
        messages: [`${type.name} does not support advanced sync rules; remove them`],
      });
    } else if (source?.validateAdvancedRules) {
      for (const problem of await source.validateAdvancedRules(advanced)) {
        result.errors.push({ ids: [problem.id], messages: [problem.message] });
      }
    }
  }
  return { state: result.errors.length > 0 ? "invalid" : "valid", errors: result.errors };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().map((
        key,
      ) => [key, sorted((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
