/**
 * The data source drops the connector's connection while `connectors sync` (the real CLI, a
 * child process) reads a large table: once in the middle of a page query, once between
 * queries. The sync must resume from the last key it read: every row indexed exactly once
 * (all `created`, none `updated`, so nothing was read twice), no row lost. A query that can
 * only be streamed cannot resume: its sync must end in error saying so, and the next complete.
 *
 * Each fault lands at a known point, without timing guesses: the sync writes through a proxy
 * that holds `_bulk` requests, so the sink fills up and the reader stops mid-table until the
 * proxy lets go. A page query is caught in flight by locking the table first: the next page
 * blocks on the lock and is killed there. The connector logs in as a user of its own, so only
 * its connections are killed (the servers are shared with other tests).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import mysql from "mysql2/promise";
import { ConnectorIndex } from "../../lib/protocol/mod.ts";
import { type Es429Proxy, startEs429Proxy } from "../support/es_429_proxy.ts";
import { testMariadb } from "../support/mariadb.ts";
import {
  testElasticsearch,
  testEsClient,
  testPostgres,
  uniqueIndexName,
} from "../support/servers.ts";
import {
  assertCompletedExactly,
  connectorOf,
  createConnector,
  indexCount,
  jobsOf,
  parseSummary,
  poll,
  spawnSync,
  type SyncChild,
  tailOf,
  writeSyncConfig,
} from "./support_sync.ts";

/** Rows of the resumable tables: the reader stalls twice well before the end. */
const ROWS = 12_000;
/** `_bulk` requests in flight when the sink is full (elasticsearch.bulk.max_concurrency). */
const MAX_CONCURRENCY = 4;

const server = await testElasticsearch();
const pg = await testPostgres();
const maria = await testMariadb();

/** What a test does to the source while the sync runs. */
interface SourceFaults {
  /** Locks the table (returns once the lock is held). */
  lock(): Promise<void>;
  unlock(): Promise<void>;
  /** Kills the connector's connections whose query waits for the lock; how many. */
  killBlocked(): Promise<number>;
  /** Kills every connection of the connector's user; how many. */
  killAll(): Promise<number>;
}

/** A sync of `connectorId` writing through `proxy`, started with every `_bulk` held. */
async function startHeldSync(
  options: { es: typeof server; proxy: Es429Proxy; connectorId: string; serviceType: string },
): Promise<{ sync: SyncChild; stalled(): Promise<void>; failed(): string | undefined }> {
  const config = await writeSyncConfig({
    es: { ...options.es, url: options.proxy.url },
    connectorId: options.connectorId,
    serviceType: options.serviceType,
    settings: { "elasticsearch.bulk.max_concurrency": MAX_CONCURRENCY },
  });
  options.proxy.hold();
  const sync = spawnSync({ config, connectorId: options.connectorId });
  let exited = false;
  sync.done.finally(() => exited = true);
  const failed = () => exited ? `the sync exited early:\n${tailOf(sync.log())}` : undefined;
  return {
    sync,
    failed,
    // The sink is full: the reader waits, between two queries, with rows still unread.
    stalled: async () => {
      await poll(
        "the sync to fill every _bulk slot",
        () => Promise.resolve(options.proxy.held >= MAX_CONCURRENCY ? true : undefined),
        { failed, timeoutMs: 90_000 },
      );
    },
  };
}

/**
 * Runs the sync and injects both faults; checks everything that must hold whichever the
 * source, and returns the sync's log and how many connections each fault killed.
 */
async function syncThroughKills(
  options: {
    label: string;
    serviceType: string;
    values: Record<string, string | number | boolean>;
    faults: SourceFaults;
  },
): Promise<{ stderr: string; killed: number[] }> {
  const es = testEsClient(server);
  const proxy = startEs429Proxy(server.url);
  const indexName = uniqueIndexName(options.label);
  let child: SyncChild | undefined;
  try {
    const connectorId = await createConnector(es, {
      serviceType: options.serviceType,
      indexName,
      values: options.values,
    });
    const { sync, stalled, failed } = await startHeldSync({
      es: server,
      proxy,
      connectorId,
      serviceType: options.serviceType,
    });
    child = sync;

    // 1. Killed in the middle of a query: the next page blocks on the lock and dies there.
    await stalled();
    await options.faults.lock();
    let inFlight: number;
    try {
      proxy.release();
      inFlight = await poll("a page query of the connector to wait for the lock", async () => {
        const killed = await options.faults.killBlocked();
        return killed > 0 ? killed : undefined;
      }, { failed, timeoutMs: 60_000 });
      proxy.hold();
    } finally {
      await options.faults.unlock();
    }
    // 2. Killed between queries: the reader idles while the sink is full again.
    await stalled();
    const before = await indexCount(es, indexName);
    assert.ok(before < ROWS / 2, `the second kill must land mid-sync (${before} of ${ROWS})`);
    const idle = await options.faults.killAll();
    proxy.release();

    const run = await sync.finish();
    assertCompletedExactly(run, ROWS, `every row read once, none again: ${run.stdout}`);
    const twice = [...proxy.counters.acceptedById].filter(([, times]) => times !== 1);
    assert.deepEqual(twice, [], "no document written twice");
    assert.equal(proxy.counters.acceptedById.size, ROWS);
    const [job, ...others] = await jobsOf(es, connectorId);
    assert.equal(others.length, 0);
    assert.equal(job.doc.status, "completed");
    assert.equal(job.doc.indexed_document_count, ROWS);
    assert.equal(job.doc.deleted_document_count, 0);
    assert.equal(job.doc.total_document_count, ROWS);
    assert.equal(await indexCount(es, indexName), ROWS);
    const connector = await connectorOf(es, connectorId);
    assert.equal(connector.last_sync_status, "completed");
    assert.equal(connector.last_indexed_document_count, ROWS);
    return { stderr: run.stderr, killed: [inFlight, idle] };
  } finally {
    await proxy.close();
    child?.kill();
    await child?.done;
    await es.request("DELETE", `/${indexName}`, { allow: [404] });
    es.close();
  }
}

Deno.test("PostgreSQL backend terminated mid-query and between queries: the sync resumes, reads each row once", async () => {
  const suffix = crypto.randomUUID().slice(0, 8);
  const schema = `faults_src_${suffix}`;
  const role = `faults_reader_${suffix}`;
  const password = crypto.randomUUID();
  const url = new URL(pg.url);
  const admin = postgres(pg.url, { max: 2, onnotice: () => {} });
  const locker = await admin.reserve();
  try {
    await admin.unsafe(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    await admin.unsafe(
      `CREATE TABLE ${schema}.items (id integer PRIMARY KEY, title text NOT NULL, ` +
        `body text NOT NULL, n integer NOT NULL)`,
    );
    await admin.unsafe(
      `INSERT INTO ${schema}.items SELECT g, 'item ' || g, repeat(md5(g::text), 4), g % 89 ` +
        `FROM generate_series(1, ${ROWS}) AS g`,
    );
    await admin.unsafe(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await admin.unsafe(`GRANT SELECT ON ${schema}.items TO ${role}`);
    const terminate = async (where: string) => {
      const rows = await admin.unsafe(
        `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity ` +
          `WHERE usename = $1 ${where}`,
        [role],
      );
      return rows.filter((row) => row.done === true).length;
    };
    const { stderr, killed } = await syncThroughKills({
      label: "faults-pg-killed",
      serviceType: "postgresql",
      values: {
        host: url.hostname,
        port: Number(url.port),
        username: role,
        password,
        database: decodeURIComponent(url.pathname.slice(1)),
        schema,
        tables: "items",
      },
      faults: {
        lock: async () => {
          await locker`BEGIN`;
          await locker.unsafe(`LOCK TABLE ${schema}.items IN ACCESS EXCLUSIVE MODE`);
        },
        unlock: async () => {
          await locker`ROLLBACK`;
        },
        killBlocked: () => terminate(`AND wait_event_type = 'Lock'`),
        killAll: () => terminate(""),
      },
    });
    assert.deepEqual(killed, [1, 1], "one connection in a query, then one idle");
    // The query killed in flight fails at once; the idle connection's death is met by the
    // next query. Both are retried from the last key read.
    const retries = stderr.match(/reading table "items": .*; retry 1 of 3 in \d+ ms/g) ?? [];
    assert.equal(retries.length, 2, tailOf(stderr));
  } finally {
    locker.release();
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.unsafe(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
    await admin.end();
  }
});

/** A MariaDB table and a user of its own that may only read it. */
async function mariadbFixture(
  options: { table: string; columns: string; rows: () => Iterable<unknown[]> },
) {
  const connect = () =>
    mysql.createConnection({
      host: maria.host,
      port: maria.port,
      user: maria.user,
      password: maria.password,
      database: maria.database,
    });
  const admin = await connect();
  const user = `faults_${crypto.randomUUID().slice(0, 8)}`;
  const password = crypto.randomUUID();
  await admin.query(`CREATE TABLE \`${options.table}\` (${options.columns})`);
  let batch: unknown[][] = [];
  const flush = async () => {
    if (batch.length > 0) await admin.query(`INSERT INTO \`${options.table}\` VALUES ?`, [batch]);
    batch = [];
  };
  for (const row of options.rows()) {
    batch.push(row);
    if (batch.length === 1_000) await flush();
  }
  await flush();
  await admin.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
  await admin.query(`GRANT SELECT ON \`${maria.database}\`.\`${options.table}\` TO ?@'%'`, [user]);
  return {
    admin,
    connect,
    values: {
      host: maria.host,
      port: maria.port,
      user,
      password,
      database: maria.database,
      tables: options.table,
    },
    /** Kills the user's connections matching `where` (SQL on PROCESSLIST); how many. */
    kill: async (where = "") => {
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? ${where}`,
        [user],
      );
      for (const row of rows) await admin.query(`KILL CONNECTION ${Number(row.id)}`);
      return rows.length;
    },
    drop: async () => {
      await admin.query(`DROP TABLE IF EXISTS \`${options.table}\``).catch(() => {});
      await admin.query("DROP USER IF EXISTS ?@'%'", [user]).catch(() => {});
      await admin.end();
    },
  };
}

Deno.test("MariaDB connection killed mid-query and between queries: the sync resumes, reads each row once", async () => {
  const table = `faults_items_${crypto.randomUUID().slice(0, 8)}`;
  const fixture = await mariadbFixture({
    table,
    columns: "id INT PRIMARY KEY, title VARCHAR(100) NOT NULL, body TEXT NOT NULL, n INT NOT NULL",
    rows: function* () {
      for (let id = 1; id <= ROWS; id++) {
        yield [id, `item ${id}`, `body of ${id} `.repeat(8), id % 89];
      }
    },
  });
  const locker = await fixture.connect();
  try {
    const { stderr, killed } = await syncThroughKills({
      label: "faults-mysql-killed",
      serviceType: "mysql",
      values: { ...fixture.values, fetch_size: 1000 },
      faults: {
        lock: async () => {
          await locker.query(`LOCK TABLES \`${table}\` WRITE`);
        },
        unlock: async () => {
          await locker.query("UNLOCK TABLES");
        },
        killBlocked: () => fixture.kill(`AND STATE LIKE '%lock%' AND INFO LIKE 'SELECT%'`),
        killAll: () => fixture.kill(),
      },
    });
    assert.deepEqual(killed, [1, 1], "one connection in a query, then one idle");
    const retries = stderr.match(/MySQL at [\d.]+:\d+: .*; retry 1 of 3 in \d+ ms/g) ?? [];
    assert.equal(retries.length, 2, tailOf(stderr));
  } finally {
    await locker.end().catch(() => {});
    await fixture.drop();
  }
});

Deno.test("MariaDB connection killed while a query streams: the job ends in error saying why, the next sync completes", async () => {
  const table = `faults_stream_${crypto.randomUUID().slice(0, 8)}`;
  const rows = 12_000;
  // Rows of 2 KB: the result outgrows the socket buffers, so the kill meets unread rows.
  const fixture = await mariadbFixture({
    table,
    columns: "id INT PRIMARY KEY, body TEXT NOT NULL, n INT NOT NULL",
    rows: function* () {
      for (let id = 1; id <= rows; id++) yield [id, `row ${id} `.padEnd(2_000, "x"), id % 89];
    },
  });
  const es = testEsClient(server);
  const proxy = startEs429Proxy(server.url);
  const indexName = uniqueIndexName("faults-mysql-stream");
  const children: SyncChild[] = [];
  try {
    const connectorId = await createConnector(es, {
      serviceType: "mysql",
      indexName,
      values: fixture.values,
    });
    // DISTINCT keeps the derived table from being merged: the server cannot page it.
    const rules = [{ tables: [table], query: `SELECT DISTINCT id, body, n FROM \`${table}\`` }];
    await new ConnectorIndex(es).update(connectorId, (current) => {
      const filtering = structuredClone(current.doc.filtering);
      filtering[0].active.advanced_snippet.value = rules;
      return { filtering };
    });
    const first = await startHeldSync({ es: server, proxy, connectorId, serviceType: "mysql" });
    children.push(first.sync);
    await first.stalled();
    assert.equal(await fixture.kill(), 1);
    proxy.release();

    const run = await first.sync.finish();
    assert.match(run.stderr, /streaming one query/);
    assert.equal(run.code, 1, tailOf(run.stderr));
    const [job] = await jobsOf(es, connectorId);
    assert.equal(job.doc.status, "error");
    assert.match(
      job.doc.error ?? "",
      /^query on faults_stream_\w+: MySQL at [\d.]+:\d+ dropped the connection while the query streamed \(PROTOCOL_CONNECTION_LOST: .*\); a streamed query cannot resume where it stopped, so the sync stops here: run it again$/,
    );
    assert.ok(job.doc.indexed_document_count < rows);
    assert.equal(job.doc.total_document_count, await indexCount(es, indexName));
    const connector = await connectorOf(es, connectorId);
    assert.equal(connector.last_sync_status, "error");
    assert.equal(connector.last_sync_error, job.doc.error);

    const config = await writeSyncConfig({ es: server, connectorId, serviceType: "mysql" });
    const second = spawnSync({ config, connectorId });
    children.push(second);
    const again = await second.finish();
    assert.equal(again.code, 0, tailOf(again.stderr));
    const summary = parseSummary(again.stdout);
    assert.equal(summary.created + summary.updated, rows);
    assert.equal(summary.deleted, 0);
    const [, last] = await jobsOf(es, connectorId);
    assert.equal(last.doc.status, "completed");
    assert.equal(last.doc.indexed_document_count, rows);
    assert.equal(await indexCount(es, indexName), rows);
    assert.equal((await connectorOf(es, connectorId)).last_sync_status, "completed");
  } finally {
    await proxy.close();
    for (const child of children) {
      child.kill();
      await child.done;
    }
    await es.request("DELETE", `/${indexName}`, { allow: [404] });
    es.close();
    await fixture.drop();
  }
});
