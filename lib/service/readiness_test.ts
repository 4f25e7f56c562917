import assert from "node:assert/strict";
import { Readiness } from "./readiness.ts";

Deno.test("not ready while starting or stopping, whatever Elasticsearch says", async () => {
  let probes = 0;
  const readiness = new Readiness({
    probe: () => {
      probes++;
      return Promise.resolve();
    },
  });
  assert.deepEqual(await readiness.check(), {
    ready: false,
    reason: "starting: waiting for Elasticsearch and the connector indices",
  });
  readiness.setState("running");
  assert.deepEqual(await readiness.check(), { ready: true, reason: "ready" });
  readiness.setState("stopping");
  assert.match((await readiness.check()).reason, /^stopping/);
  assert.equal(probes, 1);
});

Deno.test("an Elasticsearch failure is the reason; probes are cached and shared", async () => {
  let now = 0;
  let probes = 0;
  let failure: Error | undefined = new Error("cannot reach Elasticsearch at http://es:9200");
  const readiness = new Readiness({
    cacheMs: 1_000,
    now: () => now,
    probe: async () => {
      probes++;
      await Promise.resolve();
      if (failure) throw failure;
    },
  });
  readiness.setState("running");
  const [a, b] = await Promise.all([readiness.check(), readiness.check()]);
  assert.deepEqual(a, {
    ready: false,
    reason: "Elasticsearch does not answer: cannot reach Elasticsearch at http://es:9200",
  });
  assert.deepEqual(b, a);
  assert.equal(probes, 1, "concurrent checks share one probe");
  failure = undefined;
  now = 999;
  assert.equal((await readiness.check()).ready, false, "cached");
  now = 1_000;
  assert.equal((await readiness.check()).ready, true);
  assert.equal(probes, 2);
});

Deno.test("a probe that does not answer in time fails with the timeout", async () => {
  const readiness = new Readiness({
    timeoutMs: 50,
    probe: (signal) =>
      new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
  });
  readiness.setState("running");
  assert.deepEqual(await readiness.check(), {
    ready: false,
    reason: "Elasticsearch does not answer: no answer within 0.05 s",
  });
});
