import assert from "node:assert/strict";
import { ConnectionHealth } from "./connection_health.ts";

Deno.test("one transient failure is tolerated, the second flips; success resets", () => {
  const health = new ConnectionHealth();
  assert.equal(health.failed("c1", { immediate: false }), false);
  assert.equal(health.failed("c1", { immediate: false }), true);
  health.succeeded("c1");
  assert.equal(health.failed("c1", { immediate: false }), false);
  assert.equal(health.failed("c2", { immediate: true }), true, "config problems flip at once");
  health.retain(new Set(["c2"]));
  assert.equal(health.failed("c1", { immediate: false }), false, "c1 was forgotten");
});
