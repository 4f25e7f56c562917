/**
 * Run files of the external sort: sorted ids, one per line. Ids may hold any character, so
 * `\` and newlines are escaped (`\\`, `\n`); escaping is undone on read, so the order of the
 * ids on disk is the order of the original strings.
 *
 * @example
 * ```ts
 * const writer = await RunWriter.create("/tmp/run-0");
 * await writer.write("a\nb");
 * await writer.close();
 * const reader = await RunReader.open("/tmp/run-0");
 * await reader.advance(); // reader.head === "a\nb"
 * reader.close();
 * ```
 * @module
 */

const CHUNK_BYTES = 1 << 16;
const FLUSH_CHARS = 1 << 18;
const encoder = new TextEncoder();

/** Escapes `\` and newlines so that an id fits on one line. */
export function escapeId(id: string): string {
  if (id.indexOf("\\") === -1 && id.indexOf("\n") === -1) return id;
  return id.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** Undoes {@linkcode escapeId}. */
export function unescapeId(line: string): string {
  if (line.indexOf("\\") === -1) return line;
  return line.replace(/\\(.)/gs, (_, char: string) => char === "n" ? "\n" : char);
}

/** Appends ids to a run file through a buffer. */
export class RunWriter {
  readonly path: string;
  readonly #file: Deno.FsFile;
  #buffer = "";

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /** Creates (or truncates) the file at `path`. */
  static async create(path: string): Promise<RunWriter> {
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    return new RunWriter(path, file);
  }

  /** Adds one id; writes to disk only when the buffer is full. */
  write(id: string): Promise<void> | undefined {
    this.#buffer += escapeId(id) + "\n";
    if (this.#buffer.length < FLUSH_CHARS) return undefined;
    return this.#flush();
  }

  /** Writes what is buffered and closes the file. */
  async close(): Promise<void> {
    try {
      await this.#flush();
    } finally {
      this.#file.close();
    }
  }

  /** Closes the file without writing what is buffered (after an error). */
  abandon(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }

  async #flush(): Promise<void> {
    if (this.#buffer === "") return;
    const bytes = encoder.encode(this.#buffer);
    this.#buffer = "";
    let written = 0;
    while (written < bytes.length) written += await this.#file.write(bytes.subarray(written));
  }
}

/** A cursor over sorted ids: `head` is the current id, undefined once exhausted. */
export interface IdCursor {
  head: string | undefined;
  /** Moves to the next id; returns a promise only when it has to read from disk. */
  advance(): Promise<void> | undefined;
  close(): void;
}

/** Reads a run file line by line, a chunk at a time. */
export class RunReader implements IdCursor {
  head: string | undefined = undefined;
  readonly #file: Deno.FsFile;
  readonly #decoder = new TextDecoder();
  readonly #chunk = new Uint8Array(CHUNK_BYTES);
  #lines: string[] = [];
  #next = 0;
  #rest = "";
  #eof = false;
  #closed = false;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Opens a run file; call {@linkcode RunReader.advance} once to load the first id. */
  static async open(path: string): Promise<RunReader> {
    return new RunReader(await Deno.open(path, { read: true }));
  }

  advance(): Promise<void> | undefined {
    if (this.#next < this.#lines.length) {
      this.head = unescapeId(this.#lines[this.#next++]);
      return undefined;
    }
    if (this.#eof) {
      this.head = undefined;
      this.close();
      return undefined;
    }
    return this.#fill().then(() => this.advance());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  async #fill(): Promise<void> {
    this.#lines = [];
    this.#next = 0;
    // Loop until at least one full line arrived or the file ended (ids can exceed a chunk).
    while (this.#lines.length === 0 && !this.#eof) {
      const read = await this.#file.read(this.#chunk);
      if (read === null) {
        this.#eof = true;
        this.#rest += this.#decoder.decode();
        if (this.#rest !== "") this.#lines = [this.#rest];
        this.#rest = "";
        return;
      }
      const text = this.#rest +
        this.#decoder.decode(this.#chunk.subarray(0, read), { stream: true });
      const lines = text.split("\n");
      this.#rest = lines.pop()!;
      this.#lines = lines;
    }
  }
}

/** A cursor over an in-memory sorted array. */
export class ArrayCursor implements IdCursor {
  head: string | undefined = undefined;
  readonly #ids: readonly string[];
  #next = 0;

  constructor(ids: readonly string[]) {
    this.#ids = ids;
  }

  advance(): undefined {
    this.head = this.#next < this.#ids.length ? this.#ids[this.#next++] : undefined;
    return undefined;
  }

  close(): void {}
}
