/**
 * Confirmation for destructive commands: asks on a terminal, requires `--yes` otherwise, so a
 * script never blocks on a prompt it cannot answer.
 * @module
 */
import { CommandError, EXIT } from "./context.ts";

/** Returns when the user agreed; throws {@linkcode CommandError} otherwise. */
export function confirm(question: string, options: { yes?: boolean }): void {
  if (options.yes) return;
  if (!Deno.stdin.isTerminal()) {
    throw new CommandError(
      `${question} Refusing without --yes (stdin is not a terminal).`,
      EXIT.failed,
    );
  }
  const answer = prompt(`${question} [y/N]`);
  if (!answer || !/^y(es)?$/i.test(answer.trim())) throw new CommandError("Aborted.", EXIT.failed);
}
