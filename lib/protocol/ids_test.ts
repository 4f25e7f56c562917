import assert from "node:assert/strict";
import { newDocumentId } from "./ids.ts";

Deno.test("document ids are 20 URL-safe characters that never read as a command-line option", () => {
  const ids = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const id = newDocumentId();
    assert.match(id, /^[A-Za-z0-9][A-Za-z0-9_-]{19}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 5000);
});
