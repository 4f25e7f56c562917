/**
 * Who used the CPU during one measured phase: the whole machine (`/proc/stat`) and
 * Elasticsearch (its node stats). On a small machine the sync, the database and Elasticsearch
 * share the cores, so these say whether a phase was bound by CPU and whose.
 * @module
 */
import { esJson, type EsTarget } from "./raw_loader.ts";

/** CPU use over a phase. */
export interface PhaseCpu {
  seconds: number;
  /** Busy share of all cores, 0..1. */
  machineBusy: number;
  /** CPU seconds Elasticsearch used. */
  esCpuSeconds: number;
  /** CPU seconds PostgreSQL used (postmaster and its exited backends). */
  pgCpuSeconds: number;
  /** CPU seconds the bench process itself used (the raw loader runs in it). */
  benchCpuSeconds: number;
}

/** USER_HZ: `/proc/<pid>/stat` counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/**
 * `utime + stime` (fields 14-15) of a process, plus `cutime + cstime` (16-17, its reaped
 * children's) when `withChildren`.
 */
function cpuTicks(pid: number | "self", withChildren: boolean): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const indices = withChildren ? [11, 12, 13, 14] : [11, 12];
  return indices.reduce((sum, index) => sum + Number(fields[index]), 0);
}

/** Busy and total ticks summed over all cores, from the `cpu` line of `/proc/stat`. */
export function machineTicks(stat: string): { busy: number; total: number } {
  const fields = stat.split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = fields[3] + fields[4]; // idle + iowait
  return { busy: total - idle, total };
}

async function esCpuMs(es: EsTarget): Promise<number> {
  type Stats = { nodes: Record<string, { process: { cpu: { total_in_millis: number } } }> };
  const stats = await esJson<Stats>(es, { method: "GET", path: "/_nodes/_local/stats/process" });
  return Object.values(stats.nodes)[0].process.cpu.total_in_millis;
}

/**
 * Starts measuring; the returned function ends the phase and reports it.
 *
 * @example
 * ```ts
 * const done = await startCpuMeter(es);
 * await work();
 * const { machineBusy, esCpuSeconds } = await done();
 * ```
 */
export async function startCpuMeter(
  options: { es: EsTarget; postmasterPid: number },
): Promise<() => Promise<PhaseCpu>> {
  const read = () => machineTicks(Deno.readTextFileSync("/proc/stat"));
  const esBefore = await esCpuMs(options.es);
  const pgBefore = cpuTicks(options.postmasterPid, true);
  const benchBefore = cpuTicks("self", false);
  const before = read();
  const started = performance.now();
  return async () => {
    const after = read();
    const benchAfter = cpuTicks("self", false);
    const pgAfter = cpuTicks(options.postmasterPid, true);
    const esAfter = await esCpuMs(options.es);
    return {
      seconds: (performance.now() - started) / 1000,
      machineBusy: (after.busy - before.busy) / Math.max(1, after.total - before.total),
      esCpuSeconds: (esAfter - esBefore) / 1000,
      pgCpuSeconds: (pgAfter - pgBefore) / TICKS_PER_SECOND,
      benchCpuSeconds: (benchAfter - benchBefore) / TICKS_PER_SECOND,
    };
  };
}

/** E.g. `CPU s: Elasticsearch 120.3, PostgreSQL 4.1, machine 230.0 (97% busy)`. */
export function describeCpu(cpu: PhaseCpu): string {
  return `CPU s: Elasticsearch ${cpu.esCpuSeconds.toFixed(1)}, PostgreSQL ${
    cpu.pgCpuSeconds.toFixed(1)
  }, machine ${machineCpuSeconds(cpu).toFixed(1)} (${Math.round(cpu.machineBusy * 100)}% busy)`;
}

/** CPU seconds of the whole machine in a phase (busy share × cores × seconds). */
export function machineCpuSeconds(cpu: PhaseCpu, cores = navigator.hardwareConcurrency): number {
  return cpu.machineBusy * cores * cpu.seconds;
}
