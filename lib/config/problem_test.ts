import assert from "node:assert/strict";
import { ConfigError, formatProblem, isSecretPath, showValue } from "./problem.ts";

Deno.test("formatProblem prints file:line:column: message, or file: message without a position", () => {
  const problem = {
    source: "config.yml",
    path: "elasticsearch.bulk.max_concurrency",
    line: 12,
    column: 5,
    message: 'elasticsearch.bulk.max_concurrency must be an integer >= 1, got "five"',
  };
  assert.equal(
    formatProblem(problem),
    'config.yml:12:5: elasticsearch.bulk.max_concurrency must be an integer >= 1, got "five"',
  );
  assert.equal(
    formatProblem({ source: "c.yml", path: "", message: "file not found" }),
    "c.yml: file not found",
  );
});

Deno.test("ConfigError carries every problem and formats one per line", () => {
  const error = new ConfigError([
    { source: "c.yml", path: "a", line: 1, column: 1, message: "a is wrong" },
    { source: "c.yml", path: "b", line: 2, column: 3, message: "b is wrong" },
  ]);
  assert.equal(error.problems.length, 2);
  assert.equal(error.formatProblems(), "c.yml:1:1: a is wrong\nc.yml:2:3: b is wrong");
  assert.equal(error.message, error.formatProblems());
});

Deno.test("secret paths are recognised and their values hidden", () => {
  for (
    const path of [
      "elasticsearch.password",
      "elasticsearch.api_key",
      "connectors[0].api_key",
      "elasticsearch.headers.Authorization",
      "elasticsearch.headers.x-api-key",
    ]
  ) {
    assert.ok(isSecretPath(path), path);
    assert.equal(showValue("s3cret", path), "<hidden>");
  }
  assert.ok(!isSecretPath("elasticsearch.headers.X-Opaque-Id"));
  assert.equal(showValue("five", "elasticsearch.bulk.chunk_size"), '"five"');
  assert.equal(showValue(2.5, "elasticsearch.bulk.chunk_size"), "2.5");
});
