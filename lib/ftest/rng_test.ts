import assert from "node:assert/strict";
import { Rng } from "./rng.ts";

Deno.test("the same seed gives the same sequence; another seed another one", () => {
  const draw = (seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 5 }, () => rng.int(0, 1_000_000));
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  // Pinned: a change of algorithm changes every dataset, so it must be deliberate.
  assert.deepEqual(draw(1), [627074, 2735, 527447, 981051, 968378]);
});

Deno.test("int stays in range and sample picks distinct items", () => {
  const rng = new Rng(42);
  for (let i = 0; i < 1000; i++) {
    const value = rng.int(3, 5);
    assert.ok(value >= 3 && value <= 5);
  }
  const items = Array.from({ length: 100 }, (_, i) => i);
  const picked = rng.sample(items, 10);
  assert.equal(new Set(picked).size, 10);
  assert.equal(rng.sample(items, 500).length, 100);
  assert.equal(items.length, 100, "the input is not changed");
});
