/**
 * What a job runs with, read from the job document's `connector` snapshot (brief §1.8): the
 * coerced configuration, the active sync rules, the pipeline and the target index. Every
 * problem is a {@linkcode JobSetupError} whose message tells the user what to fix.
 * @module
 */
import { DEFAULT_PIPELINE, type JobConnectorSnapshot } from "../protocol/mod.ts";
import { checkConfiguration, type ConfigValues, type ConnectorType } from "../source/mod.ts";
import type { BasicRule, JobType, PipelineSettings } from "../sync/types.ts";

/** A job that cannot start as stored; the job ends in `error` with this message. */
export class JobSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "JobSetupError";
  }
}

/** What {@linkcode planJob} reads: a job's `connector` snapshot, as written by any version. */
export type JobSnapshot = Partial<Omit<JobConnectorSnapshot, "filtering" | "pipeline">> & {
  filtering?: unknown;
  pipeline?: Partial<PipelineSettings> | null;
};

/** The parts of a sync a job document decides. */
export interface JobPlan {
  type: ConnectorType;
  values: ConfigValues;
  basicRules: BasicRule[];
  advancedRules?: unknown;
  pipeline: PipelineSettings;
  /** The index the job writes (already prefixed for access-control jobs). */
  indexName: string;
  language: string | null;
}

/**
 * Reads `snapshot` for a job of `jobType`. The configuration is checked against the connector
 * type's schema; the active filtering must be `valid` when the type has sync rules.
 */
export function planJob(
  options: {
    snapshot: JobSnapshot;
    jobType: JobType;
    types: ReadonlyMap<string, ConnectorType>;
  },
): JobPlan {
  const { snapshot, jobType } = options;
  const serviceType = snapshot.service_type ?? "";
  const type = options.types.get(serviceType);
  if (type === undefined) {
    const known = [...options.types.keys()].sort().join(", ");
    throw new JobSetupError(
      `connector service_type "${serviceType}" is not served by this build (known: ${known}); ` +
        `fix the connector's service_type`,
    );
  }
  if (!snapshot.index_name) {
    throw new JobSetupError("the job has no index_name; set the connector's index_name");
  }
  if (jobType === "incremental" && !type.features.incrementalSync) {
    throw new JobSetupError(`${type.name} does not support incremental syncs; run a full sync`);
  }
  if (jobType === "access_control" && !type.features.documentLevelSecurity) {
    throw new JobSetupError(
      `${type.name} does not support access-control syncs (document level security)`,
    );
  }
  let values: ConfigValues;
  try {
    values = checkConfiguration(snapshot.configuration, type.configSchema);
  } catch (error) {
    throw new JobSetupError((error as Error).message, { cause: error });
  }
  const filter = activeFilter(snapshot.filtering);
  const rulesOn = type.features.basicRules || type.features.advancedRules;
  if (rulesOn && jobType !== "access_control" && filter && filter.validation?.state) {
    if (filter.validation.state !== "valid") {
      throw new JobSetupError(
        `the connector's active sync rules are ${filter.validation.state}; ` +
          `fix the rules in Kibana (or the connector document) and start the sync again`,
      );
    }
  }
  const advanced = filter?.advanced_snippet?.value;
  return {
    type,
    values,
    basicRules: type.features.basicRules ? (filter?.rules ?? []) : [],
    advancedRules: type.features.advancedRules && hasContent(advanced) ? advanced : undefined,
    pipeline: { ...DEFAULT_PIPELINE, ...withoutNulls(snapshot.pipeline ?? {}) },
    indexName: snapshot.index_name,
    language: snapshot.language ?? null,
  };
}

interface FilterSnapshot {
  rules?: BasicRule[];
  advanced_snippet?: { value?: unknown };
  validation?: { state?: string };
}

/** The job snapshot stores the active filter as an object; older writers used an array. */
function activeFilter(filtering: unknown): FilterSnapshot | undefined {
  if (Array.isArray(filtering)) {
    const entry = filtering.find((item) => item?.domain === "DEFAULT") ?? filtering[0];
    if (entry === undefined) return undefined;
    return (entry.active ?? entry) as FilterSnapshot;
  }
  if (filtering && typeof filtering === "object") return filtering as FilterSnapshot;
  return undefined;
}

function hasContent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return value !== "";
}

function withoutNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== null && item !== undefined),
  ) as Partial<T>;
}
