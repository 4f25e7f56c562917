/**
 * `deno task quickstart`: a local Elasticsearch, a `dir` connector over the sample folder shipped
 * in the repo, one full sync through `connectors sync`, the document count and a sample search,
 * and what to do next.
 * @module
 */
import { relative } from "node:path";
import type { ConnectorType } from "../source/types.ts";
import { writeConfig } from "./config_file.ts";
import { createFtestConnector, deleteFtestConnector } from "./connector.ts";
import { clientFor, type ElasticsearchAccess, openElasticsearch } from "./elasticsearch.ts";
import { fullSync } from "./full_sync.ts";
import { message, seconds, StepPrinter } from "./report.ts";

/** Options for {@linkcode runQuickstart}. */
export interface QuickstartOptions {
  /** The `dir` connector type (from connectors/registry.ts). */
  dirType: ConnectorType;
  /** The folder the `dir` connector syncs. */
  sampleDir: string;
  /** The argv prefix that runs the `connectors` CLI. */
  cli: string[];
  /** Reuse this Elasticsearch instead of starting one. */
  elasticsearch?: ElasticsearchAccess;
  /** The word the sample search looks for in file paths. */
  query: string;
  /** Leave everything running (the caller waits for Ctrl-C, then calls `teardown`). */
  keep?: boolean;
  print: (line: string) => void;
  signal?: AbortSignal;
}

/** Whether it worked, and with `keep` how to stop what is left running. */
export interface QuickstartResult {
  ok: boolean;
  teardown?: () => Promise<void>;
}

/** The content index the quickstart's connector writes to. */
export const QUICKSTART_INDEX = "search-quickstart-sample";

/**
 * Runs the quickstart; never throws: problems are printed as one line and `ok` is false.
 *
 * @example
 * ```ts
 * const { ok } = await runQuickstart({ sampleDir, cli, query: "sync", print: console.log });
 * ```
 */
export async function runQuickstart(options: QuickstartOptions): Promise<QuickstartResult> {
  const steps = new StepPrinter(options.print);
  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  let ok = false;
  try {
    const workdir = await Deno.makeTempDir({ prefix: "connectors-quickstart-" });
    cleanups.push(() => Deno.remove(workdir, { recursive: true }));
    if (!options.elasticsearch) {
      steps.line(
        "Starting a local Elasticsearch (the first run downloads it from Maven Central and caches it).",
      );
    }
    const es = await steps.step("Elasticsearch", async () => {
      const es = await openElasticsearch(options.elasticsearch);
      cleanups.push(() => es.stop());
      const detail = es.started ? `${es.version} on ${es.url}` : `reusing ${es.url}`;
      return { value: es, detail };
    });
    const client = clientFor(es);
    cleanups.push(() => Promise.resolve(client.close()));
    const connectorId = await steps.step("dir connector", async () => {
      const id = await createFtestConnector(client, {
        type: options.dirType,
        indexName: QUICKSTART_INDEX,
        values: { directory: options.sampleDir, pattern: "**/*.*" },
      });
      cleanups.push(() => deleteFtestConnector(client, { id, index: QUICKSTART_INDEX }));
      return { value: id, detail: `${id} over ${options.sampleDir}` };
    });
    const config = `${workdir}/config.yml`;
    await writeConfig({ path: config, es, connectorId, serviceType: "dir" });
    await steps.step("full sync", async () => {
      const result = await fullSync({
        cli: options.cli,
        connectorId,
        config,
        logFile: `${workdir}/sync.log`,
        cwd: workdir,
        client,
        jobsBefore: 0,
        signal: options.signal,
      });
      return {
        value: result,
        detail: `completed, ${result.job.indexed} documents indexed in ${
          seconds(result.process.wallMs)
        }`,
      };
    });
    await client.request("POST", `/${QUICKSTART_INDEX}/_refresh`);
    const { body: counted } = await client.request<{ count: number }>(
      "GET",
      `/${QUICKSTART_INDEX}/_count`,
    );
    options.print(`\n${QUICKSTART_INDEX} holds ${counted.count} documents.`);
    const hits = await searchPaths(client, options.query);
    options.print(
      `Search for "${options.query}" in file paths: ${hits.length} hits` +
        (hits.length ? ":" : "."),
    );
    for (const hit of hits) options.print(`  ${relative(options.sampleDir, hit)}`);
    options.print(
      [
        "",
        "File contents are sent as `_attachment` for an ingest pipeline to extract (on Elastic",
        "Cloud or a cluster with `search-default-ingestion`); this minimal local Elasticsearch has",
        "no attachment processor, so the search above matches paths.",
        "",
        "Next: sync your own data into your own cluster",
        "  1. cp config.example.yml config.yml, then set elasticsearch.host and the credentials",
        "     (username/password or api_key) of your cluster;",
        "  2. create a connector in Kibana (Search > Connectors) or with `connectors connector`,",
        "     and put its id under `connectors:` in config.yml;",
        "  3. check the file: deno task connectors validate-config -c config.yml",
        "  4. one sync now: deno task connectors sync --id <connector id> --full -c config.yml",
        "     or serve it on its schedules: deno task connectors run -c config.yml",
      ].join("\n"),
    );
    if (options.keep) {
      const accessFile = `${workdir}/access.txt`;
      await Deno.writeTextFile(
        accessFile,
        `Elasticsearch ${es.url} user ${es.username} password ${es.password}\n`,
        { mode: 0o600 },
      );
      options.print(
        [
          "",
          "--keep: everything stays up until you press Ctrl-C:",
          `  Elasticsearch ${es.url}, user ${es.username}, password in ${accessFile}`,
          `  sync again: deno task connectors sync --id ${connectorId} --full -c ${config}`,
          `  search: curl -u ${es.username}:<password> '${es.url}/${QUICKSTART_INDEX}/_search?q=path:${options.query}'`,
        ].join("\n"),
      );
    }
    ok = true;
  } catch (error) {
    steps.line(`quickstart stopped: ${message(error)}`);
  }
  if (options.keep && ok) return { ok, teardown };
  await teardown();
  return { ok };
}

/** Paths of the documents whose path words match `query`, best first. */
async function searchPaths(
  client: ReturnType<typeof clientFor>,
  query: string,
): Promise<string[]> {
  const { body } = await client.request<{ hits: { hits: { _source: { path: string } }[] } }>(
    "POST",
    `/${QUICKSTART_INDEX}/_search`,
    {
      body: {
        size: 10,
        _source: ["path"],
        // `path.delimiter` splits on `/`, `-` and `.` where the content index has Kibana's
        // analyzers; `path` alone covers clusters without them.
        query: { multi_match: { query, fields: ["path.delimiter", "path"] } },
      },
    },
  );
  return body.hits.hits.map((hit) => hit._source.path);
}
