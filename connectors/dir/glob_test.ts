import assert from "node:assert/strict";
import { globToRegExp } from "./glob.ts";

const matches = (pattern: string, path: string) => globToRegExp(pattern).test(path);

Deno.test("the default pattern **/*.* matches files with a dot at any depth", () => {
  assert(matches("**/*.*", "a.txt"));
  assert(matches("**/*.*", "x/y/z.md"));
  assert(matches("**/*.*", ".hidden.cfg"));
  assert.equal(matches("**/*.*", "Makefile"), false);
  assert.equal(matches("**/*.*", "docs/README"), false);
});

Deno.test("* and ? stay within one segment", () => {
  assert(matches("*.py", "a.py"));
  assert.equal(matches("*.py", "x/a.py"), false);
  assert(matches("x/?.py", "x/a.py"));
  assert.equal(matches("x/?.py", "x/ab.py"), false);
});

Deno.test("character classes and special characters", () => {
  assert(matches("[ab]*.txt", "b1.txt"));
  assert.equal(matches("[!ab]*.txt", "b1.txt"), false);
  assert(matches("file (1)+.txt", "file (1)+.txt"));
  assert(matches("**", "any/depth/file"));
  assert(matches("docs/**/*.md", "docs/a.md"));
  assert(matches("docs/**/*.md", "docs/x/y/a.md"));
  assert.equal(matches("docs/**/*.md", "other/a.md"), false);
});
