/**
 * `connectors ftest <service_type> [--size small|medium|large] [--keep] [--json]`: an end-to-end
 * test of one connector against a real Elasticsearch and a real data source, started as local
 * processes. The last line of output is a JSON summary; the exit code is 0 only when every
 * check passed.
 * @module
 */
import { fileURLToPath } from "node:url";
import { Command, type CommandUnknownOpts, Option } from "@commander-js/extra-typings";
import { CONNECTOR_TYPES } from "../connectors/registry.ts";
import { FTEST_FIXTURES } from "../connectors/ftest_fixtures.ts";
import {
  DATASET_SIZES,
  type DatasetSize,
  type ElasticsearchAccess,
  type FtestFixture,
  runFtest,
} from "../lib/ftest/mod.ts";
import type { ConnectorType } from "../lib/source/types.ts";
import { V8_FLAGS } from "../lib/version.ts";
import { log } from "../lib/log/mod.ts";
import { CommandError, EXIT } from "./context.ts";
import { RemoteProgress, stderrIsLive } from "./progress.ts";

/**
 * The argv that runs this program's CLI in a child process: the binary itself when compiled,
 * else Deno on cli/main.ts with this repo's deno.json.
 */
export function cliCommand(): string[] {
  if (Deno.build.standalone) return [Deno.execPath()];
  return [
    Deno.execPath(),
    "run",
    "--allow-all",
    `--v8-flags=${V8_FLAGS}`,
    "--config",
    fileURLToPath(new URL("../deno.json", import.meta.url)),
    fileURLToPath(new URL("./main.ts", import.meta.url)),
  ];
}

/**
 * The `ftest` command; `fixtures` and `types` default to connectors/ftest_fixtures.ts and
 * connectors/registry.ts (tests add their own).
 */
export function ftestCommand(
  options: {
    fixtures?: ReadonlyMap<string, FtestFixture>;
    types?: ReadonlyMap<string, ConnectorType>;
  } = {},
): CommandUnknownOpts {
  const fixtures = options.fixtures ?? FTEST_FIXTURES;
  return new Command("ftest")
    .description(
      "end-to-end test of a connector: real Elasticsearch and data source, seeded data, two " +
        "full syncs, exact checks; the last line of output is a JSON summary",
    )
    .argument("<service_type>", `connector type: ${[...fixtures.keys()].sort().join(", ")}`)
    .addOption(
      new Option("--size <size>", "dataset size").choices(DATASET_SIZES).default("small"),
    )
    .option("--keep", "leave everything running until Ctrl-C and print how to reach it")
    .option("--json", "print only the JSON summary on stdout (progress goes to stderr)")
    .option("--seed <number>", "seed of the generated dataset", parseSeed)
    .addHelpText("after", () => sizesHelp(fixtures))
    .option(
      "--es-url <url>",
      "reuse this Elasticsearch instead of starting one (env CONNECTORS_FTEST_ES_URL)",
    )
    .option("--es-user <name>", "its user (env CONNECTORS_FTEST_ES_USERNAME, default elastic)")
    .option(
      "--es-password <password>",
      "its password (prefer env CONNECTORS_FTEST_ES_PASSWORD: arguments show in ps)",
    )
    .action(async (serviceType, flags) => {
      const fixture = fixtures.get(serviceType);
      if (!fixture) {
        throw new CommandError(
          `ftest: no fixture for connector type "${serviceType}"; known: ${
            [...fixtures.keys()].sort().join(", ")
          }`,
          EXIT.couldNotStart,
        );
      }
      const connectorType = (options.types ?? CONNECTOR_TYPES).get(serviceType);
      if (!connectorType) {
        throw new CommandError(
          `ftest: connector type "${serviceType}" is not in this build (connectors/registry.ts)`,
          EXIT.couldNotStart,
        );
      }
      // Human lines; after the JSON summary (the last line of stdout) they go to stderr.
      let human = flags.json ? (line: string) => console.error(line) : console.log;
      const progress = new RemoteProgress({
        live: stderrIsLive(),
        log: (line) => log.info(`connectors sync: ${line}`),
      });
      const abort = new AbortController();
      const stop = () => abort.abort();
      for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, stop);
      try {
        const result = await runFtest({
          fixture,
          connectorType,
          size: flags.size as DatasetSize,
          keep: flags.keep ?? false,
          elasticsearch: elasticsearchAccess(flags),
          cli: cliCommand(),
          seed: flags.seed,
          print: (line) => progress.above(() => human(line)),
          onSyncProgress: (snapshot) => progress.update(snapshot),
          signal: abort.signal,
        });
        progress.stop();
        console.log(JSON.stringify(result.summary));
        human = (line) => console.error(line);
        if (result.teardown) {
          if (!abort.signal.aborted) {
            console.error("press Ctrl-C to stop everything and clean up");
            await new Promise((resolve) => abort.signal.addEventListener("abort", resolve));
          }
          await result.teardown();
        }
        if (!result.summary.ok) Deno.exitCode = EXIT.failed;
      } finally {
        progress.stop();
        for (const signal of ["SIGINT", "SIGTERM"] as const) {
          Deno.removeSignalListener(signal, stop);
        }
      }
    });
}

/** Documents per size of every fixture, for `--help`. */
function sizesHelp(fixtures: ReadonlyMap<string, FtestFixture>): string {
  const lines = [...fixtures.values()]
    .sort((a, b) => a.serviceType.localeCompare(b.serviceType))
    .map((fixture) =>
      `  ${fixture.serviceType.padEnd(12)}${
        DATASET_SIZES.map((size) => `${size} ${fixture.sizes[size]}`).join(", ")
      }`
    );
  return `\nDocuments per size:\n${lines.join("\n")}`;
}

function elasticsearchAccess(
  flags: { esUrl?: string; esUser?: string; esPassword?: string },
): ElasticsearchAccess | undefined {
  const url = flags.esUrl ?? Deno.env.get("CONNECTORS_FTEST_ES_URL");
  if (!url) return undefined;
  return {
    url,
    username: flags.esUser ?? Deno.env.get("CONNECTORS_FTEST_ES_USERNAME") ?? "elastic",
    password: flags.esPassword ?? Deno.env.get("CONNECTORS_FTEST_ES_PASSWORD") ?? "",
  };
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new CommandError(
      `ftest: --seed must be a whole number from 0 to 4294967295, got "${value}"`,
      EXIT.couldNotStart,
    );
  }
  return seed;
}
