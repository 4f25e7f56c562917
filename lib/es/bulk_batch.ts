/**
 * One `_bulk` request body being filled: NDJSON built once by string concatenation, its UTF-8
 * size, and where each operation sits in it (to re-send single items answered 429).
 *
 * @example
 * ```ts
 * const batch = new BulkBatch({ chunkSize: 500, chunkMaxBytes: 3 * 1024 * 1024 });
 * const op = bulkOperation("index", "42", { id: "42", title: "hello" });
 * if (batch.wouldOverflow(op.bytes)) send(batch);
 * batch.add(op);
 * ```
 * @module
 */

/** The three operations the sink sends. */
export type BulkAction = "index" | "update" | "delete";

/** One operation serialized for a `_bulk` body. */
export interface BulkOperation {
  action: BulkAction;
  id: string;
  /** Action line plus document line(s), each ending with `\n`. */
  ndjson: string;
  /** UTF-8 length of `ndjson`. */
  bytes: number;
  /** UTF-8 length of the document's JSON (0 for deletes); feeds `indexed_document_volume`. */
  docBytes: number;
}

/** An operation's place in a batch body. */
export interface BatchItem {
  action: BulkAction;
  id: string;
  /** UTF-16 offsets of the operation's lines in the body. */
  start: number;
  end: number;
  docBytes: number;
}

/** Caps of one batch. */
export interface BatchLimits {
  /** Documents per request (a delete is one document). */
  chunkSize: number;
  /** UTF-8 bytes per request; a larger single operation goes alone. */
  chunkMaxBytes: number;
}

/** UTF-8 length of `text` without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      // A surrogate pair is 2 UTF-16 units and 4 UTF-8 bytes; a lone surrogate becomes U+FFFD (3).
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i += 1;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * Serializes one operation. `docJson` is the document's JSON (already measured by the caller for
 * the size cap); an update wraps it as `{"doc":...,"doc_as_upsert":true}` without re-serializing.
 */
export function bulkOperation(
  action: BulkAction,
  id: string,
  docJson?: string,
  docBytes = 0,
): BulkOperation {
  const head = `{"${action}":{"_id":${JSON.stringify(id)}}}\n`;
  let ndjson = head;
  if (action === "index") ndjson += docJson + "\n";
  else if (action === "update") ndjson += `{"doc":${docJson},"doc_as_upsert":true}\n`;
  // The wrapper around the document is ASCII, so its UTF-16 length is its byte length.
  const wrapperBytes = ndjson.length - head.length - (docJson?.length ?? 0);
  const bytes = utf8Length(head) + wrapperBytes + (action === "delete" ? 0 : docBytes);
  return { action, id, ndjson, bytes, docBytes: action === "delete" ? 0 : docBytes };
}

/** A batch being filled; see the module docs. */
export class BulkBatch {
  readonly limits: BatchLimits;
  body = "";
  bytes = 0;
  readonly items: BatchItem[] = [];

  constructor(limits: BatchLimits) {
    this.limits = limits;
  }

  /** Documents in the batch. */
  get size(): number {
    return this.items.length;
  }

  /** Whether adding `bytes` would push a non-empty batch over `chunkMaxBytes`. */
  wouldOverflow(bytes: number): boolean {
    return this.items.length > 0 && this.bytes + bytes > this.limits.chunkMaxBytes;
  }

  /** Whether the batch reached a cap and should be sent now. */
  get full(): boolean {
    return this.items.length >= this.limits.chunkSize || this.bytes >= this.limits.chunkMaxBytes;
  }

  /** Appends one operation. */
  add(operation: BulkOperation): void {
    const start = this.body.length;
    this.body += operation.ndjson;
    this.bytes += operation.bytes;
    this.items.push({
      action: operation.action,
      id: operation.id,
      start,
      end: this.body.length,
      docBytes: operation.docBytes,
    });
  }

  /** The NDJSON of some of this batch's items, e.g. those to retry. */
  bodyOf(items: readonly BatchItem[]): string {
    if (items.length === this.items.length) return this.body;
    let body = "";
    for (const item of items) body += this.body.slice(item.start, item.end);
    return body;
  }
}
