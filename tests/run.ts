/**
 * The body of `deno task test`: starts one Elasticsearch and one PostgreSQL for the whole run,
 * passes their addresses to `deno test` in `CONNECTORS_TEST_*` env vars, and stops them after.
 *
 * Usage: `deno run -A tests/run.ts [deno test args...]`, e.g. `deno run -A tests/run.ts tests/`.
 * @module
 */

import {
  type ElasticsearchServer,
  type MariadbServer,
  type PostgresServer,
  type S3Server,
  startElasticsearch,
  startMariadb,
  startPostgres,
  startS3,
} from "../lib/harness/mod.ts";
import {
  findLeaks,
  type KnownSecret,
  readRegisteredSecrets,
  SECRETS_FILE_ENV,
  serverSecrets,
} from "./support/secrets.ts";

const servers: Array<ElasticsearchServer | PostgresServer | MariadbServer | S3Server> = [];
let stopping: Promise<void> | undefined;

function stopServers(): Promise<void> {
  return stopping ??= Promise.allSettled(servers.map((server) => server.stop())).then(() => {});
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.addSignalListener(signal, async () => {
    console.error(`\n${signal}: stopping test servers...`);
    await stopServers();
    Deno.exit(code);
  });
}

/** Pinned in README.md, .ci/run and deno.json "engines". */
const PINNED_DENO = "2.9.6";

/** fmt, lint and type check: the same checks CI relies on, before any server starts. */
async function staticChecks(): Promise<boolean> {
  if (Deno.version.deno !== PINNED_DENO) {
    console.error(`warning: running Deno ${Deno.version.deno}; this project pins ${PINNED_DENO}`);
  }
  const checks = [
    ["fmt", "--check"],
    ["lint"],
    ["check", "cli/main.ts", "lib/", "connectors/", "tests/"],
  ];
  for (const args of checks) {
    const { code } = await new Deno.Command(Deno.execPath(), {
      args,
      stdout: "inherit",
      stderr: "inherit",
    })
      .output();
    if (code !== 0) {
      console.error(`deno ${args.join(" ")} failed`);
      return false;
    }
  }
  console.log("deno fmt --check, deno lint and deno check are clean");
  return true;
}

async function main(): Promise<number> {
  if (Deno.env.get("CONNECTORS_SKIP_STATIC_CHECKS") !== "1" && !(await staticChecks())) return 1;
  const started = await Promise.allSettled([
    startElasticsearch(),
    startPostgres(),
    startMariadb(),
    startS3(),
  ]);
  for (const result of started) {
    if (result.status === "fulfilled") servers.push(result.value);
  }
  const failures = started.filter((result) => result.status === "rejected");
  if (failures.length > 0) {
    for (const failure of failures) console.error((failure as PromiseRejectedResult).reason);
    return 1;
  }
  const [es, pg, maria, s3] = servers as [
    ElasticsearchServer,
    PostgresServer,
    MariadbServer,
    S3Server,
  ];
  console.log(`Elasticsearch ${es.version} on ${es.url}`);
  console.log(`PostgreSQL ${pg.version} on ${pg.host}:${pg.port}`);
  console.log(`MariaDB ${maria.version} on ${maria.host}:${maria.port}`);
  console.log(`S3Proxy on ${s3.endpoint}`);
  const secretsFile = await Deno.makeTempFile({ prefix: "connectors-test-secrets-" });
  const env = {
    [SECRETS_FILE_ENV]: secretsFile,
    CONNECTORS_TEST_ES_URL: es.url,
    CONNECTORS_TEST_ES_USERNAME: es.username,
    CONNECTORS_TEST_ES_PASSWORD: es.password,
    CONNECTORS_TEST_PG_URL: pg.url,
    CONNECTORS_TEST_MYSQL_URL: maria.url,
    CONNECTORS_TEST_S3_ENDPOINT: s3.endpoint,
    CONNECTORS_TEST_S3_ACCESS_KEY: s3.accessKeyId,
    CONNECTORS_TEST_S3_SECRET_KEY: s3.secretAccessKey,
  };
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", ...Deno.args],
    env,
    stdin: "inherit",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const [stdout, stderr] = await Promise.all([
      tee(child.stdout, Deno.stdout),
      tee(child.stderr, Deno.stderr),
    ]);
    const { code } = await child.status;
    const secrets = [...serverSecrets(env), ...await readRegisteredSecrets(secretsFile)];
    const leaked = reportLeaks({ stdout, stderr }, secrets);
    return leaked ? 1 : code;
  } finally {
    await Deno.remove(secretsFile).catch(() => {});
  }
}

/** Copies `stream` to `target` as it arrives and returns everything it carried, as text. */
async function tee(
  stream: ReadableStream<Uint8Array>,
  target: typeof Deno.stdout,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    for (let written = 0; written < chunk.length;) {
      written += await target.write(chunk.subarray(written));
    }
  }
  const decoder = new TextDecoder();
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") +
    decoder.decode();
}

/**
 * Secrets must never reach a log or an error (README): prints every line of the run's output
 * that holds one, masked, and returns whether any did.
 */
function reportLeaks(output: Record<string, string>, secrets: KnownSecret[]): boolean {
  let found = 0;
  for (const [stream, text] of Object.entries(output)) {
    for (const leak of findLeaks(text, secrets)) {
      if (found++ === 0) console.error("\nSecrets appeared in the test output:");
      console.error(`  ${leak.kind} on line ${leak.line} of ${stream}: ${leak.masked}`);
    }
  }
  if (found === 0) {
    console.log(`No secret in the test output (${secrets.length} known secrets scanned).`);
  }
  return found > 0;
}

let code = 1;
try {
  code = await main();
} finally {
  await stopServers();
}
Deno.exit(code);
