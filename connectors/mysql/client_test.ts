import assert from "node:assert/strict";
import { connectionError, isTransient } from "./client.ts";
import { ConfigValueError } from "../../lib/source/types.ts";

const settings = {
  host: "db.example",
  port: 3306,
  user: "u",
  password: "secret",
  database: "d",
  connectTimeoutMs: 5000,
};

Deno.test("connectionError names the field to fix and never the password", () => {
  const denied = connectionError(
    { code: "ER_ACCESS_DENIED_ERROR", message: "Access denied for user 'u'@'h'" },
    settings,
  );
  assert.ok(denied instanceof ConfigValueError);
  assert.match(
    denied.message,
    /^MySQL at db.example:3306: Access denied .*'Password' \(password\)/,
  );
  assert.doesNotMatch(denied.message, /secret/);
  assert.match(
    connectionError({ code: "ETIMEDOUT" }, settings).message,
    /did not answer within 5 s/,
  );
  assert.ok(isTransient({ code: "PROTOCOL_CONNECTION_LOST" }));
  // A reconnect refused while the server restarts stays retryable after translation.
  assert.ok(isTransient(connectionError({ code: "ECONNREFUSED" }, settings)));
  assert.ok(!isTransient(connectionError({ code: "ER_ACCESS_DENIED_ERROR" }, settings)));
  assert.ok(isTransient(new Error("Can't add new command when connection is in closed state")));
  assert.ok(!isTransient({ code: "ER_PARSE_ERROR" }));
});
