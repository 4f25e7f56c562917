/**
 * Turns a source document into the document Elasticsearch stores: the `_id` becomes a string
 * (also `0`), is copied to `id` (the reference stores `id`), is hashed when longer than
 * Elasticsearch's 512-byte limit, `_timestamp` is always set, and the job's pipeline flags are
 * added.
 *
 * @example
 * ```ts
 * const prepare = new DocumentPreparer({ now: new Date().toISOString() });
 * const doc = { _id: 0, title: "zero" };
 * prepare.prepare(doc); // "0"; doc.id === "0", doc._timestamp set, `_id` left out of its JSON
 * ```
 * @module
 */

import { createHash } from "node:crypto";
import { utf8Length } from "../es/bulk_batch.ts";
import type { SourceDocument } from "../source/types.ts";
import type { PipelineSettings } from "./types.ts";

/** Elasticsearch's limit on `_id`, in UTF-8 bytes. */
export const MAX_ID_BYTES = 512;
// A string of n UTF-16 code units has at most 3n UTF-8 bytes, so shorter ids need no count.
const SHORT_ID_LENGTH = Math.floor(MAX_ID_BYTES / 3);

/**
 * The id a document is stored under: its `_id` as a string, or the MD5 hex of that string
 * when it is longer than {@linkcode MAX_ID_BYTES} (the reference's `hash_id`, so indices it
 * wrote keep their ids). Undefined when the document has no usable id (missing or empty).
 */
export function documentId(raw: unknown): string | undefined {
  let id: string;
  if (typeof raw === "string") id = raw;
  else if (raw === undefined || raw === null) return undefined;
  else id = String(raw);
  if (id === "") return undefined;
  if (id.length <= SHORT_ID_LENGTH || utf8Length(id) <= MAX_ID_BYTES) return id;
  return hashId(id);
}

/** MD5 hex of the UTF-8 bytes of `id`, as the reference hashes over-long ids. */
export function hashId(id: string): string {
  return createHash("md5").update(id, "utf8").digest("hex");
}

/** Why {@linkcode documentId} refused an id, for logs and the failed-documents sample. */
export function idProblem(raw: unknown): string {
  return raw === undefined || raw === null
    ? "the source gave the document no _id; skipped"
    : "the source gave the document an empty _id, which Elasticsearch refuses; skipped";
}

/** Options for {@linkcode DocumentPreparer}. */
export interface DocumentPreparerOptions {
  /** `_timestamp` for documents the source gave none (ISO-8601). */
  now: string;
  /** The job's pipeline: its three flags are copied into every document. Omit for ACL docs. */
  pipeline?: PipelineSettings;
}

/** Prepares documents in place; see the module docs. */
export class DocumentPreparer {
  readonly #now: string;
  readonly #pipeline?: PipelineSettings;

  constructor(options: DocumentPreparerOptions) {
    this.#now = options.now;
    this.#pipeline = options.pipeline;
  }

  /**
   * Prepares `doc` in place and returns its id, or undefined when it has no usable id (see
   * {@linkcode idProblem}); the document is then left untouched.
   */
  prepare(doc: SourceDocument): string | undefined {
    const id = documentId(doc._id);
    if (id === undefined) return undefined;
    // Undefined rather than `delete`: JSON.stringify leaves it out, and `delete` makes
    // V8 switch the object to a slow dictionary (3x slower serialization, measured).
    (doc as Record<string, unknown>)._id = undefined;
    doc.id = id;
    if (typeof doc._timestamp !== "string" || doc._timestamp === "") doc._timestamp = this.#now;
    const pipeline = this.#pipeline;
    if (pipeline) {
      doc._extract_binary_content = pipeline.extract_binary_content;
      doc._reduce_whitespace = pipeline.reduce_whitespace;
      doc._run_ml_inference = pipeline.run_ml_inference;
    }
    return id;
  }
}
