/**
 * `elasticsearch.ca_certs` and `verify_certs` against an HTTPS Elasticsearch whose certificate
 * is signed by a throwaway CA (a dedicated node; the shared one speaks plain HTTP). The real
 * CLI syncs a `dir` connector: trusted through `ca_certs`, refused in one line without it, and
 * synced with a warning when `verify_certs: false`.
 */
import assert from "node:assert/strict";
import { startElasticsearch } from "../../lib/harness/mod.ts";
import { writeTestCertificates } from "../../lib/harness/tls_certificates.ts";
import { testEsClient, uniqueIndexName } from "../support/servers.ts";
import { registerSecret } from "../support/secrets.ts";
import { assertSucceeded, connectors, errorLine } from "./support_cli.ts";
import { createConnector, indexCount, jobsOf, parseSummary } from "./support_sync.ts";

const FILES = 4;

Deno.test("HTTPS Elasticsearch: ca_certs trusted, an unknown CA refused in one line, verify_certs false syncs with a warning", async (t) => {
  const node = await startElasticsearch({ tls: true });
  const work = await Deno.makeTempDir({ prefix: "connectors-tls-test-" });
  const server = { url: node.url, username: node.username, password: node.password };
  await registerSecret("TLS test Elasticsearch password", node.password);
  const caCerts = await Deno.readTextFile(node.caCertFile!);
  const es = testEsClient(server, { caCerts, maxRetries: 2 });
  try {
    assert.match(node.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const caFile = `${work}/ca.crt`;
    await Deno.writeTextFile(caFile, caCerts);
    const folder = `${work}/files`;
    await Deno.mkdir(folder);
    for (let i = 0; i < FILES; i++) await Deno.writeTextFile(`${folder}/f${i}.txt`, `file ${i}\n`);
    const indexName = uniqueIndexName("faults-tls");
    const connectorId = await createConnector(es, {
      serviceType: "dir",
      indexName,
      values: { directory: folder, pattern: "*.txt" },
    });
    const writeConfig = async (name: string, tls: Record<string, unknown>) => {
      const path = `${work}/${name}.yml`;
      const tree = {
        elasticsearch: { host: node.url, username: "elastic", password: node.password, ...tls },
        service: { log_level: "INFO" },
        connectors: [{ connector_id: connectorId, service_type: "dir" }],
      };
      await Deno.writeTextFile(path, JSON.stringify(tree, null, 2), { mode: 0o600 });
      return path;
    };
    const sync = (config: string) =>
      connectors(["sync", "--id", connectorId, "--full", "-c", config]);

    await t.step("with ca_certs pointing at the CA, the CLI syncs", async () => {
      const run = await sync(await writeConfig("trusted", { ca_certs: caFile }));
      assertSucceeded(run, "sync with ca_certs");
      const summary = parseSummary(run.stdout);
      assert.equal(summary.status, "completed");
      assert.equal(summary.created, FILES);
      assert.equal(await indexCount(es, indexName), FILES);
      assert.doesNotMatch(run.stderr, /verify_certs/, "no warning when the certificate is checked");
    });

    await t.step(
      "without ca_certs, every command fails with one line about the certificate",
      async () => {
        const config = await writeConfig("untrusted", {});
        const jobsBefore = (await jobsOf(es, connectorId)).length;
        const started = Date.now();
        const line = errorLine(await sync(config), 2, "sync without ca_certs");
        assert.match(
          line,
          /^connectors: cannot verify the TLS certificate of Elasticsearch at https:\/\/127\.0\.0\.1:\d+ \(UnknownIssuer\); set elasticsearch\.ca_certs to the file of the CA that signed it/,
        );
        assert.ok(
          Date.now() - started < 30_000,
          "a certificate error is not retried until max_wait",
        );
        const list = errorLine(await connectors(["connector", "list", "-c", config]), 1, "list");
        assert.match(
          list,
          /cannot verify the TLS certificate .*UnknownIssuer.*elasticsearch\.ca_certs/,
        );
        assert.equal((await jobsOf(es, connectorId)).length, jobsBefore, "no job was created");
      },
    );

    await t.step("a CA file that is not the cluster's is refused the same way", async () => {
      await Deno.mkdir(`${work}/other`);
      const { caCert: otherCa } = await writeTestCertificates(`${work}/other`);
      const config = await writeConfig("wrong-ca", { ca_certs: otherCa });
      const line = errorLine(await sync(config), 2, "sync with another CA");
      // Another throwaway CA of the same name: rustls finds it as the issuer, then the signature
      // does not match.
      assert.match(line, /cannot verify the TLS certificate of Elasticsearch .*BadSignature/);
    });

    await t.step("verify_certs: false syncs without the CA and warns at start", async () => {
      await Deno.writeTextFile(`${folder}/new.txt`, "one more\n");
      const run = await sync(await writeConfig("unverified", { verify_certs: false }));
      assertSucceeded(run, "sync with verify_certs: false");
      const summary = parseSummary(run.stdout);
      assert.equal(summary.status, "completed");
      assert.equal(summary.created, 1);
      assert.equal(summary.updated, FILES);
      assert.equal(await indexCount(es, indexName), FILES + 1);
      const warnings = run.stderr.split("\n").filter((line) => /verify_certs is false/.test(line));
      assert.equal(warnings.length, 1, `one warning, at start\n${run.stderr}`);
      assert.match(
        warnings[0],
        /WARNING .*certificate of https:\/\/127\.0\.0\.1:\d+ is not checked/,
      );
      assert.equal(run.stderr.split("\n")[0], warnings[0], `the first line\n${run.stderr}`);
    });
  } finally {
    es.close();
    await node.stop();
    await Deno.remove(work, { recursive: true });
  }
});
