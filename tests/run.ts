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
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", ...Deno.args],
    env: {
      CONNECTORS_TEST_ES_URL: es.url,
      CONNECTORS_TEST_ES_USERNAME: es.username,
      CONNECTORS_TEST_ES_PASSWORD: es.password,
      CONNECTORS_TEST_PG_URL: pg.url,
      CONNECTORS_TEST_MYSQL_URL: maria.url,
      CONNECTORS_TEST_S3_ENDPOINT: s3.endpoint,
      CONNECTORS_TEST_S3_ACCESS_KEY: s3.accessKeyId,
      CONNECTORS_TEST_S3_SECRET_KEY: s3.secretAccessKey,
    },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await child.status).code;
}

let code = 1;
try {
  code = await main();
} finally {
  await stopServers();
}
Deno.exit(code);
