import assert from "node:assert/strict";
import * as YAML from "yaml";
import { appendConnectorEntry } from "./config_append.ts";
import { CommandError } from "./context.ts";

const entry = { connector_id: "abc", service_type: "dir", api_key: "a2V5Omlk" };
const append = (text: string) => appendConnectorEntry(text, { entry, path: "config.yml" });

Deno.test("appends to an existing connectors list, keeping comments and order", () => {
  const text = "# top comment\nelasticsearch:\n  host: http://es:9200 # inline\n\n" +
    "connectors:\n  - connector_id: old # keep me\n    service_type: mysql\nservice:\n  idling: 5\n";
  const result = append(text);
  for (const kept of ["# top comment", "# inline", "# keep me"]) assert.ok(result.includes(kept));
  assert.ok(result.indexOf("elasticsearch") < result.indexOf("connectors"));
  assert.ok(result.indexOf("connectors") < result.indexOf("service:"));
  assert.deepEqual(YAML.parse(result).connectors, [
    { connector_id: "old", service_type: "mysql" },
    entry,
  ]);
});

Deno.test("creates the connectors list when absent, null, empty or the file is empty", () => {
  for (
    const text of ["elasticsearch:\n  host: x\n", "connectors:\n", "connectors: []\n", "", "# c\n"]
  ) {
    const result = append(text);
    assert.deepEqual(YAML.parse(result).connectors, [entry], text);
    assert.doesNotMatch(result, /\[/, "block style, not a flow list");
  }
  assert.ok(append("# c\n").includes("# c"));
});

Deno.test("leaves out absent keys and refuses files it cannot edit safely", () => {
  const result = appendConnectorEntry("", {
    entry: { connector_id: "x", service_type: "dir", api_key: undefined },
    path: "c.yml",
  });
  assert.deepEqual(YAML.parse(result).connectors, [{ connector_id: "x", service_type: "dir" }]);
  assert.throws(() => append("connectors: 3\n"), CommandError);
  assert.throws(() => append("- a\n- b\n"), /not a YAML mapping/);
  assert.throws(() => append("a: [\n"), /fix the file first/);
});
