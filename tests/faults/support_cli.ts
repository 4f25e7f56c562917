/**
 * The real `connectors` CLI as a child process for the security fault tests: any command, its
 * exit code and output, and the checks every failing command must pass (one line, no stack).
 * @module
 */
import assert from "node:assert/strict";
import type { CommandRun } from "../support/cli.ts";

// The security fault tests' names for the shared runner.
export { type CommandRun as CliRun, runConnectors as connectors } from "../support/cli.ts";

/** Fails unless the run exited 0; the message shows its output. */
export function assertSucceeded(run: CommandRun, what: string): void {
  assert.equal(run.code, 0, `${what} should succeed\n${run.stdout}\n${run.stderr}`);
}

/**
 * Fails unless the run exited with `code` and stderr ends with exactly one `connectors: ...`
 * error line and holds no stack trace; returns that line.
 */
export function errorLine(run: CommandRun, code: number, what: string): string {
  assert.equal(run.code, code, `${what}: exit code\n${run.stdout}\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /^\s+at /m, `${what}: no stack trace\n${run.stderr}`);
  const errors = run.stderr.split("\n").filter((line) => line.startsWith("connectors: "));
  assert.equal(errors.length, 1, `${what}: one error line\n${run.stderr}`);
  return errors[0];
}
