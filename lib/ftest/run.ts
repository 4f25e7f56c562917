/**
 * The ftest orchestrator: real Elasticsearch, real data source, seeded dataset, two full syncs
 * through the `connectors sync` command in a child process, and exact checks after each.
 * @module
 */
import type { EsClient } from "../es/client.ts";
import type { ConnectorType } from "../source/types.ts";
import type { ProgressSnapshot } from "../sync/progress.ts";
import { checkCount, checkGone, checkSamples } from "./checks.ts";
import { writeConfig } from "./config_file.ts";
import { createFtestConnector, deleteFtestConnector } from "./connector.ts";
import {
  clientFor,
  type ElasticsearchAccess,
  type ElasticsearchHandle,
  openElasticsearch,
} from "./elasticsearch.ts";
import { fullSync, type FullSyncResult } from "./full_sync.ts";
import {
  type CheckFailure,
  describeFailure,
  FtestError,
  type FtestSummary,
  message,
  seconds,
  StepPrinter,
} from "./report.ts";
import { DEFAULT_SEED, Rng } from "./rng.ts";
import type { DatasetSize, FixtureSource, FtestFixture, LoadedData, RemovedData } from "./types.ts";

/** Options for {@linkcode runFtest}. */
export interface FtestOptions {
  fixture: FtestFixture;
  /** The connector type the fixture tests (its schema and features go into the connector). */
  connectorType: ConnectorType;
  size: DatasetSize;
  /** Leave every service, index and file in place and print how to reach them. */
  keep?: boolean;
  /** Reuse this Elasticsearch; when omitted a throwaway one is started. */
  elasticsearch?: ElasticsearchAccess;
  /** The argv prefix that runs the `connectors` CLI; `sync ...` is appended. */
  cli: string[];
  /** Seed of the dataset (default {@linkcode DEFAULT_SEED}). */
  seed?: number;
  /** Where human lines go. */
  print: (line: string) => void;
  /** Follows each sync's progress; null when that sync ended. */
  onSyncProgress?: (progress: ProgressSnapshot | null) => void;
  /** Aborting stops the running sync and tears down. */
  signal?: AbortSignal;
}

/** What {@linkcode runFtest} returns: the summary (its `ok` says whether every check held). */
export interface FtestResult {
  summary: FtestSummary;
  failures: CheckFailure[];
  /** With `keep`: stops and deletes everything the ftest left running. */
  teardown?: () => Promise<void>;
}

/**
 * Runs one ftest and tears everything down (unless `keep`). Never throws for a failed check or
 * step: the failures are printed and returned, and `summary.ok` is false.
 *
 * @example
 * ```ts
 * const { summary } = await runFtest({ fixture: dirFixture, size: "small", cli, print: console.log });
 * console.log(JSON.stringify(summary));
 * ```
 */
export async function runFtest(options: FtestOptions): Promise<FtestResult> {
  return await new Ftest(options).run();
}

class Ftest {
  readonly #options: FtestOptions;
  readonly #steps: StepPrinter;
  readonly #failures: CheckFailure[] = [];
  readonly #cleanups: { what: string; run: () => Promise<void> }[] = [];
  readonly #summary: FtestSummary;
  readonly #rng: Rng;
  #workdir = "";
  #syncNumber = 0;
  #stopped = false;
  /** What `--keep` tells how to reach, filled in as the steps set it up. */
  readonly #kept: {
    es?: ElasticsearchHandle;
    source?: FixtureSource;
    index?: string;
    connectorId?: string;
    config?: string;
  } = {};

  constructor(options: FtestOptions) {
    this.#options = options;
    this.#steps = new StepPrinter(options.print);
    this.#rng = new Rng(options.seed ?? DEFAULT_SEED);
    this.#summary = {
      connector: options.fixture.serviceType,
      size: options.size,
      loaded: 0,
      indexed: 0,
      deleted: 0,
      docs_per_sec: 0,
      peak_rss_mb: 0,
      ok: false,
    };
  }

  async run(): Promise<FtestResult> {
    const { fixture, size } = this.#options;
    this.#steps.line(
      `ftest ${fixture.serviceType}, size ${size} (${
        fixture.sizes[size]
      } documents): ${fixture.dataset}`,
    );
    let stopped = false;
    try {
      await this.#scenario();
    } catch (error) {
      stopped = true;
      this.#steps.line(`ftest stopped: ${message(error)}`);
    }
    this.#summary.ok = !stopped && this.#failures.length === 0;
    if (this.#options.keep) await this.#printAccess();
    else await this.#teardown();
    this.#stopped = stopped;
    this.#printSummary();
    const result = { summary: this.#summary, failures: this.#failures };
    return this.#options.keep ? { ...result, teardown: () => this.#teardown() } : result;
  }

  async #scenario(): Promise<void> {
    const { fixture } = this.#options;
    this.#workdir = await Deno.makeTempDir({ prefix: `connectors-ftest-${fixture.serviceType}-` });
    this.#onCleanup("work folder", () => Deno.remove(this.#workdir, { recursive: true }));
    const es = await this.#step("Elasticsearch", () => this.#elasticsearch());
    this.#kept.es = es;
    const client = clientFor(es);
    this.#onCleanup("client", () => Promise.resolve(client.close()));
    const source = await this.#step(`${fixture.serviceType} data source`, async () => {
      const source = await fixture.start({ workdir: this.#workdir });
      this.#onCleanup(`${fixture.serviceType} data source`, () => source.stop());
      this.#kept.source = source;
      return { value: source, detail: "started" };
    });
    const loaded = await this.#step("load dataset", () => this.#load(source));
    const index = `search-ftest-${fixture.serviceType}-${crypto.randomUUID().slice(0, 8)}`;
    const connectorId = await this.#step("connector", async () => {
      const id = await createFtestConnector(client, {
        type: this.#options.connectorType,
        indexName: index,
        values: source.configuration,
      });
      this.#onCleanup("connector and index", () => deleteFtestConnector(client, { id, index }));
      Object.assign(this.#kept, { index, connectorId: id });
      return { value: id, detail: `${id} writing to ${index}` };
    });
    const config = await this.#step("config file", async () => {
      const path = `${this.#workdir}/config.yml`;
      await writeConfig({ path, es, connectorId, serviceType: fixture.serviceType });
      this.#kept.config = path;
      return { value: path, detail: path };
    });
    const first = await this.#step("full sync", () => this.#sync({ client, connectorId, config }));
    this.#summary.indexed = first.job.indexed;
    this.#summary.docs_per_sec = Math.round(first.job.indexed / (first.process.wallMs / 1000));
    await this.#step("verify", async () => {
      const expected = loaded.documents;
      this.#check({
        what: "documents indexed by the first sync",
        expected,
        actual: first.job.indexed,
      });
      const { count, failures } = await checkCount(client, {
        index,
        expected,
        when: "after the first sync",
      });
      this.#failures.push(...failures);
      this.#failures.push(
        ...await checkSamples(client, {
          index,
          samples: loaded.samples,
          when: "after the first sync",
        }),
      );
      return {
        value: undefined,
        detail: this.#verdict(`${count} documents, ${loaded.samples.length} samples`),
      };
    });
    const removed = await this.#step("remove data", () => this.#remove(source));
    const second = await this.#step("full sync", () => this.#sync({ client, connectorId, config }));
    this.#summary.deleted = second.job.deleted;
    await this.#step("verify", async () => {
      const expected = loaded.documents - removed.ids.length;
      this.#check({
        what: "documents deleted by the second sync",
        expected: removed.ids.length,
        actual: second.job.deleted,
      });
      const { count, failures } = await checkCount(client, {
        index,
        expected,
        when: "after the removal and second sync",
      });
      this.#failures.push(...failures);
      this.#failures.push(
        ...await checkGone(client, { index, ids: removed.ids, when: "after the second sync" }),
      );
      const gone = new Set(removed.ids);
      const kept = loaded.samples.filter((sample) => !gone.has(sample.id));
      this.#failures.push(
        ...await checkSamples(client, { index, samples: kept, when: "after the second sync" }),
      );
      return {
        value: undefined,
        detail: this.#verdict(`${count} documents, ${removed.ids.length} removed ids gone`),
      };
    });
  }

  async #elasticsearch(): Promise<{ value: ElasticsearchHandle; detail: string }> {
    const es = await openElasticsearch(this.#options.elasticsearch);
    this.#onCleanup("Elasticsearch", () => es.stop());
    const detail = es.started
      ? `started ${es.version} on ${es.url}`
      : `reusing ${es.url} (${es.version})`;
    return { value: es, detail };
  }

  async #load(source: FixtureSource): Promise<{ value: LoadedData; detail: string }> {
    const { fixture, size } = this.#options;
    const loaded = await source.load({ size, rng: this.#rng.fork() });
    this.#summary.loaded = loaded.documents;
    this.#check({
      what: `documents loaded for size ${size}`,
      expected: fixture.sizes[size],
      actual: loaded.documents,
    });
    return { value: loaded, detail: `${loaded.documents} documents` };
  }

  async #remove(source: FixtureSource): Promise<{ value: RemovedData; detail: string }> {
    const removed = await source.remove({ rng: this.#rng.fork() });
    return { value: removed, detail: `${removed.ids.length} documents` };
  }

  async #sync(
    options: { client: EsClient; connectorId: string; config: string },
  ): Promise<{ value: FullSyncResult; detail: string }> {
    const result = await fullSync({
      ...options,
      cli: this.#options.cli,
      logFile: `${this.#workdir}/sync-${this.#syncNumber + 1}.log`,
      jobsBefore: this.#syncNumber++,
      cwd: this.#workdir,
      signal: this.#options.signal,
      onProgress: this.#options.onSyncProgress,
    });
    this.#summary.peak_rss_mb = Math.max(this.#summary.peak_rss_mb, result.peakMb);
    const { job, process } = result;
    return {
      value: result,
      detail: `completed: ${job.indexed} indexed, ${job.deleted} deleted in ${
        seconds(process.wallMs)
      }, peak RSS ${result.peakMb} MiB`,
    };
  }

  #check(failure: CheckFailure): void {
    if (JSON.stringify(failure.expected) !== JSON.stringify(failure.actual)) {
      this.#failures.push(failure);
    }
  }

  /** `detail`, or the failures of this step printed below it. */
  #verdict(detail: string): string {
    const fresh = this.#failures.filter((failure) => !this.#reported.has(failure));
    for (const failure of fresh) this.#reported.add(failure);
    return fresh.length === 0
      ? `ok, ${detail}`
      : [`${fresh.length} failed`, ...fresh.map((f) => `    ${describeFailure(f)}`)].join("\n");
  }
  readonly #reported = new Set<CheckFailure>();

  #step<T>(name: string, run: () => Promise<{ value: T; detail: string }>): Promise<T> {
    if (this.#options.signal?.aborted) throw new FtestError("interrupted");
    return this.#steps.step(name, run);
  }

  #onCleanup(what: string, run: () => Promise<void>): void {
    this.#cleanups.push({ what, run });
  }

  /** Undoes every setup step, last first; problems are reported, not thrown. */
  async #teardown(): Promise<void> {
    const started = performance.now();
    const problems: string[] = [];
    for (const cleanup of this.#cleanups.splice(0).reverse()) {
      try {
        await cleanup.run();
      } catch (error) {
        problems.push(`${cleanup.what}: ${message(error)}`);
      }
    }
    this.#steps.line(
      `teardown: ${problems.length === 0 ? "done" : problems.join("; ")} (${
        seconds(performance.now() - started)
      })`,
    );
  }

  /**
   * For `--keep`: where everything is. Passwords go to a private file in the work folder, not
   * to the terminal.
   */
  async #printAccess(): Promise<void> {
    const { es, source, index, connectorId, config } = this.#kept;
    if (!this.#workdir) return;
    const accessFile = `${this.#workdir}/access.txt`;
    const secrets = [
      ...(es ? [`Elasticsearch ${es.url} user ${es.username} password ${es.password}`] : []),
      ...(source?.access ?? []),
    ];
    await Deno.writeTextFile(accessFile, secrets.join("\n") + "\n", { mode: 0o600 });
    const lines = [
      "--keep: everything stays up until you press Ctrl-C:",
      ...(es ? [`  Elasticsearch ${es.url} (user ${es.username})`] : []),
      `  passwords and how to reach the data source: ${accessFile}`,
      ...(index ? [`  content index ${index}, connector ${connectorId}`] : []),
      ...(config ? [`  sync again: connectors sync --id ${connectorId} --full -c ${config}`] : []),
      `  work folder (data, config, sync logs): ${this.#workdir}`,
    ];
    for (const line of lines) this.#steps.line(line);
  }

  #printSummary(): void {
    const s = this.#summary;
    const unreported = this.#failures.filter((failure) => !this.#reported.has(failure));
    for (const failure of unreported) this.#steps.line(describeFailure(failure));
    this.#steps.line(
      `${
        s.ok ? "PASSED" : "FAILED"
      }: ${s.connector} ${s.size}: loaded ${s.loaded}, indexed ${s.indexed}, ` +
        `deleted ${s.deleted}, ${s.docs_per_sec} docs/s, sync peak RSS ${s.peak_rss_mb} MiB` +
        (this.#failures.length ? `, ${this.#failures.length} failed checks` : "") +
        (this.#stopped ? ", stopped before the end" : ""),
    );
  }
}
