import assert from "node:assert/strict";
import { keysetCondition, quoteId } from "./sql.ts";

Deno.test("quoteId wraps in backticks and doubles embedded ones", () => {
  assert.equal(quoteId("plain"), "`plain`");
  assert.equal(quoteId("we`ird tab 'lé\""), "`we``ird tab 'lé\"`");
});

Deno.test("keysetCondition expands to a range the optimizer can seek", () => {
  assert.deepEqual(keysetCondition(["`a`"], [5]), { sql: "`a` > ?", values: [5] });
  assert.deepEqual(keysetCondition(["`a`", "`b`", "`c`"], [1, "x", 2]), {
    sql: "`a` >= ? AND (`a` > ? OR (`a` = ? AND `b` > ?) OR (`a` = ? AND `b` = ? AND `c` > ?))",
    values: [1, 1, 1, "x", 1, "x", 2],
  });
  assert.throws(() => keysetCondition(["`a`", "`b`"], [1]), /one value per column/);
});
