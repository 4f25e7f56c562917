/**
 * `deno task quickstart [--keep]`: see the service work end to end in a minute. Starts a local
 * Elasticsearch, syncs the sample folder connectors/dir/sample/ with a `dir` connector through
 * `connectors sync`, prints the document count and a sample search, and says what to do next.
 * Everything is stopped and deleted at the end unless `--keep` (then at Ctrl-C).
 * @module
 */
import { fileURLToPath } from "node:url";
import { Command } from "@commander-js/extra-typings";
import { dirConnector } from "../connectors/dir/mod.ts";
import { runQuickstart } from "../lib/ftest/quickstart.ts";
import { cliCommand } from "./ftest.ts";

/** The sample folder shipped in the repo. */
const SAMPLE_DIR = fileURLToPath(new URL("../connectors/dir/sample", import.meta.url));

if (import.meta.main) {
  const flags = new Command("quickstart")
    .description("sync a sample folder into a local Elasticsearch and search it")
    .option("--keep", "leave Elasticsearch and the index running until Ctrl-C")
    .option("--query <word>", "word to search for in the sample's file paths", "sync")
    .parse(Deno.args, { from: "user" })
    .opts();
  const abort = new AbortController();
  const stop = () => abort.abort();
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, stop);
  const url = Deno.env.get("CONNECTORS_FTEST_ES_URL");
  const result = await runQuickstart({
    dirType: dirConnector,
    sampleDir: SAMPLE_DIR,
    cli: cliCommand(),
    elasticsearch: url
      ? {
        url,
        username: Deno.env.get("CONNECTORS_FTEST_ES_USERNAME") ?? "elastic",
        password: Deno.env.get("CONNECTORS_FTEST_ES_PASSWORD") ?? "",
      }
      : undefined,
    query: flags.query,
    keep: flags.keep ?? false,
    print: console.log,
    signal: abort.signal,
  });
  if (result.teardown) {
    if (!abort.signal.aborted) {
      console.log("\nPress Ctrl-C to stop Elasticsearch and clean up.");
      await new Promise((resolve) => abort.signal.addEventListener("abort", resolve));
    }
    console.log("Stopping...");
    await result.teardown();
  }
  Deno.exit(result.ok ? 0 : 1);
}
