/**
 * The product's `connectors` CLI as a child process for integration tests: the argv that runs
 * it as shipped (cli/main.ts with the V8 flags of lib/version.ts), runners that capture a
 * command's exit code and output, and the daemon (`connectors run`) as a child.
 * @module
 */
import { cliCommand } from "../../cli/ftest.ts";
import { collectStderr } from "./service_fixtures.ts";

/** The argv that runs `connectors`, as the `connectors` task runs it. */
export const CLI: readonly string[] = cliCommand();

/** Exit code and output of one finished child process. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `argv` to the end with stdin closed; `env` is added to this process's environment and
 * `signal` kills the child when it aborts.
 */
export async function runCommand(
  argv: readonly string[],
  options: { env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<CommandRun> {
  const [program, ...args] = argv;
  const output = await new Deno.Command(program, {
    args,
    env: options.env,
    signal: options.signal,
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

/** Runs `connectors <args>` to the end; options as {@linkcode runCommand}. */
export function runConnectors(
  args: readonly string[],
  options: { env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<CommandRun> {
  return runCommand([...CLI, ...args], options);
}

/**
 * Runs `argv` in a pseudo-terminal 200 columns wide (`script` from util-linux); stdout and
 * stderr arrive together in `stdout`.
 */
export function runInTerminal(argv: readonly string[]): Promise<CommandRun> {
  const quoted = argv.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
  return runCommand(["script", "-qfec", `stty cols 200; ${quoted}`, "/dev/null"]);
}

/** A running `connectors run -c <config>` child. */
export interface DaemonChild {
  /** Its stderr so far (the service logs there). */
  log(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code and how long the exit took. */
  stop(): Promise<{ code: number; tookMs: number }>;
}

/** Starts the real daemon, `connectors run -c <config>`, as a child process. */
export function startDaemonChild(config: string): DaemonChild {
  const [program, ...args] = CLI;
  const child = new Deno.Command(program, {
    args: [...args, "run", "-c", config],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = collectStderr(child);
  let stopped: Promise<{ code: number; tookMs: number }> | undefined;
  const kill = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // Already exited.
    }
  };
  return {
    log: stderr.text,
    stop: () =>
      stopped ??= (async () => {
        const signalled = Date.now();
        kill("SIGTERM");
        const timer = setTimeout(() => kill("SIGKILL"), 10_000);
        const status = await child.status;
        clearTimeout(timer);
        await stderr.done;
        return { code: status.code, tookMs: Date.now() - signalled };
      })(),
  };
}
