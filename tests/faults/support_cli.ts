/**
 * The real `connectors` CLI as a child process for the security fault tests: any command, its
 * exit code and output, and the checks every failing command must pass (one line, no stack).
 * @module
 */
import assert from "node:assert/strict";
import { cliCommand } from "../../cli/ftest.ts";

/** Exit code and output of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `connectors <args>` to the end with stdin closed; `env` is added to this process's. */
export async function connectors(
  args: string[],
  options: { env?: Record<string, string> } = {},
): Promise<CliRun> {
  const [program, ...prefix] = cliCommand();
  const output = await new Deno.Command(program, {
    args: [...prefix, ...args],
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Fails unless the run exited 0; the message shows its output. */
export function assertSucceeded(run: CliRun, what: string): void {
  assert.equal(run.code, 0, `${what} should succeed\n${run.stdout}\n${run.stderr}`);
}

/**
 * Fails unless the run exited with `code` and stderr ends with exactly one `connectors: ...`
 * error line and holds no stack trace; returns that line.
 */
export function errorLine(run: CliRun, code: number, what: string): string {
  assert.equal(run.code, code, `${what}: exit code\n${run.stdout}\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /^\s+at /m, `${what}: no stack trace\n${run.stderr}`);
  const errors = run.stderr.split("\n").filter((line) => line.startsWith("connectors: "));
  assert.equal(errors.length, 1, `${what}: one error line\n${run.stderr}`);
  return errors[0];
}
