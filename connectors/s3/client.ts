/**
 * A minimal S3 client on `fetch` and Signature V4: the calls the connector needs (ListBuckets,
 * GetBucketLocation, HeadBucket, ListObjectsV2, GetObject) and the few that tests and fixtures
 * need to write data (CreateBucket, PutObject, DeleteObject, DeleteBucket).
 *
 * Addressing: with a custom endpoint (MinIO, S3Proxy, Ceph...) requests are path style,
 * `<endpoint>/<bucket>/<key>`; on AWS they are virtual-hosted,
 * `https://<bucket>.s3.<region>.amazonaws.com/<key>`, except for bucket names with dots or
 * characters invalid in host names (path style, so TLS certificates match).
 * @module
 */

import type { Logger } from "../../lib/log/mod.ts";
import { backoffDelay, sleep } from "../../lib/util/retry.ts";
import { type Credentials, encodePath, sha256Hex, signRequest, uriEncode } from "./sigv4.ts";
import { child, children, childText, parseXml, type XmlElement } from "./xml.ts";

/** The region used when none is known (and AWS's answer for "no LocationConstraint"). */
export const DEFAULT_REGION = "us-east-1";

/** Options for {@linkcode S3Client}. */
export interface S3ClientOptions {
  credentials: Credentials;
  /** Base URL of an S3-compatible service; empty or omitted for AWS. */
  endpoint?: string;
  /** Region the requests are signed for (default {@linkcode DEFAULT_REGION}). */
  region?: string;
  /** Time allowed until the response headers arrive, together with `readTimeoutMs`. */
  connectTimeoutMs?: number;
  /** Longest wait for response data; also bounds each pause while streaming a body. */
  readTimeoutMs?: number;
  /** Retries after the first attempt for network errors, timeouts, 5xx and throttling. */
  maxRetries?: number;
  /** First backoff between retries in ms (default 500), doubled per retry. */
  backoffMs?: number;
  logger?: Logger;
}

/** A bucket as ListBuckets returns it. */
export interface S3Bucket {
  name: string;
  creationDate: string;
}

/** An object summary as ListObjectsV2 returns it. */
export interface S3Object {
  key: string;
  /** ISO-8601. */
  lastModified: string;
  size: number;
  etag: string;
  storageClass: string;
  /** Empty when the service does not return owners. */
  ownerDisplayName: string;
}

/** One page of ListObjectsV2. */
export interface S3ObjectPage {
  objects: S3Object[];
  /** Token for the next page; undefined on the last page. */
  nextContinuationToken?: string;
}

/** Options for {@linkcode S3Client.listObjects}. */
export interface ListObjectsOptions {
  bucket: string;
  prefix?: string;
  /** `max-keys`, at most 1000 on AWS. */
  pageSize?: number;
  continuationToken?: string;
  signal?: AbortSignal;
}

/** Options for {@linkcode S3Client.getObject}. */
export interface GetObjectOptions {
  bucket: string;
  key: string;
  /** The download stops and returns null when the body grows beyond this many bytes. */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Options for {@linkcode S3Client.putObject}. */
export interface PutObjectOptions {
  bucket: string;
  key: string;
  body: Uint8Array | string;
  signal?: AbortSignal;
}

/** An error answer from S3, or a request that never got one. */
export class S3Error extends Error {
  /** S3 error code (`NoSuchBucket`, `AccessDenied`...), `Timeout` or `NetworkError`. */
  readonly code: string;
  /** HTTP status; 0 when there was no response. */
  readonly status: number;
  readonly bucket?: string;
  /** The bucket's region when S3 told it (redirects, HeadBucket). */
  readonly bucketRegion?: string;
  constructor(
    message: string,
    details: { code: string; status: number; bucket?: string; bucketRegion?: string },
  ) {
    super(message);
    this.name = "S3Error";
    this.code = details.code;
    this.status = details.status;
    this.bucket = details.bucket;
    this.bucketRegion = details.bucketRegion;
  }
}

/** Bucket names usable as a TLS-safe host label; others (dots, legacy names) go path style. */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** Codes S3 answers with when the request may succeed later. */
const RETRYABLE_CODES = new Set([
  "InternalError",
  "RequestTimeout",
  "ServiceUnavailable",
  "SlowDown",
  "Throttling",
  "ThrottlingException",
]);

/** Reads a response body; null when it grows beyond `maxBytes` (reading then stops). */
type ReadBody = (maxBytes?: number) => Promise<Uint8Array | null>;

interface Call<T> {
  operation: string;
  method: "GET" | "HEAD" | "PUT" | "DELETE";
  bucket?: string;
  key?: string;
  query?: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
  /** Reads the successful response; runs inside the retry loop, under the read timeout. */
  read: (response: Response, readBody: ReadBody) => Promise<T>;
}

/** Talks to one S3 endpoint and region. */
export class S3Client {
  readonly region: string;
  readonly #options: S3ClientOptions;
  readonly #endpoint?: URL;

  constructor(options: S3ClientOptions) {
    this.#options = options;
    this.region = options.region || DEFAULT_REGION;
    if (options.endpoint) {
      this.#endpoint = new URL(options.endpoint.replace(/\/+$/, ""));
    }
  }

  /** A client for the same endpoint and credentials signing for `region`. */
  forRegion(region: string): S3Client {
    return new S3Client({ ...this.#options, region });
  }

  /** Where requests go, for messages: the custom endpoint or the AWS regional host. */
  get where(): string {
    return this.#endpoint ? this.#endpoint.origin : `AWS S3 (s3.${this.region}.amazonaws.com)`;
  }

  /** Every bucket the credentials own (ListBuckets). */
  listBuckets(signal?: AbortSignal): Promise<S3Bucket[]> {
    return this.#call({
      operation: "ListBuckets",
      method: "GET",
      signal,
      read: async (_response, readBody) => {
        const root = parseXml(text(await readBody()));
        const buckets = child(root, "Buckets");
        return buckets
          ? children(buckets, "Bucket").map((bucket) => ({
            name: childText(bucket, "Name") ?? "",
            creationDate: childText(bucket, "CreationDate") ?? "",
          }))
          : [];
      },
    });
  }

  /**
   * The bucket's region (GetBucketLocation): an empty LocationConstraint means us-east-1 and
   * the legacy "EU" means eu-west-1. Falls back to HeadBucket's `x-amz-bucket-region` header
   * when the key may not call GetBucketLocation.
   */
  async bucketRegion(bucket: string, signal?: AbortSignal): Promise<string> {
    try {
      return await this.#call({
        operation: "GetBucketLocation",
        method: "GET",
        bucket,
        query: { location: "" },
        signal,
        read: async (_response, readBody) => {
          const location = parseXml(text(await readBody())).text.trim();
          return location === "" ? DEFAULT_REGION : location === "EU" ? "eu-west-1" : location;
        },
      });
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      if (error.bucketRegion) return error.bucketRegion;
      if (error.code !== "AccessDenied") throw error;
      try {
        await this.headBucket(bucket, signal);
      } catch (headError) {
        if (headError instanceof S3Error && headError.bucketRegion) return headError.bucketRegion;
        throw error;
      }
      return this.region;
    }
  }

  /** Checks that the bucket exists and is readable (HeadBucket); returns its region header. */
  headBucket(bucket: string, signal?: AbortSignal): Promise<string | undefined> {
    return this.#call({
      operation: "HeadBucket",
      method: "HEAD",
      bucket,
      signal,
      read: (response) => Promise.resolve(response.headers.get("x-amz-bucket-region") ?? undefined),
    });
  }

  /** One page of object summaries (ListObjectsV2), owners included. */
  listObjects(options: ListObjectsOptions): Promise<S3ObjectPage> {
    // No `encoding-type=url`: S3Proxy then URL-encodes continuation tokens and pages wrongly;
    // keys with XML-invalid characters still parse, as character references.
    const query: Record<string, string> = { "list-type": "2", "fetch-owner": "true" };
    if (options.prefix) query["prefix"] = options.prefix;
    if (options.pageSize) query["max-keys"] = String(options.pageSize);
    if (options.continuationToken) query["continuation-token"] = options.continuationToken;
    return this.#call({
      operation: "ListObjectsV2",
      method: "GET",
      bucket: options.bucket,
      query,
      signal: options.signal,
      read: async (_response, readBody) => parseObjectPage(text(await readBody())),
    });
  }

  /** Every object summary under `prefix`, page after page. */
  async *listAllObjects(
    options: Omit<ListObjectsOptions, "continuationToken">,
  ): AsyncGenerator<S3Object> {
    let continuationToken: string | undefined;
    do {
      const page: S3ObjectPage = await this.listObjects({ ...options, continuationToken });
      yield* page.objects;
      if (page.nextContinuationToken && page.nextContinuationToken === continuationToken) {
        // A service ignoring the token would otherwise loop forever.
        throw new Error(
          `${this.where} returned the same continuation token twice listing bucket "${options.bucket}"`,
        );
      }
      continuationToken = page.nextContinuationToken;
    } while (continuationToken);
  }

  /** An object's content (GetObject), streamed; null when it is larger than `maxBytes`. */
  getObject(options: GetObjectOptions): Promise<Uint8Array | null> {
    return this.#call({
      operation: "GetObject",
      method: "GET",
      bucket: options.bucket,
      key: options.key,
      signal: options.signal,
      read: (_response, readBody) => readBody(options.maxBytes),
    });
  }

  /** Creates a bucket (CreateBucket), in this client's region. */
  createBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    const body = this.region === DEFAULT_REGION ? undefined : new TextEncoder().encode(
      `<CreateBucketConfiguration><LocationConstraint>${this.region}</LocationConstraint>` +
        `</CreateBucketConfiguration>`,
    );
    return this.#call({
      operation: "CreateBucket",
      method: "PUT",
      bucket,
      body,
      signal,
      read: discard,
    });
  }

  /** Stores an object (PutObject). */
  putObject(options: PutObjectOptions): Promise<void> {
    const body = typeof options.body === "string"
      ? new TextEncoder().encode(options.body)
      : options.body;
    return this.#call({
      operation: "PutObject",
      method: "PUT",
      bucket: options.bucket,
      key: options.key,
      body,
      signal: options.signal,
      read: discard,
    });
  }

  /** Deletes an object (DeleteObject); deleting a missing key succeeds. */
  deleteObject(options: { bucket: string; key: string; signal?: AbortSignal }): Promise<void> {
    return this.#call({ operation: "DeleteObject", method: "DELETE", ...options, read: discard });
  }

  /** Deletes an empty bucket (DeleteBucket). */
  deleteBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    return this.#call({
      operation: "DeleteBucket",
      method: "DELETE",
      bucket,
      signal,
      read: discard,
    });
  }

  #url(call: { bucket?: string; key?: string; query?: Record<string, string> }): URL {
    let url: URL;
    if (this.#endpoint) {
      url = new URL(this.#endpoint.href);
      url.pathname = this.#endpoint.pathname.replace(/\/$/, "") +
        encodePath(call.bucket ?? "", call.key ?? "");
    } else if (call.bucket && VIRTUAL_HOSTABLE.test(call.bucket)) {
      url = new URL(`https://${call.bucket}.s3.${this.region}.amazonaws.com`);
      url.pathname = encodePath(call.key ?? "");
    } else {
      url = new URL(`https://s3.${this.region}.amazonaws.com`);
      url.pathname = encodePath(call.bucket ?? "", call.key ?? "");
    }
    // Built by hand: URLSearchParams would write spaces as "+", which S3 reads literally.
    url.search = Object.entries(call.query ?? {})
      .map(([name, value]) => value === "" ? name : `${uriEncode(name)}=${uriEncode(value)}`)
      .join("&");
    return url;
  }

  async #call<T>(call: Call<T>): Promise<T> {
    const maxRetries = this.#options.maxRetries ?? 5;
    for (let attempt = 0;; attempt++) {
      try {
        return await this.#attempt(call);
      } catch (error) {
        call.signal?.throwIfAborted();
        const retryable = error instanceof S3Error &&
          (error.status === 0 || error.status >= 500 || error.status === 429 ||
            RETRYABLE_CODES.has(error.code));
        if (!retryable || attempt >= maxRetries) throw error;
        const delay = backoffDelay(attempt, this.#options.backoffMs ?? 500);
        this.#options.logger?.warn(
          `${(error as Error).message}; retry ${attempt + 1} of ${maxRetries} in ${delay} ms`,
        );
        await sleep(delay, call.signal);
      }
    }
  }

  async #attempt<T>(call: Call<T>): Promise<T> {
    const url = this.#url(call);
    const headers = await signRequest({
      method: call.method,
      url,
      payloadHash: call.body ? await sha256Hex(call.body) : undefined,
      credentials: this.#options.credentials,
      region: this.region,
    });
    const connectMs = this.#options.connectTimeoutMs ?? 90_000;
    const readMs = this.#options.readTimeoutMs ?? 90_000;
    const controller = new AbortController();
    let timedOut = 0;
    const abortOnTimeout = (ms: number) =>
      setTimeout(() => {
        timedOut = ms;
        controller.abort();
      }, ms);
    const onAbort = () => controller.abort(call.signal?.reason);
    call.signal?.addEventListener("abort", onAbort, { once: true });
    let timer = abortOnTimeout(connectMs + readMs);
    const target = call.bucket ? ` on bucket "${call.bucket}"` : "";
    const failure = (error: unknown): S3Error => {
      call.signal?.throwIfAborted();
      if (error instanceof S3Error) return error;
      if (timedOut) {
        return new S3Error(
          `${this.where} did not answer ${call.operation}${target} within ${timedOut / 1000} s: ` +
            `raise 'Read timeout' (read_timeout) / 'Connection timeout' (connect_timeout) or check the network`,
          { code: "Timeout", status: 0, bucket: call.bucket },
        );
      }
      return new S3Error(
        `cannot reach ${this.where} for ${call.operation}${target}: ${
          (error as Error).message
        }: check 'S3 endpoint' (endpoint) and the network`,
        { code: "NetworkError", status: 0, bucket: call.bucket },
      );
    };
    try {
      let response: Response;
      try {
        response = await fetch(url, {
          method: call.method,
          headers,
          body: call.body as Uint8Array<ArrayBuffer> | undefined,
          signal: controller.signal,
          redirect: "manual",
        });
      } catch (error) {
        throw failure(error);
      }
      clearTimeout(timer);
      const readBody: ReadBody = async (maxBytes) => {
        if (!response.body) return new Uint8Array();
        const reader = response.body.getReader();
        const chunks: Uint8Array[] = [];
        let length = 0;
        try {
          while (true) {
            timer = abortOnTimeout(readMs);
            const { done, value } = await reader.read();
            clearTimeout(timer);
            if (done) break;
            chunks.push(value);
            length += value.byteLength;
            if (maxBytes !== undefined && length > maxBytes) return null;
          }
        } catch (error) {
          throw failure(error);
        } finally {
          reader.releaseLock();
        }
        const bytes = new Uint8Array(length);
        let offset = 0;
        for (const chunk of chunks) {
          bytes.set(chunk, offset);
          offset += chunk.byteLength;
        }
        return bytes;
      };
      if (response.status >= 300) {
        const body = call.method === "HEAD" ? new Uint8Array() : await readBody();
        throw errorFromResponse({ call, response, body, where: this.where });
      }
      return await call.read(response, readBody);
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener("abort", onAbort);
      controller.abort(); // Releases an unread body.
    }
  }
}

function discard(_response: Response, readBody: ReadBody) {
  return readBody().then(() => undefined);
}

function text(bytes: Uint8Array | null): string {
  return new TextDecoder().decode(bytes ?? new Uint8Array());
}

/** Parses a ListObjectsV2 body. */
export function parseObjectPage(xml: string): S3ObjectPage {
  const root = parseXml(xml);
  const objects = children(root, "Contents").map((entry): S3Object => {
    const owner = child(entry, "Owner");
    const lastModified = childText(entry, "LastModified") ?? "";
    const parsed = new Date(lastModified);
    return {
      key: childText(entry, "Key") ?? "",
      lastModified: isNaN(parsed.getTime()) ? lastModified : parsed.toISOString(),
      size: Number(childText(entry, "Size") ?? 0),
      etag: childText(entry, "ETag") ?? "",
      storageClass: childText(entry, "StorageClass") ?? "",
      ownerDisplayName: (owner && childText(owner, "DisplayName")) ?? "",
    };
  });
  const truncated = childText(root, "IsTruncated") === "true";
  const token = childText(root, "NextContinuationToken");
  return { objects, nextContinuationToken: truncated && token ? token : undefined };
}

/** What to tell the user for the usual S3 error codes; `{bucket}` is replaced. */
const FIXES: Record<string, string> = {
  NoSuchBucket:
    "bucket {bucket} does not exist: fix its name in 'AWS Buckets' (buckets) or in the advanced sync rules",
  AccessDenied:
    'access denied{on bucket}: grant the access key s3:ListBucket, s3:GetBucketLocation and s3:GetObject{on it} (s3:ListAllMyBuckets for "*")',
  AllAccessDisabled:
    "all access to bucket {bucket} is disabled: remove it from the buckets to sync",
  InvalidAccessKeyId:
    "the access key id is not known there: check 'AWS Access Key Id' (aws_access_key_id)",
  SignatureDoesNotMatch:
    "the secret key does not match the access key id: check 'AWS Secret Key' (aws_secret_access_key)",
  InvalidBucketName: "{bucket} is not a valid bucket name: fix it in 'AWS Buckets' (buckets)",
  PermanentRedirect:
    "bucket {bucket} must be addressed through another endpoint: check 'S3 endpoint' (endpoint)",
  RequestTimeTooSkewed: "this machine's clock is off by more than 15 minutes: fix its time",
};

/** The error code of a body-less answer (HEAD). */
function codeOfStatus(status: number, call: Call<unknown>): string {
  if (status === 301) return "PermanentRedirect";
  if (status === 403) return "AccessDenied";
  if (status === 404 && call.bucket && !call.key) return "NoSuchBucket";
  if (status === 404 && call.key) return "NoSuchKey";
  return `HTTP${status}`;
}

function errorFromResponse(
  options: { call: Call<unknown>; response: Response; body: Uint8Array | null; where: string },
): S3Error {
  const { call, response } = options;
  let root: XmlElement | undefined;
  try {
    root = parseXml(text(options.body));
  } catch {
    // Not XML (a proxy's HTML page, a HEAD response): the status has to do.
  }
  const code = (root && childText(root, "Code")) || codeOfStatus(response.status, call);
  const s3Message = root && childText(root, "Message");
  const bucketRegion = response.headers.get("x-amz-bucket-region") ??
    (root && childText(root, "Region")) ?? undefined;
  const bucket = call.bucket ? `"${call.bucket}"` : "";
  const fix = FIXES[code]
    ?.replaceAll("{bucket}", bucket)
    .replaceAll("{on bucket}", bucket ? ` to bucket ${bucket}` : " for ListBuckets")
    .replaceAll("{on it}", bucket ? " on it" : "");
  const key = call.key ? ` key "${call.key}"` : "";
  const detail = s3Message ? ` (${s3Message})` : "";
  const message = fix
    ? `${options.where}: ${call.operation}${key}: ${fix} [${code}]`
    : `${options.where}: ${call.operation}${bucket ? ` on bucket ${bucket}` : ""}${key} failed: ` +
      `${code}${detail}, HTTP ${response.status}`;
  return new S3Error(message, { code, status: response.status, bucket: call.bucket, bucketRegion });
}
