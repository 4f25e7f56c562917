/**
 * "Ours": a connector created through lib/protocol like `connectors connector create` does,
 * and one `connectors sync --id <id> --full -c <config.yml>` of it in a child process, measured
 * from outside (wall time, CPU seconds, peak RSS).
 * @module
 */
import { CONNECTOR_TYPES } from "../../connectors/registry.ts";
import { loadConfig } from "../../lib/config/mod.ts";
import { esClientFromConfig } from "../../lib/es/from_config.ts";
import { ConnectorIndex, ensureProtocolIndices } from "../../lib/protocol/mod.ts";
import { fullConfiguration } from "../../lib/source/config_fields.ts";
import type { FieldValue } from "../../lib/source/types.ts";
import { type ProcessUsage, runMeasured } from "./measured_process.ts";

/** A connector the bench syncs: its id, type, index and configuration values. */
export interface BenchConnector {
  id: string;
  serviceType: string;
  indexName: string;
  values: Record<string, FieldValue>;
}

/** One measured sync and its job's own duration (from the summary line). */
export interface SyncRun extends ProcessUsage {
  /** The line `connectors sync` printed, e.g. `job X (full) completed in 3.2 s: ...`. */
  summary: string;
  jobSeconds: number;
}

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * The `--v8-flags` of deno.json's `connectors` task, so the child runs with the V8 settings
 * users get from `deno task connectors` and the compiled binary.
 */
export async function shippedV8Flags(): Promise<string[]> {
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const task = String(denoJson.tasks?.connectors ?? "");
  return task.split(/\s+/).filter((word) => word.startsWith("--v8-flags="));
}

/**
 * Creates `connector` in `.elastic-connectors` (status `configured`), with its type's full
 * configuration schema and the given values, using the cluster and credentials of
 * `configPath`.
 */
export async function createConnector(
  configPath: string,
  connector: BenchConnector,
): Promise<void> {
  const type = CONNECTOR_TYPES.get(connector.serviceType);
  if (!type) {
    throw new Error(
      `service type "${connector.serviceType}" is not in connectors/registry.ts; register it to bench it`,
    );
  }
  const configuration = fullConfiguration(type.configSchema);
  for (const [key, value] of Object.entries(connector.values)) configuration[key].value = value;
  const { config } = await loadConfig(configPath);
  const es = esClientFromConfig(config);
  try {
    await ensureProtocolIndices(es);
    await new ConnectorIndex(es).create({
      id: connector.id,
      indexName: connector.indexName,
      serviceType: connector.serviceType,
      configuration,
      features: type.features,
    });
  } finally {
    es.close();
  }
}

/**
 * Runs `connectors sync --id <id> --full -c <configPath>` in a child process; with
 * `profileDir`, the child writes a V8 CPU profile there. Throws when the job does not complete,
 * with the end of the child's output.
 */
export async function runOurSync(
  options: { configPath: string; id: string; profileDir?: string },
): Promise<SyncRun> {
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const usage = await runMeasured({
    command: Deno.execPath(),
    args: [
      "run",
      "--allow-all",
      ...await shippedV8Flags(),
      ...profile,
      `${ROOT}cli/main.ts`,
      "sync",
      "--id",
      options.id,
      "--full",
      "-c",
      options.configPath,
    ],
    cwd: ROOT,
  });
  const summary = usage.stdout.trim().split("\n").at(-1) ?? "";
  const seconds = summary.match(/ completed in ([\d.]+) s/)?.[1];
  if (usage.code !== 0 || seconds === undefined) {
    throw new Error(
      `connectors sync --id ${options.id} exited with code ${usage.code}:\n` +
        `${usage.stdout.slice(-1000)}\n${usage.stderr.slice(-3000)}`,
    );
  }
  return { ...usage, summary, jobSeconds: Number(seconds) };
}
