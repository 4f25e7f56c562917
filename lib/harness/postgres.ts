/**
 * A throwaway PostgreSQL cluster started as a local process for tests.
 * @module
 */

import { exists } from "./cache.ts";
import { freePort } from "./ports.ts";
import { randomPassword } from "./password.ts";
import { asUser, type DatabaseServer, isRoot, run, tailFile, waitUntil } from "./process.ts";

/** Options for {@linkcode startPostgres}. */
export interface PostgresOptions {
  /** Superuser name (default "connectors"). */
  user?: string;
  /** Superuser password; random when omitted. */
  password?: string;
  /** Database created for the caller (default "connectors"). */
  database?: string;
  /** How long to wait for the server to accept connections, in ms (default 60 000). */
  readyTimeoutMs?: number;
}

/** A running PostgreSQL server. */
export type PostgresServer = DatabaseServer;

/** The system user that owns the cluster when we are root (initdb refuses root). */
const SERVER_USER = "postgres";

/**
 * Creates a cluster in a temporary directory and starts it on a free loopback port with
 * password authentication, tuned for speed over durability.
 *
 * @example
 * ```ts
 * const pg = await startPostgres();
 * try {
 *   console.log(pg.url);
 * } finally {
 *   await pg.stop();
 * }
 * ```
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const user = options.user ?? "connectors";
  const password = options.password ?? randomPassword();
  const database = options.database ?? "connectors";
  const bin = await findPostgresBin();
  if (isRoot()) await ensureSystemUser(SERVER_USER);
  const port = await freePort();
  const dir = await Deno.makeTempDir({ prefix: "connectors-pg-" });
  const data = `${dir}/data`;
  let started = false;
  const cleanup = async () => {
    if (started) {
      await run(asUser(SERVER_USER, [`${bin}/pg_ctl`, "stop", "-D", data, "-m", "fast", "-w"]))
        .catch(() => {});
    }
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await Deno.writeTextFile(`${dir}/pwfile`, password + "\n");
    if (isRoot()) await run(["chown", "-R", `${SERVER_USER}:`, dir]);
    await run(asUser(SERVER_USER, [
      `${bin}/initdb`,
      "-D",
      data,
      "-U",
      user,
      `--pwfile=${dir}/pwfile`,
      "--auth-host=scram-sha-256",
      "--auth-local=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C",
    ]));
    await Deno.remove(`${dir}/pwfile`);
    await Deno.writeTextFile(`${data}/postgresql.conf`, serverSettings(port, dir), {
      append: true,
    });
    started = true;
    await run(
      asUser(SERVER_USER, [
        `${bin}/pg_ctl`,
        "start",
        "-D",
        data,
        "-l",
        `${dir}/server.log`,
        "-w",
        "-t",
        String(Math.ceil((options.readyTimeoutMs ?? 60_000) / 1000)),
      ]),
    ).catch(async (error) => {
      throw new Error(
        `${error.message}\n--- last lines of the server log ---\n${(await tailFile(
          `${dir}/server.log`,
        ) || "(no server log)")}`,
      );
    });
    await waitUntil(async () => {
      const { code } = await new Deno.Command(`${bin}/pg_isready`, {
        args: ["-h", "127.0.0.1", "-p", String(port), "-d", "postgres"],
        stdout: "null",
        stderr: "null",
      }).output();
      return code === 0;
    }, {
      what: `PostgreSQL on 127.0.0.1:${port}`,
      timeoutMs: options.readyTimeoutMs ?? 60_000,
    }).catch(async (error) => {
      throw new Error(
        `${error.message}\n--- last lines of the server log ---\n${(await tailFile(
          `${dir}/server.log`,
        ) || "(no server log)")}`,
      );
    });
    await run(
      [
        `${bin}/psql`,
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        user,
        "-d",
        "postgres",
        "-qc",
        `CREATE DATABASE "${database}"`,
      ],
      { env: { PGPASSWORD: password } },
    ).catch(() => {
      throw new Error(`PostgreSQL on 127.0.0.1:${port}: cannot create database "${database}"`);
    });
    const version = (await run([`${bin}/postgres`, "--version"])).match(/\d+(\.\d+)+/)?.[0] ?? "?";
    let stopped: Promise<void> | undefined;
    return {
      host: "127.0.0.1",
      port,
      user,
      password,
      database,
      url: `postgres://${encodeURIComponent(user)}:${
        encodeURIComponent(password)
      }@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      version,
      stop: () => stopped ??= cleanup(),
      kill: () => {
        const [command, ...args] = asUser(SERVER_USER, [
          `${bin}/pg_ctl`,
          "stop",
          "-D",
          data,
          "-m",
          "immediate",
        ]);
        new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync();
        Deno.removeSync(dir, { recursive: true });
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Settings appended to postgresql.conf: loopback only, socket in our dir, speed over safety. */
function serverSettings(port: number, dir: string): string {
  return [
    "",
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    "track_commit_timestamp = on",
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "",
  ].join("\n");
}

/** The newest `/usr/lib/postgresql/<major>/bin`, where Debian installs the server binaries. */
async function findPostgresBin(): Promise<string> {
  const majors: number[] = [];
  try {
    for await (const entry of Deno.readDir("/usr/lib/postgresql")) {
      if (
        /^\d+$/.test(entry.name) && await exists(`/usr/lib/postgresql/${entry.name}/bin/initdb`)
      ) {
        majors.push(Number(entry.name));
      }
    }
  } catch {
    // Not installed; reported below.
  }
  if (majors.length === 0) {
    throw new Error(
      "no PostgreSQL server found under /usr/lib/postgresql/*/bin: install it with `apt-get install -y postgresql`",
    );
  }
  return `/usr/lib/postgresql/${Math.max(...majors)}/bin`;
}

async function ensureSystemUser(name: string): Promise<void> {
  const { code } = await new Deno.Command("id", {
    args: ["-u", name],
    stdout: "null",
    stderr: "null",
  })
    .output();
  if (code !== 0) await run(["useradd", "--system", "--no-create-home", name]);
}
