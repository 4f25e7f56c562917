/**
 * Progress of `connectors sync` against the real test Elasticsearch and PostgreSQL: the live
 * line under a pseudo-terminal (`script` from util-linux), plain output without one, the
 * `--progress json` lines, and the sources' estimated totals (PostgreSQL, MariaDB, dir).
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import postgres from "postgres";
import { dirConnector } from "../connectors/dir/mod.ts";
import { mysqlConnector } from "../connectors/mysql/mod.ts";
import { estimateRows as mysqlEstimate } from "../connectors/mysql/estimate.ts";
import { postgresqlConnector } from "../connectors/postgresql/mod.ts";
import { estimateRows as postgresEstimate } from "../connectors/postgresql/estimate.ts";
import { Logger } from "../lib/log/mod.ts";
import { type ConfigValues, fullConfiguration, type SyncContext } from "../lib/source/mod.ts";
import { parseProgressLine, type ProgressSnapshot } from "../lib/sync/mod.ts";
import { testMariadb } from "./support/mariadb.ts";
import {
  postgresConnectionValues,
  testElasticsearch,
  testPostgres,
  uniqueIndexName,
} from "./support/servers.ts";
import { CLI, runConnectors, runInTerminal } from "./support/cli.ts";
import { jobsOf, serviceKit, writeConfigFile } from "./support/service_fixtures.ts";

const server = await testElasticsearch();
const pg = await testPostgres();
const maria = await testMariadb();
const kit = await serviceKit(server);
const ROWS = 3_000;
const PHASES = ["starting", "connecting", "indexing", "deleting stale documents", "done"];

const SCHEMA = `progress_${crypto.randomUUID().slice(0, 8)}`;
const admin = postgres(pg.url, { max: 2, onnotice: () => {} });
await admin`CREATE SCHEMA ${admin(SCHEMA)}`;
await admin.unsafe(`
  CREATE TABLE "${SCHEMA}".items (id int PRIMARY KEY, title text, body text);
  INSERT INTO "${SCHEMA}".items
    SELECT g, 'item ' || g, repeat(md5(g::text), 6) FROM generate_series(1, ${ROWS}) g;
  CREATE TABLE "${SCHEMA}".other (id int PRIMARY KEY);
  INSERT INTO "${SCHEMA}".other SELECT generate_series(1, 7);
  CREATE TABLE "${SCHEMA}".nokey (id int);
  INSERT INTO "${SCHEMA}".nokey SELECT generate_series(1, 5);
  CREATE TABLE "${SCHEMA}".parts (id int PRIMARY KEY) PARTITION BY RANGE (id);
  CREATE TABLE "${SCHEMA}".parts_low PARTITION OF "${SCHEMA}".parts FOR VALUES FROM (0) TO (20);
  CREATE TABLE "${SCHEMA}".parts_high PARTITION OF "${SCHEMA}".parts FOR VALUES FROM (20) TO (100);
  INSERT INTO "${SCHEMA}".parts SELECT generate_series(1, 30);
`);
globalThis.addEventListener("unload", () => {
  kit.es.close();
});

function pgValues(overrides: ConfigValues = {}): ConfigValues {
  return {
    ...postgresConnectionValues(pg),
    schema: SCHEMA,
    tables: "*",
    fetch_size: 1000,
    retry_count: 3,
    ssl_enabled: false,
    ssl_ca: "",
    connect_timeout: 10,
    ...overrides,
  };
}

function context(advancedRules?: unknown): SyncContext {
  return {
    signal: new AbortController().signal,
    logger: new Logger({ test: "progress" }),
    advancedRules,
    maxFileSize: 10_000_000,
    warn: () => {},
  };
}

/** A PostgreSQL connector over `items` and a config file naming it. */
async function itemsConnector(label: string): Promise<{ id: string; config: string }> {
  const indexName = uniqueIndexName(label);
  const configuration = fullConfiguration(postgresqlConnector.configSchema);
  for (const [key, value] of Object.entries(pgValues({ tables: "items" }))) {
    (configuration[key] as { value: unknown }).value = value;
  }
  const id = `conn-${indexName}`;
  await kit.connectors.create({
    id,
    indexName,
    serviceType: "postgresql",
    configuration,
    features: postgresqlConnector.features,
  });
  // Small sequential bulks: the sync lasts long enough for several progress frames.
  const config = await writeConfigFile({
    elasticsearch: {
      host: server.url,
      username: server.username,
      password: server.password,
      bulk: { chunk_size: 100, max_concurrency: 1 },
    },
    connectors: [{ connector_id: id, service_type: "postgresql" }],
  });
  return { id, config };
}

const SUMMARY = new RegExp(
  `^job \\S+ \\(full\\) completed in \\d+\\.\\d s: ${ROWS} created, 0 updated, 0 deleted, ` +
    `0 failed, \\d+\\.\\d docs/s$`,
);
const TIMESTAMPED = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING)/g;

Deno.test("sync on a terminal: a live progress line with counts, rate, ETA and total; summary intact", async () => {
  const { id, config } = await itemsConnector("progress-tty");
  const result = await runInTerminal([...CLI, "sync", "--id", id, "--full", "-c", config]);
  const output = result.stdout;
  assert.equal(result.code, 0, output);
  const frames = output.split("\r\x1b[2K").map((frame) => frame.replace(/\r?\n$/, ""));
  const live = new RegExp(
    `^indexing \\d+% ETA \\d+:\\d\\d \\| [1-9]\\d* indexed, 0 deleted, 0 failed \\| ` +
      `[\\d.]+ docs/s, [\\d.]+ MB/s \\| \\d+:\\d\\d elapsed \\| \\d+ of ~${ROWS} read$`,
  );
  const indexing = frames.filter((frame) => live.test(frame));
  assert.ok(indexing.length > 0, `an indexing frame with documents indexed:\n${frames.join("\n")}`);
  // Log lines start on a cleared line (or at the start), never in the middle of the progress.
  for (const match of output.matchAll(TIMESTAMPED)) {
    const before = output.slice(Math.max(0, match.index - 5), match.index);
    assert.ok(
      match.index === 0 || before.endsWith("\x1b[2K") || before.endsWith("\n"),
      `log line glued to other output: ${
        JSON.stringify(output.slice(match.index - 40, match.index + 40))
      }`,
    );
  }
  // The summary comes last, alone on a cleared line.
  const last = frames.at(-1)!.replace(/\r$/, "");
  assert.match(last, SUMMARY);
  const [job] = await jobsOf(kit, id);
  const progress = job.doc.metadata.progress as ProgressSnapshot;
  assert.equal(progress.phase, "done");
  assert.equal(progress.estimated_total, ROWS);
  assert.equal(progress.indexed, ROWS);
});

Deno.test("sync without a terminal: no control characters, only the summary on stdout", async () => {
  const { id, config } = await itemsConnector("progress-pipe");
  const result = await runConnectors(["sync", "--id", id, "--full", "-c", config]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout.trimEnd(), SUMMARY);
  assert.equal(result.stdout.split("\n").length, 2, "one line on stdout");
  for (const text of [result.stdout, result.stderr]) {
    assert.ok(!text.includes("\x1b"), "no escape codes");
    assert.ok(!text.includes("\r"), "no carriage returns");
  }
});

Deno.test("sync --progress json: a parseable progress line per second on stderr", async () => {
  const { id, config } = await itemsConnector("progress-json");
  const result = await runConnectors([
    "sync",
    "--id",
    id,
    "--full",
    "-c",
    config,
    "--progress",
    "json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout.trimEnd(), SUMMARY);
  const snapshots = result.stderr.split("\n").map(parseProgressLine).filter((s) => s !== undefined);
  assert.ok(snapshots.length > 0, result.stderr);
  for (const snapshot of snapshots) {
    assert.ok(PHASES.includes(snapshot.phase), snapshot.phase);
    assert.equal(typeof snapshot.docs_per_sec, "number");
    assert.equal(typeof snapshot.elapsed_seconds, "number");
  }
  const counted = snapshots.filter((s) => s.phase !== "starting" && s.phase !== "connecting");
  for (const snapshot of counted) assert.equal(snapshot.estimated_total, ROWS);
  const elapsed = snapshots.map((s) => s.elapsed_seconds);
  assert.deepEqual(elapsed, [...elapsed].sort((a, b) => a - b), "in order");
  const last = snapshots.at(-1)!;
  assert.equal(last.phase, "done", "the last line is the final state");
  assert.equal(last.indexed, ROWS);
});

Deno.test("postgresql estimate: primary-key tables only, configured tables, partitions summed", async () => {
  const estimate = async (values: ConfigValues, rules?: unknown) => {
    const source = postgresqlConnector.create({ config: pgValues(values), logger: new Logger() });
    try {
      return await source.estimateTotal!(context(rules));
    } finally {
      await source.close();
    }
  };
  assert.equal(await estimate({}), ROWS + 7 + 30, "items, other and parts; nokey is skipped");
  assert.equal(await estimate({ tables: "other,nokey" }), 7);
  assert.equal(await estimate({ tables: "parts" }), 30);
  assert.equal(
    await estimate({}, [{ tables: ["items"], query: `SELECT * FROM "${SCHEMA}".items` }]),
    null,
    "custom queries cannot be estimated",
  );
});

Deno.test("postgresql estimate of large tables: statistics scaled to the size now, else unknown", async () => {
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`
      CREATE TABLE "${SCHEMA}".fresh (id int PRIMARY KEY) WITH (autovacuum_enabled = false);
      INSERT INTO "${SCHEMA}".fresh SELECT generate_series(1, 500);
      ANALYZE "${SCHEMA}".items;
    `);
    const asLarge = (tables: string[]) =>
      postgresEstimate(sql, { schema: SCHEMA, tables, exactCountMaxBytes: 0 });
    assert.equal(await asLarge(["fresh"]), null, "never analyzed");
    assert.equal(await asLarge(["items"]), ROWS);
    await sql.unsafe(`INSERT INTO "${SCHEMA}".items
      SELECT g, 'item ' || g, repeat(md5(g::text), 6) FROM generate_series(${ROWS + 1}, ${
      2 * ROWS
    }) g`);
    const grown = (await asLarge(["items"]))!;
    assert.ok(Math.abs(grown - 2 * ROWS) < ROWS / 5, `follows growth since ANALYZE: ${grown}`);
    await sql.unsafe(`DELETE FROM "${SCHEMA}".items WHERE id > ${ROWS}`);
  } finally {
    await sql.end();
  }
});

Deno.test("mysql estimate: primary-key tables, configured tables, TABLE_ROWS for large ones", async () => {
  const database = `progress_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const connection = await mysql.createConnection({
    host: maria.host,
    port: maria.port,
    user: maria.user,
    password: maria.password,
    multipleStatements: true,
  });
  try {
    await connection.query(`
      CREATE DATABASE \`${database}\`; USE \`${database}\`;
      CREATE TABLE a (id INT PRIMARY KEY) ENGINE=InnoDB;
      INSERT INTO a VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12);
      CREATE TABLE b (id INT) ENGINE=InnoDB; INSERT INTO b VALUES (1),(2),(3);
      CREATE TABLE c (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO c VALUES (1),(2),(3),(4),(5);
      CREATE VIEW v AS SELECT * FROM a;
      ANALYZE TABLE a, c;
    `);
    const estimate = async (tables: string[], rules?: unknown) => {
      const source = mysqlConnector.create({
        config: {
          host: maria.host,
          port: maria.port,
          user: maria.user,
          password: maria.password,
          database,
          tables,
          ssl_enabled: false,
          ssl_ca: "",
          fetch_size: 100,
          retry_count: 0,
          tracking_column: "",
        },
        logger: new Logger(),
      });
      try {
        return await source.estimateTotal!(context(rules));
      } finally {
        await source.close();
      }
    };
    assert.equal(await estimate(["*"]), 17, "a and c; b has no primary key, v is a view");
    assert.equal(await estimate(["c", "b"]), 5);
    assert.equal(await estimate(["*"], [{ tables: ["a"], query: "SELECT * FROM a" }]), null);
    const statistics = await mysqlEstimate(connection, {
      database,
      tables: null,
      exactCountMaxRows: 0,
    });
    assert.ok(statistics > 0 && statistics < 40, `TABLE_ROWS is an estimate: ${statistics}`);
  } finally {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.end();
  }
});

Deno.test("dir estimate: files matching the pattern", async () => {
  const directory = await Deno.makeTempDir({ prefix: "progress-dir-" });
  try {
    await Deno.mkdir(`${directory}/sub/deeper`, { recursive: true });
    for (const name of ["a.txt", "b.md", "sub/c.txt", "sub/deeper/d.txt", "noext"]) {
      await Deno.writeTextFile(`${directory}/${name}`, name);
    }
    const estimate = (pattern: string) =>
      dirConnector.create({ config: { directory, pattern }, logger: new Logger() })
        .estimateTotal!(context());
    assert.equal(await estimate("**/*.*"), 4);
    assert.equal(await estimate("**/*.txt"), 3);
    assert.equal(await estimate("*.txt"), 1);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("cleanup", async () => {
  await admin`DROP SCHEMA ${admin(SCHEMA)} CASCADE`;
  await admin.end();
});
