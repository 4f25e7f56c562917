/**
 * Temp directories for the deletion sweep's spilled ids. A process killed with `kill -9` cannot
 * remove its own, so each name carries its process id and a new sync removes those of
 * processes that no longer exist.
 * @module
 */
import { join } from "node:path";

const PREFIX = "connectors-sync-";

/** Whether a process with this id runs; unknown (no `/proc`) counts as running. */
function processRuns(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return true;
    try {
      Deno.statSync("/proc/self");
      return false;
    } catch {
      return true;
    }
  }
}

/**
 * Removes spill directories in `parent` left by processes that died, and returns how many.
 * Directories of running processes (this one included) and other names are left alone.
 */
export async function removeOrphanedSpillDirs(parent: string): Promise<number> {
  let removed = 0;
  for await (const entry of Deno.readDir(parent)) {
    if (!entry.isDirectory || !entry.name.startsWith(PREFIX)) continue;
    const pid = Number(entry.name.slice(PREFIX.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || processRuns(pid)) continue;
    await Deno.remove(join(parent, entry.name), { recursive: true }).then(
      () => removed++,
      () => {}, // another sync removed it first, or it is not ours to remove
    );
  }
  return removed;
}

/** Creates this sync's spill directory in `parent` (default: the system temp dir). */
export async function createSpillDir(parent?: string): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: parent, prefix: `${PREFIX}${Deno.pid}-` });
  await removeOrphanedSpillDirs(join(dir, "..")).catch(() => 0);
  return dir;
}
