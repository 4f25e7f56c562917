import assert from "node:assert/strict";
import { ConfigValueError } from "../../lib/source/types.ts";
import { MIN_BATCH_ROWS, POSTGRESQL_CONFIG_SCHEMA, readSettings } from "./config.ts";

const valid = {
  host: "db",
  port: 5432,
  username: "u",
  password: " secret with spaces ",
  database: "d",
  schema: "public",
  tables: "*",
  fetch_size: 50,
  retry_count: 3,
  ssl_enabled: false,
  ssl_ca: "",
};

Deno.test("fields keep the reference's names, order and defaults", () => {
  assert.deepEqual(Object.keys(POSTGRESQL_CONFIG_SCHEMA), [
    "host",
    "port",
    "username",
    "password",
    "database",
    "schema",
    "tables",
    "fetch_size",
    "retry_count",
    "ssl_enabled",
    "ssl_ca",
    "connect_timeout",
  ]);
  assert.equal(POSTGRESQL_CONFIG_SCHEMA.password.sensitive, true);
  assert.equal(POSTGRESQL_CONFIG_SCHEMA.tables.value, "*");
  assert.equal(POSTGRESQL_CONFIG_SCHEMA.fetch_size.default_value, 50);
  assert.deepEqual(POSTGRESQL_CONFIG_SCHEMA.ssl_ca.depends_on, [{
    field: "ssl_enabled",
    value: true,
  }]);
});

Deno.test("settings: wildcard, batch floor, password kept as typed", () => {
  const settings = readSettings(valid);
  assert.deepEqual(settings.tables, []);
  assert.equal(settings.batchRows, MIN_BATCH_ROWS);
  assert.equal(settings.password, " secret with spaces ");
  assert.equal(readSettings({ ...valid, fetch_size: 5000, tables: "a, b" }).batchRows, 5000);
  assert.deepEqual(readSettings({ ...valid, tables: "a, b" }).tables, ["a", "b"]);
});

Deno.test("settings errors name the field and the fix", () => {
  assert.throws(() => readSettings({ ...valid, host: "" }), ConfigValueError);
  assert.throws(
    () => readSettings({ ...valid, fetch_size: -1 }),
    /'Rows fetched per request' \(fetch_size\)/,
  );
  assert.throws(() => readSettings({ ...valid, ssl_enabled: true }), /ssl_ca/);
});
