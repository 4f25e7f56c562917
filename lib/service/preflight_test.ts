import assert from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import { EsClient } from "../es/client.ts";
import { configureLogging, Logger } from "../log/mod.ts";
import {
  checkVersion,
  PreflightError,
  waitForElasticsearch,
  withPreflightRetries,
} from "./preflight.ts";

configureLogging({ write: () => {} });
const logger = new Logger();

Deno.test("checkVersion: too old is fatal, newer majors warn, serverless is not checked", () => {
  assert.throws(
    () => checkVersion({ version: "7.17.0", buildFlavor: "default" }),
    (error: unknown) =>
      error instanceof PreflightError && /7\.17\.0 is too old/.test(error.message),
  );
  assert.deepEqual(checkVersion({ version: "8.19.7", buildFlavor: "default" }).warnings, []);
  assert.equal(checkVersion({ version: "10.0.0", buildFlavor: "default" }).warnings.length, 1);
  assert.deepEqual(checkVersion({ version: "1.0.0", buildFlavor: "serverless" }).warnings, []);
});

Deno.test("waitForElasticsearch gives up after max_wait_duration with the reason", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // a port nobody listens on
  const config = defaultConfig();
  config.elasticsearch.max_wait_duration = 0.3;
  config.elasticsearch.initial_backoff_duration = 0.05;
  const es = new EsClient({ host: `http://127.0.0.1:${port}`, auth: { none: true } });
  const started = Date.now();
  await assert.rejects(
    waitForElasticsearch({ es, config, logger }),
    (error: unknown) =>
      error instanceof PreflightError &&
      /did not answer within 0\.3 s \(elasticsearch\.max_wait_duration\)/.test(error.message),
  );
  assert.ok(Date.now() - started < 2000);
});

Deno.test("withPreflightRetries retries preflight_max_attempts times, then names the step", async () => {
  const config = defaultConfig();
  config.service.preflight_max_attempts = 3;
  config.service.preflight_idle = 0.01;
  let calls = 0;
  await assert.rejects(
    withPreflightRetries({
      what: "create the protocol indices",
      config,
      logger,
      attempt: () => {
        calls++;
        return Promise.reject(new Error("cluster_block_exception"));
      },
    }),
    /could not create the protocol indices after 3 attempts .*cluster_block_exception/,
  );
  assert.equal(calls, 3);
  let tries = 0;
  const value = await withPreflightRetries({
    what: "x",
    config,
    logger,
    attempt: () => ++tries < 2 ? Promise.reject(new Error("not yet")) : Promise.resolve(42),
  });
  assert.equal(value, 42);
});
