/**
 * Runs `connectors sync` as a child process, the way a user or cron would, and measures it: wall
 * time, exit code and peak resident memory (VmHWM from /proc, polled every 100 ms).
 * @module
 */

import { parseProgressLine, type ProgressSnapshot } from "../sync/progress.ts";

/** How one sync process went. */
export interface SyncProcessResult {
  code: number;
  wallMs: number;
  /** Peak resident set size in bytes; 0 where /proc is unavailable. */
  peakRssBytes: number;
  /** The last lines the process wrote (stdout and stderr interleaved). */
  tail: string[];
}

/** Options for {@linkcode runSyncProcess}. */
export interface SyncProcessOptions {
  /** Full argv, e.g. `[deno, "run", "-A", "cli/main.ts", "sync", "--id", ...]`. */
  command: string[];
  /** Everything the process prints is appended here. */
  logFile: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Kills the process when aborted. */
  signal?: AbortSignal;
  /**
   * Receives the child's `--progress json` lines (they are kept out of the log file), and
   * null when the process has ended.
   */
  onProgress?: (progress: ProgressSnapshot | null) => void;
}

const POLL_MS = 100;
const TAIL_LINES = 30;

/** Spawns the sync, streams its output to `logFile`, and samples its memory until it exits. */
export async function runSyncProcess(options: SyncProcessOptions): Promise<SyncProcessResult> {
  const [program, ...args] = options.command;
  const started = performance.now();
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const onAbort = () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
  };
  options.signal?.addEventListener("abort", onAbort);
  const log = await Deno.open(options.logFile, { create: true, append: true });
  const tail: string[] = [];
  let peak = 0;
  const sample = async () => (peak = Math.max(peak, await peakRss(child.pid)));
  const poller = setInterval(sample, POLL_MS);
  try {
    await sample();
    await Promise.all([
      copyLines(child.stdout, { log, tail }),
      copyLines(child.stderr, { log, tail, onProgress: options.onProgress }),
    ]);
    const status = await child.status;
    return {
      code: status.code,
      wallMs: performance.now() - started,
      peakRssBytes: peak,
      tail,
    };
  } finally {
    clearInterval(poller);
    options.onProgress?.(null);
    options.signal?.removeEventListener("abort", onAbort);
    log.close();
  }
}

/** VmHWM of `pid` in bytes, 0 when unknown (process gone, no /proc). */
export async function peakRss(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function copyLines(
  stream: ReadableStream<Uint8Array>,
  to: {
    log: Deno.FsFile;
    tail: string[];
    onProgress?: (progress: ProgressSnapshot) => void;
  },
): Promise<void> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let partial = "";
  const copy = async (line: string) => {
    const progress = to.onProgress && parseProgressLine(line);
    if (progress) return to.onProgress!(progress);
    const bytes = encoder.encode(`${line}\n`);
    for (let written = 0; written < bytes.length;) {
      written += await to.log.write(bytes.subarray(written));
    }
    remember(to.tail, line);
  };
  for await (const chunk of stream) {
    const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) await copy(line);
  }
  if (partial) await copy(partial);
}

function remember(tail: string[], line: string): void {
  tail.push(line);
  if (tail.length > TAIL_LINES) tail.shift();
}
