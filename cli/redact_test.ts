import assert from "node:assert/strict";
import { HIDDEN, redactConfiguration } from "./redact.ts";

Deno.test("sensitive values are hidden, by the stored field or by the schema", () => {
  const stored = {
    host: { value: "db", sensitive: false },
    password: { value: "s3cret", sensitive: true },
    token: { value: "t0ken" },
    empty_secret: { value: "", sensitive: true },
    bare: "b4re",
  };
  const schema = {
    token: { label: "Token", sensitive: true },
    bare: { label: "Bare", sensitive: true },
  };
  const redacted = redactConfiguration(stored, schema);
  assert.deepEqual(redacted, {
    host: { value: "db", sensitive: false },
    password: { value: HIDDEN, sensitive: true },
    token: { value: HIDDEN },
    empty_secret: { value: "", sensitive: true },
    bare: HIDDEN,
  });
  assert.equal(stored.password.value, "s3cret", "the input is not modified");
  assert.deepEqual(redactConfiguration(null, undefined), {});
});
