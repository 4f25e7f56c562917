import assert from "node:assert/strict";
import { runSyncProcess } from "./child_sync.ts";

Deno.test("runSyncProcess passes the exit code, keeps the output and samples peak memory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = [
      "const big = new Uint8Array(200 * 1024 * 1024).fill(1);",
      "console.log('allocated', big.length);",
      "await new Promise((resolve) => setTimeout(resolve, 400));",
      "console.error('bye');",
      "Deno.exit(3);",
    ].join("\n");
    const result = await runSyncProcess({
      command: [Deno.execPath(), "eval", script],
      logFile: `${dir}/out.log`,
    });
    assert.equal(result.code, 3);
    assert.ok(result.peakRssBytes > 200 * 1024 * 1024, `peak ${result.peakRssBytes}`);
    assert.ok(result.wallMs >= 400);
    assert.deepEqual(result.tail.toSorted(), ["allocated 209715200", "bye"]);
    const log = await Deno.readTextFile(`${dir}/out.log`);
    assert.match(log, /allocated 209715200/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
