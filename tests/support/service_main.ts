/**
 * `connectors run` and `connectors sync` with the `service_test` connector type registered:
 * what service tests start as child processes (`deno run -A tests/support/service_main.ts run
 * -c <config>`). The same commands as cli/main.ts, only the registry differs, so the product
 * has no test hook.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { CommandError, describeError, EXIT } from "../../cli/context.ts";
import { runCommand } from "../../cli/run.ts";
import { syncCommand } from "../../cli/sync.ts";
import { SERVICE_TEST_TYPES } from "./service_source.ts";

if (import.meta.main) {
  const program = new Command("connectors")
    .addCommand(runCommand({ types: SERVICE_TEST_TYPES }))
    .addCommand(syncCommand({ types: SERVICE_TEST_TYPES }));
  try {
    await program.parseAsync(Deno.args, { from: "user" });
  } catch (error) {
    console.error(`connectors: ${describeError(error)}`);
    Deno.exit(error instanceof CommandError ? error.code : EXIT.failed);
  }
}
