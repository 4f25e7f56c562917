import assert from "node:assert/strict";
import { configureLogging, Logger } from "../log/mod.ts";
import { fullConfiguration } from "../source/mod.ts";
import type { ConnectorType, Source } from "../source/types.ts";
import { featuresDoc } from "../protocol/mod.ts";
import {
  preparedFields,
  scheduledJobTypes,
  settingsProblems,
  validateDraft,
} from "./connector_prepare.ts";

const lines: string[] = [];
configureLogging({ write: (line) => lines.push(line) });
const logger = new Logger();

const type: ConnectorType = {
  serviceType: "demo",
  name: "Demo",
  configSchema: {
    host: { label: "Host", value: "localhost" },
    port: { label: "Port", type: "int", value: 5432 },
  },
  features: {
    basicRules: true,
    advancedRules: true,
    documentLevelSecurity: false,
    incrementalSync: true,
  },
  create: () => {
    throw new Error("not used");
  },
};

Deno.test("empty configuration: full schema and needs_configuration, features written", () => {
  const update = preparedFields({
    connector: { configuration: {}, service_type: "demo" },
    type,
    logger,
  });
  assert.deepEqual(update.configuration, fullConfiguration(type.configSchema));
  assert.equal(update.status, "needs_configuration");
  assert.deepEqual(update.features, featuresDoc(type.features));
  assert.equal(
    (update.features as ReturnType<typeof featuresDoc> & { incremental_sync: { enabled: boolean } })
      .incremental_sync.enabled,
    true,
  );
});

Deno.test("missing fields are added with values kept; an up-to-date document needs nothing", () => {
  const configuration = fullConfiguration({ host: type.configSchema.host });
  configuration.host.value = "db.example.com";
  const update = preparedFields({
    connector: {
      configuration,
      features: featuresDoc(type.features),
      service_type: "demo",
      status: "connected",
    },
    type,
    logger,
  });
  const written = update.configuration as Record<string, { value: unknown }>;
  assert.equal(written.host.value, "db.example.com");
  assert.equal(written.port.value, 5432);
  assert.equal(update.status, undefined, "status is left alone on upgrades");
  assert.ok(lines.some((line) => /lacked port; added them/.test(line)));
  assert.deepEqual(
    preparedFields({
      connector: {
        configuration: written,
        features: featuresDoc(type.features),
        service_type: "demo",
      },
      type,
      logger,
    }),
    {},
  );
});

Deno.test("validateDraft: basic rule errors and the source's advanced-rule problems", async () => {
  const source = {
    validateAdvancedRules: (rules: unknown) =>
      Promise.resolve(
        (rules as { ok?: boolean }).ok
          ? []
          : [{ id: "advanced_snippet", message: "table t does not exist" }],
      ),
  } as unknown as Source;
  const good = { id: "r1", policy: "include", field: "a", rule: "equals", value: "x", order: 1 };
  assert.deepEqual(
    await validateDraft({
      draft: { rules: [good], advanced_snippet: { value: { ok: true } } },
      type,
      source,
    }),
    { state: "valid", errors: [] },
  );
  const result = await validateDraft({
    draft: {
      rules: [{ ...good, id: "r2", rule: "regex", value: ".*" }],
      advanced_snippet: { value: { ok: false } },
    },
    type,
    source,
  });
  assert.equal(result.state, "invalid");
  assert.deepEqual(result.errors.map((error) => error.ids[0]), ["r2", "advanced_snippet"]);
  assert.match(result.errors[1].messages[0], /table t does not exist/);
});

Deno.test("scheduledJobTypes: full always, others when the document and the type have them", () => {
  assert.deepEqual(scheduledJobTypes({ features: null, type }), ["full"]);
  const all = featuresDoc({ ...type.features, documentLevelSecurity: true });
  assert.deepEqual(scheduledJobTypes({ features: all, type }), ["incremental", "full"]);
});

Deno.test("settingsProblems: a bad index_name and the cron of enabled schedules only", () => {
  const on = (interval: string) => ({ enabled: true, interval });
  const off = { enabled: false, interval: "nonsense" };
  const features = featuresDoc(type.features);
  assert.deepEqual(
    settingsProblems({
      connector: { index_name: "search-ok", scheduling: { full: on("0 0 * * * ?") }, features },
      type,
    }),
    [],
  );
  assert.deepEqual(settingsProblems({ connector: { index_name: null }, type }), []);
  const problems = settingsProblems({
    connector: {
      index_name: "Search Books",
      scheduling: {
        full: on("every day"),
        incremental: on("0 0 25 * * ?"),
        access_control: off,
      },
      features,
    },
    type,
  });
  assert.equal(problems.length, 3, problems.join("\n"));
  assert.equal(
    problems[0],
    'index_name "Search Books" must not contain spaces: set the connector\'s index_name to a ' +
      'valid name such as "search-demo".',
  );
  assert.match(problems[1], /^scheduling\.incremental\.interval: .*; use Quartz syntax/);
  assert.match(
    problems[2],
    /^scheduling\.full\.interval: cron "every day": expected 6 or 7 fields/,
  );
});
