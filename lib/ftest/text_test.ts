import assert from "node:assert/strict";
import { Rng } from "./rng.ts";
import { contentText, FILE_MIX, textOfSize } from "./text.ts";

Deno.test("textOfSize gives exactly the asked size", () => {
  const rng = new Rng(1);
  for (const size of [1, 60, 999, 50_000]) assert.equal(textOfSize(rng, size).length, size);
});

Deno.test("contentText follows the mix: mostly small, some 10-100 KB, few larger", () => {
  const rng = new Rng(3);
  const sizes = Array.from({ length: 2000 }, () => contentText(rng).length);
  const small = sizes.filter((size) => size <= 1_000).length;
  const medium = sizes.filter((size) => size >= 10_000 && size <= 100_000).length;
  const large = sizes.filter((size) => size >= 200_000).length;
  assert.equal(small + medium + large, sizes.length);
  assert.ok(Math.abs(small / 2000 - FILE_MIX[0].weight) < 0.03, `small share ${small / 2000}`);
  assert.ok(medium > 150 && medium < 250, `medium count ${medium}`);
  assert.ok(large > 20 && large < 65, `large count ${large}`);
});
