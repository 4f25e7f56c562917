import assert from "node:assert/strict";
import {
  activeFilter,
  DEFAULT_PIPELINE,
  mirrorFields,
  newConnectorDoc,
  pipelineOf,
  readFeatures,
  syncRulesEnabled,
} from "./defaults.ts";
import { kindJobTypes, syncKind } from "./types.ts";

const T = "2024-05-01T00:00:00.000Z";

Deno.test("readFeatures honours the new keys and the legacy booleans", () => {
  assert.deepEqual(readFeatures(null), {
    basicRules: false,
    advancedRules: false,
    documentLevelSecurity: false,
    incrementalSync: false,
  });
  assert.deepEqual(
    readFeatures({
      filtering_rules: true,
      filtering_advanced_config: true,
      incremental_sync: { enabled: true },
    }),
    { basicRules: true, advancedRules: true, documentLevelSecurity: false, incrementalSync: true },
  );
  assert.equal(
    readFeatures({ sync_rules: { basic: { enabled: false } }, filtering_rules: true }).basicRules,
    false,
    "the new key wins over the legacy one",
  );
  assert.equal(syncRulesEnabled({ filtering_advanced_config: true }), true);
  assert.equal(syncRulesEnabled({ document_level_security: { enabled: true } }), false);
});

Deno.test("pipelineOf fills absent keys with the reference defaults", () => {
  assert.deepEqual(pipelineOf({ pipeline: null }), DEFAULT_PIPELINE);
  const partial = { name: "custom" } as unknown as typeof DEFAULT_PIPELINE;
  assert.deepEqual(pipelineOf({ pipeline: partial }), { ...DEFAULT_PIPELINE, name: "custom" });
});

Deno.test("newConnectorDoc: status follows the configuration, filtering is the DEFAULT rule", () => {
  const empty = newConnectorDoc({ indexName: "search-a", serviceType: "mysql" }, T);
  assert.equal(empty.status, "needs_configuration");
  assert.equal(empty.name, "search-a");
  assert.equal(empty.features, null);
  assert.equal(activeFilter(empty)?.rules[0].value, ".*");
  assert.equal(empty.filtering[0].active.validation.state, "valid");
  const configured = newConnectorDoc({
    indexName: "search-a",
    serviceType: "mysql",
    configuration: { host: { value: "db" } },
    features: {
      basicRules: true,
      advancedRules: true,
      documentLevelSecurity: false,
      incrementalSync: true,
    },
  }, T);
  assert.equal(configured.status, "configured");
  assert.equal(configured.features?.incremental_sync?.enabled, true);
  assert.equal(configured.created_at, T);
});

Deno.test("activeFilter prefers domain DEFAULT and tolerates a missing filtering", () => {
  const doc = newConnectorDoc({ indexName: "i", serviceType: "s" }, T);
  const other = { ...doc.filtering[0], domain: "OTHER" };
  assert.equal(activeFilter({ filtering: [other, doc.filtering[0]] }), doc.filtering[0].active);
  assert.equal(activeFilter({ filtering: undefined as never }), null);
});

Deno.test("mirrorFields maps job types to the connector's fields", () => {
  assert.equal(mirrorFields("full").scheduledAt, "last_sync_scheduled_at");
  assert.equal(mirrorFields("incremental").scheduledAt, "last_incremental_sync_scheduled_at");
  assert.equal(mirrorFields("incremental").status, "last_sync_status");
  assert.equal(mirrorFields("access_control").error, "last_access_control_sync_error");
  assert.equal(syncKind("incremental"), "content");
  assert.equal(syncKind("access_control"), "access_control");
  assert.deepEqual(kindJobTypes("content"), ["full", "incremental"]);
  assert.deepEqual(kindJobTypes("access_control"), ["access_control"]);
});
