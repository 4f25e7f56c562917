/**
 * Integration tests of the `mysql` connector against a real MariaDB: value serialization,
 * keyset paging, ids, advanced rules, incremental syncs, retries and connection errors.
 */

import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { mysqlConnector, MysqlSource } from "../connectors/mysql/mod.ts";
import { configureLogging, Logger } from "../lib/log/mod.ts";
import { ConfigValueError, type ConfigValues, type Source } from "../lib/source/types.ts";
import type { SourceChange, SourceDocument, SyncContext } from "../lib/source/types.ts";
import { testMariadb } from "./support/mariadb.ts";

const db = await testMariadb();
const database = `mysql_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;

async function admin<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database,
    multipleStatements: true,
  });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

async function sql(text: string): Promise<void> {
  await admin((connection) => connection.query(text));
}

{
  const connection = await mysql.createConnection({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
  });
  await connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  await connection.end();
}

function config(overrides: ConfigValues = {}): ConfigValues {
  return {
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database,
    tables: ["*"],
    ssl_enabled: false,
    ssl_ca: "",
    fetch_size: 5000,
    retry_count: 3,
    tracking_column: "",
    ...overrides,
  };
}

function open(overrides: ConfigValues = {}): Source {
  return mysqlConnector.create({
    config: config(overrides),
    logger: new Logger({ test: "mysql" }),
  });
}

function context(advancedRules?: unknown): SyncContext & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    signal: new AbortController().signal,
    logger: new Logger({ test: "mysql" }),
    advancedRules,
    maxFileSize: 10_000_000,
    warn: (message) => warnings.push(message),
    warnings,
  };
}

async function allDocs(
  source: Source,
  sync = context(),
): Promise<SourceDocument[]> {
  const docs: SourceDocument[] = [];
  for await (const item of source.docs(sync)) docs.push(item.doc);
  return docs;
}

async function withSource<T>(
  overrides: ConfigValues,
  work: (source: Source) => Promise<T>,
): Promise<T> {
  const source = open(overrides);
  try {
    return await work(source);
  } finally {
    await source.close();
  }
}

Deno.test("every column type becomes the documented document value", async () => {
  await sql(`CREATE TABLE types (
    id BIGINT PRIMARY KEY, ti TINYINT, flag BOOL, si SMALLINT, mi MEDIUMINT, i INT,
    ui INT UNSIGNED, big BIGINT, ubig BIGINT UNSIGNED, f FLOAT, d DOUBLE, price DECIMAL(20,5),
    day DATE, zero_day DATE, moment DATETIME(6), stamp TIMESTAMP(3) NULL, span TIME(3), y YEAR,
    bit1 BIT(1), bit10 BIT(10), c CHAR(3), vc VARCHAR(20), tx TEXT, bl BLOB, bn BINARY(4),
    vb VARBINARY(10), e ENUM('a','b'), s SET('x','y','z'), empty_set SET('x','y'), js JSON,
    g GEOMETRY, pt POINT, mp MULTIPOLYGON, gc GEOMETRYCOLLECTION, u UUID, nothing INT)`);
  await sql(`SET SESSION sql_mode = ''; INSERT INTO types VALUES (
    9007199254740993, -5, true, 300, 70000, -2000000000, 4000000000, 42,
    18446744073709551615, 1.5, 2.25, 123456789012345.12345,
    '2024-02-29', '0000-00-00', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.123',
    '-838:59:59.000', 2024, b'1', b'0101010101', 'ab', 'héllo 🎉', 'text', x'00ff10',
    x'01020304', x'0a', 'b', 'x,z', '', '{"a":[1,2],"b":{"c":null}}',
    ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), POINT(1.5, -2),
    ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))'),
    ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))'),
    '123e4567-e89b-12d3-a456-426614174000', NULL)`);
  const docs = await withSource({ tables: ["types"] }, (source) => allDocs(source));
  assert.equal(docs.length, 1);
  const { _timestamp, ...doc } = docs[0];
  assert.match(String(_timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  assert.deepEqual(doc, {
    _id: "types_9007199254740993",
    Table: "types",
    id: "9007199254740993",
    ti: -5,
    flag: 1,
    si: 300,
    mi: 70000,
    i: -2000000000,
    ui: 4000000000,
    big: 42,
    ubig: "18446744073709551615",
    f: 1.5,
    d: 2.25,
    price: "123456789012345.12345",
    day: "2024-02-29",
    zero_day: null,
    moment: "2024-02-29T13:14:15.123456",
    stamp: "2024-02-29T13:14:15.123Z",
    span: "-838:59:59.000",
    y: 2024,
    bit1: "1",
    bit10: "0101010101",
    c: "ab",
    vc: "héllo 🎉",
    tx: "text",
    bl: "AP8Q",
    bn: "AQIDBA==",
    vb: "Cg==",
    e: "b",
    s: ["x", "z"],
    empty_set: [],
    js: { a: [1, 2], b: { c: null } },
    g: "POLYGON((0 0,1 0,1 1,0 0))",
    pt: "POINT(1.5 -2)",
    mp: "MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))",
    gc: "GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))",
    u: "123e4567-e89b-12d3-a456-426614174000",
    nothing: null,
  });
  await sql("DROP TABLE types");
});

Deno.test("composite keys page by keyset across pages, ids join key values with _", async () => {
  await sql(`CREATE TABLE orders (customer INT, code VARCHAR(10), qty INT,
    PRIMARY KEY (customer, code))`);
  const values = [];
  for (let customer = 1; customer <= 4; customer++) {
    for (const code of ["a", "b", "c"]) values.push(`(${customer}, '${code}', ${customer * 10})`);
  }
  await sql(`INSERT INTO orders VALUES ${values.join(",")}`);
  const docs = await withSource({ tables: ["orders"], fetch_size: 5 }, (source) => allDocs(source));
  assert.deepEqual(
    docs.map((doc) => doc._id),
    ["1", "2", "3", "4"].flatMap((customer) =>
      ["a", "b", "c"].map((code) => `orders_${customer}_${code}`)
    ),
  );
  assert.deepEqual(docs[4], {
    ...docs[4],
    customer: 2,
    code: "b",
    qty: 20,
    Table: "orders",
  });
  await sql("DROP TABLE orders");
});

Deno.test("empty tables yield nothing; names needing quotes work", async () => {
  const odd = "we`ird tab 'lé\"";
  await sql("CREATE TABLE empty_one (id INT PRIMARY KEY)");
  await sql(
    `CREATE TABLE \`${odd.replaceAll("`", "``")}\` (\`my \`\`id\` INT PRIMARY KEY, v TEXT)`,
  );
  await sql(`INSERT INTO \`${odd.replaceAll("`", "``")}\` VALUES (1, 'one'), (2, 'two')`);
  const docs = await withSource(
    { tables: ["empty_one", odd], fetch_size: 1 },
    async (source) => {
      await source.validateConfig();
      return allDocs(source);
    },
  );
  assert.deepEqual(docs.map((doc) => [doc._id, doc.Table, doc["my `id"], doc.v]), [
    [`${odd}_1`, odd, 1, "one"],
    [`${odd}_2`, odd, 2, "two"],
  ]);
  await sql(`DROP TABLE empty_one, \`${odd.replaceAll("`", "``")}\``);
});

Deno.test("a table without primary key is skipped with a warning, synced with id_columns", async () => {
  await sql("CREATE TABLE nopk (code VARCHAR(5) NOT NULL, v INT)");
  await sql("INSERT INTO nopk VALUES ('a', 1), ('b', 2), ('c', 3)");
  await sql("CREATE VIEW nopk_view AS SELECT code, v * 2 AS doubled FROM nopk");
  await withSource({ tables: ["nopk"] }, async (source) => {
    const sync = context();
    assert.deepEqual(await allDocs(source, sync), []);
    assert.equal(sync.warnings.length, 1);
    assert.match(sync.warnings[0], /'nopk' has no primary key.*id_columns/);

    const rules = [
      { tables: ["nopk"], query: "SELECT * FROM nopk WHERE v > 1", id_columns: ["code"] },
      { tables: ["nopk_view"], query: "SELECT * FROM nopk_view;", id_columns: ["code"] },
    ];
    assert.deepEqual(await source.validateAdvancedRules!(rules), []);
    const docs = await allDocs(source, context(rules));
    assert.deepEqual(docs.map((doc) => [doc._id, doc.Table, doc.v ?? doc.doubled]), [
      ["nopk_b", ["nopk"], 2],
      ["nopk_c", ["nopk"], 3],
      ["nopk_view_a", ["nopk_view"], 2],
      ["nopk_view_b", ["nopk_view"], 4],
      ["nopk_view_c", ["nopk_view"], 6],
    ]);
    // Stopping a streamed query early leaves the source usable.
    for await (const _ of source.docs(context(rules))) break;
    assert.equal((await allDocs(source, context(rules))).length, 5);
  });
  await sql("DROP VIEW nopk_view; DROP TABLE nopk");
});

Deno.test("advanced rules: validation reports shape, tables, queries and id columns", async () => {
  await sql("CREATE TABLE people (id INT PRIMARY KEY, name TEXT, team INT)");
  await withSource({}, async (source) => {
    assert.deepEqual(await source.validateAdvancedRules!({}), []);
    const shape = await source.validateAdvancedRules!([{ tables: [], query: "", extra: 1 }]);
    assert.deepEqual(shape.map((problem) => problem.id), [
      "advanced_snippet",
      "advanced_snippet",
      "advanced_snippet",
    ]);
    assert.match(shape.map((problem) => problem.message).join(" "), /unknown keys "extra"/);
    const remote = await source.validateAdvancedRules!([
      { tables: ["people", "ghosts"], query: "SELECT * FROM people" },
      { tables: ["people"], query: "SELECT * FROM peeple" },
      { tables: ["people"], query: "SELECT name FROM people" },
      { tables: ["people"], query: "DELETE FROM people" },
    ]);
    const messages = remote.map((problem) => problem.message);
    assert.ok(
      messages.some((message) => /Tables not found or inaccessible: ghosts\./.test(message)),
    );
    assert.ok(messages.some((message) => /Rule 2: the query is not valid: .*peeple/.test(message)));
    assert.ok(messages.some((message) => /Rule 3: .*id column\(s\) id/.test(message)));
    assert.ok(messages.some((message) => /Rule 4: the query is not valid/.test(message)));
  });
  await sql("DROP TABLE people");
});

Deno.test("advanced rules: joins page or stream, ids use sorted tables and key values", async () => {
  await sql(`CREATE TABLE teams (tid INT PRIMARY KEY, title TEXT);
    CREATE TABLE members (mid INT PRIMARY KEY, name TEXT, tid INT);
    INSERT INTO teams VALUES (1, 'red'), (2, 'blue');
    INSERT INTO members VALUES (10, 'ann', 1), (11, 'bob', 2), (12, 'cy', 1)`);
  await withSource({ fetch_size: 2 }, async (source) => {
    const rules = [
      {
        tables: ["teams", "members"],
        query: "SELECT m.mid, m.name, t.tid, t.title FROM members m JOIN teams t USING (tid)",
      },
      {
        tables: ["members"],
        query: "SELECT tid, COUNT(*) AS n FROM members GROUP BY tid",
        id_columns: ["tid"],
      },
      { tables: ["members"], query: "SELECT mid, name AS who FROM members WHERE mid >= 10" },
    ];
    assert.deepEqual(await source.validateAdvancedRules!(rules), []);
    const lines: string[] = [];
    configureLogging({ write: (line) => lines.push(line) });
    const docs = await allDocs(source, context(rules)).finally(() =>
      configureLogging({ write: (line) => console.error(line) })
    );
    // The join and the GROUP BY cannot seek by their ids; the single-table query pages.
    assert.equal(lines.filter((line) => line.includes("streaming one query")).length, 2);
    assert.deepEqual(
      docs.filter((doc) => doc.who).map((doc) => [doc._id, doc.who]),
      [["members_10", "ann"], ["members_11", "bob"], ["members_12", "cy"]],
    );
    assert.deepEqual(
      docs.map((doc) => [doc._id, doc.name ?? doc.n ?? doc.who, doc.Table]).sort(),
      [
        ["members_1", 2, ["members"]],
        ["members_10", "ann", ["members"]],
        ["members_11", "bob", ["members"]],
        ["members_12", "cy", ["members"]],
        ["members_2", 1, ["members"]],
        ["members_teams_10_1", "ann", ["teams", "members"]],
        ["members_teams_11_2", "bob", ["teams", "members"]],
        ["members_teams_12_1", "cy", ["teams", "members"]],
      ],
    );
  });
  await sql("DROP TABLE teams, members");
});

Deno.test("incremental syncs read only rows changed since the cursor", async () => {
  await sql(`CREATE TABLE notes (id INT PRIMARY KEY, body TEXT,
    changed TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY (changed));
    CREATE TABLE plain (id INT PRIMARY KEY);
    INSERT INTO notes (id, body, changed) VALUES
      (1, 'one', '2024-01-01 00:00:01'), (2, 'two', '2024-01-01 00:00:02'),
      (3, 'three', '2024-01-01 00:00:03');
    INSERT INTO plain VALUES (1)`);
  await withSource(
    { tables: ["notes", "plain"], tracking_column: "changed", fetch_size: 1 },
    async (source) => {
      const full = context();
      const docs = await allDocs(source, full);
      assert.equal(docs.length, 4);
      assert.equal(docs[0]._timestamp, "2024-01-01T00:00:01.000000Z");
      assert.match(full.warnings.join(), /table `plain` has no column 'changed'/);
      const cursor = source.cursor!();
      assert.deepEqual(cursor, {
        tracking_column: "changed",
        values: { "table:notes": "2024-01-01 00:00:03.000000", "table:plain": null },
      });

      await sql(`UPDATE notes SET body = 'TWO', changed = '2024-06-01 00:00:00' WHERE id = 2;
      INSERT INTO notes (id, body, changed) VALUES (4, 'four', '2024-06-02 00:00:00')`);
      const changes: SourceChange[] = [];
      for await (const change of source.changes!({ ...context(), cursor })) changes.push(change);
      const seen = changes.map((change) =>
        change.op === "delete" ? change.id : [change.op, change.doc._id, change.doc.body]
      );
      // Row 3 sits on the cursor's boundary and is re-read; row 1 is not. `plain` has no
      // tracking column, so it is read in full.
      assert.deepEqual(seen, [
        ["index", "notes_3", "three"],
        ["index", "notes_2", "TWO"],
        ["index", "notes_4", "four"],
        ["index", "plain_1", undefined],
      ]);
      assert.deepEqual(source.cursor!(), {
        tracking_column: "changed",
        values: { "table:notes": "2024-06-02 00:00:00.000000", "table:plain": null },
      });
    },
  );
  await withSource({ tables: ["notes"] }, async (source) => {
    await assert.rejects(async () => {
      for await (const _ of source.changes!({ ...context(), cursor: null })) { /* none */ }
    }, /tracking_column/);
  });
  await sql("DROP TABLE notes, plain");
});

Deno.test("a page that fails on a dropped connection is retried from the last key", async () => {
  await sql(`CREATE TABLE numbers (n INT PRIMARY KEY);
    INSERT INTO numbers SELECT seq FROM seq_1_to_50`);
  const seen: unknown[] = [];
  await withSource({ tables: ["numbers"], fetch_size: 10, retry_count: 2 }, async (source) => {
    for await (const { doc } of source.docs(context())) {
      seen.push(doc.n);
      if (doc.n === 15) {
        await admin(async (connection) => {
          const [rows] = await connection.query<mysql.RowDataPacket[]>(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()",
            [database],
          );
          assert.equal(rows.length, 1);
          await connection.query(`KILL CONNECTION ${Number(rows[0].ID)}`);
        });
      }
    }
  });
  assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => i + 1));
  await sql("DROP TABLE numbers");
});

Deno.test("bad credentials, missing database and missing tables give clear messages", async () => {
  await withSource({ password: "wrong-password" }, async (source) => {
    await assert.rejects(
      source.ping(),
      (error: Error) =>
        error instanceof ConfigValueError &&
        /Access denied for user .*: check 'Username' \(user\) and 'Password' \(password\)/.test(
          error.message,
        ) && !error.message.includes("wrong-password"),
    );
  });
  await withSource({ database: "no_such_db" }, async (source) => {
    await assert.rejects(source.validateConfig(), /no_such_db.*check 'Database' \(database\)/);
  });
  await sql("CREATE TABLE present (id INT PRIMARY KEY)");
  await withSource({ tables: ["present", "gone", "Present"] }, async (source) => {
    await assert.rejects(
      source.validateConfig(),
      /Tables not found or not accessible for user .*: gone, Present\. Fix 'Comma-separated list of tables'/,
    );
  });
  await sql("DROP TABLE present");
});

Deno.test("an unreachable host fails with a clear message within the connect timeout", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await withSource({ port: closedPort }, async (source) => {
    await assert.rejects(source.ping(), /refused the connection: check 'Host' \(host\) and 'Port'/);
  });
  // A listener that never answers the handshake behaves like a black-holed host.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of silent) accepted.push(conn);
  })();
  const started = Date.now();
  const quick = new MysqlSource({
    config: config({ port: (silent.addr as Deno.NetAddr).port }),
    logger: new Logger(),
    connectTimeoutMs: 1000,
  });
  try {
    await assert.rejects(quick.ping(), /did not answer within 1 s: check 'Host' \(host\)/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  } finally {
    await quick.close();
    silent.close();
    for (const conn of accepted) conn.close();
    await accepting.catch(() => {});
  }
});

Deno.test("throughput: 100k rows through docs()", async () => {
  await sql(`CREATE TABLE bulk (id INT PRIMARY KEY, name VARCHAR(40), score DOUBLE,
    created DATETIME, note TEXT);
    INSERT INTO bulk SELECT seq, CONCAT('name ', seq), seq / 7, '2024-01-01 00:00:00' + INTERVAL seq SECOND,
      REPEAT('x', 100) FROM seq_1_to_100000`);
  await withSource({ tables: ["bulk"] }, async (source) => {
    const started = performance.now();
    let count = 0;
    let last: unknown;
    for await (const { doc } of source.docs(context())) {
      count++;
      last = doc.id;
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `mysql docs(): ${count} rows in ${seconds.toFixed(2)} s = ${
        Math.round(count / seconds)
      } docs/s`,
    );
    assert.equal(count, 100_000);
    assert.equal(last, 100_000);
  });
  await sql("DROP TABLE bulk");
});
