/**
 * A throwaway certificate authority and a server certificate it signs, made with the `openssl`
 * command, for test servers that speak HTTPS (the integ-test Elasticsearch has no certutil).
 * @module
 */

import { run } from "./process.ts";

/** PEM files written by {@linkcode writeTestCertificates}. */
export interface TestCertificates {
  /** The CA certificate clients must trust. */
  caCert: string;
  /** The server certificate (for 127.0.0.1 and localhost), signed by the CA. */
  serverCert: string;
  /** The server certificate's unencrypted private key. */
  serverKey: string;
}

/**
 * Writes `ca.crt`, `server.crt` and `server.key` into `dir` (which must exist). The CA's own
 * key is deleted at once: nothing else is ever signed with it.
 *
 * @example
 * ```ts
 * const { caCert } = await writeTestCertificates("/tmp/certs");
 * const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(caCert)] });
 * ```
 */
export async function writeTestCertificates(dir: string): Promise<TestCertificates> {
  const files = {
    caCert: `${dir}/ca.crt`,
    serverCert: `${dir}/server.crt`,
    serverKey: `${dir}/server.key`,
  };
  const caKey = `${dir}/ca.key`;
  const request = `${dir}/server.csr`;
  const extensions = `${dir}/server.ext`;
  await run([
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "7",
    "-subj",
    "/CN=connectors test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout",
    caKey,
    "-out",
    files.caCert,
  ]);
  await run([
    "openssl",
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    files.serverKey,
    "-out",
    request,
  ]);
  // rustls (Deno's TLS) refuses a CA certificate used as the server's own: a distinct leaf.
  await Deno.writeTextFile(
    extensions,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ].join("\n") + "\n",
  );
  await run([
    "openssl",
    "x509",
    "-req",
    "-in",
    request,
    "-CA",
    files.caCert,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-days",
    "7",
    "-extfile",
    extensions,
    "-out",
    files.serverCert,
  ]);
  for (const path of [caKey, request, extensions, `${dir}/ca.srl`]) {
    await Deno.remove(path).catch(() => {});
  }
  return files;
}
