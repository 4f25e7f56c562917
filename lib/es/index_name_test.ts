import assert from "node:assert/strict";
import { indexNameProblem } from "./index_name.ts";

Deno.test("index names: the reference's rules plus Elasticsearch's", () => {
  for (const good of ["search-books", "books_2024", ".hidden-ok", "a.b", "é-index"]) {
    assert.equal(indexNameProblem(good), undefined, good);
  }
  const bad: [string, string][] = [
    ["", "must not be empty"],
    ["a\\b", 'must not contain "\\"'],
    ["a/b", 'must not contain "/"'],
    ["a?b", 'must not contain "?"'],
    ['a"b', 'must not contain """'],
    ["a<b", 'must not contain "<"'],
    ["a>b", 'must not contain ">"'],
    ["a|b", 'must not contain "|"'],
    ["a b", "must not contain spaces"],
    ["a:b", 'must not contain ":"'],
    ["_a", 'must not start with "_"'],
    ["-a", 'must not start with "-"'],
    ["+a", 'must not start with "+"'],
    [".", 'must not be "."'],
    ["..", 'must not be ".."'],
    ["Books", "must be lowercase"],
    ["a".repeat(256), "must be at most 255 bytes long"],
    ["é".repeat(128), "must be at most 255 bytes long"],
  ];
  for (const [name, problem] of bad) assert.equal(indexNameProblem(name), problem, name);
});
