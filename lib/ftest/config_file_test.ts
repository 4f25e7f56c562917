import assert from "node:assert/strict";
import { loadConfig } from "../config/mod.ts";
import { writeConfig } from "./config_file.ts";

Deno.test("the written config loads back with the same values, ${ in a password included", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/config.yml`;
    const password = 'p${HOME}"w:#';
    await writeConfig({
      path,
      es: { url: "http://127.0.0.1:9201", username: "elastic", password },
      connectorId: "abc",
      serviceType: "dir",
    });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const { config } = await loadConfig(path);
    assert.equal(config.elasticsearch.host, "http://127.0.0.1:9201");
    assert.equal(config.elasticsearch.password, password);
    assert.equal(config.connectors[0].connector_id, "abc");
    assert.equal(config.connectors[0].service_type, "dir");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
