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
export async function startCpuMeter(es: EsTarget): Promise<() => Promise<PhaseCpu>> {
  const read = () => machineTicks(Deno.readTextFileSync("/proc/stat"));
  const esBefore = await esCpuMs(es);
  const before = read();
  const started = performance.now();
  return async () => {
    const after = read();
    const esAfter = await esCpuMs(es);
    return {
      seconds: (performance.now() - started) / 1000,
      machineBusy: (after.busy - before.busy) / Math.max(1, after.total - before.total),
      esCpuSeconds: (esAfter - esBefore) / 1000,
    };
  };
}

/** E.g. `machine 97% busy; Elasticsearch 120.3 CPU s`. */
export function describeCpu(cpu: PhaseCpu): string {
  return `machine ${Math.round(cpu.machineBusy * 100)}% busy; Elasticsearch ${
    cpu.esCpuSeconds.toFixed(1)
  } CPU s`;
}

/** CPU seconds of the whole machine in a phase (busy share × cores × seconds). */
export function machineCpuSeconds(cpu: PhaseCpu, cores = navigator.hardwareConcurrency): number {
  return cpu.machineBusy * cores * cpu.seconds;
}
