/** Integration test: the test PostgreSQL accepts password connections and runs queries. */

import assert from "node:assert/strict";
import postgres from "postgres";
import { testPostgres } from "./support/servers.ts";

const pg = await testPostgres();

Deno.test("PostgreSQL accepts a connection and runs DDL, inserts and selects", async () => {
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    const table = `items_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await sql`CREATE TABLE ${sql(table)} (id serial PRIMARY KEY, name text NOT NULL)`;
    await sql`INSERT INTO ${sql(table)} ${sql([{ name: "alpha" }, { name: "beta" }])}`;
    const rows = await sql<{ id: number; name: string }[]>`
      SELECT id, name FROM ${sql(table)} ORDER BY id`;
    assert.deepEqual(rows.map((row) => row.name), ["alpha", "beta"]);
    const [{ on }] = await sql<
      { on: string }[]
    >`SELECT current_setting('track_commit_timestamp') AS on`;
    assert.equal(on, "on");
    await sql`DROP TABLE ${sql(table)}`;
  } finally {
    await sql.end();
  }
});

Deno.test("PostgreSQL refuses a wrong password", async () => {
  const url = new URL(pg.url);
  url.password = "wrong-password";
  const sql = postgres(url.toString(), { max: 1, connect_timeout: 10 });
  try {
    await assert.rejects(sql`SELECT 1`, /password authentication failed/);
  } finally {
    await sql.end();
  }
});
