/**
 * The `s3` source: every object of the configured buckets (or of the advanced rules' bucket and
 * prefix pairs) with the reference's document fields, and the object's content as `_attachment`
 * when it is extractable and within the size limit.
 * @module
 */

import type { Logger } from "../../lib/log/mod.ts";
import { md5Hex, skipDownloadReason, toBase64 } from "../../lib/source/files.ts";
import {
  ConfigValueError,
  type ConfigValues,
  type Download,
  type RuleProblem,
  type Source,
  type SourceItem,
  type SyncContext,
} from "../../lib/source/types.ts";
import { DEFAULT_REGION, S3Client, S3Error, type S3Object } from "./client.ts";
import { isEmptyRules, matchesExtensions, parseRules } from "./rules.ts";

/** Errors that say nothing about one bucket: they fail the whole operation at once. */
const GLOBAL_CODES = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "RequestTimeTooSkewed",
  "NetworkError",
  "Timeout",
]);

/** What one sync lists: a bucket, a prefix in it, and an extension filter. */
interface Listing {
  bucket: string;
  prefix: string;
  extensions: string[];
}

/**
 * Reads Amazon S3 or an S3-compatible service. It has no `estimateTotal`: S3 cannot count
 * objects without the same ListObjectsV2 pages the sync reads, so progress shows no ETA.
 */
export class S3Source implements Source {
  readonly #config: ConfigValues;
  readonly #logger: Logger;
  readonly #clients = new Map<string, S3Client>();
  readonly #regions = new Map<string, Promise<string>>();

  constructor(options: { config: ConfigValues; logger: Logger }) {
    this.#config = options.config;
    this.#logger = options.logger;
  }

  async validateConfig(): Promise<void> {
    const buckets = this.#buckets;
    if (buckets.length === 0) {
      throw new ConfigValueError(
        `'AWS Buckets' (buckets) cannot be empty: list bucket names, or "*" for every bucket.`,
      );
    }
    for (
      const [field, label, min] of [
        ["read_timeout", "Read timeout", 1],
        ["connect_timeout", "Connection timeout", 1],
        ["max_attempts", "Maximum retry attempts", 0],
        ["page_size", "Maximum size of page", 1],
      ] as const
    ) {
      const value = this.#number(field, min);
      if (!Number.isInteger(value) || value < min) {
        throw new ConfigValueError(
          `'${label}' (${field}) is ${value}: use a whole number of at least ${min}.`,
        );
      }
    }
    this.#client(DEFAULT_REGION); // Throws on a malformed endpoint.
    await this.ping();
    if (buckets.includes("*")) return;
    const unreadable = await this.#unreadable(buckets);
    if (unreadable.length > 0) {
      throw new ConfigValueError(
        `'AWS Buckets' (buckets): ${unreadable.length} of ${buckets.length} buckets cannot be read: ` +
          `${unreadable.join("; ")}`,
      );
    }
  }

  async ping(): Promise<void> {
    const client = this.#client(DEFAULT_REGION);
    try {
      await client.listBuckets();
    } catch (error) {
      // Keys limited to some buckets may not list all buckets: reading a configured one is enough.
      const buckets = this.#buckets.filter((bucket) => bucket !== "*");
      if (!(error instanceof S3Error) || error.code !== "AccessDenied" || buckets.length === 0) {
        throw error;
      }
      await this.#probe(buckets[0]);
    }
    this.#logger.debug(`connected to ${client.where}`);
  }

  async *docs(context: SyncContext): AsyncIterable<SourceItem> {
    let listings: Listing[];
    if (isEmptyRules(context.advancedRules)) {
      const configured = this.#buckets;
      const buckets = configured.includes("*")
        ? (await this.#client(DEFAULT_REGION).listBuckets(context.signal)).map((b) => b.name)
        : configured;
      listings = buckets.map((bucket) => ({ bucket, prefix: "", extensions: [] }));
    } else {
      const parsed = parseRules(context.advancedRules);
      if (!parsed.rules) throw new Error(`invalid advanced rules: ${parsed.problems.join(" ")}`);
      listings = parsed.rules;
    }
    // Overlapping rules would list some objects twice.
    const seen = listings.length > 1 ? new Set<string>() : undefined;
    for (const listing of listings) {
      const client = await this.#bucketClient(listing.bucket, context.signal);
      const objects = client.listAllObjects({
        bucket: listing.bucket,
        prefix: listing.prefix,
        pageSize: this.#number("page_size", 1),
        signal: context.signal,
      });
      for await (const object of objects) {
        if (!matchesExtensions(object.key, listing.extensions)) continue;
        const doc = objectDocument(listing.bucket, object);
        if (seen?.has(doc._id)) continue;
        seen?.add(doc._id);
        yield {
          doc,
          download: this.#download({ client, bucket: listing.bucket, object, context }),
        };
      }
    }
  }

  async validateAdvancedRules(value: unknown): Promise<RuleProblem[]> {
    if (isEmptyRules(value)) return [];
    const problem = (message: string) => ({ id: "advanced_snippet", message });
    const parsed = parseRules(value);
    if (!parsed.rules) return parsed.problems.map(problem);
    const buckets = [...new Set(parsed.rules.map((rule) => rule.bucket))];
    return (await this.#unreadable(buckets)).map(problem);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  get #buckets(): string[] {
    const value = this.#config.buckets;
    const list = Array.isArray(value) ? value.map(String) : String(value ?? "").split(",");
    return list.map((bucket) => bucket.trim()).filter((bucket) => bucket !== "");
  }

  #number(field: string, fallback: number): number {
    const value = this.#config[field];
    return value === null || value === undefined || value === "" ? fallback : Number(value);
  }

  /** The client signing for `region`, one per region. */
  #client(region: string): S3Client {
    let client = this.#clients.get(region);
    if (!client) {
      client = this.#clients.get(DEFAULT_REGION)?.forRegion(region) ?? new S3Client({
        credentials: {
          accessKeyId: String(this.#config.aws_access_key_id ?? ""),
          secretAccessKey: String(this.#config.aws_secret_access_key ?? ""),
        },
        endpoint: endpointOf(this.#config.endpoint),
        region,
        connectTimeoutMs: this.#number("connect_timeout", 90) * 1000,
        readTimeoutMs: this.#number("read_timeout", 90) * 1000,
        maxRetries: this.#number("max_attempts", 5),
        logger: this.#logger,
      });
      this.#clients.set(region, client);
    }
    return client;
  }

  /** The client for a bucket's region (GetBucketLocation, looked up once per bucket). */
  async #bucketClient(bucket: string, signal?: AbortSignal): Promise<S3Client> {
    let region = this.#regions.get(bucket);
    if (!region) {
      region = this.#client(DEFAULT_REGION).bucketRegion(bucket, signal).catch((error) => {
        if (!(error instanceof S3Error) || GLOBAL_CODES.has(error.code)) throw error;
        if (error.code === "NoSuchBucket") throw error;
        // As the reference: an unknown region is not fatal, the listing will tell.
        this.#logger.warn(
          `cannot find the region of bucket "${bucket}" (${error.code}); using ${DEFAULT_REGION}`,
        );
        return DEFAULT_REGION;
      });
      this.#regions.set(bucket, region);
      region.catch(() => this.#regions.delete(bucket));
    }
    return this.#client(await region);
  }

  /** Lists one key of the bucket; throws what S3 answered. */
  async #probe(bucket: string): Promise<void> {
    const client = await this.#bucketClient(bucket);
    await client.listObjects({ bucket, pageSize: 1 });
  }

  /** A line per bucket that cannot be listed; throws on errors that concern all buckets. */
  async #unreadable(buckets: string[]): Promise<string[]> {
    const lines: string[] = [];
    for (const bucket of buckets) {
      try {
        await this.#probe(bucket);
      } catch (error) {
        if (!(error instanceof S3Error) || GLOBAL_CODES.has(error.code)) throw error;
        lines.push(
          error.code === "NoSuchBucket"
            ? `bucket "${bucket}" does not exist`
            : error.code === "AccessDenied"
            ? `bucket "${bucket}": access denied (grant the key s3:ListBucket on it)`
            : `bucket "${bucket}": ${error.message}`,
        );
      }
    }
    return lines;
  }

  #download(
    options: { client: S3Client; bucket: string; object: S3Object; context: SyncContext },
  ): Download | undefined {
    const { client, bucket, object, context } = options;
    const reason = skipDownloadReason({
      name: object.key,
      size: object.size,
      maxFileSize: context.maxFileSize,
    });
    if (reason) {
      if (object.size > context.maxFileSize) {
        this.#logger.debug(`not downloading s3://${bucket}/${object.key}: ${reason}`);
      }
      return undefined;
    }
    return async (signal) => {
      let bytes: Uint8Array | null;
      try {
        bytes = await client.getObject({
          bucket,
          key: object.key,
          maxBytes: context.maxFileSize,
          signal,
        });
      } catch (error) {
        if (error instanceof S3Error && error.code === "NoSuchKey") {
          // Deleted since the listing: the next sync removes its document.
          this.#logger.debug(`s3://${bucket}/${object.key} was deleted before its download`);
          return null;
        }
        throw error;
      }
      if (!bytes) {
        this.#logger.warn(
          `not downloading s3://${bucket}/${object.key}: it grew beyond ` +
            `service.max_file_download_size ${context.maxFileSize} since the listing`,
        );
        return null;
      }
      return { _attachment: toBase64(bytes) };
    };
  }
}

/** The reference's document for one object; folder placeholders ("dir/") included. */
function objectDocument(bucket: string, object: S3Object) {
  return {
    _id: md5Hex(`${bucket}/${object.key}`),
    filename: object.key,
    size_in_bytes: object.size,
    bucket,
    owner: object.ownerDisplayName,
    storage_class: object.storageClass,
    _timestamp: object.lastModified,
  };
}

/** The `endpoint` value as an http(s) base URL, or undefined for AWS. */
function endpointOf(value: unknown): string | undefined {
  const text = String(value ?? "").trim();
  if (text === "") return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigValueError(
      `'S3 endpoint' (endpoint) "${text}" is not a URL: use e.g. http://minio.local:9000, or leave it empty for AWS.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigValueError(
      `'S3 endpoint' (endpoint) "${text}" must start with http:// or https://.`,
    );
  }
  return text;
}
