/**
 * Integration tests of the `postgresql` connector against a real PostgreSQL: documents and
 * their types, keys, names that need quoting, advanced rules, incremental syncs, errors.
 */

import assert from "node:assert/strict";
import postgres from "postgres";
import { Logger } from "../lib/log/mod.ts";
import type { ConfigValues, SourceDocument, SyncContext } from "../lib/source/types.ts";
import { postgresqlConnector } from "../connectors/postgresql/mod.ts";
import type { PostgresSource } from "../connectors/postgresql/source.ts";
import { runSync, type SyncOptions } from "../lib/sync/mod.ts";
import { testBulkSettings } from "./support/bulk_settings.ts";
import {
  basicAuth,
  testElasticsearch,
  testEsClient,
  testPostgres,
  uniqueIndexName,
} from "./support/servers.ts";

const pg = await testPostgres();
const url = new URL(pg.url);
const DATABASE = decodeURIComponent(url.pathname.slice(1));
const SCHEMA = `conn "test" ü ${crypto.randomUUID().slice(0, 6)}`;
const admin = postgres(pg.url, { max: 2, onnotice: () => {} });

await admin`CREATE SCHEMA ${admin(SCHEMA)}`;

function baseConfig(overrides: ConfigValues = {}): ConfigValues {
  return {
    host: url.hostname,
    port: Number(url.port),
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: DATABASE,
    schema: SCHEMA,
    tables: "*",
    fetch_size: 1000,
    retry_count: 3,
    ssl_enabled: false,
    ssl_ca: "",
    connect_timeout: 5,
    ...overrides,
  };
}

function source(overrides: ConfigValues = {}): PostgresSource {
  return postgresqlConnector.create({
    config: baseConfig(overrides),
    logger: new Logger(),
  }) as PostgresSource;
}

interface Collected {
  docs: SourceDocument[];
  warnings: string[];
}

function context(advancedRules?: unknown): SyncContext & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    signal: new AbortController().signal,
    logger: new Logger({ test: "postgresql" }),
    advancedRules,
    maxFileSize: 10 * 1024 * 1024,
    warn: (message: string) => warnings.push(message),
    warnings,
  };
}

async function fullSync(
  src: PostgresSource,
  advancedRules?: unknown,
): Promise<Collected> {
  const ctx = context(advancedRules);
  const docs: SourceDocument[] = [];
  try {
    for await (const item of src.docs(ctx)) docs.push(item.doc);
  } finally {
    await src.close();
  }
  return { docs, warnings: ctx.warnings };
}

/** Creates `table` in the test schema (DDL after the name) and returns its quoted name. */
async function createTable(table: string, columns: string): Promise<string> {
  const qualified = `"${SCHEMA.replaceAll('"', '""')}"."${table.replaceAll('"', '""')}"`;
  await admin.unsafe(`CREATE TABLE ${qualified} (${columns})`);
  return qualified;
}

function field(table: string, column: string): string {
  return `${SCHEMA}_${table}_${column}`.toLowerCase();
}

Deno.test("every column type round-trips into the expected document field", async () => {
  const t = await createTable(
    "types",
    `id int PRIMARY KEY, small smallint, big bigint, huge bigint, real_v real, double_v double precision,
     nan_v double precision, num numeric(10,2), num_long numeric(40,20), flag boolean, label text,
     js json, jb jsonb, ints int[], texts text[], nested int[][], u uuid, ip inet, net cidr, mac macaddr,
     pt point, seg lseg, bx box, open_path path, closed_path path, poly polygon, circ circle, ln line,
     bits bit(4), vbits varbit(8), bin bytea, ts timestamp, tstz timestamptz, d date, tm time,
     tmtz timetz, iv interval, money_v money, boxes box[], empty_arr int[], nullable text`,
  );
  await admin.unsafe(`INSERT INTO ${t} VALUES (
    1, -3, 9007199254740991, 9223372036854775807, 1.5, 2.25, 'NaN', 12345.67,
    '12345678901234567890.12345678901234567890', true, 'héllo "q"', '{"a": [1, 2]}', '{"b": {"c": null}}',
    '{1,NULL,3}', '{"a b","NULL",NULL,"x\\"y"}', '{{1,2},{3,4}}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '(1.5,2)', '[(1,2),(3,4)]', '((3,4),(1,2))',
    '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(2,0))', '((0,0),(1,0),(1,1))', '<(1,2),3>', '{1,-1,0}',
    B'1010', B'101', '\\x00ff10', '2024-01-31 10:11:12.123456', '2024-01-31 10:11:12.5+02', '2024-02-29',
    '23:59:58.25', '10:00:00+02', '1 year 2 months 3 days 04:05:06.5', 12.34,
    ARRAY['((1,1),(0,0))'::box, '((3,3),(2,2))'::box], '{}', NULL)`);
  const { docs, warnings } = await fullSync(source({ tables: "types" }));
  assert.deepEqual(warnings, []);
  assert.equal(docs.length, 1);
  const doc = docs[0];
  const f = (column: string) => doc[field("types", column)];
  assert.equal(doc._id, `${DATABASE}_${SCHEMA}_types_1`);
  assert.equal(doc.database, DATABASE);
  assert.equal(doc.schema, SCHEMA);
  assert.equal(doc.table, "types");
  assert.match(String(doc._timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
  assert.equal(f("id"), 1);
  assert.equal(f("small"), -3);
  assert.equal(f("big"), 9007199254740991);
  assert.equal(f("huge"), "9223372036854775807");
  assert.equal(f("real_v"), 1.5);
  assert.equal(f("double_v"), 2.25);
  assert.equal(f("nan_v"), null);
  assert.equal(f("num"), 12345.67);
  assert.equal(f("num_long"), "12345678901234567890.12345678901234567890");
  assert.equal(f("flag"), true);
  assert.equal(f("label"), 'héllo "q"');
  assert.deepEqual(f("js"), { a: [1, 2] });
  assert.deepEqual(f("jb"), { b: { c: null } });
  assert.deepEqual(f("ints"), [1, null, 3]);
  assert.deepEqual(f("texts"), ["a b", "NULL", null, 'x"y']);
  assert.deepEqual(f("nested"), [[1, 2], [3, 4]]);
  assert.equal(f("u"), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  assert.equal(f("ip"), "192.168.0.1/24");
  assert.equal(f("net"), "10.0.0.0/8");
  assert.equal(f("mac"), "08:00:2b:01:02:03");
  assert.equal(f("pt"), "(1.5, 2)");
  assert.equal(f("seg"), "[(1, 2), (3, 4)]");
  assert.equal(f("bx"), "[(3, 4), (1, 2)]");
  assert.equal(f("open_path"), "open [(0, 0), (1, 1), (2, 0)]");
  assert.equal(f("closed_path"), "closed [(0, 0), (1, 1), (2, 0)]");
  assert.equal(f("poly"), "[(0, 0), (1, 0), (1, 1)]");
  assert.equal(f("circ"), "((1, 2), 3)");
  assert.equal(f("ln"), "(1, -1, 0)");
  assert.equal(f("bits"), "1010");
  assert.equal(f("vbits"), "101");
  assert.equal(f("bin"), "AP8Q");
  assert.equal(f("ts"), "2024-01-31T10:11:12.123456");
  assert.equal(f("tstz"), "2024-01-31T08:11:12.5+00:00");
  assert.equal(f("d"), "2024-02-29");
  assert.equal(f("tm"), "23:59:58.25");
  assert.equal(f("tmtz"), "10:00:00+02");
  assert.equal(f("iv"), "P1Y2M3DT4H5M6.5S");
  assert.equal(typeof f("money_v"), "string");
  assert.deepEqual(f("boxes"), ["[(1, 1), (0, 0)]", "[(3, 3), (2, 2)]"]);
  assert.deepEqual(f("empty_arr"), []);
  assert.equal(f("nullable"), null);
});

Deno.test("composite keys page through keyset batches without loss or repeats", async () => {
  const t = await createTable(
    "composite",
    "region text, n int, payload text, PRIMARY KEY (region, n)",
  );
  await admin.unsafe(
    `INSERT INTO ${t} SELECT r, n, 'p' || n FROM unnest(ARRAY['eu','us','ap']) r, generate_series(1, 900) n`,
  );
  const { docs, warnings } = await fullSync(source({ tables: "composite", fetch_size: 1000 }));
  assert.deepEqual(warnings, []);
  assert.equal(docs.length, 2700);
  assert.equal(new Set(docs.map((doc) => doc._id)).size, 2700);
  assert.ok(docs.some((doc) => doc._id === `${DATABASE}_${SCHEMA}_composite_eu_17`));
  const sorted = docs.map((
    doc,
  ) => [doc[field("composite", "region")], doc[field("composite", "n")]]);
  assert.deepEqual(sorted[0], ["ap", 1]);
  assert.deepEqual(sorted.at(-1), ["us", 900]);
});

Deno.test("an empty table yields nothing and no warning", async () => {
  await createTable("empty", "id int PRIMARY KEY");
  const { docs, warnings } = await fullSync(source({ tables: "empty" }));
  assert.deepEqual(docs, []);
  assert.deepEqual(warnings, []);
});

Deno.test("names with quotes, spaces and unicode are quoted, never spliced", async () => {
  const table = 'Odd "Table" nämé; DROP';
  const t = await createTable(table, `"Key ""K""" int PRIMARY KEY, "Wert ü" text`);
  await admin.unsafe(`INSERT INTO ${t} VALUES (1, 'eins'), (2, 'zwei')`);
  const { docs, warnings } = await fullSync(source({ tables: [table] }));
  assert.deepEqual(warnings, []);
  assert.deepEqual(docs.map((doc) => doc._id), [
    `${DATABASE}_${SCHEMA}_${table}_1`,
    `${DATABASE}_${SCHEMA}_${table}_2`,
  ]);
  assert.equal(docs[1][field(table, "Wert ü")], "zwei");
  assert.equal(docs[1][field(table, 'Key "K"')], 2);
  assert.equal(docs[1].table, table);
});

Deno.test("a table without primary key is skipped with a warning, and synced with id_columns", async () => {
  const t = await createTable("nopk", "code text, qty int");
  await admin.unsafe(`INSERT INTO ${t} VALUES ('a', 1), ('b', 2)`);
  const skipped = await fullSync(source({ tables: "nopk" }));
  assert.deepEqual(skipped.docs, []);
  assert.equal(skipped.warnings.length, 1);
  assert.match(skipped.warnings[0], /"nopk".*no primary key.*id_columns/);

  const query = `SELECT * FROM ${t} ORDER BY code`;
  const rules = [{ tables: ["nopk"], query, id_columns: ["code"] }];
  const synced = await fullSync(source(), rules);
  assert.deepEqual(synced.warnings, []);
  assert.deepEqual(synced.docs.map((doc) => doc._id), [
    `${DATABASE}_${SCHEMA}_nopk_a`,
    `${DATABASE}_${SCHEMA}_nopk_b`,
  ]);
  assert.equal(synced.docs[1][field("nopk", "qty")], 2);
  assert.deepEqual(synced.docs[1].table, ["nopk"]);
});

Deno.test("a view is synced through an advanced rule with id_columns", async () => {
  const t = await createTable("base_for_view", "id int PRIMARY KEY, v text");
  await admin.unsafe(`INSERT INTO ${t} VALUES (1, 'x'), (2, 'y'), (3, 'z')`);
  const view = `"${SCHEMA.replaceAll('"', '""')}"."a view"`;
  await admin.unsafe(`CREATE VIEW ${view} AS SELECT id, upper(v) AS v FROM ${t} WHERE id > 1`);
  const rules = [{
    tables: ["a view"],
    query: `SELECT * FROM ${view} ORDER BY id`,
    id_columns: ["id"],
  }];
  const src = source();
  assert.deepEqual(await src.validateAdvancedRules(rules), []);
  const { docs, warnings } = await fullSync(src, rules);
  assert.deepEqual(warnings, []);
  assert.deepEqual(docs.map((doc) => [doc._id, doc[field("a view", "v")]]), [
    [`${DATABASE}_${SCHEMA}_a view_2`, "Y"],
    [`${DATABASE}_${SCHEMA}_a view_3`, "Z"],
  ]);
});

Deno.test("advanced rules: shape, unknown tables and invalid queries are reported", async () => {
  const t = await createTable("orders", "id int PRIMARY KEY, customer int, total numeric(8,2)");
  const c = await createTable("customers", "id int PRIMARY KEY, name text");
  await admin.unsafe(`INSERT INTO ${c} VALUES (1, 'Ann'), (2, 'Bob')`);
  await admin.unsafe(`INSERT INTO ${t} VALUES (10, 1, 9.5), (11, 2, 20), (12, 1, 3)`);
  const src = source();
  try {
    assert.deepEqual(await src.validateAdvancedRules([]), []);
    const shape = await src.validateAdvancedRules({ tables: ["orders"] });
    assert.equal(shape.length, 1);
    assert.match(shape[0].message, /JSON array/);
    const fields = await src.validateAdvancedRules([{ tables: [], query: "", extra: 1 }]);
    assert.deepEqual(fields.map((p) => p.id), [
      "advanced_snippet",
      "advanced_snippet",
      "advanced_snippet",
    ]);
    assert.match(fields.map((p) => p.message).join(" | "), /unknown keys extra.*"tables".*"query"/);
    const badTable = await src.validateAdvancedRules([
      { tables: ["orders", "no_such_table"], query: `SELECT * FROM ${t}` },
    ]);
    assert.equal(badTable.length, 1);
    assert.match(badTable[0].message, /not found.*no_such_table/);
    const badQuery = await src.validateAdvancedRules([{
      tables: ["orders"],
      query: "SELEC * FROM orders",
    }]);
    assert.equal(badQuery.length, 1);
    assert.match(badQuery[0].message, /rule 1: the query is not valid: syntax error/);
    const writes = await src.validateAdvancedRules([{
      tables: ["orders"],
      query: `DELETE FROM ${t}`,
    }]);
    assert.match(writes[0].message, /changes data/);
    assert.equal(await admin.unsafe(`SELECT count(*)::int AS n FROM ${t}`).then((r) => r[0].n), 3);
  } finally {
    await src.close();
  }

  const join = [{
    tables: ["orders", "customers"],
    query:
      `SELECT o.id, o.total, c.name FROM ${t} o JOIN ${c} c ON c.id = o.customer WHERE o.total > 5 ORDER BY o.id`,
  }];
  const { docs, warnings } = await fullSync(source(), join);
  assert.deepEqual(warnings, []);
  const prefix = `${SCHEMA}_customers_orders_`.toLowerCase();
  // Ids: both tables' primary keys are named "id": the reference maps them to one field.
  assert.deepEqual(docs.map((doc) => doc._id), [
    `${DATABASE}_${SCHEMA}_customers_orders_10_10`,
    `${DATABASE}_${SCHEMA}_customers_orders_11_11`,
  ]);
  assert.deepEqual(docs.map((doc) => [doc[`${prefix}name`], doc[`${prefix}total`]]), [
    ["Ann", 9.5],
    ["Bob", 20],
  ]);
  assert.deepEqual(docs[0].table, ["orders", "customers"]);
});

Deno.test("incremental sync sends changed and new rows only, and full-reads tables new to the cursor", async () => {
  const t = await createTable("inc", "id int PRIMARY KEY, v text");
  await admin.unsafe(`INSERT INTO ${t} SELECT n, 'v' || n FROM generate_series(1, 50) n`);
  // The cursor looks back 1 s before the sync's start; let these commits fall outside it.
  const [{ inserted }] = await admin`SELECT clock_timestamp()::text AS inserted`;
  await waitForServerClockPast(inserted, 1.2);
  const full = source({ tables: "inc" });
  const first = await fullSync(full);
  assert.equal(first.docs.length, 50);
  const cursor = full.cursor();
  assert.ok(cursor);
  assert.deepEqual((cursor as { tables: string[] }).tables, ["inc"]);

  await admin.unsafe(`UPDATE ${t} SET v = 'changed' WHERE id = 7`);
  await admin.unsafe(`INSERT INTO ${t} VALUES (51, 'new')`);
  const t2 = await createTable("inc_new_table", "id int PRIMARY KEY");
  await admin.unsafe(`INSERT INTO ${t2} VALUES (1), (2)`);

  const incremental = source({ tables: "inc, inc_new_table" });
  const ctx = context();
  const changes = [];
  try {
    for await (const change of incremental.changes!({ ...ctx, cursor })) changes.push(change);
  } finally {
    await incremental.close();
  }
  const ids = changes.map((change) =>
    change.op === "delete" ? "" : `${change.op}:${change.doc._id}`
  );
  assert.deepEqual(ids, [
    `index:${DATABASE}_${SCHEMA}_inc_7`,
    `index:${DATABASE}_${SCHEMA}_inc_51`,
    `index:${DATABASE}_${SCHEMA}_inc_new_table_1`,
    `index:${DATABASE}_${SCHEMA}_inc_new_table_2`,
  ]);
  const updated = changes[0].op === "index" ? changes[0].doc : undefined;
  assert.equal(updated?.[field("inc", "v")], "changed");
  const next = incremental.cursor() as { cursor_timestamp: string; tables: string[] };
  assert.deepEqual(next.tables, ["inc", "inc_new_table"]);
  assert.ok(
    next.cursor_timestamp > String((cursor as { cursor_timestamp: string }).cursor_timestamp),
  );
});

/** Polls the server clock until it is `seconds` past `since`. */
async function waitForServerClockPast(since: string, seconds: number): Promise<void> {
  const deadline = Date.now() + (seconds + 10) * 1000;
  while (Date.now() < deadline) {
    const [row] =
      await admin`SELECT clock_timestamp() > ${since}::timestamptz + make_interval(secs => ${seconds}) AS ok`;
    if (row.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("server clock did not advance");
}

Deno.test("a dropped connection mid-table resumes from the last key", async () => {
  const t = await createTable("resume", "id int PRIMARY KEY, v text");
  await admin.unsafe(`INSERT INTO ${t} SELECT n, 'v' || n FROM generate_series(1, 5000) n`);
  const src = source({ tables: "resume", fetch_size: 1000 });
  const ctx = context();
  const ids: unknown[] = [];
  try {
    for await (const item of src.docs(ctx)) {
      ids.push(item.doc[field("resume", "id")]);
      if (ids.length === 1500) {
        const [row] = await admin`
          SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE application_name = 'elastic-connectors-postgresql'`;
        assert.ok(row.n >= 1);
      }
    }
  } finally {
    await src.close();
  }
  assert.equal(ids.length, 5000);
  assert.deepEqual(ids, Array.from({ length: 5000 }, (_, i) => i + 1));
});

Deno.test("bad credentials give a clear message", async () => {
  const src = source({ password: "not-the-password" });
  try {
    await assert.rejects(
      src.ping(),
      /password authentication failed for user ".*": check username\/password/,
    );
  } finally {
    await src.close();
  }
});

Deno.test("an unreachable host gives a clear message within the timeout", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // a closed local port
  const src = source({ host: "127.0.0.1", port, connect_timeout: 3 });
  const started = Date.now();
  try {
    await assert.rejects(
      src.ping(),
      new RegExp(`cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port} within 3 s`),
    );
  } finally {
    await src.close();
  }
  assert.ok(Date.now() - started < 3500);
});

Deno.test("validateConfig names a missing database, schema or tables", async () => {
  const checks: [ConfigValues, RegExp][] = [
    [{ database: "no_such_db" }, /database "no_such_db" does not exist/],
    [{ schema: "no_such_schema" }, /schema "no_such_schema" does not exist/],
    [
      { tables: "types, missing_one, missing_two" },
      /tables not found in schema .*: missing_one, missing_two/,
    ],
  ];
  for (const [overrides, expected] of checks) {
    const src = source(overrides);
    try {
      await assert.rejects(src.validateConfig(), expected);
    } finally {
      await src.close();
    }
  }
  const ok = source({ tables: "types" });
  try {
    await ok.validateConfig();
  } finally {
    await ok.close();
  }
});

Deno.test("a configured table that does not exist is skipped with a warning", async () => {
  const { docs, warnings } = await fullSync(source({ tables: "types, ghost" }));
  assert.equal(docs.length, 1);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /table "ghost" not found in schema/);
});

Deno.test("rule queries run read-only", async () => {
  const t = await createTable("guarded", "id int PRIMARY KEY");
  await admin.unsafe(`INSERT INTO ${t} VALUES (1)`);
  const rules = [{ tables: ["guarded"], query: `DELETE FROM ${t} RETURNING *` }];
  await assert.rejects(fullSync(source(), rules), /read-only transaction/);
  assert.equal(await admin.unsafe(`SELECT count(*)::int AS n FROM ${t}`).then((r) => r[0].n), 1);
});

Deno.test("throughput: 100k rows through docs()", async () => {
  const t = await createTable(
    "bulk",
    "id bigint PRIMARY KEY, name text, amount numeric(12,2), created timestamptz, tags text[], meta jsonb",
  );
  await admin.unsafe(
    `INSERT INTO ${t} SELECT n, 'name ' || n, n * 1.25, now() - n * interval '1 minute',
    ARRAY['a', 'b' || (n % 10)], jsonb_build_object('n', n, 'even', n % 2 = 0) FROM generate_series(1, 100000) n`,
  );
  await admin.unsafe(`VACUUM ANALYZE ${t}`);
  for (const fetchSize of [1000, 5000]) {
    const src = source({ tables: "bulk", fetch_size: fetchSize });
    const started = performance.now();
    let count = 0;
    try {
      for await (const _ of src.docs(context())) count++;
    } finally {
      await src.close();
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `fetch_size ${fetchSize}: ${count} docs in ${seconds.toFixed(2)} s = ${
        (count / seconds).toFixed(0)
      } docs/s`,
    );
    assert.equal(count, 100000);
  }
});

const esServer = await testElasticsearch();

const BULK = testBulkSettings({
  maxConcurrency: 2,
  concurrentDownloads: 2,
  maxRetries: 3,
  retryIntervalMs: 200,
});

Deno.test("end to end: full then incremental sync into Elasticsearch", async () => {
  const es = testEsClient(esServer, { maxRetries: 2, retryIntervalMs: 200 });
  const t = await createTable("e2e", "id int PRIMARY KEY, title text, meta jsonb, at timestamptz");
  await admin.unsafe(`INSERT INTO ${t} SELECT n, 'title ' || n, jsonb_build_object('n', n),
    '2024-05-01 12:00:00+00'::timestamptz + n * interval '1 hour' FROM generate_series(1, 20) n`);
  const [{ inserted }] = await admin`SELECT clock_timestamp()::text AS inserted`;
  await waitForServerClockPast(inserted, 1.2);
  const indexName = uniqueIndexName("postgresql-e2e");
  const options = (
    jobType: "full" | "incremental",
    cursor: SyncOptions["cursor"],
    src: PostgresSource,
  ) =>
    ({
      es,
      indexName,
      language: null,
      jobType,
      source: src,
      features: postgresqlConnector.features,
      basicRules: [],
      pipeline: {
        name: "search-default-ingestion",
        extract_binary_content: true,
        reduce_whitespace: true,
        run_ml_inference: true,
      },
      cursor,
      bulk: BULK,
      maxFileSize: 10 * 1024 * 1024,
      maxDeletionRatio: 0.5,
      allowMassDelete: false,
      signal: new AbortController().signal,
      logger: new Logger({ index_name: indexName }),
    }) satisfies SyncOptions;

  const fullSource = source({ tables: "e2e" });
  const full = await runSync(options("full", null, fullSource)).finally(() => fullSource.close());
  assert.equal(full.stats.indexed_document_count, 20);
  assert.ok(full.cursor);

  await admin.unsafe(`UPDATE ${t} SET title = 'renamed' WHERE id = 3`);
  const incSource = source({ tables: "e2e" });
  const inc = await runSync(options("incremental", full.cursor, incSource)).finally(() =>
    incSource.close()
  );
  assert.equal(inc.stats.indexed_document_count, 1);

  const headers = { ...basicAuth(esServer), "content-type": "application/json" };
  await fetch(`${esServer.url}/${indexName}/_refresh`, { method: "POST", headers }).then((r) =>
    r.body?.cancel()
  );
  const id = encodeURIComponent(`${DATABASE}_${SCHEMA}_e2e_3`);
  const got = await fetch(`${esServer.url}/${indexName}/_doc/${id}`, { headers }).then((r) =>
    r.json()
  );
  assert.equal(got.found, true);
  assert.equal(got._source[field("e2e", "title")], "renamed");
  assert.deepEqual(got._source[field("e2e", "meta")], { n: 3 });
  assert.equal(got._source[field("e2e", "at")], "2024-05-01T15:00:00+00:00");
  const count = await fetch(`${esServer.url}/${indexName}/_count`, { headers }).then((r) =>
    r.json()
  );
  assert.equal(count.count, 20);
});

Deno.test("cleanup", async () => {
  await admin`DROP SCHEMA ${admin(SCHEMA)} CASCADE`;
  await admin.end();
});
