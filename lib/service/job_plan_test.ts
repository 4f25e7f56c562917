import assert from "node:assert/strict";
import { fullConfiguration } from "../source/mod.ts";
import type { ConnectorType } from "../source/types.ts";
import { DEFAULT_PIPELINE } from "../protocol/mod.ts";
import { JobSetupError, planJob } from "./job_plan.ts";

const type: ConnectorType = {
  serviceType: "demo",
  name: "Demo",
  configSchema: { port: { label: "Port", type: "int", value: 5432 } },
  features: {
    basicRules: true,
    advancedRules: true,
    documentLevelSecurity: false,
    incrementalSync: false,
  },
  create: () => {
    throw new Error("not used");
  },
};
const types = new Map([["demo", type]]);
const rule = {
  id: "r1",
  policy: "exclude" as const,
  field: "a",
  rule: "equals",
  value: "x",
  order: 1,
};

Deno.test("planJob reads configuration, active rules and pipeline from the snapshot", () => {
  const configuration = fullConfiguration(type.configSchema);
  configuration.port.value = " 6543 ";
  const plan = planJob({
    jobType: "full",
    types,
    snapshot: {
      service_type: "demo",
      index_name: "search-demo",
      language: "en",
      configuration,
      filtering: {
        rules: [rule],
        advanced_snippet: { value: { query: "q" } },
        validation: { state: "valid", errors: [] },
      },
      pipeline: { name: "my-pipeline", reduce_whitespace: false },
    },
  });
  assert.deepEqual(plan.values, { port: 6543 });
  assert.deepEqual(plan.basicRules, [rule]);
  assert.deepEqual(plan.advancedRules, { query: "q" });
  assert.deepEqual(plan.pipeline, {
    ...DEFAULT_PIPELINE,
    name: "my-pipeline",
    reduce_whitespace: false,
  });
  assert.equal(plan.indexName, "search-demo");
});

Deno.test("planJob: array-shaped filtering, empty advanced rules, default pipeline", () => {
  const plan = planJob({
    jobType: "full",
    types,
    snapshot: {
      service_type: "demo",
      index_name: "search-demo",
      configuration: fullConfiguration(type.configSchema),
      filtering: [{
        domain: "DEFAULT",
        active: { rules: [rule], advanced_snippet: { value: {} } },
      }],
    },
  });
  assert.deepEqual(plan.basicRules, [rule]);
  assert.equal(plan.advancedRules, undefined);
  assert.deepEqual(plan.pipeline, DEFAULT_PIPELINE);
});

Deno.test("planJob refuses unknown types, bad config, invalid rules and unsupported job types", () => {
  const base = {
    service_type: "demo",
    index_name: "search-demo",
    configuration: fullConfiguration(type.configSchema),
  };
  const refuses = (snapshot: object, jobType: "full" | "incremental", pattern: RegExp) =>
    assert.throws(
      () => planJob({ jobType, types, snapshot }),
      (error: unknown) => error instanceof JobSetupError && pattern.test(error.message),
    );
  refuses(
    { ...base, service_type: "nope" },
    "full",
    /service_type "nope" is not served .*known: demo/,
  );
  refuses(
    { ...base, configuration: { port: { value: "many" } } },
    "full",
    /Invalid connector configuration: .*Port/,
  );
  refuses(
    { ...base, filtering: { rules: [], validation: { state: "invalid", errors: [] } } },
    "full",
    /active sync rules are invalid/,
  );
  refuses(base, "incremental", /does not support incremental/);
  refuses({ ...base, index_name: "" }, "full", /no index_name/);
});
