/**
 * The body of `deno task test`: starts one Elasticsearch and one PostgreSQL for the whole run,
 * passes their addresses to `deno test` in `CONNECTORS_TEST_*` env vars, and stops them after.
 *
 * Usage: `deno run -A tests/run.ts [deno test args...]`, e.g. `deno run -A tests/run.ts tests/`.
 * @module
 */

import {
  type ElasticsearchServer,
  type PostgresServer,
  startElasticsearch,
  startPostgres,
} from "../lib/harness/mod.ts";

const servers: Array<ElasticsearchServer | PostgresServer> = [];
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

async function main(): Promise<number> {
  const started = await Promise.allSettled([startElasticsearch(), startPostgres()]);
  for (const result of started) {
    if (result.status === "fulfilled") servers.push(result.value);
  }
  const failures = started.filter((result) => result.status === "rejected");
  if (failures.length > 0) {
    for (const failure of failures) console.error((failure as PromiseRejectedResult).reason);
    return 1;
  }
  const [es, pg] = servers as [ElasticsearchServer, PostgresServer];
  console.log(`Elasticsearch ${es.version} on ${es.url}`);
  console.log(`PostgreSQL ${pg.version} on ${pg.host}:${pg.port}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", ...Deno.args],
    env: {
      CONNECTORS_TEST_ES_URL: es.url,
      CONNECTORS_TEST_ES_USERNAME: es.username,
      CONNECTORS_TEST_ES_PASSWORD: es.password,
      CONNECTORS_TEST_PG_URL: pg.url,
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
