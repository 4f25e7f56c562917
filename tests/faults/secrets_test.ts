/**
 * Secrets never appear in output or in Elasticsearch documents: failing paths driven through
 * the real CLI (a wrong Elasticsearch password, wrong PostgreSQL, MariaDB and S3 secrets, a
 * connector holding sensitive values, `connector show`, `validate-config`, a sync's ECS JSON
 * logs) are checked for every secret involved, and so are the job and connector documents'
 * error fields. Every secret here is also registered, so tests/run.ts scans the whole run's
 * output for it.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { testMariadb } from "../support/mariadb.ts";
import { testS3 } from "../support/s3.ts";
import {
  assertNoSecrets,
  findLeaks,
  maskSecrets,
  registerSecret,
  serverSecrets,
} from "../support/secrets.ts";
import {
  postgresConnectionValues,
  testElasticsearch,
  testEsClient,
  testPostgres,
  uniqueIndexName,
} from "../support/servers.ts";
import { assertSucceeded, type CliRun, connectors, errorLine } from "./support_cli.ts";
import { connectorOf, createConnector, jobsOf, writeSyncConfig } from "./support_sync.ts";
import type { ConnectorDoc, SyncJobDoc } from "../../lib/protocol/mod.ts";

const server = await testElasticsearch();
const pg = await testPostgres();
const maria = await testMariadb();
const s3 = await testS3();
const es = testEsClient(server, { maxRetries: 2 });
const pgUrl = new URL(pg.url);
await registerSecret("Elasticsearch password", server.password);
await registerSecret("PostgreSQL password", decodeURIComponent(pgUrl.password));
await registerSecret("MariaDB password", maria.password);
await registerSecret("S3 secret access key", s3.secretAccessKey);

const work = await Deno.makeTempDir({ prefix: "connectors-secrets-test-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(work, { recursive: true });
  } catch {
    // Already gone.
  }
});

/** A fresh secret of a recognisable shape, registered for the run-wide scan. */
async function newSecret(kind: string): Promise<string> {
  const value = `s3cr3t-${crypto.randomUUID()}`;
  await registerSecret(kind, value);
  return value;
}

/** Fails when the run's stdout or stderr shows a secret. */
function assertClean(run: CliRun, what: string): void {
  assertNoSecrets(run.stdout, `${what}: stdout`);
  assertNoSecrets(run.stderr, `${what}: stderr`);
}

/** The error-bearing fields of the connector and of its jobs, checked for secrets. */
async function assertDocumentsClean(connectorId: string): Promise<
  { connector: ConnectorDoc; jobs: SyncJobDoc[] }
> {
  const connector = await connectorOf(es, connectorId);
  const jobs = (await jobsOf(es, connectorId)).map((job) => job.doc);
  assertNoSecrets(
    JSON.stringify([
      connector.error,
      connector.last_sync_error,
      connector.last_access_control_sync_error,
    ]),
    `connector ${connectorId}'s error fields`,
  );
  for (const job of jobs) {
    assertNoSecrets(JSON.stringify([job.error, job.metadata]), `job of ${connectorId}`);
  }
  return { connector, jobs };
}

async function writeConfig(tree: Record<string, unknown>): Promise<string> {
  const path = `${work}/config-${crypto.randomUUID().slice(0, 8)}.yml`;
  await Deno.writeTextFile(path, JSON.stringify(tree, null, 2), { mode: 0o600 });
  return path;
}

Deno.test("the scan finds a secret, names its kind and masks it", async () => {
  const secrets = [
    { kind: "Elasticsearch password", value: "hunter2-hunter2" },
    { kind: "API key", value: "a2V5LWlkOmtleS1zZWNyZXQ=" },
  ];
  const text = "line one\nauth failed for hunter2-hunter2 with a2V5LWlkOmtleS1zZWNyZXQ= sent\nok";
  const leaks = findLeaks(text, secrets);
  assert.deepEqual(leaks.map((leak) => [leak.kind, leak.line]), [
    ["Elasticsearch password", 2],
    ["API key", 2],
  ]);
  assert.equal(leaks[0].masked, "auth failed for *** with *** sent");
  assert.deepEqual(findLeaks("nothing to see\n", secrets), []);
  const long = maskSecrets(`\x1b[31m${"x".repeat(400)}hunter2-hunter2\x1b[0m`, secrets);
  assert.equal(long, `...${"x".repeat(150)}***`, "colours removed, cut around the secret");
  await assert.rejects(registerSecret("short", "abc"), /at least 8/);
  const fromEnv = serverSecrets({
    CONNECTORS_TEST_ES_PASSWORD: "es-password-1",
    CONNECTORS_TEST_PG_URL: "postgres://u:pg%2Fpassword@127.0.0.1:1/db",
    CONNECTORS_TEST_S3_SECRET_KEY: "s3-secret-key",
  });
  assert.deepEqual(fromEnv.map((secret) => secret.value), [
    "es-password-1",
    btoa("elastic:es-password-1"),
    "pg/password",
    "s3-secret-key",
  ]);
});

Deno.test("a wrong Elasticsearch password: one line naming the fix, the password nowhere", async () => {
  const wrong = await newSecret("wrong Elasticsearch password");
  await registerSecret("wrong Elasticsearch password (Basic header)", btoa(`elastic:${wrong}`));
  const config = await writeConfig({
    elasticsearch: { host: server.url, username: "elastic", password: wrong },
    connectors: [{ connector_id: "secrets-test", service_type: "dir" }],
  });
  const list = await connectors(["connector", "list", "-c", config]);
  assertClean(list, "connector list");
  assert.match(
    errorLine(list, 1, "connector list"),
    /failed with 401 security_exception: .*; check elasticsearch\.username\/password of user elastic$/,
  );
  const sync = await connectors(["sync", "--id", "secrets-test", "--full", "-c", config]);
  assertClean(sync, "sync");
  assert.match(errorLine(sync, 2, "sync"), /refused the credentials \(HTTP 401\)/);
});

Deno.test("a connector's sensitive values: stored, never shown by create, show, list or set-config", async () => {
  const password = await newSecret("PostgreSQL connector password (connector create)");
  const replaced = await newSecret("PostgreSQL connector password (set-config)");
  const config = await writeConfig({
    elasticsearch: { host: server.url, username: server.username, password: server.password },
    connectors: [],
  });
  const created = await connectors([
    "connector",
    "create",
    "--service-type",
    "postgresql",
    "--index-name",
    uniqueIndexName("faults-secrets-show"),
    "--set",
    "host=db.example.com",
    "--set",
    `password=${password}`,
    "--set",
    "port=not-a-port",
    "-c",
    config,
  ]);
  assertClean(created, "connector create with a bad port");
  assert.match(errorLine(created, 1, "create"), /'Port' \(port\)/);
  const ok = await connectors([
    "connector",
    "create",
    "--service-type",
    "postgresql",
    "--index-name",
    uniqueIndexName("faults-secrets-show"),
    "--set",
    "host=db.example.com",
    "--set",
    `password=${password}`,
    "-o",
    "json",
    "-c",
    config,
  ]);
  assertSucceeded(ok, "connector create");
  assertClean(ok, "connector create");
  const { id } = JSON.parse(ok.stdout) as { id: string };
  const stored = await connectorOf(es, id);
  assert.equal(
    (stored.configuration.password as { value: string }).value,
    password,
    "the secret itself is stored for the service",
  );
  // Generated ids may start with "-", so the id goes after "--", where no option is parsed.
  const onConnector = (command: string, ...options: string[]) =>
    connectors(["connector", command, ...options, "-c", config, "--", id]);
  for (const options of [[], ["-o", "json"]]) {
    const show = await onConnector("show", ...options);
    assertSucceeded(show, `connector show ${options.join(" ")}`);
    assertClean(show, `connector show ${options.join(" ")}`);
    const list = await connectors(["connector", "list", ...options, "-c", config]);
    assertSucceeded(list, `connector list ${options.join(" ")}`);
    assertClean(list, `connector list ${options.join(" ")}`);
  }
  const shown = await onConnector("show", "-o", "json");
  assert.equal(JSON.parse(shown.stdout).configuration.password.value, "<hidden>");
  const refused = await onConnector(
    "set-config",
    "--set",
    `password=${replaced}`,
    "--set",
    "fetch_size=many",
  );
  assertClean(refused, "set-config with a bad value");
  errorLine(refused, 1, "set-config with a bad value");
  const set = await onConnector("set-config", "--set", `password=${replaced}`);
  assertSucceeded(set, "set-config");
  assertClean(set, "set-config");
  const replacedStored = (await connectorOf(es, id)).configuration.password as { value: string };
  assert.equal(replacedStored.value, replaced);
  assertSucceeded(await onConnector("delete", "--hard", "--yes"), "connector delete");
});

Deno.test("validate-config never prints a secret, valid or not", async () => {
  const esPassword = await newSecret("config elasticsearch.password");
  const apiKey = await newSecret("config elasticsearch.api_key");
  const connectorKey = await newSecret("config connectors[].api_key");
  const header = await newSecret("config elasticsearch.headers value");
  const typo = await newSecret("config value under a misspelt key");
  const broken = [
    "elasticsearch:",
    `  host: ${server.url}`,
    "  password:",
    `    nested: ${esPassword}`,
    `  api_key: [${apiKey}]`,
    `  passwrd: ${typo}`,
    "  headers:",
    `    Authorization: Bearer ${header}`,
    "connectors:",
    "  - connector_id: abc",
    "    service_type: postgresql",
    `    api_key: ${connectorKey}`,
    `    pasword: ${typo}`,
    "service:",
    "  log_level: LOUD",
  ].join("\n");
  const brokenPath = `${work}/broken.yml`;
  await Deno.writeTextFile(brokenPath, broken + "\n");
  const invalid = await connectors(["validate-config", "-c", brokenPath]);
  assert.equal(invalid.code, 1, invalid.stdout + invalid.stderr);
  assert.match(invalid.stdout + invalid.stderr, /elasticsearch\.passwrd is not a known key/);
  assertClean(invalid, "validate-config of a broken file");

  const valid = [
    "elasticsearch:",
    "  host: https://127.0.0.1:9200",
    "  username: elastic",
    `  password: ${esPassword}`,
    "  verify_certs: false",
    "  headers:",
    `    X-Api-Token: ${header}`,
    "connectors:",
    "  - connector_id: abc",
    "    service_type: mysql",
    `    api_key: ${connectorKey}`,
  ].join("\n");
  const validPath = `${work}/valid.yml`;
  await Deno.writeTextFile(validPath, valid + "\n");
  const ok = await connectors(["validate-config", "-c", validPath]);
  assertSucceeded(ok, "validate-config");
  assert.match(ok.stdout, /valid/);
  assertClean(ok, "validate-config of a valid file");
  // Credentials written into the host URL are refused without echoing them.
  const inHost = await newSecret("password inside elasticsearch.host");
  const inHostPath = `${work}/in-host.yml`;
  await Deno.writeTextFile(
    inHostPath,
    `elasticsearch:\n  host: http://elastic:${inHost}@127.0.0.1:9200\n`,
  );
  for (const args of [["validate-config"], ["connector", "list"]]) {
    const run = await connectors([...args, "-c", inHostPath]);
    assert.ok(run.code === 1 || run.code === 2, `${args.join(" ")}: ${run.stdout}${run.stderr}`);
    assert.match(run.stdout + run.stderr, /elasticsearch\.host must not hold credentials/);
    assertClean(run, `${args.join(" ")} with a password in the host`);
  }
  // A secret from the environment, as users are told to write them.
  const interpolatedPath = `${work}/interpolated.yml`;
  await Deno.writeTextFile(
    interpolatedPath,
    `elasticsearch:\n  host: ${server.url}\n  api_key: \${SECRETS_TEST_API_KEY}\n`,
  );
  const viaEnv = await connectors(["validate-config", "-c", interpolatedPath], {
    env: { SECRETS_TEST_API_KEY: apiKey },
  });
  assertSucceeded(viaEnv, "validate-config with an interpolated api_key");
  assert.match(viaEnv.stdout, /auth\s+API key/);
  assertClean(viaEnv, "validate-config with an interpolated api_key");
});

Deno.test("sources refusing wrong secrets: sync errors and job documents never hold them", async (t) => {
  const cases = [
    {
      serviceType: "postgresql",
      kind: "wrong PostgreSQL password",
      expected: /password authentication failed/,
      values: (secret: string): Record<string, string | number> => ({
        host: pgUrl.hostname,
        port: Number(pgUrl.port),
        username: decodeURIComponent(pgUrl.username),
        password: secret,
        database: decodeURIComponent(pgUrl.pathname.slice(1)),
        schema: "public",
      }),
    },
    {
      serviceType: "mysql",
      kind: "wrong MariaDB password",
      expected: /Access denied/,
      values: (secret: string): Record<string, string | number> => ({
        host: maria.host,
        port: maria.port,
        user: maria.user,
        password: secret,
        database: maria.database,
      }),
    },
    {
      serviceType: "s3",
      kind: "wrong S3 secret access key",
      expected: /SignatureDoesNotMatch|signature|403/i,
      values: (secret: string): Record<string, string | number> => ({
        buckets: "*",
        aws_access_key_id: s3.accessKeyId,
        aws_secret_access_key: secret,
        endpoint: s3.endpoint,
        max_attempts: 1,
      }),
    },
  ];
  for (const { serviceType, kind, expected, values } of cases) {
    await t.step(`${serviceType}: ${kind}`, async () => {
      const secret = await newSecret(kind);
      const indexName = uniqueIndexName(`faults-secrets-${serviceType}`);
      const connectorId = await createConnector(es, {
        serviceType,
        indexName,
        values: values(secret),
      });
      const config = await writeSyncConfig({ es: server, connectorId, serviceType });
      const run = await connectors(["sync", "--id", connectorId, "--full", "-c", config]);
      assertClean(run, `sync of ${serviceType}`);
      assert.ok(run.code === 1 || run.code === 2, `the sync fails\n${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout + run.stderr, expected);
      const { connector, jobs } = await assertDocumentsClean(connectorId);
      // Exit 1: a job ran and failed; exit 2: refused before any job, the connector says why.
      if (run.code === 1) {
        assert.equal(jobs.length, 1);
        assert.match(jobs[0].error ?? "", expected);
      } else {
        assert.equal(jobs.length, 0);
      }
      assert.ok(connector.error || connector.last_sync_error || run.code === 2);
      await es.request("DELETE", `/${indexName}`, { allow: [404] });
    });
  }
});

Deno.test("a sync's ECS JSON logs at DEBUG hold no secret", async () => {
  const schema = `faults_secrets_${crypto.randomUUID().slice(0, 8)}`;
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  const indexName = uniqueIndexName("faults-secrets-json");
  try {
    await sql.unsafe(`CREATE SCHEMA ${schema}`);
    await sql.unsafe(`CREATE TABLE ${schema}.items (id integer PRIMARY KEY, title text)`);
    await sql.unsafe(
      `INSERT INTO ${schema}.items SELECT g, 'item ' || g FROM generate_series(1, 20) g`,
    );
    const connectorId = await createConnector(es, {
      serviceType: "postgresql",
      indexName,
      values: {
        ...postgresConnectionValues(pg),
        schema,
        tables: "items",
      },
    });
    const config = await writeSyncConfig({
      es: server,
      connectorId,
      serviceType: "postgresql",
      settings: {
        service: { log_level: "DEBUG", log_format: "json" },
        "elasticsearch.bulk.enable_operations_logging": true,
      },
    });
    const run = await connectors(["sync", "--id", connectorId, "--full", "-c", config]);
    assertSucceeded(run, "sync with JSON logs");
    assertClean(run, "sync with JSON logs");
    const lines = run.stderr.split("\n").filter((line) => line !== "");
    assert.ok(lines.length >= 3, run.stderr);
    for (const line of lines) {
      const entry = JSON.parse(line);
      assert.equal(entry["ecs.version"], "1.6.0");
    }
    assert.ok(lines.some((line) => JSON.parse(line)["log.level"] === "debug"), "DEBUG is on");
    await assertDocumentsClean(connectorId);
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
    await es.request("DELETE", `/${indexName}`, { allow: [404] });
  }
});
