import assert from "node:assert/strict";
import { machineTicks } from "./cpu_meter.ts";

Deno.test("machineTicks sums busy and total ticks of the cpu line", () => {
  const stat = "cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n";
  assert.deepEqual(machineTicks(stat), { busy: 161, total: 981 });
});
