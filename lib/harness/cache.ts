/**
 * The download cache shared by test runs, kept outside the repository.
 * @module
 */

/**
 * Root of the cache: `$CONNECTORS_CACHE_DIR`, else `${XDG_CACHE_HOME:-$HOME/.cache}/connectors`.
 */
export function cacheRoot(): string {
  const explicit = Deno.env.get("CONNECTORS_CACHE_DIR");
  if (explicit) return explicit;
  const xdg = Deno.env.get("XDG_CACHE_HOME") || `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${xdg}/connectors`;
}

/** Returns whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Options for {@linkcode prepareOnce}. */
export interface PrepareOptions {
  /** Final path of the prepared directory or file. */
  target: string;
  /** Builds the entry at `output` (a path inside a fresh temporary directory). */
  build: (output: string) => Promise<void>;
}

/**
 * Builds a cache entry once: in a temporary sibling directory, then renamed into place, so
 * concurrent processes never see a half-built entry (the first rename wins).
 */
export async function prepareOnce(options: PrepareOptions): Promise<string> {
  const { target } = options;
  if (await exists(target)) return target;
  const parent = target.slice(0, target.lastIndexOf("/"));
  await Deno.mkdir(parent, { recursive: true });
  const work = await Deno.makeTempDir({ dir: parent, prefix: ".prepare-" });
  try {
    const output = `${work}/${target.slice(parent.length + 1)}`;
    await options.build(output);
    try {
      await Deno.rename(output, target);
    } catch (error) {
      // Another process finished first; its entry is as good as ours.
      if (!(await exists(target))) throw error;
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  return target;
}
