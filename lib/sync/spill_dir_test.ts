import assert from "node:assert/strict";
import { join } from "node:path";
import { createSpillDir, removeOrphanedSpillDirs } from "./spill_dir.ts";

/** A pid no process has: above Linux's pid_max ceiling. */
const DEAD_PID = 4_194_305;

Deno.test("a new spill dir removes those of dead processes and keeps the rest", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const orphan = join(parent, `connectors-sync-${DEAD_PID}-abc`);
    const living = join(parent, `connectors-sync-${Deno.pid}-old`);
    const unrelated = join(parent, "connectors-sync-notapid");
    for (const dir of [orphan, living, unrelated]) await Deno.mkdir(dir);
    await Deno.writeTextFile(join(orphan, "run-0"), "ids");

    const mine = await createSpillDir(parent);

    const names = new Set<string>();
    for await (const entry of Deno.readDir(parent)) names.add(entry.name);
    assert.ok(!names.has(`connectors-sync-${DEAD_PID}-abc`), "orphan removed");
    assert.ok(names.has(`connectors-sync-${Deno.pid}-old`), "a living process's dir is kept");
    assert.ok(names.has("connectors-sync-notapid"));
    assert.ok(mine.startsWith(join(parent, `connectors-sync-${Deno.pid}-`)));
    assert.equal(await removeOrphanedSpillDirs(parent), 0);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
