import assert from "node:assert/strict";
import { closestKey, editDistance } from "./did_you_mean.ts";

Deno.test("editDistance counts a swap of neighbours as one edit", () => {
  assert.equal(editDistance("hots", "host"), 1);
  assert.equal(editDistance("chunk_sise", "chunk_size"), 1);
  assert.equal(editDistance("abc", "abc"), 0);
  assert.equal(editDistance("", "abc"), 3);
});

Deno.test("closestKey suggests near keys only", () => {
  const keys = ["host", "username", "password", "api_key", "bulk"];
  assert.equal(closestKey("hots", keys), "host");
  assert.equal(closestKey("Host", keys), "host");
  assert.equal(closestKey("pasword", keys), "password");
  assert.equal(closestKey("apikey", keys), "api_key");
  assert.equal(closestKey("completely_different", keys), undefined);
});
