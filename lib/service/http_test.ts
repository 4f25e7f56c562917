import assert from "node:assert/strict";
import { configureLogging, Logger } from "../log/mod.ts";
import { EXPOSITION_CONTENT_TYPE } from "../metrics/mod.ts";
import { startStatusServer } from "./http.ts";
import { PreflightError } from "./preflight.ts";
import { Readiness } from "./readiness.ts";
import { ServiceTelemetry } from "./telemetry.ts";

const logged: string[] = [];
configureLogging({ write: (line) => logged.push(line) });

function setUp(probe: () => Promise<void>, host = "127.0.0.1") {
  const readiness = new Readiness({ probe, cacheMs: 0 });
  const telemetry = new ServiceTelemetry({ version: "9.9.9" });
  const server = startStatusServer({
    host,
    port: 0,
    readiness,
    telemetry,
    logger: new Logger({}),
  });
  return { readiness, server };
}

async function get(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

Deno.test("healthz, readyz, metrics, and refusals of other paths and methods", async () => {
  let down = false;
  const { readiness, server } = setUp(() =>
    down ? Promise.reject(new Error("connection refused")) : Promise.resolve()
  );
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(
      logged.at(-1)!,
      new RegExp(`serving /healthz, /readyz and /metrics on ${server.url}$`),
    );
    assert.deepEqual((await get(`${server.url}/healthz`)).body, "ok\n");
    const starting = await get(`${server.url}/readyz`);
    assert.equal(starting.status, 503);
    assert.match(starting.body, /^not ready: starting/);
    readiness.setState("running");
    assert.deepEqual(
      [(await get(`${server.url}/readyz`)).status, (await get(`${server.url}/readyz`)).body],
      [200, "ready\n"],
    );
    down = true;
    const unready = await get(`${server.url}/readyz`);
    assert.equal(unready.status, 503);
    assert.equal(unready.body, "not ready: Elasticsearch does not answer: connection refused\n");
    assert.equal((await get(`${server.url}/healthz`)).status, 200, "alive while not ready");

    const metrics = await get(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.headers.get("content-type"), EXPOSITION_CONTENT_TYPE);
    assert.match(metrics.body, /^connectors_build_info\{version="9.9.9"\} 1$/m);

    const post = await get(`${server.url}/metrics`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    const head = await get(`${server.url}/healthz`, { method: "HEAD" });
    assert.deepEqual([head.status, head.body], [200, ""]);
    const missing = await get(`${server.url}/status`);
    assert.equal(missing.status, 404);
    assert.match(missing.body, /\/healthz, \/readyz and \/metrics/);
  } finally {
    await server.close();
  }
});

Deno.test("listening beyond loopback says that the endpoints have no authentication", async () => {
  const { server } = setUp(() => Promise.resolve(), "0.0.0.0");
  try {
    assert.match(server.url, /^http:\/\/0\.0\.0\.0:\d+$/);
    assert.match(
      logged.at(-1)!,
      /\(reachable from other hosts; the endpoints have no authentication\)$/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("a port in use is a one-line start-up error naming service.http", () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    assert.throws(
      () =>
        startStatusServer({
          host: "127.0.0.1",
          port,
          readiness: new Readiness({ probe: () => Promise.resolve() }),
          telemetry: new ServiceTelemetry({ version: "0" }),
          logger: new Logger({}),
        }),
      (error: Error) => {
        assert.ok(error instanceof PreflightError);
        assert.equal(
          error.message,
          `service.http cannot listen on 127.0.0.1:${port}: the port is in use; set ` +
            `service.http.port to a free port or stop the other process`,
        );
        return true;
      },
    );
  } finally {
    listener.close();
  }
});
