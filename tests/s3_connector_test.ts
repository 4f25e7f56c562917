/**
 * The `s3` connector against a real S3-compatible server (S3Proxy, see tests/support/s3.ts):
 * documents, pagination, downloads, advanced rules and the errors users see.
 */
import assert from "node:assert/strict";
import { S3Client, s3Connector } from "../connectors/s3/mod.ts";
import { configureLogging, Logger } from "../lib/log/mod.ts";
import { freePort } from "../lib/harness/mod.ts";
import { md5Hex, toBase64 } from "../lib/source/files.ts";
import {
  ConfigValueError,
  type ConfigValues,
  type Source,
  type SourceItem,
} from "../lib/source/types.ts";
import { testS3 } from "./support/s3.ts";

const s3 = await testS3();
const admin = new S3Client({
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  endpoint: s3.endpoint,
  region: s3.region,
  maxRetries: 0,
});

let counter = 0;

/** Creates a fresh bucket holding `objects` (key to content) and returns its name. */
async function bucketWith(objects: Record<string, string | Uint8Array>): Promise<string> {
  counter += 1;
  const bucket = `test-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 6)}-${counter}`;
  await admin.createBucket(bucket);
  for (const [key, body] of Object.entries(objects)) {
    await admin.putObject({ bucket, key, body });
  }
  return bucket;
}

function source(config: ConfigValues): Source {
  return s3Connector.create({
    config: {
      aws_access_key_id: s3.accessKeyId,
      aws_secret_access_key: s3.secretAccessKey,
      endpoint: s3.endpoint,
      read_timeout: 90,
      connect_timeout: 90,
      max_attempts: 0,
      page_size: 100,
      ...config,
    },
    logger: new Logger(),
  });
}

async function collect(
  from: Source,
  options: { advancedRules?: unknown; maxFileSize?: number } = {},
): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  const context = {
    signal: new AbortController().signal,
    logger: new Logger(),
    advancedRules: options.advancedRules,
    maxFileSize: options.maxFileSize ?? 10 * 1024 * 1024,
    warn: () => {},
  };
  try {
    for await (const item of from.docs(context)) items.push(item);
  } finally {
    await from.close();
  }
  return items;
}

function byFilename(items: SourceItem[]): Map<string, SourceItem> {
  return new Map(items.map((item) => [String(item.doc.filename), item]));
}

const PDF = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a, 0x00, 0xff]);
const library = await bucketWith({
  "readme.md": "# hello",
  "docs/": "",
  "docs/report.pdf": PDF,
  "docs/data.bin": new Uint8Array([1, 2, 3]),
  "docs/big.txt": "x".repeat(100),
  "images/photo.PNG": new Uint8Array([0x89, 0x50]),
  "a b+c (1)&<x>.txt": "special",
});

Deno.test("s3 yields the reference's fields for every object, folder placeholders included", async () => {
  const before = Date.now() - 60_000;
  const items = await collect(source({ buckets: [library] }));
  assert.deepEqual([...byFilename(items).keys()].sort(), [
    "a b+c (1)&<x>.txt",
    "docs/",
    "docs/big.txt",
    "docs/data.bin",
    "docs/report.pdf",
    "images/photo.PNG",
    "readme.md",
  ]);
  const readme = byFilename(items).get("readme.md")!.doc;
  assert.deepEqual(Object.keys(readme), [
    "_id",
    "filename",
    "size_in_bytes",
    "bucket",
    "owner",
    "storage_class",
    "_timestamp",
  ]);
  assert.equal(readme._id, md5Hex(`${library}/readme.md`));
  assert.equal(readme.size_in_bytes, 7);
  assert.equal(readme.bucket, library);
  assert.equal(readme.storage_class, "STANDARD");
  assert.equal(typeof readme.owner, "string");
  assert.match(String(readme._timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Date.parse(String(readme._timestamp)) > before);
  const folder = byFilename(items).get("docs/")!;
  assert.equal(folder.doc._id, md5Hex(`${library}/docs/`));
  assert.equal(folder.doc.size_in_bytes, 0);
  assert.equal(folder.download, undefined);
  assert.equal(byFilename(items).get("docs/report.pdf")!.doc.size_in_bytes, PDF.byteLength);
});

Deno.test("s3 downloads extractable content within the size limit, lazily", async () => {
  const items = byFilename(await collect(source({ buckets: [library] }), { maxFileSize: 50 }));
  const signal = new AbortController().signal;
  assert.deepEqual(await items.get("readme.md")!.download!(signal), {
    _attachment: toBase64(new TextEncoder().encode("# hello")),
  });
  assert.deepEqual(await items.get("docs/report.pdf")!.download!(signal), {
    _attachment: toBase64(PDF),
  });
  assert.deepEqual(await items.get("a b+c (1)&<x>.txt")!.download!(signal), {
    _attachment: toBase64(new TextEncoder().encode("special")),
  });
  // Not extractable, or over the limit: no download at all.
  assert.equal(items.get("docs/data.bin")!.download, undefined);
  assert.equal(items.get("images/photo.PNG")!.download, undefined);
  assert.equal(items.get("docs/big.txt")!.download, undefined);
});

Deno.test("s3 download returns null for an object deleted or grown since the listing", async () => {
  const bucket = await bucketWith({ "gone.txt": "soon gone", "grows.txt": "small" });
  const items = byFilename(await collect(source({ buckets: [bucket] }), { maxFileSize: 20 }));
  await admin.deleteObject({ bucket, key: "gone.txt" });
  await admin.putObject({ bucket, key: "grows.txt", body: "now far beyond twenty bytes" });
  const signal = new AbortController().signal;
  assert.equal(await items.get("gone.txt")!.download!(signal), null);
  assert.equal(await items.get("grows.txt")!.download!(signal), null);
});

Deno.test("s3 pages through ListObjectsV2 with continuation tokens (page_size 7, 25 objects)", async () => {
  const objects: Record<string, string> = {};
  for (let index = 0; index < 20; index++) {
    objects[`page/${String(index).padStart(2, "0")}.txt`] = `object ${index}`;
  }
  // Keys whose continuation tokens need encoding, spread over the pages.
  for (
    const key of ["a b+c.txt", "page/05 x&y.txt", "ümlaut/ö.txt", "z~!*'().txt", "sp  ace/%41"]
  ) {
    objects[key] = key;
  }
  const bucket = await bucketWith(objects);
  const items = await collect(source({ buckets: [bucket], page_size: 7 }));
  assert.equal(items.length, 25);
  assert.deepEqual(
    items.map((item) => item.doc.filename).sort(),
    Object.keys(objects).sort(),
  );
  assert.equal(new Set(items.map((item) => item.doc._id)).size, 25);
});

Deno.test('s3 syncs every bucket for "*"', async () => {
  const other = await bucketWith({ "other.txt": "other" });
  const items = await collect(source({ buckets: ["*"] }));
  const ids = new Set(items.map((item) => item.doc._id));
  assert.ok(ids.has(md5Hex(`${other}/other.txt`)));
  assert.ok(ids.has(md5Hex(`${library}/readme.md`)));
  assert.ok(ids.has(md5Hex(`${library}/docs/`)));
  const buckets = await admin.listBuckets();
  assert.deepEqual(
    [...new Set(items.map((item) => item.doc.bucket))].sort(),
    buckets.map((bucket) => bucket.name).filter((name) =>
      items.some((item) => item.doc.bucket === name)
    ).sort(),
  );
});

Deno.test("s3 advanced rules list only their bucket and prefix, filtered by extension", async () => {
  const ignored = await bucketWith({ "ignored.md": "not synced" });
  // Prefix "docs", not "docs/": S3Proxy leaves out the "docs/" placeholder itself for the
  // latter, where AWS includes it.
  const byPrefix = await collect(source({ buckets: [ignored] }), {
    advancedRules: [{ bucket: library, prefix: "docs" }],
  });
  assert.deepEqual(
    byPrefix.map((item) => item.doc.filename).sort(),
    ["docs/", "docs/big.txt", "docs/data.bin", "docs/report.pdf"],
  );
  const byExtension = await collect(source({ buckets: [ignored] }), {
    advancedRules: [{ bucket: library, extension: [".md", "PDF", ".png"] }],
  });
  assert.deepEqual(
    byExtension.map((item) => item.doc.filename).sort(),
    ["docs/report.pdf", "images/photo.PNG", "readme.md"],
  );
  const overlapping = await collect(source({ buckets: [ignored] }), {
    advancedRules: [
      { bucket: library, prefix: "docs/", extension: [".txt"] },
      { bucket: library, prefix: "docs/b" },
      { bucket: ignored },
    ],
  });
  assert.deepEqual(
    overlapping.map((item) => item.doc.filename).sort(),
    ["docs/big.txt", "ignored.md"],
  );
});

Deno.test("s3 validates advanced rules: shape, then that the buckets exist", async () => {
  const from = source({ buckets: [library] });
  try {
    assert.deepEqual(await from.validateAdvancedRules!([]), []);
    assert.deepEqual(
      await from.validateAdvancedRules!([{
        bucket: library,
        prefix: "docs/",
        extension: [".pdf"],
      }]),
      [],
    );
    const shape = await from.validateAdvancedRules!([
      { prefix: 1, extension: ".pdf", query: "x" },
    ]);
    assert.deepEqual(shape.map((problem) => problem.id), [
      "advanced_snippet",
      "advanced_snippet",
      "advanced_snippet",
      "advanced_snippet",
    ]);
    assert.match(shape.map((p) => p.message).join("\n"), /unknown keys "query"/);
    assert.match(shape.map((p) => p.message).join("\n"), /"bucket" must be a non-empty/);
    assert.match(shape.map((p) => p.message).join("\n"), /"prefix" must be a string/);
    assert.match(shape.map((p) => p.message).join("\n"), /"extension" must be an array/);
    assert.deepEqual(await from.validateAdvancedRules!({ bucket: library }), [{
      id: "advanced_snippet",
      message: 'Advanced rules must be a JSON array of objects like {"bucket": "name"}.',
    }]);
    const missing = await from.validateAdvancedRules!([
      { bucket: library },
      { bucket: "no-such-bucket-here" },
    ]);
    assert.deepEqual(missing, [{
      id: "advanced_snippet",
      message: 'bucket "no-such-bucket-here" does not exist',
    }]);
  } finally {
    await from.close();
  }
});

Deno.test("s3 ping and validateConfig accept good settings", async () => {
  const from = source({ buckets: [library] });
  await from.ping();
  await from.validateConfig();
  await from.close();
});

Deno.test("s3 bad credentials fail with a message naming the field to fix", async () => {
  const badSecret = source({ buckets: [library], aws_secret_access_key: "wrong-secret-value" });
  await assert.rejects(badSecret.ping(), (error: Error) => {
    assert.match(
      error.message,
      /secret key does not match.*'AWS Secret Key' \(aws_secret_access_key\)/,
    );
    assert.doesNotMatch(error.message, /wrong-secret-value/);
    assert.doesNotMatch(error.message, new RegExp(s3.secretAccessKey));
    assert.equal(error.message.split("\n").length, 1);
    return true;
  });
  const badKey = source({ buckets: [library], aws_access_key_id: "NOSUCHKEY" });
  await assert.rejects(badKey.ping(), /'AWS Access Key Id' \(aws_access_key_id\)/);
  await assert.rejects(collect(badKey), /'AWS Access Key Id' \(aws_access_key_id\)/);
});

Deno.test("s3 missing buckets fail validation and syncs with their names", async () => {
  const from = source({ buckets: [library, "missing-bucket-one", "missing-bucket-two"] });
  await assert.rejects(from.validateConfig(), (error: Error) => {
    assert.ok(error instanceof ConfigValueError);
    assert.equal(
      error.message,
      "'AWS Buckets' (buckets): 2 of 3 buckets cannot be read: " +
        'bucket "missing-bucket-one" does not exist; bucket "missing-bucket-two" does not exist',
    );
    return true;
  });
  await assert.rejects(
    collect(source({ buckets: ["missing-bucket-one"] })),
    /ListObjectsV2: bucket "missing-bucket-one" does not exist: fix its name in 'AWS Buckets'/,
  );
});

Deno.test("s3 rejects unusable settings before connecting", async () => {
  await assert.rejects(source({ buckets: [] }).validateConfig(), /'AWS Buckets' \(buckets\)/);
  await assert.rejects(
    source({ buckets: [library], page_size: 0 }).validateConfig(),
    /'Maximum size of page' \(page_size\) is 0/,
  );
  await assert.rejects(
    source({ buckets: [library], endpoint: "minio:9000" }).validateConfig(),
    /'S3 endpoint' \(endpoint\) "minio:9000" must start with http/,
  );
});

Deno.test("s3 unreachable endpoint: retried max_attempts times, then a clear message", async () => {
  const lines: string[] = [];
  configureLogging({ write: (line) => lines.push(line) });
  try {
    const port = await freePort(); // Nothing listens there.
    const from = source({
      buckets: [library],
      endpoint: `http://127.0.0.1:${port}`,
      max_attempts: 2,
    });
    await assert.rejects(
      from.ping(),
      new RegExp(
        `cannot reach http://127.0.0.1:${port} for ListBuckets: .*'S3 endpoint' \\(endpoint\\)`,
      ),
    );
    assert.equal(lines.filter((line) => /retry \d of 2/.test(line)).length, 2);
  } finally {
    configureLogging({
      write: (line) => Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
  }
});
