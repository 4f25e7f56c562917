/**
 * The `dir` source: every file under a directory that matches a glob pattern, with the
 * reference's document fields, and the file's content as `_attachment` when it is extractable
 * and within the size limit.
 * @module
 */
import { join, resolve } from "node:path";
import type { Logger } from "../../lib/log/mod.ts";
import { md5Hex, skipDownloadReason, toBase64 } from "../../lib/source/files.ts";
import {
  ConfigValueError,
  type ConfigValues,
  type Download,
  type Source,
  type SourceItem,
  type SyncContext,
} from "../../lib/source/types.ts";
import { globToRegExp } from "./glob.ts";

/** How long counting files for the progress estimate may take. */
export const ESTIMATE_MAX_MS = 2_000;

/** Reads a local directory tree. */
export class DirectorySource implements Source {
  readonly #directory: string;
  readonly #pattern: string;
  readonly #logger: Logger;

  constructor(options: { config: ConfigValues; logger: Logger }) {
    this.#directory = resolve(String(options.config.directory ?? "."));
    this.#pattern = String(options.config.pattern ?? "**/*.*");
    this.#logger = options.logger;
  }

  async validateConfig(): Promise<void> {
    if (this.#pattern.trim() === "") {
      throw new ConfigValueError("'File glob-like pattern' (pattern) cannot be empty.");
    }
    await this.ping();
  }

  async ping(): Promise<void> {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(this.#directory);
    } catch (error) {
      throw new ConfigValueError(
        `'Directory path' (directory) ${this.#directory} cannot be read: ${
          (error as Error).message
        }`,
      );
    }
    if (!info.isDirectory) {
      throw new ConfigValueError(
        `'Directory path' (directory) ${this.#directory} is not a directory`,
      );
    }
  }

  async *docs(context: SyncContext): AsyncIterable<SourceItem> {
    const matcher = globToRegExp(this.#pattern);
    for await (const relative of walkFiles(this.#directory, context.signal)) {
      if (!matcher.test(relative)) continue;
      const path = join(this.#directory, relative);
      let stat: Deno.FileInfo;
      try {
        stat = await Deno.stat(path);
      } catch (error) {
        // Deleted between listing and stat: not an error, the next sync settles it.
        this.#logger.debug(`skipping ${path}: ${(error as Error).message}`);
        continue;
      }
      if (!stat.isFile) continue;
      yield {
        doc: fileDocument(path, stat),
        download: this.#download(path, stat.size, context.maxFileSize),
      };
    }
  }

  /**
   * Files matching the pattern, by listing the tree without reading or stat-ing files (which
   * also warms the cache for the sync); null when listing takes longer than
   * {@linkcode ESTIMATE_MAX_MS}, so a huge tree does not delay the sync.
   */
  async estimateTotal(context: SyncContext): Promise<number | null> {
    const matcher = globToRegExp(this.#pattern);
    const deadline = performance.now() + ESTIMATE_MAX_MS;
    let count = 0;
    for await (const relative of walkFiles(this.#directory, context.signal)) {
      if (performance.now() > deadline) return null;
      if (matcher.test(relative)) count++;
    }
    return count;
  }

  #download(path: string, size: number, maxFileSize: number): Download | undefined {
    const reason = skipDownloadReason({ name: path, size, maxFileSize });
    if (reason) {
      if (size > maxFileSize) this.#logger.debug(`not downloading ${path}: ${reason}`);
      return undefined;
    }
    return async () => ({ _attachment: toBase64(await Deno.readFile(path)) });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The reference's fields for one file; times in seconds like Python's `os.stat`. */
function fileDocument(path: string, stat: Deno.FileInfo) {
  const modified = stat.mtime ?? new Date(0);
  return {
    _id: md5Hex(path),
    _timestamp: modified.toISOString(),
    path,
    last_modified_time: modified.toISOString(),
    inode_protection_mode: stat.mode,
    inode_number: stat.ino,
    device_inode_reside: stat.dev,
    number_of_links: stat.nlink,
    uid: stat.uid,
    gid: stat.gid,
    ctime: seconds(stat.ctime),
    last_access_time: seconds(stat.atime),
    size: stat.size,
  };
}

function seconds(date: Date | null): number | null {
  return date ? date.getTime() / 1000 : null;
}

/**
 * Paths of regular files below `root`, relative to it, depth first. Symlinked directories are
 * not followed, so a link cycle cannot loop forever.
 */
async function* walkFiles(root: string, signal: AbortSignal): AsyncIterable<string> {
  const pending = [""];
  while (pending.length > 0) {
    signal.throwIfAborted();
    const relativeDir = pending.pop()!;
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(join(root, relativeDir))) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory) pending.push(relative);
      else if (entry.isFile || entry.isSymlink) yield relative;
    }
  }
}
