/**
 * "Ours": a connector set up like a user sets it up, and one full sync of it run in a child
 * process, measured from outside (wall time, CPU seconds, peak RSS).
 * @module
 */
import type { ConfigValues } from "../../lib/source/types.ts";
import { type ProcessUsage, runMeasured } from "./measured_process.ts";

/** A connector the bench syncs. */
export interface BenchConnector {
  id: string;
  serviceType: string;
  indexName: string;
  configuration: ConfigValues;
}

/** Where the bench keeps its config.yml and connector definitions. */
export interface BenchWorkspace {
  dir: string;
  configPath: string;
}

/** One measured sync and the counters its summary reported. */
export interface SyncRun extends ProcessUsage {
  summary: Record<string, unknown>;
}

const ROOT = new URL("../../", import.meta.url).pathname;

/** Registers `connector` so that a sync by id finds it. */
export async function prepareConnector(
  workspace: BenchWorkspace,
  connector: BenchConnector,
): Promise<void> {
  await Deno.writeTextFile(
    `${workspace.dir}/${connector.id}.json`,
    JSON.stringify({
      service_type: connector.serviceType,
      index_name: connector.indexName,
      configuration: connector.configuration,
    }),
  );
}

/**
 * Runs one full sync of connector `id` in a child process; with `profileDir`, the child writes
 * a V8 CPU profile there. Throws when the child fails, with the end of its output.
 */
export async function runOurSync(
  workspace: BenchWorkspace,
  options: { id: string; profileDir?: string },
): Promise<SyncRun> {
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const usage = await runMeasured({
    command: Deno.execPath(),
    args: [
      "run",
      "--allow-all",
      ...profile,
      `${ROOT}tests/bench/engine_child.ts`,
      workspace.configPath,
      `${workspace.dir}/${options.id}.json`,
    ],
    cwd: ROOT,
  });
  if (usage.code !== 0) {
    throw new Error(
      `the sync of ${options.id} exited with code ${usage.code}:\n${usage.stderr.slice(-3000)}`,
    );
  }
  const last = usage.stdout.trim().split("\n").at(-1) ?? "{}";
  return { ...usage, summary: JSON.parse(last) };
}
