/**
 * The bench's one-line result and its history in `tests/bench/results.jsonl` (one JSON object
 * per run, stamped with the date and the commit it measured).
 * @module
 */

/** The last line `deno task bench` prints; field names are part of its contract. */
export interface BenchResult {
  rows: number;
  docs_per_sec: number;
  ceiling_docs_per_sec: number;
  ratio_to_ceiling: number;
  resync_docs_per_sec: number;
  peak_rss_mb: number;
}

/** A line of `results.jsonl`: the result plus where and when it was measured. */
export type HistoryLine = { date: string; commit: string } & BenchResult & Record<string, unknown>;

/** Where every run appends its result. */
export const RESULTS_FILE = new URL("./results.jsonl", import.meta.url);

/**
 * `git rev-parse --short HEAD` of the checkout, with `-dirty` when tracked files differ from it
 * (the figures then measure uncommitted code), or "unknown" outside a git checkout.
 */
export async function currentCommit(cwd: string): Promise<string> {
  const git = async (...args: string[]) => {
    const output = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "null" })
      .output();
    return output.success ? new TextDecoder().decode(output.stdout).trim() : undefined;
  };
  const commit = await git("rev-parse", "--short", "HEAD");
  if (!commit) return "unknown";
  const changed = await git("status", "--porcelain", "--untracked-files=no");
  return changed ? `${commit}-dirty` : commit;
}

/**
 * The history line for `result`: date and commit first, then the result's fields, then
 * `details` (scenario figures that are not part of the one-line contract).
 *
 * @example
 * ```ts
 * const line = historyLine({ result, details: { dir_docs_per_sec: 900 }, commit: "abc1234" });
 * ```
 */
export function historyLine(
  options: {
    result: BenchResult;
    details: Record<string, unknown>;
    commit: string;
    date?: Date;
  },
): HistoryLine {
  return {
    date: (options.date ?? new Date()).toISOString(),
    commit: options.commit,
    ...options.result,
    ...options.details,
  };
}

/** Appends one JSON line to `file` (default {@linkcode RESULTS_FILE}). */
export async function appendHistory(line: HistoryLine, file: URL = RESULTS_FILE): Promise<void> {
  await Deno.writeTextFile(file, JSON.stringify(line) + "\n", { append: true });
}
