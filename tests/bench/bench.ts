/**
 * `deno task bench --rows N`: throughput and memory of real syncs, next to the physical ceiling
 * measured in the same run on the same servers.
 *
 * 0. A warm-up sync of the first 20k rows (not counted): a cold JVM makes the first phase slow.
 * 1. A PostgreSQL table of N rows (about 1 KB, ten mixed-type columns) synced into Elasticsearch
 *    by a full sync in a child process: docs/s, MB/s, peak RSS, CPU seconds.
 * 2. The ceiling: (a) the same documents as pre-serialized NDJSON sent by a minimal loader with
 *    the same bulk size and concurrency into a fresh index of the same definition; (b) a raw
 *    `COPY (SELECT * ...) TO STDOUT` of the table, discarded. Ceiling = min(a, b).
 * 3. The nightly re-sync: a full sync after 1% of rows changed and 1% were deleted.
 * 4. A `dir` sync of 20k small files.
 *
 * Options: `--rows N` (default 100000), `--files N` (default 20000), `--profile` (one more full
 * sync with `--cpu-prof`, summarised by stage), `--chunk-size`, `--chunk-mem-mib`, `--concurrency`
 * (`elasticsearch.bulk` values, defaults 500, 5, 4). The last line printed is one JSON object
 * ({@linkcode BenchResult}); it is also appended with date and commit to results.jsonl.
 * @module
 */
import { startElasticsearch, startPostgres } from "../../lib/harness/mod.ts";
import type { ElasticsearchServer, PostgresServer } from "../../lib/harness/mod.ts";
import { loadConfig } from "../../lib/config/mod.ts";
import { bulkSettingsFromConfig } from "../../lib/es/from_config.ts";
import {
  applyNightlyChange,
  BENCH_TABLE,
  createBenchTable,
  createSmallFiles,
  createWarmupTable,
  postmasterPid,
  type PsqlTarget,
  timeRawRead,
  WARMUP_TABLE,
} from "./dataset.ts";
import {
  copyIndexDefinition,
  countDocs,
  dumpIndex,
  esJson,
  type EsTarget,
  loadBodies,
  waitForQuietCluster,
} from "./raw_loader.ts";
import { type BenchConnector, createConnector, runOurSync, type SyncRun } from "./our_sync.ts";
import { describeCpu, type PhaseCpu, startCpuMeter } from "./cpu_meter.ts";
import { formatSummary, summarizeProfile } from "./cpu_profile.ts";
import { appendHistory, type BenchResult, currentCommit, historyLine } from "./results.ts";

const MB = 1_000_000;
/** Rows of the warm-up sync. */
const WARMUP_ROWS = 20_000;
const MIB = 1024 * 1024;

function option(name: string, fallback: number): number {
  const index = Deno.args.indexOf(name);
  const raw = index >= 0
    ? Deno.args[index + 1]
    : Deno.args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isInteger(value) || value < 1) {
    console.error(
      `bench: ${name} must be a whole number of at least 1, got ${JSON.stringify(raw)}`,
    );
    Deno.exit(2);
  }
  return value;
}

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;
const roundAll = (values: object) =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, round(value, 1)]));
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

function describeRun(
  label: string,
  options: { run: SyncRun; docs: number; cpu: PhaseCpu },
): string {
  const { run, docs, cpu } = options;
  return `${label}: ${docs} docs in ${run.wallSeconds.toFixed(1)} s (job ${
    run.jobSeconds.toFixed(1)
  } s) = ${round(docs / run.wallSeconds)} docs/s; sync CPU ${run.cpuSeconds.toFixed(1)} s; ` +
    `peak RSS ${round(run.peakRssBytes / MIB, 1)} MiB; ${describeCpu(cpu)}`;
}

/** Waits for Elasticsearch's merges to end; says so when measuring goes ahead without that. */
async function settle(es: EsTarget): Promise<void> {
  const merging = await waitForQuietCluster(es);
  if (merging > 0) say(`warning: measuring while Elasticsearch still runs ${merging} merge(s)`);
}

/** One measured `connectors sync`, with the CPU use of the machine and Elasticsearch. */
async function measuredSync(
  servers: { es: EsTarget; postmasterPid: number },
  options: { configPath: string; id: string; profileDir?: string },
): Promise<{ run: SyncRun; cpu: PhaseCpu }> {
  await settle(servers.es);
  const meter = await startCpuMeter(servers);
  const run = await runOurSync(options);
  return { run, cpu: await meter() };
}

/** config.yml of the bench: the cluster plus `elasticsearch.bulk` defaults (or the given values). */
function configYaml(es: ElasticsearchServer): string {
  return [
    "elasticsearch:",
    `  host: ${es.url}`,
    `  username: ${es.username}`,
    `  password: "${es.password}"`,
    "  bulk:",
    `    chunk_size: ${option("--chunk-size", 500)}`,
    `    chunk_max_mem_size: ${option("--chunk-mem-mib", 5)}`,
    `    max_concurrency: ${option("--concurrency", 4)}`,
    "service:",
    "  log_level: INFO",
    "",
  ].join("\n");
}

async function expectCount(es: EsTarget, index: string, expected: number): Promise<void> {
  const count = await countDocs(es, index);
  if (count !== expected) {
    throw new Error(`${index} holds ${count} documents after the sync, expected ${expected}`);
  }
}

async function main(): Promise<void> {
  const rows = option("--rows", 100_000);
  const files = option("--files", 20_000);
  const profile = Deno.args.includes("--profile");
  const dir = await Deno.makeTempDir({ prefix: "connectors-bench-" });
  let servers: [ElasticsearchServer, PostgresServer] | undefined;
  const stop = async () => {
    await Promise.allSettled((servers ?? []).map((server) => server.stop()));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      await stop();
      Deno.exit(130);
    });
  }
  try {
    say("starting Elasticsearch and PostgreSQL...");
    servers = await Promise.all([startElasticsearch({ heap: "1g" }), startPostgres()]);
    const [esServer, pg] = servers;
    say(`Elasticsearch ${esServer.version} on ${esServer.url}; PostgreSQL ${pg.version}`);
    const es: EsTarget = esServer;
    const psql: PsqlTarget = pg;
    const workspace = { dir, configPath: `${dir}/config.yml` };
    await Deno.writeTextFile(workspace.configPath, configYaml(esServer));
    const bulk = bulkSettingsFromConfig((await loadConfig(workspace.configPath)).config);
    say(
      `bulk: ${bulk.chunkSize} docs or ${
        round(bulk.chunkMaxBytes / MIB, 1)
      } MiB per request, ${bulk.maxConcurrency} in flight`,
    );

    const started = performance.now();
    await createBenchTable(psql, { rows });
    say(
      `table ${BENCH_TABLE}: ${rows} rows in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`,
    );

    const measure = { es, postmasterPid: await postmasterPid(psql) };

    // 0. Warm-up, not measured: the first sync after start pays for a cold JVM (seen: 2x).
    const { configPath } = workspace;
    await createWarmupTable(psql, Math.min(rows, WARMUP_ROWS));
    const warmup: BenchConnector = {
      id: "bench-warmup",
      serviceType: "postgresql",
      indexName: "search-bench-warmup",
      values: {
        host: pg.host,
        port: pg.port,
        username: pg.user,
        password: pg.password,
        database: pg.database,
        schema: "public",
        tables: WARMUP_TABLE,
      },
    };
    await createConnector(configPath, warmup);
    const warm = await measuredSync(measure, { configPath, id: warmup.id });
    await esJson(es, { method: "DELETE", path: `/${warmup.indexName}` });
    say(describeRun("warm-up sync (not counted)", { ...warm, docs: Math.min(rows, WARMUP_ROWS) }));

    // 1. Ours: a full sync of the table.
    const pgConnector: BenchConnector = {
      id: "bench-postgresql",
      serviceType: "postgresql",
      indexName: "search-bench-postgresql",
      values: { ...warmup.values, tables: BENCH_TABLE },
    };
    await createConnector(configPath, pgConnector);
    const full = await measuredSync(measure, { configPath, id: pgConnector.id });
    await expectCount(es, pgConnector.indexName, rows);
    say(describeRun("full sync (ours)", { ...full, docs: rows }));

    // 2a. Ceiling: the same documents, pre-serialized, sent by a minimal loader.
    await settle(es);
    const dump = await dumpIndex(es, {
      index: pgConnector.indexName,
      limits: { docs: bulk.chunkSize, bytes: bulk.chunkMaxBytes },
    });
    const rawIndex = "bench-raw-ndjson";
    await copyIndexDefinition(es, { from: pgConnector.indexName, to: rawIndex });
    await settle(es);
    const rawMeter = await startCpuMeter(measure);
    const rawSeconds = await loadBodies(es, {
      index: rawIndex,
      bodies: dump.bodies,
      concurrency: bulk.maxConcurrency,
    });
    const rawCpu = await rawMeter();
    await expectCount(es, rawIndex, rows);
    await esJson(es, { method: "DELETE", path: `/${rawIndex}` });
    const rawIngest = rows / rawSeconds;
    say(
      `ceiling (a) raw NDJSON ingest: ${dump.docs} docs, ${round(dump.bytes / MB, 1)} MB in ${
        rawSeconds.toFixed(1)
      } s = ${round(rawIngest)} docs/s, ${round(dump.bytes / MB / rawSeconds, 1)} MB/s; ${
        describeCpu(rawCpu)
      }`,
    );
    dump.bodies.length = 0; // about 1.5 GB at 1M rows: not needed any more

    // 2b. Ceiling: the raw read of the same rows.
    const readSeconds = await timeRawRead(psql);
    const rawRead = rows / readSeconds;
    say(
      `ceiling (b) COPY TO STDOUT: ${rows} rows in ${readSeconds.toFixed(2)} s = ${
        round(rawRead)
      } rows/s`,
    );

    // 3. The nightly re-sync: 1% changed, 1% deleted.
    const change = await applyNightlyChange(psql);
    const resync = await measuredSync(measure, { configPath, id: pgConnector.id });
    await expectCount(es, pgConnector.indexName, change.remaining);
    say(
      `${
        describeRun("re-sync after 1% changed, 1% deleted", { ...resync, docs: change.remaining })
      } ` +
        `(${change.updated} updated, ${change.deleted} deleted)`,
    );

    // 4. A directory of small files.
    const filesDir = `${dir}/files`;
    const fileBytes = await createSmallFiles(filesDir, { files });
    const dirConnector: BenchConnector = {
      id: "bench-dir",
      serviceType: "dir",
      indexName: "search-bench-dir",
      values: { directory: filesDir, pattern: "**/*.txt" },
    };
    await createConnector(configPath, dirConnector);
    const dirSync = await measuredSync(measure, { configPath, id: dirConnector.id });
    await expectCount(es, dirConnector.indexName, files);
    say(
      `${describeRun("dir sync of small files", { ...dirSync, docs: files })} (${
        round(fileBytes / MB, 1)
      } MB)`,
    );

    // Optional: where the time of a full sync goes.
    if (profile) {
      const profileDir = `${dir}/profile`;
      const profiled = { ...pgConnector, id: "bench-profile", indexName: "search-bench-profile" };
      await createConnector(configPath, profiled);
      const run = await measuredSync(measure, { configPath, id: profiled.id, profileDir });
      say(describeRun("profiled full sync (profiler on)", { ...run, docs: change.remaining }));
      for await (const entry of Deno.readDir(profileDir)) {
        const text = await Deno.readTextFile(`${profileDir}/${entry.name}`);
        console.log(formatSummary(summarizeProfile(JSON.parse(text))));
      }
    }

    const oursPerSec = rows / full.run.wallSeconds;
    const ceiling = Math.min(rawIngest, rawRead);
    const result: BenchResult = {
      rows,
      docs_per_sec: round(oursPerSec),
      ceiling_docs_per_sec: round(ceiling),
      ratio_to_ceiling: round(oursPerSec / ceiling, 3),
      resync_docs_per_sec: round(change.remaining / resync.run.wallSeconds),
      peak_rss_mb: round(full.run.peakRssBytes / MIB, 1),
    };
    // On a CPU-bound machine throughput follows total CPU per document (all processes).
    const oursCpu = full.cpu.esCpuSeconds + full.cpu.pgCpuSeconds + full.run.cpuSeconds;
    const rawCpuTotal = rawCpu.esCpuSeconds + rawCpu.benchCpuSeconds + rawCpu.pgCpuSeconds;
    const details = {
      cpu_ratio_estimate: round(rawCpuTotal / oursCpu, 3),
      mb_per_sec: round(dump.bytes / MB / full.run.wallSeconds, 2),
      job_seconds: round(full.run.jobSeconds, 1),
      cpu_seconds: round(full.run.cpuSeconds, 1),
      es_cpu_seconds: round(full.cpu.esCpuSeconds, 1),
      pg_cpu_seconds: round(full.cpu.pgCpuSeconds, 1),
      machine_busy: round(full.cpu.machineBusy, 2),
      raw_ingest_docs_per_sec: round(rawIngest),
      raw_ingest_es_cpu_seconds: round(rawCpu.esCpuSeconds, 1),
      raw_loader_cpu_seconds: round(rawCpu.benchCpuSeconds, 1),
      es_work_seconds: roundAll(full.cpu.esWork),
      raw_ingest_es_work_seconds: roundAll(rawCpu.esWork),
      raw_ingest_machine_busy: round(rawCpu.machineBusy, 2),
      raw_read_rows_per_sec: round(rawRead),
      resync_peak_rss_mb: round(resync.run.peakRssBytes / MIB, 1),
      resync_cpu_seconds: round(resync.run.cpuSeconds, 1),
      dir_files: files,
      dir_docs_per_sec: round(files / dirSync.run.wallSeconds),
      dir_peak_rss_mb: round(dirSync.run.peakRssBytes / MIB, 1),
      bulk_chunk_size: bulk.chunkSize,
      bulk_max_mib: round(bulk.chunkMaxBytes / MIB, 1),
      bulk_concurrency: bulk.maxConcurrency,
      doc_bytes_avg: round(dump.bytes / rows),
      es_version: esServer.version,
      cpus: navigator.hardwareConcurrency,
    };
    const commit = await currentCommit(new URL("../../", import.meta.url).pathname);
    await appendHistory(historyLine({ result, details, commit }));
    say(
      `ours / ceiling: ${result.ratio_to_ceiling} by wall clock; ${details.cpu_ratio_estimate} ` +
        `by CPU per document of all processes (the wall-clock ratio moves with other load)`,
    );
    say(`details: ${JSON.stringify(details)}`);
    console.log(JSON.stringify(result));
  } finally {
    await stop();
  }
}

await main();
