import assert from "node:assert/strict";
import { fullConfiguration } from "../lib/source/mod.ts";
import { applyValues, parseSetOptions, readValuesFile } from "./config_values.ts";
import { CommandError } from "./context.ts";

const schema = {
  host: { label: "Host" },
  port: { label: "Port", type: "int" as const },
  password: { label: "Password", sensitive: true },
  pin: { label: "PIN", type: "int" as const, sensitive: true, required: false },
  tables: { label: "Tables", type: "list" as const, value: "*" },
  ssl: { label: "SSL", type: "bool" as const, value: false },
  ssl_ca: { label: "CA", depends_on: [{ field: "ssl", value: true }] },
  mode: {
    label: "Mode",
    required: false,
    validations: [{ type: "included_in" as const, constraint: ["fast", "safe"] }],
  },
};
const apply = (values: Record<string, unknown>) =>
  applyValues(fullConfiguration(schema), { values, schema, serviceType: "db" });
const value = (configuration: Record<string, unknown>, key: string) =>
  (configuration[key] as { value: unknown }).value;

Deno.test("--set pairs split on the first '='", () => {
  assert.deepEqual(parseSetOptions(["a=1", "b=x=y", "c="]), { a: "1", b: "x=y", c: "" });
  assert.throws(() => parseSetOptions(["novalue"]), /expected key=value/);
  assert.throws(() => parseSetOptions(["=1"]), /expected key=value/);
});

Deno.test("values are coerced; status says whether required values are all there", () => {
  const partial = apply({ host: "db", port: " 5432 ", tables: "a, b,,c" });
  assert.equal(partial.status, "needs_configuration");
  assert.deepEqual(partial.missing, ["'Password' (password) cannot be empty."]);
  assert.equal(value(partial.configuration, "port"), 5432);
  assert.equal(value(partial.configuration, "tables"), "a,b,c");
  const full = apply({ host: "db", port: 5432, password: "pw", ssl: "yes", ssl_ca: "PEM" });
  assert.equal(full.status, "configured");
  assert.equal(value(full.configuration, "ssl"), true);
  assert.deepEqual(full.missing, []);
});

Deno.test("bad values and unknown fields are refused, one line each, secrets not shown", () => {
  try {
    apply({ port: "80a", prot: "1", pin: "s3cret" });
    assert.fail("should throw");
  } catch (error) {
    assert.ok(error instanceof CommandError);
    const lines = error.message.split("\n");
    assert.deepEqual(lines, [
      `'Port' (port) must be a whole number (int), got "80a".`,
      `db has no configuration field "prot"; did you mean "port"?`,
      `'PIN' (pin) must be a whole number (int), got <hidden>.`,
    ]);
  }
  assert.throws(() => apply({ mode: "slow" }), /'Mode' \(mode\) must be one of "fast", "safe"/);
  // A hidden field's value is still type-checked.
  assert.throws(
    () =>
      applyValues(fullConfiguration({ ...schema, ssl_ca: { ...schema.ssl_ca, type: "int" } }), {
        values: { ssl_ca: "x" },
        schema: { ...schema, ssl_ca: { ...schema.ssl_ca, type: "int" as const } },
        serviceType: "db",
      }),
    /\(ssl_ca\) must be a whole number/,
  );
  // Clearing a required value is allowed: the connector just needs configuration again.
  assert.equal(apply({ host: "", port: 1, password: "pw" }).status, "needs_configuration");
});

Deno.test("--from-file reads JSON or YAML mappings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/v.json`, '{"port": 3306, "tables": ["a", "b"]}');
    assert.deepEqual(await readValuesFile(`${dir}/v.json`), { port: 3306, tables: ["a", "b"] });
    await Deno.writeTextFile(`${dir}/v.yml`, "host: db # comment\nssl: true\n");
    assert.deepEqual(await readValuesFile(`${dir}/v.yml`), { host: "db", ssl: true });
    await Deno.writeTextFile(`${dir}/list.yml`, "- a\n");
    await assert.rejects(readValuesFile(`${dir}/list.yml`), /expected a mapping/);
    await Deno.writeTextFile(`${dir}/nested.yml`, "host:\n  value: db\n");
    await assert.rejects(readValuesFile(`${dir}/nested.yml`), /"host" holds an object/);
    await assert.rejects(readValuesFile(`${dir}/missing.yml`), /no such file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
