/**
 * `connectors ftest` end to end on every fixture at small size, reusing the suite's
 * Elasticsearch, and a fixture that lies about its removal to prove that a missing
 * deletion fails the ftest with expected versus actual.
 * @module
 */
import assert from "node:assert/strict";
import { cliCommand } from "../cli/ftest.ts";
import { dirFixture } from "../connectors/dir/ftest.ts";
import { dirConnector } from "../connectors/dir/mod.ts";
import { type FtestFixture, runFtest } from "../lib/ftest/mod.ts";
import { testElasticsearch } from "./support/servers.ts";
import { type CommandRun, runConnectors } from "./support/cli.ts";

const es = await testElasticsearch();
const esEnv = {
  CONNECTORS_FTEST_ES_URL: es.url,
  CONNECTORS_FTEST_ES_USERNAME: es.username,
  CONNECTORS_FTEST_ES_PASSWORD: es.password,
};

function ftest(args: string[]): Promise<CommandRun> {
  return runConnectors(["ftest", ...args], { env: esEnv });
}

Deno.test("connectors ftest dir --size small --json passes with exact counts", async () => {
  const { code, stdout, stderr } = await ftest(["dir", "--size", "small", "--json"]);
  assert.equal(code, 0, `exit ${code}\n${stderr}`);
  const lines = stdout.trim().split("\n");
  assert.equal(lines.length, 1, "--json prints only the summary on stdout");
  const summary = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(summary), [
    "connector",
    "size",
    "loaded",
    "indexed",
    "deleted",
    "docs_per_sec",
    "peak_rss_mb",
    "ok",
  ]);
  assert.equal(summary.connector, "dir");
  assert.equal(summary.size, "small");
  assert.equal(summary.loaded, 300);
  assert.equal(summary.indexed, 300);
  assert.equal(summary.deleted, 30);
  assert.equal(summary.ok, true);
  assert.ok(summary.docs_per_sec > 0);
  assert.ok(summary.peak_rss_mb > 20, `peak RSS ${summary.peak_rss_mb} MiB`);
  assert.match(stderr, /\[\d+\] verify: ok, 270 documents, 30 removed ids gone/);
  assert.match(stderr, /PASSED: dir small: loaded 300, indexed 300, deleted 30/);
});

// The other fixtures start their own data source (PostgreSQL, MariaDB, S3Proxy) on free ports.
const SMALL_EXPECTED: Record<string, { loaded: number; deleted: number }> = {
  postgresql: { loaded: 1003, deleted: 21 },
  mysql: { loaded: 1000, deleted: 20 },
  s3: { loaded: 300, deleted: 23 },
};
for (const [type, expected] of Object.entries(SMALL_EXPECTED)) {
  Deno.test(`connectors ftest ${type} --size small passes with exact counts`, async () => {
    const { code, stdout, stderr } = await ftest([type, "--size", "small", "--json"]);
    assert.equal(code, 0, `exit ${code}\n${stderr}`);
    const summary = JSON.parse(stdout.trim());
    assert.equal(summary.connector, type);
    assert.equal(summary.loaded, expected.loaded);
    assert.equal(summary.indexed, expected.loaded);
    assert.equal(summary.deleted, expected.deleted);
    assert.equal(summary.ok, true);
  });
}

Deno.test("connectors ftest with an unknown type exits 2 listing the known fixtures", async () => {
  const { code, stderr } = await ftest(["nosuch"]);
  assert.equal(code, 2);
  assert.match(stderr, /no fixture for connector type "nosuch"; known: dir, mysql, postgresql, s3/);
});

/** The dir fixture, except its removal claims one more removed file than it deleted. */
const lyingFixture: FtestFixture = {
  ...dirFixture,
  start: async (options) => {
    const source = await dirFixture.start(options);
    return {
      configuration: source.configuration,
      access: source.access,
      load: (load) => source.load(load),
      stop: () => source.stop(),
      remove: async (remove) => {
        const removed = await source.remove(remove);
        return { ids: [...removed.ids, "0123456789abcdef0123456789abcdef"] };
      },
    };
  },
};

Deno.test("an ftest whose expectation does not hold fails with expected versus actual", async () => {
  const lines: string[] = [];
  const { summary, failures } = await runFtest({
    fixture: lyingFixture,
    connectorType: dirConnector,
    size: "small",
    elasticsearch: es,
    cli: cliCommand(),
    print: (line) => lines.push(line),
  });
  assert.equal(summary.ok, false);
  assert.equal(summary.deleted, 30);
  assert.deepEqual(
    failures.map((failure) => [failure.expected, failure.actual]),
    [[31, 30], [269, 270]],
  );
  const output = lines.join("\n");
  assert.match(output, /FAILED documents deleted by the second sync: expected 31, got 30/);
  assert.match(
    output,
    /FAILED documents in search-ftest-dir-\w+ after the removal and second sync: expected 269, got 270/,
  );
  assert.match(
    output,
    /^FAILED: dir small: loaded 300, indexed 300, deleted 30, .*2 failed checks$/m,
  );
  assert.doesNotMatch(output, /\n\s+at /, "no stack trace");
});

Deno.test("deno task quickstart syncs the sample folder and finds files by a path word", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "quickstart"],
    cwd: new URL("..", import.meta.url),
    env: esEnv,
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `exit ${output.code}\n${stdout}\n${stderr}`);
  assert.match(stdout, /full sync: completed, 11 documents indexed/);
  assert.match(stdout, /search-quickstart-sample holds 11 documents\./);
  // 4 hits where the index has Kibana's analyzers (path.delimiter splits "sync-rules.md"),
  // 2 on a cluster without them.
  assert.match(stdout, /Search for "sync" in file paths: [24] hits:/);
  assert.match(stdout, /^ {2}operations\/sync-rules\.md$/m);
  assert.match(stdout, /^ {2}faq\/why-did-a-sync-delete-documents\.txt$/m);
  assert.match(stdout, /deno task connectors sync --id <connector id> --full -c config\.yml/);
});
