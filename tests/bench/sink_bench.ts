/**
 * Throughput and memory of a full sync: N generated ~1 KB documents into a real Elasticsearch,
 * followed by the deletion sweep. The sync runs in a child process so the peak RSS measured
 * (`VmHWM` of `/proc/<pid>/status`) is the sync's alone.
 *
 * Usage: `deno task bench:sink --docs 100000 [--v8-flags=...]`: the child runs with the V8 flags
 * the service ships with (`V8_FLAGS`) unless others are given. Uses `CONNECTORS_TEST_ES_URL` (+ `_USERNAME`,
 * `_PASSWORD`) when set, else starts a throwaway Elasticsearch. Prints human lines, then as
 * the last line one JSON object: `{"docs":N,"docs_per_sec":...,"peak_rss_mb":...}`.
 * @module
 */

import { EsClient } from "../../lib/es/client.ts";
import { defaultBulkSettings } from "../../lib/es/from_config.ts";
import { type ElasticsearchServer, startElasticsearch } from "../../lib/harness/mod.ts";
import { configureLogging, Logger } from "../../lib/log/mod.ts";
import { V8_FLAGS } from "../../lib/version.ts";
import { type BulkSettings, runSync } from "../../lib/sync/mod.ts";
import { generatedSource } from "../support/generated_source.ts";

/** `elasticsearch.bulk` defaults of config.yml. */
const BULK: BulkSettings = defaultBulkSettings();

interface ChildReport {
  docs: number;
  seconds: number;
  docs_per_sec: number;
  indexed: number;
  vm_hwm_kb: number;
}

function argument(name: string): string | undefined {
  const index = Deno.args.indexOf(name);
  return index >= 0 ? Deno.args[index + 1] : Deno.args.find((arg) => arg.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

function statusKb(pid: number | "self", field: "VmHWM" | "VmRSS"): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // the process has exited
  }
}

/** The measured side: one full sync, then its report as JSON on stdout. */
async function child(docs: number): Promise<void> {
  configureLogging({ level: "WARNING" });
  const es = new EsClient({
    host: Deno.env.get("CONNECTORS_TEST_ES_URL")!,
    auth: {
      username: Deno.env.get("CONNECTORS_TEST_ES_USERNAME") ?? "elastic",
      password: Deno.env.get("CONNECTORS_TEST_ES_PASSWORD") ?? "",
    },
  });
  const index = `bench-sink-${Date.now().toString(36)}`;
  try {
    const started = performance.now();
    const result = await runSync({
      es,
      indexName: index,
      language: null,
      jobType: "full",
      source: generatedSource({ count: docs }),
      features: {
        basicRules: true,
        advancedRules: false,
        documentLevelSecurity: false,
        incrementalSync: false,
      },
      basicRules: [],
      pipeline: {
        name: "",
        extract_binary_content: true,
        reduce_whitespace: true,
        run_ml_inference: true,
      },
      cursor: null,
      bulk: BULK,
      maxFileSize: 10 * 1024 * 1024,
      maxDeletionRatio: 0.5,
      allowMassDelete: false,
      signal: new AbortController().signal,
      logger: new Logger({ index_name: index }),
    });
    const seconds = (performance.now() - started) / 1000;
    const report: ChildReport = {
      docs,
      seconds,
      docs_per_sec: Math.round(docs / seconds),
      indexed: result.stats.indexed_document_count,
      vm_hwm_kb: statusKb("self", "VmHWM"),
    };
    console.log(JSON.stringify(report));
  } finally {
    await es.request("DELETE", `/${index}`, { allow: [404] }).catch(() => {});
    es.close();
  }
}

/** The measuring side: runs the child, samples its memory, prints the results. */
async function parent(docs: number, v8Flags: string | undefined): Promise<void> {
  let server: ElasticsearchServer | undefined;
  let env: Record<string, string> = {};
  if (!Deno.env.get("CONNECTORS_TEST_ES_URL")) {
    console.log("starting Elasticsearch (set CONNECTORS_TEST_ES_URL to reuse one)...");
    server = await startElasticsearch({ heap: "1g" });
    env = {
      CONNECTORS_TEST_ES_URL: server.url,
      CONNECTORS_TEST_ES_USERNAME: server.username,
      CONNECTORS_TEST_ES_PASSWORD: server.password,
    };
  }
  try {
    const flags = v8Flags ? ` with --v8-flags=${v8Flags}` : "";
    console.log(`syncing ${docs} generated documents of about 1 KB in a child process${flags}...`);
    const process = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []),
        new URL(import.meta.url).pathname,
        "--child",
        "--docs",
        `${docs}`,
      ],
      env,
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let peakKb = 0;
    const sampler = setInterval(() => {
      peakKb = Math.max(peakKb, statusKb(process.pid, "VmHWM"), statusKb(process.pid, "VmRSS"));
    }, 100);
    const output = await process.output().finally(() => clearInterval(sampler));
    if (!output.success) throw new Error(`the benchmark child exited with ${output.code}`);
    const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
    const report = JSON.parse(lines.at(-1)!) as ChildReport;
    if (report.indexed !== docs) {
      throw new Error(`indexed ${report.indexed} documents, expected ${docs}`);
    }
    const peakMb = Math.round(Math.max(peakKb, report.vm_hwm_kb) / 1024 * 10) / 10;
    console.log(`synced ${docs} documents in ${report.seconds.toFixed(1)} s`);
    console.log(`throughput: ${report.docs_per_sec} docs/s`);
    console.log(`peak RSS of the sync process: ${peakMb} MB`);
    console.log(JSON.stringify({ docs, docs_per_sec: report.docs_per_sec, peak_rss_mb: peakMb }));
  } finally {
    await server?.stop();
  }
}

const docs = Number(argument("--docs") ?? 100_000);
if (!Number.isInteger(docs) || docs < 1) {
  console.error(`--docs must be a positive integer, got ${argument("--docs")}`);
  Deno.exit(2);
}
if (Deno.args.includes("--child")) await child(docs);
else await parent(docs, argument("--v8-flags") ?? V8_FLAGS);
