/**
 * AWS Signature Version 4 for S3 requests, on Web Crypto (no AWS SDK).
 * @module
 */

/** SHA-256 of an empty payload, the `x-amz-content-sha256` of every bodiless request. */
export const EMPTY_PAYLOAD_HASH =
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** An access key pair. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What {@linkcode signRequest} signs. */
export interface SignOptions {
  method: string;
  /** The request URL; its path must already be encoded with {@linkcode encodePath}. */
  url: URL;
  /** Headers to send and sign besides `host`, `x-amz-date` and `x-amz-content-sha256`. */
  headers?: Record<string, string>;
  /** Hex SHA-256 of the body; {@linkcode EMPTY_PAYLOAD_HASH} when there is none. */
  payloadHash?: string;
  credentials: Credentials;
  region: string;
  /** Signing time; now when omitted. */
  date?: Date;
}

/**
 * Returns the headers to send: the given ones plus `host`, `x-amz-date`,
 * `x-amz-content-sha256` and `authorization`.
 *
 * @example
 * ```ts
 * const headers = await signRequest({
 *   method: "GET",
 *   url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
 *   credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
 *   region: "us-east-1",
 * });
 * ```
 */
export async function signRequest(options: SignOptions): Promise<Record<string, string>> {
  const date = options.date ?? new Date();
  const amzDate = date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = options.payloadHash ?? EMPTY_PAYLOAD_HASH;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  headers["host"] = options.url.host;
  headers["x-amz-date"] = amzDate;
  headers["x-amz-content-sha256"] = payloadHash;

  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    options.method,
    options.url.pathname || "/",
    canonicalQuery(options.url.searchParams),
    ...names.map((name) => `${name}:${headers[name].trim().replace(/\s+/g, " ")}`),
    "",
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${day}/${options.region}/s3/aws4_request`;
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    await sha256Hex(canonicalRequest),
  ].join("\n");

  let key: ArrayBuffer = await hmac(
    new TextEncoder().encode(`AWS4${options.credentials.secretAccessKey}`),
    day,
  );
  for (const part of [options.region, "s3", "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, stringToSign));

  delete headers["host"]; // fetch sets it from the URL; a forbidden header name anyway.
  headers["authorization"] = `AWS4-HMAC-SHA256 Credential=${options.credentials.accessKeyId}/` +
    `${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

/** Hex SHA-256 of text or bytes. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/**
 * RFC 3986 encoding as SigV4 wants it: everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded,
 * and with `keepSlash` a `/` stays (object keys in paths).
 */
export function uriEncode(text: string, keepSlash = false): string {
  const encoded = encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? encoded.replace(/%2F/g, "/") : encoded;
}

/** The encoded path `/<bucket>/<key>` (path style) or `/<key>` (virtual-hosted style). */
export function encodePath(...segments: string[]): string {
  return "/" +
    segments.filter((segment) => segment !== "").map((segment) => uriEncode(segment, true)).join(
      "/",
    );
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params].map(([name, value]) => [uriEncode(name), uriEncode(value)])
    .sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

async function hmac(key: ArrayBuffer | Uint8Array, text: string): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as ArrayBuffer,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return await crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(text));
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
