import assert from "node:assert/strict";
import { describeError, isTransient } from "./client.ts";
import type { PostgresSettings } from "./config.ts";

const settings = {
  host: "db.internal",
  port: 5432,
  username: "reader",
  connectTimeoutSeconds: 30,
} as PostgresSettings;

Deno.test("a broken connection is retried and said to be lost, not unreachable", () => {
  for (const code of ["EPIPE", "ECONNRESET", "CONNECTION_CLOSED"]) {
    const error = Object.assign(new Error("write EPIPE"), { code });
    assert.ok(isTransient(error), code);
    assert.match(
      describeError(error, settings),
      new RegExp(`^the connection to PostgreSQL at db.internal:5432 was lost \\(${code}\\)`),
    );
  }
});

Deno.test("a connection that cannot be opened names host, port and what to check", () => {
  const error = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  assert.ok(isTransient(error));
  assert.match(
    describeError(error, settings),
    /^cannot reach PostgreSQL at db.internal:5432 within 30 s \(ECONNREFUSED\): check host and port/,
  );
});

Deno.test("a backend terminated by an administrator is retried", () => {
  const error = Object.assign(new Error("terminating connection due to administrator command"), {
    code: "57P01",
  });
  assert.ok(isTransient(error));
  assert.match(describeError(error, settings), /failed: terminating connection/);
});
