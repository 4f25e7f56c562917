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
  /** Elasticsearch's own time counters over the phase, in seconds (summed over threads). */
  esWork: EsWork;
}

/** Where Elasticsearch spent its time: indexing, merging, refreshing, searching (scrolls). */
export interface EsWork {
  indexing: number;
  merges: number;
  refresh: number;
  search: number;
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

interface EsCounters {
  cpuMs: number;
  work: EsWork;
}

async function esCounters(es: EsTarget): Promise<EsCounters> {
  type Node = {
    process: { cpu: { total_in_millis: number } };
    indices: {
      indexing: { index_time_in_millis: number };
      merges: { total_time_in_millis: number };
      refresh: { total_time_in_millis: number };
      search: { query_time_in_millis: number; fetch_time_in_millis: number };
    };
  };
  const stats = await esJson<{ nodes: Record<string, Node> }>(es, {
    method: "GET",
    path: "/_nodes/_local/stats/process,indices",
  });
  const node = Object.values(stats.nodes)[0];
  const { indexing, merges, refresh, search } = node.indices;
  return {
    cpuMs: node.process.cpu.total_in_millis,
    work: {
      indexing: indexing.index_time_in_millis,
      merges: merges.total_time_in_millis,
      refresh: refresh.total_time_in_millis,
      search: search.query_time_in_millis + search.fetch_time_in_millis,
    },
  };
}

function workBetween(before: EsWork, after: EsWork): EsWork {
  const seconds = (key: keyof EsWork) => (after[key] - before[key]) / 1000;
  return {
    indexing: seconds("indexing"),
    merges: seconds("merges"),
    refresh: seconds("refresh"),
    search: seconds("search"),
  };
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
  const esBefore = await esCounters(options.es);
  const pgBefore = cpuTicks(options.postmasterPid, true);
  const benchBefore = cpuTicks("self", false);
  const before = read();
  const started = performance.now();
  return async () => {
    const after = read();
    const benchAfter = cpuTicks("self", false);
    const pgAfter = cpuTicks(options.postmasterPid, true);
    const esAfter = await esCounters(options.es);
    return {
      seconds: (performance.now() - started) / 1000,
      machineBusy: (after.busy - before.busy) / Math.max(1, after.total - before.total),
      esCpuSeconds: (esAfter.cpuMs - esBefore.cpuMs) / 1000,
      esWork: workBetween(esBefore.work, esAfter.work),
      pgCpuSeconds: (pgAfter - pgBefore) / TICKS_PER_SECOND,
      benchCpuSeconds: (benchAfter - benchBefore) / TICKS_PER_SECOND,
    };
  };
}

/** E.g. `CPU s: Elasticsearch 120.3, PostgreSQL 4.1, machine 230.0 (97% busy)`. */
export function describeCpu(cpu: PhaseCpu): string {
  return `CPU s: Elasticsearch ${cpu.esCpuSeconds.toFixed(1)}, PostgreSQL ${
    cpu.pgCpuSeconds.toFixed(1)
  }, machine ${machineCpuSeconds(cpu).toFixed(1)} (${Math.round(cpu.machineBusy * 100)}% busy); ` +
    `ES s: indexing ${cpu.esWork.indexing.toFixed(1)}, merges ${cpu.esWork.merges.toFixed(1)}, ` +
    `refresh ${cpu.esWork.refresh.toFixed(1)}, search ${cpu.esWork.search.toFixed(1)}`;
}

/** CPU seconds of the whole machine in a phase (busy share × cores × seconds). */
export function machineCpuSeconds(cpu: PhaseCpu, cores = navigator.hardwareConcurrency): number {
  return cpu.machineBusy * cores * cpu.seconds;
}
