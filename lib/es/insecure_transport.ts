/**
 * HTTPS requests that do not check the server's certificate, for `elasticsearch.verify_certs:
 * false`. Deno's `fetch` can only skip verification for the whole process
 * (`--unsafely-ignore-certificate-errors`), so this one client goes through `node:https` with
 * `rejectUnauthorized: false` instead, and every other connection stays verified.
 *
 * @example
 * ```ts
 * const transport = new InsecureTransport();
 * const { status, text } = await transport.send("https://127.0.0.1:9200/_nodes/_local", {
 *   method: "GET",
 *   headers: { authorization: "ApiKey ..." },
 * });
 * transport.close();
 * ```
 * @module
 */
import { Buffer } from "node:buffer";
import https from "node:https";

/** One request: what `fetch` would take. */
export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Status and body text of a response. */
export interface TransportResponse {
  status: number;
  text: string;
}

/** Keep-alive HTTPS connections that accept any server certificate; see the module docs. */
export class InsecureTransport {
  readonly #agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });

  /** Sends one request and reads the whole response; rejects on network errors and aborts. */
  send(url: string, request: TransportRequest): Promise<TransportResponse> {
    const { signal } = request;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined) headers["content-length"] = Buffer.byteLength(request.body);
      const outgoing = https.request(url, {
        method: request.method,
        headers,
        agent: this.#agent,
        rejectUnauthorized: false,
      }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          signal?.removeEventListener("abort", onAbort);
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
        });
        response.on("error", fail);
      });
      const onAbort = () => outgoing.destroy(signal?.reason);
      function fail(error: Error) {
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      outgoing.on("error", fail);
      outgoing.end(request.body);
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.#agent.destroy();
  }
}
