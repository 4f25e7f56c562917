import assert from "node:assert/strict";
import { validateConfig, validateConfigCommand } from "./validate_config.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const SECRET = "Sup3r-S3cret-value";

async function withConfig(text: string, run: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/config.yml`;
    await Deno.writeTextFile(path, text);
    await run(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function cli(path: string, env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "validate-config", "-c", path],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("validate-config: a valid file exits 0 with a summary and no secret", async () => {
  const text = [
    "elasticsearch:",
    "  host: https://es.example.com:9243",
    "  api_key: ${MY_KEY}",
    "  headers: {Authorization: " + SECRET + "}",
    "connectors:",
    "  - {connector_id: pg-1, service_type: postgresql, api_key: " + SECRET + "}",
    "  - {connector_id: my-s3, service_type: s3}",
  ].join("\n");
  await withConfig(text, async (path) => {
    const { code, stdout, stderr } = await cli(path, { MY_KEY: SECRET });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    assert.match(stdout, new RegExp(`^${path}: valid$`, "m"));
    assert.match(stdout, /Elasticsearch\s+https:\/\/es.example.com:9243/);
    assert.match(stdout, /auth\s+API key/);
    assert.match(stdout, /TLS\s+on, verified against the system CA store/);
    assert.match(
      stdout,
      /ID\s+SERVICE TYPE\s+OWN API KEY\n\s+pg-1\s+postgresql\s+yes\n\s+my-s3\s+s3\s+no/,
    );
    assert.ok(!stdout.includes(SECRET));
  });
});

Deno.test("validate-config: problems exit 1, one per line, then the count", async () => {
  const text = [
    "elasticsearch:",
    "  hots: x",
    "  password: " + SECRET,
    "  bulk: {max_concurrency: five}",
    "  headers: {authorization: [" + SECRET + "]}",
    "connectors: [{connector_id: c1, api_key: {x: " + SECRET + "}}]",
  ].join("\n");
  await withConfig(text, async (path) => {
    const { code, stdout, stderr } = await cli(path);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.ok(!stderr.includes(SECRET));
    assert.deepEqual(stderr.trimEnd().split("\n"), [
      `${path}:2:3: elasticsearch.hots is not a known key; did you mean "host"?`,
      `${path}:4:27: elasticsearch.bulk.max_concurrency must be an integer >= 1, got "five"`,
      `${path}:5:13: elasticsearch.headers.authorization must be a string, got a list`,
      `${path}:6:42: connectors[0].api_key must be a string, got a mapping`,
      `4 problems in ${path}`,
    ]);
  });
});

Deno.test("validate-config: a missing file is one line and exit 1, no stack trace", async () => {
  const { code, stdout, stderr } = await cli("/nonexistent/dir/config.yml");
  assert.equal(code, 1);
  assert.equal(stdout, "");
  assert.equal(
    stderr,
    "/nonexistent/dir/config.yml: file not found; copy config.example.yml to it or pass -c <path>\n",
  );
});

Deno.test("validate-config: warnings are shown with a valid file", async () => {
  const lines: string[] = [];
  await withConfig("elasticsearch.password: pw\nconnector_id: old\n", async (path) => {
    const code = await validateConfig(path, {
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
      env: {},
    });
    assert.equal(code, 0);
    assert.ok(lines.includes(`  auth           basic auth as elastic`), lines.join("\n"));
    assert.ok(lines.some((l) => l.includes(`${path}:2:1: warning: connector_id and service_type`)));
  });
  lines.length = 0;
  await withConfig("elasticsearch.password: pw\n", async (path) => {
    assert.equal(
      await validateConfig(path, { out: (l) => lines.push(l), err: (l) => lines.push(l), env: {} }),
      0,
    );
    assert.ok(
      lines.some((l) => l.includes("warning: connectors is empty") && l.includes("connectors run")),
    );
  });
});

Deno.test("validate-config: shows the HTTP endpoints only when service.http.port is set", async () => {
  const base = "elasticsearch.password: pw\nconnectors: [{connector_id: c1}]\n";
  await withConfig(base + "service.http: {port: 9100, host: '::'}\n", async (path) => {
    const { code, stdout, stderr } = await cli(path);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^ {2}HTTP {11}http:\/\/\[::\]:9100 \(\/healthz, \/readyz, \/metrics\)$/m);
  });
  await withConfig(base, async (path) => {
    const { stdout } = await cli(path);
    assert.doesNotMatch(stdout, /HTTP/);
  });
});

Deno.test("validate-config command object: default path and exit code", async () => {
  const lines: string[] = [];
  const command = validateConfigCommand({ out: (l) => lines.push(l), err: (l) => lines.push(l) });
  const previous = Deno.exitCode;
  try {
    await command.parseAsync(["-c", "/nonexistent/x.yml"], { from: "user" });
    assert.equal(Deno.exitCode, 1);
    assert.deepEqual(lines, [
      "/nonexistent/x.yml: file not found; copy config.example.yml to it or pass -c <path>",
    ]);
    assert.equal(command.opts().config, "/nonexistent/x.yml");
    assert.equal(validateConfigCommand().parse([], { from: "user" }).opts().config, "config.yml");
  } finally {
    Deno.exitCode = previous;
  }
});
