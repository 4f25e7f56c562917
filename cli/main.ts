/**
 * `connectors`: entry point and compile target. Thin on purpose: each command group lives in
 * its own file under cli/ and calls the library.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { VERSION } from "../lib/version.ts";
import { connectorCommand } from "./connector_cmd.ts";
import { CommandError, describeError, EXIT } from "./context.ts";
import { ftestCommand } from "./ftest.ts";
import { indexCommand } from "./index_cmd.ts";
import { jobCommand } from "./job_cmd.ts";
import { runCommand } from "./run.ts";
import { syncCommand } from "./sync.ts";
import { validateConfigCommand } from "./validate_config.ts";

/** Builds the full command tree (exported for tests). */
export function program(): Command {
  return new Command("connectors")
    .description(
      "Self-managed Elastic connector service: keeps Elasticsearch indices in sync with your data sources.",
    )
    .version(VERSION, "-v, --version")
    .showHelpAfterError()
    .addCommand(runCommand())
    .addCommand(syncCommand())
    .addCommand(validateConfigCommand())
    .addCommand(connectorCommand())
    .addCommand(jobCommand())
    .addCommand(indexCommand())
    .addCommand(ftestCommand());
}

if (import.meta.main) {
  try {
    await program().parseAsync(Deno.args, { from: "user" });
  } catch (error) {
    // One line (or a few for config problems), never a stack trace.
    console.error(`connectors: ${describeError(error)}`);
    Deno.exit(error instanceof CommandError ? error.code : EXIT.failed);
  }
}
