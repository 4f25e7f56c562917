/**
 * Shared pieces for launching server processes: running as an unprivileged user, running setup
 * commands, waiting with a deadline, and starting and stopping a process group.
 * @module
 */

/** True when this process runs as root, where databases refuse to start as the current user. */
export function isRoot(): boolean {
  return Deno.uid() === 0;
}

/**
 * Prefixes a command with `runuser -u <user> --` when running as root, so the server runs as
 * `user`; otherwise returns it unchanged.
 */
export function asUser(user: string, command: string[]): string[] {
  return isRoot() ? ["runuser", "-u", user, "--", ...command] : command;
}

/** Options for {@linkcode run}. */
export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Text written to the command's stdin. */
  stdin?: string;
}

/**
 * Runs a setup command to completion and returns its stdout; throws with its output on failure.
 *
 * @example
 * ```ts
 * const version = await run(["postgres", "--version"]);
 * ```
 */
export async function run(command: string[], options: RunOptions = {}): Promise<string> {
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    env: options.env,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const out = new TextDecoder().decode(stdout);
  if (code !== 0) {
    const err = new TextDecoder().decode(stderr);
    throw new Error(
      `command failed with exit code ${code}: ${command.join(" ")}\n${tail(out + err, 40)}`,
    );
  }
  return out;
}

/** Returns the last `count` lines of `text`. */
export function tail(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

/** Options for {@linkcode waitUntil}. */
export interface WaitOptions {
  /** What is awaited, for the timeout message, e.g. "Elasticsearch on http://127.0.0.1:9200". */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each probe; a returned message aborts the wait (e.g. the process exited). */
  failed?: () => string | undefined;
}

/**
 * Calls `probe` until it returns true or the deadline passes; throws on timeout or when
 * `failed` reports a problem. Probe errors count as "not yet".
 */
export async function waitUntil(
  probe: () => Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = "";
  while (true) {
    const failure = options.failed?.();
    if (failure) throw new Error(`${options.what} failed to start: ${failure}`);
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      const detail = lastError ? ` (last error: ${lastError})` : "";
      throw new Error(
        `${options.what} was not ready within ${options.timeoutMs / 1000} s${detail}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

/** A server started in its own process group (through `setsid`). */
export interface GroupProcess {
  child: Deno.ChildProcess;
  /** File receiving the process's stdout and stderr. */
  logFile: string;
  /** Set once the process has exited. */
  exit: Deno.CommandStatus | undefined;
}

/** Options for {@linkcode spawnGroup}. */
export interface SpawnOptions {
  /** File that receives stdout and stderr (appended). */
  logFile: string;
  env?: Record<string, string>;
}

/**
 * Starts `command` as the leader of a new process group, so that stopping it also stops the
 * JVMs or workers it forks. Output goes to a file rather than a pipe: nothing in this process
 * keeps reading, so Deno's test sanitizers see no pending reads.
 */
export function spawnGroup(command: string[], options: SpawnOptions): GroupProcess {
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      'log="$1"; shift; exec setsid "$@" >>"$log" 2>&1',
      "sh",
      options.logFile,
      ...command,
    ],
    env: options.env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  // A server outlives single tests; it must not keep the event loop alive on its own.
  child.unref();
  const started: GroupProcess = { child, logFile: options.logFile, exit: undefined };
  child.status.then((status) => started.exit = status);
  return started;
}

/**
 * Sends SIGTERM to the whole process group, waits up to `graceMs`, then SIGKILLs it.
 */
export async function stopGroup(started: GroupProcess, graceMs = 15_000): Promise<void> {
  const pid = started.child.pid;
  signalGroup(pid, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([started.child.status, timedOut]);
  clearTimeout(timer);
  // The leader may exit before its children: kill what is left of the group either way.
  signalGroup(pid, "SIGKILL");
  await started.child.status;
}

/** Kills the whole process group at once, for exit handlers that cannot wait. */
export function killGroup(started: GroupProcess): void {
  signalGroup(started.child.pid, "SIGKILL");
}

/** The last `count` lines of a log file, or "" when it cannot be read. */
export async function tailFile(path: string, count = 40): Promise<string> {
  try {
    return tail(await Deno.readTextFile(path), count);
  } catch {
    return "";
  }
}

function signalGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** A database server a harness started on a loopback port; `stop` and `kill` delete its data. */
export interface DatabaseServer {
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  database: string;
  /** `<scheme>://user:password@127.0.0.1:port/database`, e.g. `postgres://…` or `mysql://…`. */
  url: string;
  /** Server version, e.g. "15.14" or "10.11.19-MariaDB-0+deb12u1". */
  version: string;
  /** Stops the server and deletes its data; safe to call more than once. */
  stop(): Promise<void>;
  /** Stops the server at once and deletes its data, for exit handlers that cannot await. */
  kill(): void;
}
