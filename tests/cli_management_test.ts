/**
 * Integration test of `connectors connector ...` and `connectors job ...` against a real
 * Elasticsearch: the CLI runs as a child process with a temporary config.yml, and every effect
 * is checked in Elasticsearch itself. Listings are near-real-time, so tests poll for them.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../lib/config/mod.ts";
import { EsClient } from "../lib/es/client.ts";
import {
  type ConnectorDoc,
  ConnectorIndex,
  type SyncJobDoc,
  SyncJobIndex,
} from "../lib/protocol/mod.ts";
import { testElasticsearch, testEsClient, uniqueIndexName } from "./support/servers.ts";
import { type CommandRun, runConnectors } from "./support/cli.ts";

const server = await testElasticsearch();
const es = testEsClient(server, { maxRetries: 1 });
const connectors = new ConnectorIndex(es);
const jobs = new SyncJobIndex(es);
const workDir = await Deno.makeTempDir({ prefix: "cli-management-test-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(workDir, { recursive: true });
  } catch {
    // Already gone.
  }
});

const CONFIG_TEXT = `# Test config: this comment must survive --update-config.
elasticsearch:
  host: ${server.url} # the test cluster
  username: ${server.username}
  password: "${server.password}"

# Connectors served by this process.
connectors: []
`;

/** A fresh config.yml for one test. */
async function writeConfig(): Promise<string> {
  const path = `${workDir}/config-${crypto.randomUUID().slice(0, 8)}.yml`;
  await Deno.writeTextFile(path, CONFIG_TEXT);
  return path;
}

/** Runs `connectors <args> -c <config>` as a child process, stdin closed. */
function cli(config: string, ...args: string[]): Promise<CommandRun> {
  return runConnectors([...args, "-c", config]);
}

/** Runs the CLI and fails the test, showing its output, unless it exits 0. */
async function ok(config: string, ...args: string[]): Promise<CommandRun> {
  const run = await cli(config, ...args);
  assert.equal(run.code, 0, `connectors ${args.join(" ")}\n${run.stdout}\n${run.stderr}`);
  return run;
}

/** What `connector create -o json` prints, as far as these tests read it. */
interface CreatedConnector {
  id: string;
  status: string;
  api_key?: string;
  api_key_id: string | null;
}

/**
 * `connector create --service-type dir --index-name <index> <extra> -o json`, which must exit 0;
 * the connector it prints.
 */
async function createDirConnector(
  config: string,
  index: string,
  ...extra: string[]
): Promise<CreatedConnector> {
  const created = await ok(
    config,
    "connector",
    "create",
    "--service-type",
    "dir",
    "--index-name",
    index,
    ...extra,
    "-o",
    "json",
  );
  return JSON.parse(created.stdout);
}

/** Runs the CLI expecting exit 1 with a one-line error (no stack trace). */
async function fails(config: string, ...args: string[]): Promise<string> {
  const run = await cli(config, ...args);
  assert.equal(run.code, 1, `connectors ${args.join(" ")} should fail\n${run.stdout}${run.stderr}`);
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  return run.stderr;
}

/** Polls `check` until it returns a value (not undefined) or 20 s pass. */
async function poll<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function connectorDoc(id: string): Promise<ConnectorDoc> {
  const stored = await connectors.get(id);
  assert.ok(stored, `connector ${id} exists`);
  return stored.doc;
}

async function indexStatus(index: string): Promise<number> {
  const { status } = await es.request("HEAD", `/${encodeURIComponent(index)}`, { allow: [404] });
  return status;
}

function fieldValue(doc: ConnectorDoc, key: string): unknown {
  return (doc.configuration[key] as { value: unknown }).value;
}

Deno.test("connector create: dir connector with --set values, list, bad values refused", async () => {
  const config = await writeConfig();
  const index = uniqueIndexName("cli-dir");
  const result = await createDirConnector(
    config,
    index,
    "--name",
    "Docs folder",
    "--language",
    "fr",
    "--set",
    `directory=${workDir}`,
    "--set",
    "pattern=**/*.txt",
  );
  assert.equal(result.status, "configured");
  const doc = await connectorDoc(result.id);
  assert.equal(doc.index_name, index);
  assert.equal(doc.service_type, "dir");
  assert.equal(doc.name, "Docs folder");
  assert.equal(doc.language, "fr");
  assert.equal(doc.status, "configured");
  assert.equal(fieldValue(doc, "directory"), workDir);
  assert.equal(fieldValue(doc, "pattern"), "**/*.txt");
  assert.equal((doc.configuration.pattern as { label: string }).label, "File glob-like pattern");
  assert.equal(doc.features?.incremental_sync?.enabled, false);
  assert.equal(doc.features?.sync_rules?.basic?.enabled, true);
  assert.equal(await indexStatus(index), 200, "content index created");

  // Listed (near-real-time, so poll).
  const row = await poll("the connector in connector list", async () => {
    const list = await ok(config, "connector", "list");
    return list.stdout.split("\n").find((line) => line.startsWith(result.id));
  });
  assert.match(row, new RegExp(`${index}\\s+dir\\s+configured`));
  const listed = JSON.parse((await ok(config, "connector", "list", "-o", "json")).stdout) as {
    id: string;
  }[];
  assert.ok(listed.some((entry) => entry.id === result.id));

  // The same index cannot get a second connector.
  const taken = await fails(
    config,
    "connector",
    "create",
    "--service-type",
    "dir",
    "--index-name",
    index,
  );
  assert.match(taken, new RegExp(`index ${index} already belongs to connector ${result.id}`));

  // Unknown field and uncoercible value: one line each, naming the field; nothing created.
  const badIndex = uniqueIndexName("cli-bad");
  const bad = await fails(
    config,
    "connector",
    "create",
    "--service-type",
    "mysql",
    "--index-name",
    badIndex,
    "--set",
    "port=abc",
    "--set",
    "hots=db.example.com",
  );
  const lines = bad.trim().split("\n");
  assert.equal(lines.length, 2, bad);
  assert.match(bad, /'Port' \(port\) must be a whole number \(int\), got "abc"/);
  assert.match(bad, /mysql has no configuration field "hots"; did you mean "host"\?/);
  assert.equal(await indexStatus(badIndex), 404, "nothing created for refused values");

  const unknownType = await fails(
    config,
    "connector",
    "create",
    "--service-type",
    "mysqll",
    "--index-name",
    badIndex,
  );
  assert.match(unknownType, /unknown service type "mysqll" \(did you mean "mysql"\?\);.*\bdir\b/);
  assert.equal(unknownType.trim().split("\n").length, 1);
});

Deno.test("connector create refuses invalid index names before creating anything", async () => {
  const config = await writeConfig();
  const cases: [string, RegExp][] = [
    ["Upper-case", /must be lowercase/],
    ["has space", /must not contain spaces/],
    ["a,b", /must not contain ","/],
    ["a#b", /must not contain "#"/],
    ["a*b", /must not contain "\*"/],
    ["_leading", /must not start with "_"/],
    ["-leading", /must not start with "-"/],
    ["+leading", /must not start with "\+"/],
    ["..", /must not be "\.\."/],
  ];
  for (const [name, reason] of cases) {
    const stderr = await fails(
      config,
      "connector",
      "create",
      "--service-type",
      "dir",
      "--index-name",
      name,
    );
    assert.match(stderr, reason, name);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
  }
});

Deno.test("connector show hides sensitive values; set-config completes the configuration", async () => {
  const config = await writeConfig();
  const index = uniqueIndexName("cli-mysql");
  const password = `pw-${crypto.randomUUID()}`;
  const valuesFile = `${workDir}/values-${crypto.randomUUID().slice(0, 8)}.yml`;
  await Deno.writeTextFile(valuesFile, `host: db.example.com\npassword: "${password}"\n`);
  const created = await ok(
    config,
    "connector",
    "create",
    "--service-type",
    "mysql",
    "--index-name",
    index,
    "--from-file",
    valuesFile,
  );
  const id = created.stdout.match(/Created connector (\S+)\./)?.[1];
  assert.ok(id, created.stdout);
  assert.match(created.stdout, /status:\s+needs_configuration/);
  assert.match(created.stdout, /Still to configure: 'Port' \(port\) cannot be empty\./);
  assert.doesNotMatch(created.stdout + created.stderr, new RegExp(password));
  let doc = await connectorDoc(id);
  assert.equal(doc.status, "needs_configuration");
  assert.equal(fieldValue(doc, "password"), password, "the secret itself is stored");

  const show = await ok(config, "connector", "show", id);
  assert.match(show.stdout, /password \(Password\):\s+<hidden>/);
  assert.match(show.stdout, /host \(Host\):\s+db\.example\.com/);
  assert.match(show.stdout, /status:\s+needs_configuration/);
  assert.match(show.stdout, /incremental sync:\s+true/);
  assert.doesNotMatch(show.stdout + show.stderr, new RegExp(password));
  const json = await ok(config, "connector", "show", id, "-o", "json");
  assert.doesNotMatch(json.stdout, new RegExp(password));
  const shown = JSON.parse(json.stdout);
  assert.equal(shown.id, id);
  assert.equal(shown.configuration.password.value, "<hidden>");
  assert.equal(shown.configuration.host.value, "db.example.com");

  // Bad values are refused and change nothing.
  const refused = await fails(config, "connector", "set-config", id, "--set", "fetch_size=many");
  assert.match(refused, /'Rows fetched per request' \(fetch_size\) must be a whole number/);
  const badCron = await fails(
    config,
    "connector",
    "set-config",
    id,
    "--schedule",
    "full=0 0 3 * *",
  );
  assert.match(badCron, /--schedule full: cron "0 0 3 \* \*": expected 6 or 7 fields/);
  const unsupported = await fails(
    config,
    "connector",
    "set-config",
    id,
    "--enable",
    "access_control",
  );
  assert.match(unsupported, /does not support access control syncs/);
  assert.equal((await connectorDoc(id)).status, "needs_configuration");

  const set = await ok(
    config,
    "connector",
    "set-config",
    id,
    "--set",
    "port= 3306 ",
    "--set",
    "user=reader",
    "--set",
    "database=shop",
    "--set",
    "tables=orders, customers",
    "--schedule",
    "full=0 0 3 * * ?",
    "--enable",
    "full",
    "--enable",
    "incremental",
  );
  assert.match(set.stdout, /status configured/);
  doc = await connectorDoc(id);
  assert.equal(doc.status, "configured");
  assert.equal(fieldValue(doc, "port"), 3306, "coerced to the field's type");
  assert.equal(fieldValue(doc, "tables"), "orders,customers");
  assert.equal(fieldValue(doc, "password"), password, "values not given are kept");
  assert.deepEqual(doc.scheduling.full, { enabled: true, interval: "0 0 3 * * ?" });
  assert.equal(doc.scheduling.incremental.enabled, true);
  assert.equal(doc.scheduling.access_control.enabled, false);
});

Deno.test("connector create --create-api-key --update-config: a working, scoped key in config.yml", async () => {
  const config = await writeConfig();
  const index = uniqueIndexName("cli-key");
  const result = await createDirConnector(config, index, "--create-api-key", "--update-config");
  assert.equal(result.api_key, undefined, "the key went to config.yml, so it is not printed");
  const doc = await connectorDoc(result.id);
  assert.equal(doc.api_key_id, result.api_key_id);

  const text = await Deno.readTextFile(config);
  assert.match(text, /# Test config: this comment must survive --update-config\./);
  assert.match(text, /# the test cluster/);
  assert.match(text, /# Connectors served by this process\./);
  const { config: loaded } = await loadConfig(config);
  assert.equal(loaded.connectors.length, 1);
  const entry = loaded.connectors[0];
  assert.equal(entry.connector_id, result.id);
  assert.equal(entry.service_type, "dir");
  assert.ok(entry.api_key);

  const authorization = `ApiKey ${entry.api_key}`;
  const me = await fetch(`${server.url}/_security/_authenticate`, { headers: { authorization } });
  assert.equal(me.status, 200);
  const identity = await me.json();
  assert.equal(identity.authentication_type, "api_key");
  assert.equal(identity.api_key.id, doc.api_key_id);
  assert.equal(identity.api_key.name, `${index}-connector`);

  const keyClient = new EsClient({
    host: server.url,
    auth: { apiKey: entry.api_key },
    maxRetries: 0,
  });
  const write = await keyClient.request("PUT", `/${index}/_doc/1`, { body: { title: "ok" } });
  assert.equal(write.status, 201, "the key writes to its content index");
  const elsewhere = await keyClient.request("PUT", `/${uniqueIndexName("other")}/_doc/1`, {
    body: { title: "no" },
    allow: [403],
  });
  assert.equal(elsewhere.status, 403, "and nowhere else");
  const { body: keys } = await es.request<{ api_keys: { metadata: Record<string, unknown> }[] }>(
    "GET",
    "/_security/api_key",
    { query: { id: doc.api_key_id! } },
  );
  assert.equal(keys.api_keys[0].metadata.created_by, "connectors CLI");
});

Deno.test("job start, list, view and cancel: pending on-demand job canceled at once", async () => {
  const config = await writeConfig();
  const index = uniqueIndexName("cli-jobs");
  const connectorId = (await createDirConnector(config, index, "--set", `directory=${workDir}`)).id;

  const refused = await fails(config, "job", "start", "-i", connectorId, "-t", "incremental");
  assert.match(refused, /does not have incremental sync enabled/);
  const missing = await fails(config, "job", "start", "-i", "no-such-connector", "-t", "full");
  assert.match(missing, /connector "no-such-connector" does not exist/);

  const started = await ok(config, "job", "start", "-i", connectorId, "-t", "full", "-o", "json");
  const jobId = JSON.parse(started.stdout).id as string;
  const stored = await jobs.get(jobId);
  assert.ok(stored);
  assert.equal(stored.doc.status, "pending");
  assert.equal(stored.doc.trigger_method, "on_demand");
  assert.equal(stored.doc.job_type, "full");
  assert.equal(stored.doc.connector.id, connectorId);
  assert.equal(stored.doc.connector.index_name, index);

  const text = await ok(config, "job", "start", "-i", connectorId, "-t", "full");
  const secondId = text.stdout.match(/Started full sync job (\S+) for connector/)?.[1];
  assert.ok(secondId, text.stdout);

  const listing = await poll("both jobs in job list", async () => {
    const list = await ok(config, "job", "list", connectorId);
    return list.stdout.includes(jobId) && list.stdout.includes(secondId) ? list.stdout : undefined;
  });
  const [header, first, second] = listing.trim().split("\n");
  assert.match(
    header,
    /^JOB ID\s+TYPE\s+STATUS\s+INDEXED\s+DELETED\s+VOLUME \(MiB\)\s+CREATED\s+ERROR/,
  );
  assert.match(first, new RegExp(`^${jobId}\\s+full\\s+pending\\s+0\\s+0\\s+0\\s`), "oldest first");
  assert.ok(second.startsWith(secondId));

  const view = await ok(config, "job", "view", jobId);
  assert.match(view.stdout, new RegExp(`job_id:\\s+${jobId}`));
  assert.match(view.stdout, new RegExp(`connector_id:\\s+${connectorId}`));
  assert.match(view.stdout, /status:\s+pending/);
  assert.match(view.stdout, /trigger_method:\s+on_demand/);

  const noYes = await fails(config, "job", "cancel", jobId);
  assert.match(noYes, /Refusing without --yes/);
  const cancel = await ok(config, "job", "cancel", jobId, "-y");
  assert.match(cancel.stdout, /Canceled job/);
  const canceled = JSON.parse((await ok(config, "job", "view", jobId, "-o", "json")).stdout) as
    & SyncJobDoc
    & { id: string };
  assert.equal(canceled.id, jobId);
  assert.equal(canceled.status, "canceled");
  assert.ok(canceled.cancelation_requested_at);
  assert.ok(canceled.canceled_at);
  const again = await fails(config, "job", "cancel", jobId, "-y");
  assert.match(again, /already ended with status canceled/);

  const only = await poll("the canceled job in job list --status canceled", async () => {
    const list = await ok(config, "job", "list", connectorId, "--status", "canceled");
    return list.stdout.includes(jobId) ? list.stdout : undefined;
  });
  assert.ok(!only.includes(secondId), "--status filters");
});

Deno.test("connector delete: soft by default, --hard removes jobs, --delete-index the index", async () => {
  const config = await writeConfig();
  const index = uniqueIndexName("cli-delete");
  const { id } = await createDirConnector(config, index);
  const job = JSON.parse(
    (await ok(config, "job", "start", "-i", id, "-t", "full", "-o", "json")).stdout,
  );

  await fails(config, "connector", "delete", id);
  await ok(config, "connector", "delete", id, "-y");
  assert.equal((await connectorDoc(id)).deleted, true);
  assert.ok(await jobs.get(job.id), "soft delete keeps the job history");
  await poll("the deleted connector to leave connector list", async () => {
    const list = await ok(config, "connector", "list");
    return list.stdout.includes(id) ? undefined : true;
  });
  const startDeleted = await fails(config, "job", "start", "-i", id, "-t", "full");
  assert.match(startDeleted, new RegExp(`connector "${id}" was deleted`));

  await ok(config, "connector", "delete", id, "--hard", "--delete-index", "-y");
  assert.equal(await connectors.get(id), null);
  assert.equal(await jobs.get(job.id), null, "hard delete removes the jobs");
  assert.equal(await indexStatus(index), 404);
  const gone = await fails(config, "connector", "show", id);
  assert.match(gone, new RegExp(`connector "${id}" does not exist`));
});
