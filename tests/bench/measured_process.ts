/**
 * Runs a child process and measures it from outside: wall time, CPU seconds (`utime + stime`
 * of `/proc/<pid>/stat`) and peak RSS (`VmHWM` of `/proc/<pid>/status`), sampled until it exits.
 * @module
 */

/** What {@linkcode runMeasured} saw of one process. */
export interface ProcessUsage {
  code: number;
  wallSeconds: number;
  /** User + system CPU seconds at the last sample before exit. */
  cpuSeconds: number;
  /** Highest `VmHWM` seen, in bytes. */
  peakRssBytes: number;
  /** Standard output, at most the last {@linkcode KEPT_OUTPUT_CHARS} characters. */
  stdout: string;
  /** Standard error, at most the last {@linkcode KEPT_OUTPUT_CHARS} characters. */
  stderr: string;
}

/** Options for {@linkcode runMeasured}. */
export interface MeasuredCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Sampling period in ms (default 50). */
  sampleMs?: number;
}

/** Output kept per stream: enough for a summary and the last log lines. */
export const KEPT_OUTPUT_CHARS = 64 * 1024;

/** Linux reports times in clock ticks; USER_HZ is 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Spawns `command`, samples its `/proc` entries every `sampleMs` and returns its usage. The
 * last sample is at most `sampleMs` before exit, so CPU seconds may be short by that much.
 *
 * @example
 * ```ts
 * const usage = await runMeasured({ command: "sleep", args: ["1"] });
 * console.log(usage.wallSeconds, usage.peakRssBytes);
 * ```
 */
export async function runMeasured(options: MeasuredCommand): Promise<ProcessUsage> {
  const started = performance.now();
  const child = new Deno.Command(options.command, {
    args: options.args,
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakKb = 0;
  let cpuTicks = 0;
  const sample = () => {
    peakKb = Math.max(peakKb, statusKb(child.pid, "VmHWM"));
    cpuTicks = Math.max(cpuTicks, cpuTicksOf(child.pid));
  };
  sample();
  const timer = setInterval(sample, options.sampleMs ?? 50);
  const [stdout, stderr, status] = await Promise.all([
    keepTail(child.stdout),
    keepTail(child.stderr),
    child.status,
  ]).finally(() => clearInterval(timer));
  return {
    code: status.code,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuTicks / CLOCK_TICKS_PER_SECOND,
    peakRssBytes: peakKb * 1024,
    stdout,
    stderr,
  };
}

/** A `kB` field of `/proc/<pid>/status`, or 0 once the process is gone. */
export function statusKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** `utime + stime` of `/proc/<pid>/stat` in clock ticks, or 0 once the process is gone. */
export function cpuTicksOf(pid: number): number {
  try {
    return cpuTicksFromStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return 0;
  }
}

/** Parses `utime + stime` (fields 14 and 15) out of a `/proc/<pid>/stat` line. */
export function cpuTicksFromStat(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: count from its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  return Number(fields[11]) + Number(fields[12]);
}

async function keepTail(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text = (text + chunk).slice(-KEPT_OUTPUT_CHARS);
  }
  return text;
}
