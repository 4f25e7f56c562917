import assert from "node:assert/strict";
import {
  checkConfig,
  ConfigError,
  type ConfigProblem,
  configSchema,
  defaultConfig,
  formatProblem,
  loadConfig,
  parseConfig,
  requireConnectors,
} from "./mod.ts";

/** A minimal valid prefix: credentials and one connector. */
const BASE = "elasticsearch.password: pw\nconnectors: [{connector_id: c1}]\n";

function problemsOf(text: string, env: Record<string, string> = {}): ConfigProblem[] {
  return checkConfig(text, { env }).problems;
}

function find(problems: ConfigProblem[], path: string): ConfigProblem {
  const found = problems.find((p) => p.path === path);
  assert.ok(found, `no problem for ${path} in ${JSON.stringify(problems)}`);
  return found;
}

Deno.test("acceptance: a misspelt key and a bad integer are both reported with lines", () => {
  const text = [
    "connectors: [{connector_id: c1}]",
    "elasticsearch:",
    "  hots: x",
    "  password: pw",
    "  bulk:",
    "    max_concurrency: five",
  ].join("\n");
  const problems = problemsOf(text);
  assert.equal(problems.length, 2);
  const hots = find(problems, "elasticsearch.hots");
  assert.deepEqual([hots.line, hots.column], [3, 3]);
  assert.match(hots.message, /did you mean "host"/);
  const concurrency = find(problems, "elasticsearch.bulk.max_concurrency");
  assert.deepEqual([concurrency.line, concurrency.column], [6, 22]);
  assert.equal(
    formatProblem(concurrency),
    'config.yml:6:22: elasticsearch.bulk.max_concurrency must be an integer >= 1, got "five"',
  );
});

Deno.test("acceptance: the flow-style form gives the same problems with columns", () => {
  const problems = problemsOf(
    BASE + "elasticsearch: {hots: x, bulk: {max_concurrency: five}}\n",
  );
  const lines = problems.map(formatProblem);
  assert.deepEqual(lines, [
    'config.yml:3:17: elasticsearch.hots is not a known key; did you mean "host"?',
    'config.yml:3:50: elasticsearch.bulk.max_concurrency must be an integer >= 1, got "five"',
  ]);
});

Deno.test("every problem is collected, not just the first", () => {
  const problems = problemsOf([
    "elasticsearch:",
    "  password: pw",
    "  verify_certs: maybe",
    "  request_timeout: -1",
    "  host: ftp://x",
    "  bulk: {chunk_size: 2.5, error_monitor: {max_error_rate: 2}}",
    "service: {log_level: verbose, idling: soon, service_types: {a: b}}",
    "connectors: [{connector_id: c1}]",
  ].join("\n"));
  assert.deepEqual(problems.map((p) => p.path), [
    "elasticsearch.verify_certs",
    "elasticsearch.request_timeout",
    "elasticsearch.host",
    "elasticsearch.bulk.chunk_size",
    "elasticsearch.bulk.error_monitor.max_error_rate",
    "service.log_level",
    "service.idling",
    "service.service_types",
  ]);
  assert.match(find(problems, "service.log_level").message, /one of DEBUG, INFO, WARNING/);
  assert.match(
    find(problems, "elasticsearch.bulk.error_monitor.max_error_rate").message,
    /between 0 and 1, got 2/,
  );
  assert.match(
    find(problems, "elasticsearch.request_timeout").message,
    /must be a number > 0 and <= 2147483, got -1/,
  );
  assert.match(find(problems, "elasticsearch.host").message, /http:\/\/ or https:\/\//);
});

Deno.test("an empty-valued section gives the defaults; values override only their own keys", () => {
  const { config } = parseConfig(BASE + "service:\nelasticsearch.bulk.chunk_size: 7\n", {
    env: {},
  });
  const expected = defaultConfig();
  expected.elasticsearch.password = "pw";
  expected.elasticsearch.bulk.chunk_size = 7;
  expected.connectors = [{ connector_id: "c1" }];
  assert.deepEqual(config, expected);
  assert.equal(expected.elasticsearch.bulk.max_concurrency, 4);
  assert.equal(expected.service.max_deletion_ratio, 0.5);
});

Deno.test("${ENV} interpolation, with defaults, embedded, and coerced to the key's type", () => {
  const text = [
    "elasticsearch:",
    "  host: https://${ES_HOST}:${ES_PORT:-9200}",
    "  password: ${PW}",
    "  verify_certs: ${VERIFY}",
    "  bulk.chunk_size: ${CHUNK}",
    "  bulk.max_concurrency: ${CONCURRENCY:-3}",
    "service.service_types: ${TYPES}",
    "connectors: [{connector_id: c1}]",
  ].join("\n");
  const env = { ES_HOST: "es.local", PW: "pw", VERIFY: "No", CHUNK: "10", TYPES: "mysql, s3" };
  const { config } = parseConfig(text, { env });
  assert.equal(config.elasticsearch.host, "https://es.local:9200");
  assert.equal(config.elasticsearch.password, "pw");
  assert.equal(config.elasticsearch.verify_certs, false);
  assert.equal(config.elasticsearch.bulk.chunk_size, 10);
  assert.equal(config.elasticsearch.bulk.max_concurrency, 3);
  assert.deepEqual(config.service.service_types, ["mysql", "s3"]);
});

Deno.test("an unset variable without default names the variable and the key", () => {
  const problems = problemsOf(BASE + "elasticsearch.bulk.chunk_size: ${CHUNK}\n");
  const problem = find(problems, "elasticsearch.bulk.chunk_size");
  assert.equal(problem.line, 3);
  assert.match(
    problem.message,
    /^elasticsearch\.bulk\.chunk_size uses \$\{CHUNK\}, which is not set/,
  );
  assert.match(
    problemsOf(BASE + "elasticsearch.bulk.chunk_size: ${C}\n", { C: "ten" })[0].message,
    /got "ten"/,
  );
});

Deno.test("booleans accept true/false/yes/no/1/0 in any case and nothing else", () => {
  for (
    const [word, value] of [["YES", true], ["no", false], ["1", true], ["0", false], ["True", true]]
  ) {
    const text = `${BASE}elasticsearch.retry_on_timeout: "${word}"\n`;
    assert.equal(
      parseConfig(text, { env: {} }).config.elasticsearch.retry_on_timeout,
      value,
      String(word),
    );
  }
  assert.match(
    problemsOf(BASE + "elasticsearch.retry_on_timeout: on\n")[0].message,
    /must be true or false, got "on"/,
  );
});

Deno.test("dotted keys nest at any level and deep-merge, later keys winning", () => {
  const text = [
    "elasticsearch:",
    "  password: pw",
    "  bulk: {chunk_size: 1, max_concurrency: 2}",
    "  bulk.error_monitor.max_total_errors: 5",
    "elasticsearch.bulk.chunk_size: 3",
    "service.log_level: debug",
    "service: {idling: 0.5}",
    "connectors: [{connector_id: c1}]",
  ].join("\n");
  const { config } = parseConfig(text, { env: {} });
  assert.equal(config.elasticsearch.bulk.chunk_size, 3);
  assert.equal(config.elasticsearch.bulk.max_concurrency, 2);
  assert.equal(config.elasticsearch.bulk.error_monitor.max_total_errors, 5);
  assert.equal(config.elasticsearch.bulk.error_monitor.enabled, true);
  assert.equal(config.elasticsearch.password, "pw");
  assert.equal(config.service.log_level, "DEBUG");
  assert.equal(config.service.idling, 0.5);
});

Deno.test("a misspelt dotted key is reported at that key with a suggestion", () => {
  const problem = problemsOf(BASE + "elasticsearch.bulk.chunk_sise: 3\n")[0];
  assert.equal(problem.path, "elasticsearch.bulk.chunk_sise");
  assert.equal(problem.line, 3);
  assert.match(problem.message, /did you mean "chunk_size"/);
  const elsewhere = problemsOf(BASE + "log_level: debug\n")[0];
  assert.match(elsewhere.message, /did you mean "service.log_level"/);
});

Deno.test("reference keys this service does not use are refused with a reason", () => {
  const text = BASE + [
    "elasticsearch.ssl: true",
    "elasticsearch.log_level: info",
    "elasticsearch.feature_use_connectors_api: true",
    "elasticsearch.bulk: {queue_max_size: 1024, queue_max_mem_size: 25, queue_refresh_interval: 1,",
    "  queue_refresh_timeout: 600, display_every: 100}",
    "service: {worker_mode: false, fips_mode: false}",
    "extraction_service: {host: http://localhost:8090}",
    "sources:",
  ].join("\n");
  const problems = problemsOf(text);
  assert.deepEqual(problems.map((p) => p.path), [
    "elasticsearch.ssl",
    "elasticsearch.log_level",
    "elasticsearch.feature_use_connectors_api",
    "elasticsearch.bulk.queue_max_size",
    "elasticsearch.bulk.queue_max_mem_size",
    "elasticsearch.bulk.queue_refresh_interval",
    "elasticsearch.bulk.queue_refresh_timeout",
    "elasticsearch.bulk.display_every",
    "service.worker_mode",
    "service.fips_mode",
    "extraction_service",
    "sources",
  ]);
  for (const problem of problems) {
    assert.match(problem.message, /is not used by this service: .+; remove it$/);
  }
  assert.match(find(problems, "elasticsearch.ssl").message, /scheme of elasticsearch.host/);
  assert.match(find(problems, "sources").message, /built into the binary/);
});

Deno.test("the changeme placeholder is refused where the reference refuses it", () => {
  const refused = (text: string) => problemsOf(text).map((p) => p.path);
  assert.deepEqual(refused("connectors: [{connector_id: c1}]"), ["elasticsearch"]);
  assert.deepEqual(refused("elasticsearch.password: changeme\nconnectors: [{connector_id: c1}]"), [
    "elasticsearch.password",
  ]);
  assert.deepEqual(refused("elasticsearch.api_key: changeme\nconnectors: [{connector_id: c1}]"), [
    "elasticsearch.api_key",
  ]);
  assert.deepEqual(
    refused(
      BASE.split("\n")[0] +
        "\nconnectors: [{connector_id: changeme}, {connector_id: c2, api_key: changeme}]",
    ),
    ["connectors[0].connector_id", "connectors[1].api_key"],
  );
  // An API key makes the default password irrelevant.
  assert.deepEqual(refused("elasticsearch.api_key: k\nconnectors: [{connector_id: c1}]"), []);
});

Deno.test("connectors: entries, duplicates (same: warning, different: problem), bad entries", () => {
  const text = [
    "elasticsearch.password: pw",
    "connectors:",
    "  - connector_id: a",
    "    service_type: mysql",
    "  - connector_id: 0123",
    "  - connector_id: a",
    "    service_type: mysql",
  ].join("\n");
  const { config, warnings } = parseConfig(text, { env: {} });
  assert.deepEqual(config.connectors, [
    { connector_id: "0123" },
    { connector_id: "a", service_type: "mysql" },
  ]);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].line, 6);
  assert.match(warnings[0].message, /"a" is listed more than once \(line 3\); the last entry wins/);
  const conflicting = problemsOf(text + "\n    api_key: k\n");
  assert.deepEqual(conflicting.map(formatProblem), [
    'config.yml:6:19: connectors[2].connector_id "a" is listed again (line 3) with another ' +
    "service_type or api_key: keep one entry per connector",
  ]);

  const problems = problemsOf(
    "elasticsearch.password: pw\nconnectors:\n  - service_type: mysql\n  - connector_id: b\n    servce_type: s3\n  - just-a-string\n  - connector_id:\n",
  );
  assert.deepEqual(problems.map((p) => [p.path, p.line]), [
    ["connectors[0].connector_id", 3],
    ["connectors[1].servce_type", 5],
    ["connectors[2]", 6],
    ["connectors[3].connector_id", 7],
  ]);
  assert.match(problems[1].message, /did you mean "service_type"/);
});

Deno.test("deprecated top-level connector_id/service_type become a connectors entry with a warning", () => {
  const { config, warnings } = parseConfig(
    "elasticsearch.password: pw\nconnector_id: old\nservice_type: mysql\n",
    { env: {} },
  );
  assert.deepEqual(config.connectors, [{ connector_id: "old", service_type: "mysql" }]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0].message, /deprecated: move them into a connectors entry/);
  assert.equal(
    find(problemsOf("elasticsearch.password: pw\nservice_type: mysql\n"), "service_type").line,
    2,
  );
});

Deno.test("headers are a map of strings, names kept as written", () => {
  const { config } = parseConfig(BASE + "elasticsearch.headers: {X-Opaque-Id: abc, X-Num: 1}\n", {
    env: {},
  });
  assert.deepEqual(config.elasticsearch.headers, { "X-Opaque-Id": "abc", "X-Num": "1" });
  assert.equal(problemsOf(BASE + "elasticsearch.headers: [a]\n")[0].path, "elasticsearch.headers");
});

Deno.test("secrets never appear in any problem or warning", () => {
  const secret = "Sup3r-S3cret";
  const texts = [
    `elasticsearch: {password: [${secret}], api_key: {k: ${secret}}}`,
    `elasticsearch.headers: {Authorization: [${secret}], authorization: {a: ${secret}}}`,
    `connectors: [{connector_id: c, api_key: [${secret}]}, {connector_id: d, api_keyy: ${secret}}]`,
    `elasticsearch:\n  password: "${secret}\n  host: [1\n`,
    `elasticsearch: {pasword: ${secret}, api_key: ${secret}, username: u}`,
    `elasticsearch.password: \${PW}\nelasticsearch.hots: \${PW}\nconnectors: [{connector_id: c1}]`,
  ];
  for (const text of texts) {
    const { problems, warnings } = checkConfig(text, { env: { PW: secret } });
    assert.ok(problems.length + warnings.length > 0, text);
    const output = [...problems, ...warnings].map(formatProblem).join("\n");
    assert.ok(!output.includes(secret), output);
  }
});

Deno.test("YAML syntax errors are one line with a position", () => {
  const problems = problemsOf("elasticsearch:\n  host: [1\n  password: x\n");
  assert.ok(problems.length >= 1);
  for (const problem of problems) {
    assert.ok(problem.line !== undefined);
    assert.ok(!formatProblem(problem).includes("\n"));
    assert.match(problem.message, /^YAML: /);
  }
  assert.match(
    formatProblem(problemsOf("- a\n- b\n")[0]),
    /^config.yml:1:1: the file must be a YAML mapping/,
  );
});

Deno.test("requireConnectors wants a connector or service types", () => {
  const none = parseConfig("elasticsearch.password: pw\n", { env: {} }).config;
  assert.throws(() => requireConnectors(none, { source: "my.yml" }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(
      error.formatProblems(),
      /^my.yml: connectors is empty and so is service.service_types/,
    );
    return true;
  });
  requireConnectors(parseConfig(BASE, { env: {} }).config);
  requireConnectors(
    parseConfig("elasticsearch.password: pw\nservice.service_types: [mysql]", { env: {} }).config,
  );
});

Deno.test("loadConfig: a missing file is one ConfigError problem naming the file", async () => {
  await assert.rejects(loadConfig("/nonexistent/config.yml", { env: {} }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(
      error.formatProblems(),
      "/nonexistent/config.yml: file not found; copy config.example.yml to it or pass -c <path>",
    );
    return true;
  });
});

Deno.test("loadConfig checks that ca_certs exists and warns about TLS settings with no effect", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/config.yml`;
    await Deno.writeTextFile(path, BASE + `elasticsearch.ca_certs: ${dir}/missing.pem\n`);
    await assert.rejects(
      loadConfig(path, { env: {} }),
      /elasticsearch.ca_certs file .*missing.pem/,
    );
    await Deno.writeTextFile(`${dir}/ca.pem`, "pem");
    await Deno.writeTextFile(path, BASE + `elasticsearch.ca_certs: ${dir}/ca.pem\n`);
    const { warnings } = await loadConfig(path, { env: {} });
    assert.match(warnings[0].message, /ca_certs is ignored because elasticsearch.host uses http/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const EXAMPLE = new URL("../../config.example.yml", import.meta.url).pathname;

Deno.test("config.example.yml validates without any environment variable", async () => {
  const { config, warnings } = await loadConfig(EXAMPLE, { env: {} });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.connectors, [{
    connector_id: "my-connector-id",
    service_type: "postgresql",
  }]);
  const expected = defaultConfig();
  expected.elasticsearch.password = "elastic-password";
  expected.connectors = config.connectors;
  assert.deepEqual(config, expected, "the example shows the defaults");
});

Deno.test("config.example.yml mentions every key", async () => {
  const text = await Deno.readTextFile(EXAMPLE);
  const keys = (spec: { keys: Record<string, unknown> }): string[] =>
    Object.entries(spec.keys).flatMap(([key, value]) => {
      const nested = value as { kind: string; keys?: Record<string, unknown> };
      return nested.kind === "section"
        ? [key, ...keys(nested as { keys: Record<string, unknown> })]
        : [key];
    });
  for (const key of [...keys(configSchema), "connector_id", "service_type", "api_key"]) {
    assert.match(text, new RegExp(`^\\s*#? ?-? ?${key}:`, "m"), key);
  }
});

Deno.test("service.http: off by default, port and host validated with one-line errors", () => {
  const defaults = parseConfig(BASE, { env: {} }).config.service.http;
  assert.deepEqual(defaults, { host: "127.0.0.1", port: 0 });
  const { config } = parseConfig(BASE + "service.http.port: ${PORT}\nservice.http.host: '::'\n", {
    env: { PORT: "9100" },
  });
  assert.deepEqual(config.service.http, { host: "::", port: 9100 });
  const problems = problemsOf(
    BASE + "service:\n  http:\n    port: 70000\n    host: http://0.0.0.0:9100\n    prot: 1\n",
  );
  assert.deepEqual(problems.map(formatProblem), [
    "config.yml:5:11: service.http.port must be an integer between 0 and 65535, got 70000",
    'config.yml:6:11: service.http.host must be a host name or IP address to listen on, like 127.0.0.1 or 0.0.0.0 (no scheme, port or brackets), got "http://0.0.0.0:9100"',
    'config.yml:7:5: service.http.prot is not a known key; did you mean "port"?',
  ]);
  assert.match(
    find(problemsOf(BASE + "service.http.port: -1\n"), "service.http.port").message,
    /between 0 and 65535, got -1/,
  );
  assert.match(
    find(problemsOf(BASE + "service.http.port: 91.5\n"), "service.http.port").message,
    /between 0 and 65535, got 91.5/,
  );
});
