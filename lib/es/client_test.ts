import assert from "node:assert/strict";
import { writeTestCertificates } from "../harness/tls_certificates.ts";
import { EsClient, EsError } from "./client.ts";

/** An HTTPS server with a certificate from a throwaway CA, answering like Elasticsearch. */
async function httpsServer() {
  const dir = await Deno.makeTempDir({ prefix: "es-client-test-" });
  const files = await writeTestCertificates(dir);
  const seen: { method: string; path: string; authorization: string | null; body: string }[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(files.serverCert),
    key: await Deno.readTextFile(files.serverKey),
    onListen: () => {},
  }, async (request) => {
    const path = new URL(request.url).pathname;
    seen.push({
      method: request.method,
      path,
      authorization: request.headers.get("authorization"),
      body: await request.text(),
    });
    if (path === "/slow") await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (path === "/forbidden") {
      const body = request.method === "HEAD" ? null : JSON.stringify({
        error: { type: "security_exception", reason: "action [x] is unauthorized" },
      });
      return new Response(body, { status: 403 });
    }
    return Response.json({ echo: path }, { status: path === "/missing" ? 404 : 200 });
  });
  const url = `https://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  return {
    url,
    seen,
    ca: await Deno.readTextFile(files.caCert),
    async close() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const auth = { username: "elastic", password: "not-a-real-password" };

Deno.test("an untrusted certificate is one clear error, not retried", async () => {
  const server = await httpsServer();
  const es = new EsClient({ host: server.url, auth, maxRetries: 5, retryIntervalMs: 5_000 });
  try {
    const error = await es.request("GET", "/_nodes/_local").catch((error) => error);
    assert.ok(error instanceof EsError);
    assert.equal(error.type, "tls");
    assert.equal(
      error.message,
      `cannot verify the TLS certificate of Elasticsearch at ${server.url} (UnknownIssuer); ` +
        "set elasticsearch.ca_certs to the file of the CA that signed it (or verify_certs: false)",
    );
    assert.equal(server.seen.length, 0);
  } finally {
    es.close();
    await server.close();
  }
});

Deno.test("caCerts trusts the CA; verifyCerts false skips the check, requests intact", async () => {
  const server = await httpsServer();
  const trusted = new EsClient({ host: server.url, auth, caCerts: server.ca });
  const unverified = new EsClient({ host: server.url, auth, verifyCerts: false, maxRetries: 0 });
  try {
    assert.deepEqual((await trusted.request("GET", "/a")).body, { echo: "/a" });
    const body = { title: "héllo ✓ ".repeat(1000) };
    const response = await unverified.request("POST", "/b", { body, query: { refresh: true } });
    assert.deepEqual(response, { status: 200, body: { echo: "/b" } });
    const posted = server.seen.at(-1)!;
    assert.equal(posted.method, "POST");
    assert.deepEqual(JSON.parse(posted.body), body);
    assert.equal(posted.authorization, `Basic ${btoa("elastic:not-a-real-password")}`);
    const missing = await unverified.request("GET", "/missing", { allow: [404] });
    assert.equal(missing.status, 404);
  } finally {
    trusted.close();
    unverified.close();
    await server.close();
  }
});

Deno.test("verifyCerts false: aborts and timeouts end the request", async () => {
  const server = await httpsServer();
  const quick = new EsClient({
    host: server.url,
    auth,
    verifyCerts: false,
    requestTimeoutMs: 200,
    retryOnTimeout: false,
  });
  try {
    const timedOut = await quick.request("GET", "/slow").catch((error) => error);
    assert.equal(timedOut.type, "timeout");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const patient = new EsClient({ host: server.url, auth, verifyCerts: false });
    try {
      const cancelled = await patient.request("GET", "/slow", { signal: controller.signal })
        .catch((error) => error);
      assert.equal(cancelled.type, "aborted");
      assert.match(cancelled.message, /GET \/slow was cancelled/);
    } finally {
      patient.close();
    }
  } finally {
    quick.close();
    await server.close();
  }
});

Deno.test("403 names the credentials, also for HEAD answers without a body", async () => {
  const server = await httpsServer();
  const es = new EsClient({
    host: server.url,
    auth: { apiKey: "a2V5OnNlY3JldA==" },
    caCerts: server.ca,
    credentials: "the api_key of connector c1 in config.yml",
  });
  try {
    const head = await es.request("HEAD", "/forbidden").catch((error) => error);
    assert.equal(
      head.message,
      "HEAD /forbidden failed with 403; the credentials (the api_key of connector c1 in " +
        "config.yml) lack a privilege for this request",
    );
    const get = await es.request("GET", "/forbidden").catch((error) => error);
    assert.match(
      get.message,
      /^GET \/forbidden failed with 403 security_exception: action \[x\] is unauthorized; the credentials \(the api_key of connector c1/,
    );
    assert.ok(!get.message.includes("a2V5OnNlY3JldA=="));
  } finally {
    es.close();
    await server.close();
  }
});

Deno.test('a refused connection says why instead of "fetch failed"', async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const es = new EsClient({ host: `http://127.0.0.1:${port}`, auth, maxRetries: 0 });
  const error = await es.request("GET", "/").catch((error) => error);
  assert.equal(error.type, "connection");
  assert.match(
    error.message,
    /^cannot reach Elasticsearch at http:\/\/127\.0\.0\.1:\d+: .*refused/i,
  );
});
