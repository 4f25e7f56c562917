/**
 * Bad config.yml files through the real CLI binary's entry point (`cli/main.ts`), one child per
 * case and command, several at a time: every problem is one line naming the key, the value and
 * the fix, `validate-config` exits 1 (`run` and `sync` exit 2: they could not start), and
 * nothing prints a stack trace. No server is needed: every case fails before connecting.
 *
 * The unit tests beside lib/config check the parser's pieces; this is the end-to-end table.
 */
import assert from "node:assert/strict";
import { assertNoStackTrace, type CliResult, connectorsCli } from "./support_bad_input.ts";

const workDir = await Deno.makeTempDir({ prefix: "bad-config-" });
globalThis.addEventListener("unload", () => Deno.removeSync(workDir, { recursive: true }));

/** A valid start that cases extend: credentials and one connector. */
const BASE = "elasticsearch:\n  api_key: k3y\nconnectors:\n  - connector_id: c1\n";
const SECRET = "Sup3r-Secret-Value";

/** One bad file and the exact problem lines (`{file}` stands for its path). */
interface Case {
  name: string;
  text: string | Uint8Array;
  lines: string[];
  /** Added to the child's environment. */
  env?: Record<string, string>;
  /** Also run `connectors run` and `connectors sync` on it (they must refuse to start). */
  daemon?: boolean;
}

const CASES: Case[] = [
  {
    name: "number-as-word",
    text: BASE + "service:\n  idling: soon\n",
    lines: ['{file}:6:11: service.idling must be a number > 0 and <= 2147483, got "soon"'],
    daemon: true,
  },
  {
    name: "list-for-string",
    text: BASE.replace("api_key: k3y", "api_key: k3y\n  host: [a, b]"),
    lines: ["{file}:3:9: elasticsearch.host must be a string, got a list"],
  },
  {
    name: "unknown-key",
    text: BASE + "service:\n  idlin: 5\n",
    lines: ['{file}:6:3: service.idlin is not a known key; did you mean "idling"?'],
    daemon: true,
  },
  {
    name: "unknown-connector-key",
    text: BASE + "    index_name: search-x\n",
    lines: [
      "{file}:5:5: connectors[0].index_name is not a known key; remove it " +
      "(known keys of connectors[0]: connector_id, service_type, api_key)",
    ],
  },
  {
    name: "broken-yaml",
    text: 'elasticsearch:\n  host: "http://localhost:9200\n  api_key: k3y\n',
    lines: ['{file}:4:1: YAML: Missing closing "quote'],
    daemon: true,
  },
  {
    name: "tabs",
    text: "elasticsearch:\n\tapi_key: k3y\n",
    lines: ["{file}:2:1: YAML: Tabs are not allowed as indentation; indent with spaces"],
  },
  {
    name: "duplicate-yaml-key",
    text: BASE.replace("api_key: k3y", `api_key: k3y\n  api_key: ${SECRET}`),
    lines: ['{file}:3:3: YAML: the key "api_key" appears twice in the same mapping; keep one'],
  },
  {
    name: "empty",
    text: "",
    lines: [
      "{file}: the file is empty: copy config.example.yml to it and set elasticsearch.host, " +
      "the credentials and the connectors",
    ],
    daemon: true,
  },
  {
    name: "only-comments",
    text: "# elasticsearch:\n#   host: http://localhost:9200\n",
    lines: [
      "{file}: the file is empty: copy config.example.yml to it and set elasticsearch.host, " +
      "the credentials and the connectors",
    ],
  },
  {
    name: "utf16",
    // Saved as UTF-16 with a BOM, as some Windows editors do.
    text: new Uint8Array([0xff, 0xfe, ...[...BASE].flatMap((c) => [c.charCodeAt(0), 0])]),
    lines: ["{file}: the file is not UTF-8 text; save it as UTF-8 (config.yml is YAML text)"],
  },
  {
    name: "not-a-mapping",
    text: "- elasticsearch\n- connectors\n",
    lines: ["{file}:1:1: the file must be a YAML mapping (elasticsearch:, service:, connectors:)"],
  },
  {
    name: "url-without-scheme",
    text: BASE.replace("api_key: k3y", "api_key: k3y\n  host: localhost:9200"),
    lines: [
      '{file}:3:9: elasticsearch.host must start with http:// or https://, got "localhost:9200"',
    ],
    daemon: true,
  },
  {
    name: "url-with-space",
    text: BASE.replace("api_key: k3y", 'api_key: k3y\n  host: "http://es host:9200"'),
    lines: [
      '{file}:3:9: elasticsearch.host must be a URL like https://localhost:9200, got "http://es host:9200"',
    ],
  },
  {
    name: "negative-integer",
    text: BASE + "elasticsearch.bulk.chunk_size: -5\n",
    lines: ["{file}:5:32: elasticsearch.bulk.chunk_size must be an integer >= 1, got -5"],
  },
  {
    name: "negative-duration",
    text: BASE + "service.heartbeat: -1\n",
    lines: ["{file}:5:20: service.heartbeat must be a number > 0 and <= 2147483, got -1"],
  },
  {
    // Longer than a timer can hold: it would fire at once, a busy loop against Elasticsearch.
    name: "duration-over-timer-limit",
    text: BASE + "service.idling: 3000000\n",
    lines: ["{file}:5:17: service.idling must be a number > 0 and <= 2147483, got 3000000"],
  },
  {
    name: "ratio-out-of-range",
    text: BASE + "service.max_deletion_ratio: 1.5\n",
    lines: ["{file}:5:29: service.max_deletion_ratio must be a number between 0 and 1, got 1.5"],
  },
  {
    name: "no-credentials",
    text: "elasticsearch:\n  host: http://localhost:9200\nconnectors:\n  - connector_id: c1\n",
    lines: [
      "{file}:2:3: elasticsearch has no credentials: set elasticsearch.api_key, or " +
      "elasticsearch.username and elasticsearch.password (e.g. password: ${ELASTIC_PASSWORD})",
    ],
    daemon: true,
  },
  {
    name: "placeholder-api-key",
    text: BASE.replace("api_key: k3y", "api_key: changeme"),
    lines: ['{file}:2:12: elasticsearch.api_key is the placeholder "changeme": set a real API key'],
  },
  {
    name: "unset-variable",
    text: BASE.replace("api_key: k3y", "api_key: ${CONNECTORS_BAD_CONFIG_UNSET_KEY}"),
    lines: [
      "{file}:2:12: elasticsearch.api_key uses ${CONNECTORS_BAD_CONFIG_UNSET_KEY}, which is not " +
      "set: set the variable or give a default like ${CONNECTORS_BAD_CONFIG_UNSET_KEY:-value}",
    ],
    daemon: true,
  },
  {
    name: "variable-not-a-number",
    text: BASE + "service.max_errors: ${CONNECTORS_BAD_CONFIG_ERRORS}\n",
    env: { CONNECTORS_BAD_CONFIG_ERRORS: "many" },
    lines: ['{file}:5:21: service.max_errors must be an integer >= 1, got "many"'],
  },
  {
    name: "duplicate-connector-ids",
    text: BASE + "    service_type: mysql\n  - connector_id: c1\n    service_type: postgresql\n",
    lines: [
      '{file}:6:19: connectors[1].connector_id "c1" is listed again (line 4) with another ' +
      "service_type or api_key: keep one entry per connector",
    ],
    daemon: true,
  },
  {
    name: "unknown-service-type",
    text: BASE + "    service_type: postgress\n",
    lines: [
      '{file}:5:19: connectors[0].service_type "postgress" is not a connector type of this ' +
      'build; did you mean "postgresql"? (known: dir, mysql, postgresql, s3)',
    ],
    daemon: true,
  },
  {
    name: "unknown-service-types",
    text: BASE + "service.service_types: [mysql, oracle]\n",
    lines: [
      '{file}:5:24: service.service_types "oracle" is not a connector type of this build ' +
      "(known: dir, mysql, postgresql, s3)",
    ],
  },
  {
    name: "connector-without-id",
    text: "elasticsearch.api_key: k3y\nconnectors:\n  - service_type: mysql\n",
    lines: ["{file}:3:5: connectors[0] needs a connector_id"],
  },
  {
    name: "connectors-not-a-list",
    text: "elasticsearch.api_key: k3y\nconnectors:\n  connector_id: c1\n",
    lines: [
      "{file}:3:3: connectors must be a list of {connector_id, service_type, api_key}, got a mapping",
    ],
  },
  {
    name: "boolean-as-word",
    text: BASE + "service.catch_up_missed_schedules: sometimes\n",
    lines: [
      '{file}:5:36: service.catch_up_missed_schedules must be true or false, got "sometimes"',
    ],
  },
  {
    name: "reference-key-not-used",
    text: BASE + "elasticsearch.bulk.queue_max_size: 1024\n",
    lines: [
      "{file}:5:1: elasticsearch.bulk.queue_max_size is not used by this service: memory is " +
      "bounded by chunk_max_mem_size x (max_concurrency + 1); there is no separate queue; remove it",
    ],
  },
  {
    name: "secret-of-wrong-type",
    text: BASE.replace("api_key: k3y", `api_key: [${SECRET}]`),
    lines: ["{file}:2:12: elasticsearch.api_key must be a string, got a list"],
  },
];

/** Runs `work` on every item, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** What each command prints to stderr for problem lines `lines`. */
function expectedStderr(command: string, lines: string[], file: string): string[] {
  const filled = lines.map((line) => line.replaceAll("{file}", file));
  if (command !== "validate-config") {
    // main.ts prints the error once, prefixed, never a trace.
    return [`connectors: ${filled[0]}`, ...filled.slice(1)];
  }
  const counted = filled.length > 1 || filled.some((line) => !line.startsWith(`${file}: `));
  const count = `${filled.length} problem${filled.length === 1 ? "" : "s"} in ${file}`;
  return counted ? [...filled, count] : filled;
}

function commandsOf(item: Case, file: string): string[][] {
  const commands = [["validate-config", "-c", file]];
  if (item.daemon) {
    commands.push(["run", "-c", file], ["sync", "--id", "c1", "--full", "-c", file]);
  }
  return commands;
}

function check(item: Case, args: string[], file: string, result: CliResult): void {
  const what = `${item.name}: connectors ${args[0]}`;
  const output = result.stdout + result.stderr;
  assertNoStackTrace(output, what);
  assert.ok(!output.includes(SECRET), `${what} printed the secret`);
  assert.equal(result.stdout, "", `${what} wrote to stdout`);
  assert.deepEqual(
    result.stderr.trimEnd().split("\n"),
    expectedStderr(args[0], item.lines, file),
    what,
  );
  // validate-config: 1 (invalid); run and sync: 2 (could not start), as documented.
  assert.equal(result.code, args[0] === "validate-config" ? 1 : 2, `${what}\n${output}`);
}

Deno.test("bad config.yml: one clear line per problem, exit 1 (run and sync 2), no trace", async () => {
  assert.ok(CASES.length >= 20);
  const runs: { item: Case; args: string[]; file: string }[] = [];
  for (const item of CASES) {
    const file = `${workDir}/${item.name}.yml`;
    if (typeof item.text === "string") await Deno.writeTextFile(file, item.text);
    else await Deno.writeFile(file, item.text);
    for (const args of commandsOf(item, file)) runs.push({ item, args, file });
  }
  const failures: string[] = [];
  await inParallel(runs, 4, async ({ item, args, file }) => {
    const result = await connectorsCli(args, { env: item.env });
    try {
      check(item, args, file, result);
    } catch (error) {
      failures.push((error as Error).message);
    }
  });
  assert.deepEqual(failures, [], failures.join("\n\n"));
});

Deno.test("no connectors: validate-config warns (exit 0), run refuses to start (exit 2)", async () => {
  const file = `${workDir}/no-connectors.yml`;
  await Deno.writeTextFile(file, "elasticsearch:\n  api_key: k3y\n");
  const problem = `${file}: connectors is empty and so is service.service_types: add a ` +
    "connectors entry (connector_id, service_type) or list service types to serve";
  const [validated, ran] = await Promise.all([
    connectorsCli(["validate-config", "-c", file]),
    connectorsCli(["run", "-c", file]),
  ]);
  assertNoStackTrace(validated.stdout + validated.stderr, "validate-config");
  assert.equal(validated.code, 0, validated.stderr);
  assert.ok(
    validated.stdout.includes(
      `    ${file}: warning: ${problem.slice(file.length + 2)} ` +
        "(needed by connectors run)",
    ),
    validated.stdout,
  );
  assertNoStackTrace(ran.stdout + ran.stderr, "run");
  assert.equal(ran.code, 2, ran.stderr);
  assert.equal(ran.stderr, `connectors: ${problem}\n`);
});
