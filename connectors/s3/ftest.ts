/**
 * ftest fixture for `s3`: a throwaway S3Proxy with two buckets of folder placeholders and files
 * (50+250 / 150+1 000 / 300+3 000 objects); the removal deletes 5 / 10 / 15 folders with their
 * files.
 * @module
 */
import { startS3 } from "../../lib/harness/mod.ts";
import {
  contentText,
  type DatasetSize,
  type ExpectedDocument,
  type FixtureSource,
  type FtestFixture,
  type Rng,
  sentence,
  slug,
} from "../../lib/ftest/mod.ts";
import { md5Hex } from "../../lib/source/files.ts";
import { S3Client } from "./mod.ts";

const LAYOUT: Readonly<Record<DatasetSize, { folders: number; files: number; removed: number }>> = {
  small: { folders: 50, files: 250, removed: 5 },
  medium: { folders: 150, files: 1_000, removed: 10 },
  large: { folders: 300, files: 3_000, removed: 15 },
};
const BUCKETS = ["ftest-reports", "ftest-notes"];
const EXTENSIONS = [".html", ".txt", ".md"] as const;
/** Uploads in flight at once. */
const CONCURRENCY = 8;

/** The `s3` fixture. */
export const s3Fixture: FtestFixture = {
  serviceType: "s3",
  sizes: {
    small: LAYOUT.small.folders + LAYOUT.small.files,
    medium: LAYOUT.medium.folders + LAYOUT.medium.files,
    large: LAYOUT.large.folders + LAYOUT.large.files,
  },
  dataset: "folder placeholders and HTML, text and Markdown files in two buckets; the removal " +
    "deletes some folders with their files",
  start: async () => new S3Data(await startS3()),
};

type Server = Awaited<ReturnType<typeof startS3>>;

interface StoredObject {
  bucket: string;
  key: string;
}

class S3Data implements FixtureSource {
  readonly configuration;
  readonly access;
  readonly #server: Server;
  readonly #client: S3Client;
  /** Folder placeholder -> the files in it. */
  readonly #folders = new Map<string, StoredObject[]>();
  #size: DatasetSize = "small";
  #stopped?: Promise<void>;

  constructor(server: Server) {
    this.#server = server;
    this.#client = new S3Client({
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      endpoint: server.endpoint,
      region: server.region,
    });
    this.configuration = {
      buckets: BUCKETS,
      aws_access_key_id: server.accessKeyId,
      aws_secret_access_key: server.secretAccessKey,
      endpoint: server.endpoint,
    };
    this.access = [
      `S3Proxy at ${server.endpoint} (path-style, region ${server.region}), buckets ` +
      `${BUCKETS.join(", ")}, access key ${server.accessKeyId}, secret ${server.secretAccessKey}`,
    ];
  }

  async load({ size, rng }: { size: DatasetSize; rng: Rng }) {
    this.#size = size;
    const { folders, files } = LAYOUT[size];
    for (const bucket of BUCKETS) await this.#client.createBucket(bucket);
    const uploads: { object: StoredObject; body: string }[] = [];
    const placeholders: StoredObject[] = [];
    for (let i = 0; i < folders; i++) {
      const folder = { bucket: BUCKETS[i % BUCKETS.length], key: `${slug(rng)}-${i}/` };
      placeholders.push(folder);
      this.#folders.set(`${folder.bucket}/${folder.key}`, []);
      uploads.push({ object: folder, body: "" });
    }
    const samples: ExpectedDocument[] = [];
    const sampleEvery = Math.floor(files / 5);
    for (let i = 0; i < files; i++) {
      const folder = rng.pick(placeholders);
      const extension = rng.pick(EXTENSIONS);
      const object = {
        bucket: folder.bucket,
        key: `${folder.key}${String(i).padStart(5, "0")}-${slug(rng)}${extension}`,
      };
      const body = fileBody(rng, extension);
      this.#folders.get(`${folder.bucket}/${folder.key}`)!.push(object);
      uploads.push({ object, body });
      if (i % sampleEvery === 0) {
        samples.push(expected(object, new TextEncoder().encode(body).length));
      }
    }
    samples.push(expected(placeholders[0], 0));
    await inParallel(uploads, ({ object, body }) => this.#client.putObject({ ...object, body }));
    return { documents: folders + files, samples };
  }

  async remove({ rng }: { rng: Rng }) {
    const chosen = rng.sample([...this.#folders.keys()], LAYOUT[this.#size].removed);
    const files: StoredObject[] = [];
    const placeholders: StoredObject[] = [];
    for (const name of chosen) {
      const slash = name.indexOf("/");
      files.push(...this.#folders.get(name)!);
      placeholders.push({ bucket: name.slice(0, slash), key: name.slice(slash + 1) });
      this.#folders.delete(name);
    }
    // Files first: a filesystem-backed S3 may refuse to drop a folder that still has files.
    await inParallel(files, (object) => this.#client.deleteObject(object));
    await inParallel(placeholders, (object) => this.#client.deleteObject(object));
    return {
      ids: [...files, ...placeholders].map((object) => md5Hex(`${object.bucket}/${object.key}`)),
    };
  }

  stop(): Promise<void> {
    return this.#stopped ??= this.#server.stop();
  }
}

function expected(object: StoredObject, size: number): ExpectedDocument {
  return {
    id: md5Hex(`${object.bucket}/${object.key}`),
    fields: { filename: object.key, bucket: object.bucket, size_in_bytes: size },
  };
}

function fileBody(rng: Rng, extension: string): string {
  const text = contentText(rng);
  if (extension !== ".html") return text;
  const title = sentence(rng);
  const paragraphs = text.split("\n\n").map((part) => `<p>${part}</p>`).join("\n");
  return `<!doctype html>\n<html><head><title>${title}</title></head>\n<body><h1>${title}</h1>\n${paragraphs}\n</body></html>\n`;
}

/** Runs `task` over `items`, {@linkcode CONCURRENCY} at a time, in order of start. */
async function inParallel<T>(items: T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}
