/**
 * Identifiers from configuration are quoted, never spliced into SQL: a PostgreSQL table named
 * `x"; drop table <schema>.y; --` and a MariaDB table named ``x`; drop table y_<id>; --``, each
 * with columns whose names hold quotes, are synced by the real CLI with every row and value,
 * and the table `y` the names try to drop still exists afterwards with its rows.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import postgres from "postgres";
import { testMariadb } from "../support/mariadb.ts";
import {
  postgresConnectionValues,
  testElasticsearch,
  testEsClient,
  testPostgres,
  uniqueIndexName,
} from "../support/servers.ts";
import { registerSecret } from "../support/secrets.ts";
import { connectors } from "./support_cli.ts";
import {
  createConnector,
  indexCount,
  jobsOf,
  parseSummary,
  writeSyncConfig,
} from "./support_sync.ts";

const ROWS = 3;
const server = await testElasticsearch();
const pg = await testPostgres();
const maria = await testMariadb();
const es = testEsClient(server, { maxRetries: 2 });
await registerSecret("Elasticsearch password", server.password);
await registerSecret("PostgreSQL password", decodeURIComponent(new URL(pg.url).password));
await registerSecret("MariaDB password", maria.password);

/** `name` as a PostgreSQL identifier, written the one safe way. */
function pgIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `name` as a MariaDB identifier. */
function myIdent(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

/** Runs `connectors sync` for the connector and returns the documents of its index by id. */
async function syncAndRead(
  options: { connectorId: string; serviceType: string; indexName: string },
): Promise<Map<string, Record<string, unknown>>> {
  const config = await writeSyncConfig({
    es: server,
    connectorId: options.connectorId,
    serviceType: options.serviceType,
  });
  try {
    const run = await connectors(["sync", "--id", options.connectorId, "--full", "-c", config]);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const summary = parseSummary(run.stdout);
    assert.equal(summary.created, ROWS, run.stdout);
    assert.equal(summary.failed, 0, run.stdout);
    const [job] = await jobsOf(es, options.connectorId);
    assert.equal(job.doc.status, "completed");
    assert.equal(await indexCount(es, options.indexName), ROWS);
    const { body } = await es.request<{ hits: { hits: { _id: string; _source: never }[] } }>(
      "POST",
      `/${options.indexName}/_search`,
      { body: { size: 100 } },
    );
    return new Map(body.hits.hits.map((hit) => [hit._id, hit._source]));
  } finally {
    await Deno.remove(config);
  }
}

Deno.test("PostgreSQL: a table named like an injection and quoted columns sync; table y survives", async () => {
  const url = new URL(pg.url);
  const schema = `faults_sql_${crypto.randomUUID().slice(0, 8)}`;
  const table = `x"; drop table ${schema}.y; --`;
  const quoted = 'say "hi"';
  const apostrophe = "it's";
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  const indexName = uniqueIndexName("faults-sql-pg");
  try {
    await sql.unsafe(`CREATE SCHEMA ${pgIdent(schema)}`);
    await sql.unsafe(`CREATE TABLE ${pgIdent(schema)}.y (id integer PRIMARY KEY)`);
    await sql.unsafe(`INSERT INTO ${pgIdent(schema)}.y VALUES (1), (2)`);
    await sql.unsafe(
      `CREATE TABLE ${pgIdent(schema)}.${pgIdent(table)} (` +
        `id integer PRIMARY KEY, ${pgIdent(quoted)} text, ${pgIdent(apostrophe)} text)`,
    );
    for (let id = 1; id <= ROWS; id++) {
      await sql.unsafe(
        `INSERT INTO ${pgIdent(schema)}.${pgIdent(table)} VALUES ($1, $2, $3)`,
        [id, `hello ${id}`, `value ${id}`],
      );
    }
    const connectorId = await createConnector(es, {
      serviceType: "postgresql",
      indexName,
      values: {
        ...postgresConnectionValues(pg),
        schema,
        tables: table,
      },
    });
    const docs = await syncAndRead({ connectorId, serviceType: "postgresql", indexName });
    const database = decodeURIComponent(url.pathname.slice(1));
    for (let id = 1; id <= ROWS; id++) {
      const doc = docs.get(`${database}_${schema}_${table}_${id}`);
      assert.ok(doc, `row ${id} is a document (ids: ${[...docs.keys()].join(", ")})`);
      assert.equal(doc[`${schema}_${table}_${quoted}`], `hello ${id}`);
      assert.equal(doc[`${schema}_${table}_${apostrophe}`], `value ${id}`);
    }
    const [{ survivors }] = await sql.unsafe(
      `SELECT count(*)::int AS survivors FROM ${pgIdent(schema)}.y`,
    );
    assert.equal(survivors, 2, "table y still exists with its rows");
  } finally {
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${pgIdent(schema)} CASCADE`);
    await sql.end();
    await es.request("DELETE", `/${indexName}`, { allow: [404] });
  }
});

Deno.test("MariaDB: a table named like an injection and quoted columns sync; table y survives", async () => {
  const suffix = crypto.randomUUID().slice(0, 8);
  const victim = `y_${suffix}`;
  const table = `x\`; drop table ${victim}; --`;
  const quoted = "say `hi`";
  const doubleQuoted = 'it"s';
  const db = await mysql.createConnection({
    host: maria.host,
    port: maria.port,
    user: maria.user,
    password: maria.password,
    database: maria.database,
  });
  const indexName = uniqueIndexName("faults-sql-mysql");
  try {
    await db.query(`CREATE TABLE ${myIdent(victim)} (id int PRIMARY KEY)`);
    await db.query(`INSERT INTO ${myIdent(victim)} VALUES (1), (2)`);
    await db.query(
      `CREATE TABLE ${myIdent(table)} (` +
        `id int PRIMARY KEY, ${myIdent(quoted)} text, ${myIdent(doubleQuoted)} text)`,
    );
    for (let id = 1; id <= ROWS; id++) {
      await db.execute(`INSERT INTO ${myIdent(table)} VALUES (?, ?, ?)`, [
        id,
        `hello ${id}`,
        `value ${id}`,
      ]);
    }
    const connectorId = await createConnector(es, {
      serviceType: "mysql",
      indexName,
      values: {
        host: maria.host,
        port: maria.port,
        user: maria.user,
        password: maria.password,
        database: maria.database,
        tables: table,
      },
    });
    const docs = await syncAndRead({ connectorId, serviceType: "mysql", indexName });
    for (let id = 1; id <= ROWS; id++) {
      const doc = docs.get(`${table}_${id}`);
      assert.ok(doc, `row ${id} is a document (ids: ${[...docs.keys()].join(", ")})`);
      assert.equal(doc[quoted], `hello ${id}`);
      assert.equal(doc[doubleQuoted], `value ${id}`);
      assert.equal(doc.Table, table);
    }
    const [rows] = await db.query(`SELECT count(*) AS survivors FROM ${myIdent(victim)}`);
    assert.equal(Number((rows as { survivors: number }[])[0].survivors), 2, "y still exists");
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${myIdent(table)}, ${myIdent(victim)}`);
    await db.end();
    await es.request("DELETE", `/${indexName}`, { allow: [404] });
  }
});
