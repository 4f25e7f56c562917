import assert from "node:assert/strict";
import { cpuTicksFromStat, runMeasured } from "./measured_process.ts";

Deno.test("cpuTicksFromStat reads utime + stime past a command name with spaces", () => {
  const stat = "4242 (deno (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 9 0";
  assert.equal(cpuTicksFromStat(stat), 280);
});

Deno.test("runMeasured sees the peak memory and CPU of a child", async () => {
  const usage = await runMeasured({
    command: Deno.execPath(),
    args: [
      "eval",
      "const a = new Uint8Array(200 * 1024 * 1024).fill(1); let s = 0; " +
      "const end = Date.now() + 400; while (Date.now() < end) s += a[s % a.length]; console.log('done')",
    ],
    sampleMs: 20,
  });
  assert.equal(usage.code, 0);
  assert.equal(usage.stdout.trim(), "done");
  assert.ok(usage.peakRssBytes > 200 * 1024 * 1024, `peak ${usage.peakRssBytes}`);
  assert.ok(usage.cpuSeconds >= 0.2, `cpu ${usage.cpuSeconds}`);
});
