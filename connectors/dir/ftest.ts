/**
 * ftest fixture for `dir`: a tree of generated text, Markdown and JSON files in nested folders
 * (300 / 2 000 / 10 000 files); the removal deletes 10 % of them.
 * @module
 */
import { join } from "node:path";
import { md5Hex } from "../../lib/source/files.ts";
import {
  contentText,
  type ExpectedDocument,
  type FixtureSource,
  type FtestFixture,
  type Rng,
  sentence,
  slug,
} from "../../lib/ftest/mod.ts";

const FILES = { small: 300, medium: 2_000, large: 10_000 } as const;
const EXTENSIONS = [".txt", ".md", ".json"] as const;

/** The `dir` fixture. */
export const dirFixture: FtestFixture = {
  serviceType: "dir",
  sizes: FILES,
  dataset: "text, Markdown and JSON files in nested folders; the removal deletes 10 % of them",
  start: ({ workdir }) => Promise.resolve(new DirectoryTree(join(workdir, "files"))),
};

class DirectoryTree implements FixtureSource {
  readonly configuration;
  readonly access;
  readonly #root: string;
  #files: string[] = [];

  constructor(root: string) {
    this.#root = root;
    this.configuration = { directory: root, pattern: "**/*.*" };
    this.access = [`files: ${root}`];
  }

  async load({ size, rng }: { size: keyof typeof FILES; rng: Rng }) {
    await Deno.mkdir(this.#root, { recursive: true });
    const folders = folderTree(rng, Math.ceil(FILES[size] / 25));
    const samples: ExpectedDocument[] = [];
    const sampleEvery = Math.floor(FILES[size] / 5);
    for (let i = 0; i < FILES[size]; i++) {
      const folder = rng.pick(folders);
      const extension = rng.pick(EXTENSIONS);
      const relative = `${folder}/${String(i).padStart(5, "0")}-${slug(rng)}${extension}`;
      const path = join(this.#root, relative);
      const bytes = new TextEncoder().encode(fileContent(rng, extension));
      await Deno.mkdir(join(path, ".."), { recursive: true });
      await Deno.writeFile(path, bytes);
      this.#files.push(path);
      if (i % sampleEvery === 0) {
        samples.push({ id: md5Hex(path), fields: { path, size: bytes.length } });
      }
    }
    return { documents: this.#files.length, samples };
  }

  async remove({ rng }: { rng: Rng }) {
    const removed = rng.sample(this.#files, Math.round(this.#files.length / 10));
    for (const path of removed) await Deno.remove(path);
    const gone = new Set(removed);
    this.#files = this.#files.filter((path) => !gone.has(path));
    return { ids: removed.map(md5Hex) };
  }

  async stop() {
    await Deno.remove(this.#root, { recursive: true }).catch(() => {});
  }
}

/** `count` folder paths up to three levels deep, e.g. `reports/2021-q3/drafts`. */
function folderTree(rng: Rng, count: number): string[] {
  const folders: string[] = [];
  for (let i = 0; i < count; i++) {
    const depth = rng.int(1, 3);
    const parts = [`${slug(rng)}-${i}`];
    for (let d = 1; d < depth; d++) parts.push(slug(rng));
    folders.push(parts.join("/"));
  }
  return folders;
}

function fileContent(rng: Rng, extension: string): string {
  const text = contentText(rng);
  if (extension === ".md") return `# ${sentence(rng)}\n\n${text}\n`;
  if (extension === ".json") {
    return JSON.stringify({ title: sentence(rng), tags: [slug(rng), slug(rng)], body: text });
  }
  return text;
}
