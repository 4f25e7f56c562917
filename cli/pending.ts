/**
 * Placeholders for command groups whose issue has not landed yet: they show in `--help`
 * and exit 2 with a sentence saying so.
 * @module
 */
import { Command } from "@commander-js/extra-typings";

/** Exit code for "could not start": the command is not available in this build. */
export const EXIT_NOT_AVAILABLE = 2;

/** A command that explains it is not available yet and exits 2. */
export function pendingCommand(options: { name: string; summary: string }): Command {
  return new Command(options.name)
    .description(`${options.summary} (not available yet)`)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      console.error(
        `connectors ${options.name}: not available in this build yet; see README.md for what works today`,
      );
      Deno.exit(EXIT_NOT_AVAILABLE);
    });
}
