import assert from "node:assert/strict";
import { TaskPool } from "./task_pool.ts";

Deno.test("TaskPool never runs more than its limit and waits for all on drain", async () => {
  const pool = new TaskPool(3);
  let running = 0;
  let peak = 0;
  let done = 0;
  for (let i = 0; i < 20; i++) {
    await pool.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 1 + (i % 4)));
      running--;
      done++;
    });
    assert.ok(pool.running <= 3);
  }
  await pool.drain();
  assert.equal(peak, 3);
  assert.equal(done, 20);
});

Deno.test("TaskPool rethrows the first task error from run and drain", async () => {
  const pool = new TaskPool(1);
  await pool.run(() => Promise.reject(new Error("first")));
  await assert.rejects(pool.run(() => Promise.resolve()), /first/);
  await assert.rejects(pool.drain(), /first/);
});
