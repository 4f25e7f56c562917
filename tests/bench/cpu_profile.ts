/**
 * Reads a V8 `.cpuprofile` (from `deno run --cpu-prof`) and says where the main thread's time
 * went: by stage of the sync (source decoding, document building, serialization, bulk sending,
 * GC, idle) and by function, plus the longest busy stretches (event-loop stalls).
 * @module
 */

/** The parts of a `.cpuprofile` read here. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** Time in one bucket. */
export interface ProfileShare {
  name: string;
  ms: number;
  /** Share of all sampled time, 0..1. */
  share: number;
}

/** What {@linkcode summarizeProfile} found. */
export interface ProfileSummary {
  totalMs: number;
  stages: ProfileShare[];
  functions: ProfileShare[];
  /** Longest stretches without an idle sample, in ms, longest first. */
  longestBusyMs: number[];
  /** Busy stretches longer than 50 ms. */
  stallsOver50ms: number;
}

/** First matching rule names the stage; the order matters (a frame matches one stage). */
const STAGES: Array<[stage: string, test: (name: string, url: string) => boolean]> = [
  ["idle (waiting for I/O)", (name) => name === "(idle)"],
  ["garbage collection", (name) => name === "(garbage collector)"],
  ["JSON serialization", (name) => name === "stringify" || name === "JSON.stringify"],
  ["JSON parsing", (name) => name === "parse" || name === "JSON.parse"],
  [
    "source decoding (postgres driver)",
    (_name, url) => /node_modules\/.*postgres|npm\/.*postgres/.test(url),
  ],
  ["source decoding (mysql driver)", (_name, url) => /mysql2/.test(url)],
  ["connector (rows to documents)", (_name, url) => url.includes("/connectors/")],
  ["bulk building and sending (lib/es)", (_name, url) => url.includes("/lib/es/")],
  ["sync engine (lib/sync)", (_name, url) => url.includes("/lib/sync/")],
  ["other project code", (_name, url) => url.includes("/lib/") || url.includes("/cli/")],
  ["runtime: fetch, streams, timers (ext:)", (_name, url) => url.startsWith("ext:")],
  ["runtime: node compat (node:)", (_name, url) => url.startsWith("node:")],
  ["native / program", (name) => name === "(program)" || name === "(root)"],
];

function stageOf(name: string, url: string): string {
  for (const [stage, test] of STAGES) if (test(name, url)) return stage;
  return url ? "other JavaScript" : "native builtins";
}

function shares(ms: Map<string, number>, totalMs: number, limit: number): ProfileShare[] {
  return [...ms.entries()]
    .map(([name, value]) => ({ name, ms: Math.round(value), share: value / totalMs }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, limit);
}

/**
 * Self time by stage and by function (top `topFunctions`), and busy stretches.
 *
 * @example
 * ```ts
 * const profile = JSON.parse(await Deno.readTextFile("CPU.123.cpuprofile"));
 * console.log(formatSummary(summarizeProfile(profile)));
 * ```
 */
export function summarizeProfile(profile: CpuProfile, topFunctions = 15): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byStage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const busy: number[] = [];
  let stretch = 0;
  let totalMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = frames.get(profile.samples[i]);
    // timeDeltas[i] is the time before sample i; attribute it to sample i, as DevTools does.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!frame) continue;
    totalMs += ms;
    const stage = stageOf(frame.functionName, frame.url);
    byStage.set(stage, (byStage.get(stage) ?? 0) + ms);
    const where = frame.url
      ? ` ${frame.url.replace(/^.*\/(main|work)\//, "")}:${frame.lineNumber + 1}`
      : "";
    const key = `${frame.functionName || "(anonymous)"}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    if (frame.functionName === "(idle)") {
      if (stretch > 0) busy.push(stretch);
      stretch = 0;
    } else {
      stretch += ms;
    }
  }
  if (stretch > 0) busy.push(stretch);
  busy.sort((a, b) => b - a);
  return {
    totalMs: Math.round(totalMs),
    stages: shares(byStage, totalMs || 1, STAGES.length + 2),
    functions: shares(byFunction, totalMs || 1, topFunctions),
    longestBusyMs: busy.slice(0, 5).map(Math.round),
    stallsOver50ms: busy.filter((ms) => ms > 50).length,
  };
}

/** Human lines for a report. */
export function formatSummary(summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  return [
    `sampled ${(summary.totalMs / 1000).toFixed(1)} s of the main thread`,
    "by stage (self time):",
    ...summary.stages.map((s) => `  ${pct(s.share)}  ${s.name}`),
    "top functions (self time):",
    ...summary.functions.map((s) => `  ${pct(s.share)}  ${s.name}`),
    `longest busy stretches: ${summary.longestBusyMs.join(", ")} ms; ` +
    `${summary.stallsOver50ms} over 50 ms`,
  ].join("\n");
}
